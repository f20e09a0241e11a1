"""What every test layer builds with: a clock the test moves, places and people made through the use cases, the
stores (SQLite files, the local PostgreSQL), a web client, and a live server on 127.0.0.1."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from domain.kernel.application import Linli
from domain.kernel.text import normalise_phone
from web.settings import Settings
from web.wiring import Services, build

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-results"
PASSWORD = "correct-horse-42"
# The accounts tests make get a cheap argon2id hash (its parameters travel inside it, and verifying reads them from
# there), so each of the suite's thousands of logins checks the password in a millisecond, not 60 ms and 64 MiB. The
# product's own hashing (web/passwords.py, its defaults and its limit on checks at once) is what every sign-up and
# password change through the forms still uses.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


class Clock:
    """A clock the test moves by hand; starts at 2026-05-01 09:00 Asia/Shanghai (01:00 UTC)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 5, 1, 1, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Places:
    """A district, a street and two communities, founded through the use cases."""

    def __init__(self, app: Linli) -> None:
        self.district = app.accounts.found_district("320106", "鼓楼区")
        self.street = app.accounts.found_street("320106001", "宁海路街道", self.district)
        self.community = app.accounts.found_community("320106001001", "江苏路社区", self.street)
        self.other_community = app.accounts.found_community("320106001002", "颐和路社区", self.street)


_phones = iter(range(10_000_000, 99_999_999))


def new_phone() -> str:
    return f"139{next(_phones):08d}"


def make_resident(app: Linli, community, worker=None, name: str = "居民") -> object:
    """A verified resident of `community` (a worker is made to verify them if none is given)."""
    account_id = app.accounts.sign_up(new_phone(), name, PASSWORD_HASH, community)
    worker = worker or make_worker(app, community)
    app.accounts.verify_residency(worker, account_id, community)
    return account_id


def make_worker(app: Linli, community, role: str = "worker", name: str = "社工") -> object:
    """An account holding `role` (default: community worker) in `community`."""
    account_id = app.accounts.sign_up(new_phone(), name, PASSWORD_HASH, None)
    app.accounts.grant_role(account_id, role, community)
    return account_id


# --- real stores: SQLite files and the local PostgreSQL --------------------------------------
def postgres_env() -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_HOST": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
            "POSTGRES_PORT": os.environ.get("POSTGRES_PORT", "5432"),
            "POSTGRES_USER": os.environ.get("POSTGRES_USER", "linli"),
            "POSTGRES_PASSWORD": os.environ.get("POSTGRES_PASSWORD", "linli"),
            "POSTGRES_DBNAME": os.environ.get("POSTGRES_DBNAME", "linli_test")}


def postgres_available() -> bool:
    try:
        import psycopg
        env = postgres_env()
        with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                             password=env["POSTGRES_PASSWORD"], dbname=env["POSTGRES_DBNAME"], connect_timeout=3):
            return True
    except Exception:
        return False


def admin_sql(*statements: str) -> None:
    import psycopg
    env = postgres_env()
    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                         password=env["POSTGRES_PASSWORD"], dbname=env["POSTGRES_DBNAME"], autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def new_schema(prefix: str = "t_") -> str:
    """A fresh PostgreSQL schema for one test's events (its views and keys get `_views`/`_keys` beside it)."""
    if not postgres_available():
        if os.environ.get("LINLI_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (make test starts it) but is not reachable")
        pytest.skip("PostgreSQL not running; `make test` starts it")
    schema = prefix + secrets.token_hex(6)
    admin_sql(f"CREATE SCHEMA {schema}")
    return schema


def drop_schemas(schema: str) -> None:
    admin_sql(*(f"DROP SCHEMA IF EXISTS {s} CASCADE" for s in (schema, f"{schema}_views", f"{schema}_keys")))


# --- the web app in-process ----------------------------------------------------------------
class WebClient:
    """A Starlette TestClient that fills in the CSRF token and logs people in."""

    def __init__(self, client) -> None:
        self.client = client
        self._session_tokens: dict[str, str] = {}

    def __getattr__(self, name):
        return getattr(self.client, name)

    @property
    def csrf(self) -> str:
        """The token the pages give this client now: its session's own once logged in, else the cookie's."""
        session = self.client.cookies.get("linli_session")
        if session:
            if session not in self._session_tokens:
                self._session_tokens[session] = csrf_from(self.client.get("/login").text)
            return self._session_tokens[session]
        if not self.client.cookies.get("linli_csrf"):
            self.client.get("/healthz")
        return self.client.cookies.get("linli_csrf")

    def post_form(self, url: str, data: dict | None = None, **kwargs) -> httpx.Response:
        body = {"csrf_token": self.csrf, **(data or {})}
        kwargs.setdefault("follow_redirects", False)
        return self.client.post(url, data=body, **kwargs)

    def sms_code(self, phone: str) -> str:
        """The last code the app texted to `phone` (read from the outbox in its data folder)."""
        return sms_code(self.services.settings.sms_outbox, self.services.app.phone_key(normalise_phone(phone)))

    def sign_up(self, phone: str, name: str, community=None, password: str = PASSWORD, **extra) -> httpx.Response:
        """Sign up through the forms: ask for the code, then send it with the rest."""
        sent = self.post_form("/signup/code", {"phone": phone})
        assert sent.status_code == 200, sent.text
        return self.post_form("/signup", {"phone": phone, "code": self.sms_code(phone), "name": name,
                                          "password": password, "password2": password,
                                          "community_id": str(community or ""), "command_id": command_id(), **extra})

    def login(self, phone: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post_form("/login", {"phone": phone, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return response

    def logout(self) -> None:
        self.post_form("/logout")


def command_id() -> str:
    """A fresh command id, as the forms send it (32 hex characters)."""
    return secrets.token_hex(16)


def sms_code(outbox: Path, phone_key: str) -> str:
    """The last one-time code texted to the number with this key, from an outbox file (`web.sms`)."""
    for line in reversed(outbox.read_text(encoding="utf-8").splitlines()):
        message = json.loads(line)
        if message["key"] == phone_key:
            match = re.search(r"\b(\d{6})\b", message["text"])
            assert match, f"no code in the last message to that number: {message['text']}"
            return match.group(1)
    raise AssertionError("no message to that number")


def web_person(web: WebClient, role: str | None, community, name: str = "测试") -> tuple[object, str]:
    """Sign up an account through the app (role None: verified resident) and return (id, phone)."""
    app = web.services.app
    phone = new_phone()
    if role is None:
        account_id = app.accounts.sign_up(phone, name, PASSWORD_HASH, community)
        worker = make_worker(app, community)
        app.accounts.verify_residency(worker, account_id, community)
    else:
        account_id = app.accounts.sign_up(phone, name, PASSWORD_HASH, None)
        app.accounts.grant_role(account_id, role, community)
    web.services.runner.catch_up()
    return account_id, phone


# --- a real server for e2e and load tests --------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`linli serve` in a subprocess on 127.0.0.1, on its own data folder."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        env = {k: v for k, v in os.environ.items() if k != "PERSISTENCE_MODULE"}
        env.update({"LINLI_DATA_DIR": str(data_dir), "LINLI_DEMO": "1", "LINLI_TRUSTED_PROXIES": "127.0.0.1",
                    **(extra_env or {})})
        self.env = env
        self.log = open(data_dir.parent / f"server-{self.port}.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError("server did not start: " + (data_dir.parent / f"server-{self.port}.log").read_text())

    def sms_code(self, phone: str) -> str:
        """The last code this server texted to `phone`."""
        secret = self.env.get("LINLI_SECRET") or (self.data_dir / "secret").read_text().strip()
        phone_key = hmac.new(secret.encode(), normalise_phone(phone).encode(), hashlib.sha256).hexdigest()
        return sms_code(self.data_dir / "sms-outbox.log", phone_key)

    def sign_up(self, client: httpx.Client, token: str, phone: str, name: str, community: str,
                password: str = PASSWORD) -> httpx.Response:
        """Sign up through the forms over HTTP (each number from an address of its own, as through a proxy)."""
        address = {"X-Forwarded-For": f"10.{int(phone[-6:-4])}.{int(phone[-4:-2])}.{int(phone[-2:])}"}
        sent = client.post("/signup/code", data={"csrf_token": token, "phone": phone}, headers=address)
        assert sent.status_code == 200, sent.text
        return client.post("/signup", headers=address, data={
            "csrf_token": token, "phone": phone, "code": self.sms_code(phone), "name": name, "password": password,
            "password2": password, "community_id": community, "command_id": command_id()})

    def services(self) -> Services:
        """A second connection to the same store (to arrange data or check it)."""
        return build(Settings.from_env({k: v for k, v in self.env.items()
                                        if k.startswith(("LINLI_", "POSTGRES_", "PERSISTENCE_"))}))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def wait_for_views(server: LiveServer, timeout: float = 20) -> None:
    """Wait until the live server's views have caught up with its events (its /healthz says so)."""
    deadline = time.monotonic() + timeout
    health = {}
    while time.monotonic() < deadline:
        health = httpx.get(server.url + "/healthz").json()
        if health["views"] >= health["events"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"views did not catch up: {health}")


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)
