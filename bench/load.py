"""HTTP load on 127.0.0.1: Linli's real server (`linli serve`, in a subprocess, on a copy of a generated store) and
the bare Starlette reference (bench/bare.py), driven by the same clients: one thread each with a keep-alive
connection (http.client), released together by a barrier, bounded by a request count and a deadline."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from uuid import UUID, uuid4

import httpx

from bench.common import median, percentile

ROOT = Path(__file__).resolve().parent.parent
Request = tuple[str, str, bytes, dict[str, str]]   # method, path, body, headers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess on a free port of 127.0.0.1, answering `health` before it is used; `stop` ends it."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, health: str = "/healthz",
                 timeout: float = 90) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "ab")
        self.process = subprocess.Popen([sys.executable, *[a.replace("{port}", str(self.port)) for a in args]],
                                        cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.url + health, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start; see {log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


def linli_server(data_dir: Path, log: Path, workers: int = 1) -> Server:
    """`linli serve` on the store in `data_dir` (its secret in the folder), the embedded projection runner."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "LINLI_"))}
    env.update({"LINLI_DATA_DIR": str(data_dir), "LINLI_TRUSTED_PROXIES": "127.0.0.1"})
    return Server(["-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", "{port}", "--workers", str(workers)],
                  env, log)


def bare_server(db: Path, log: Path) -> Server:
    env = {**os.environ, "BARE_DB": str(db)}
    return Server(["-m", "uvicorn", "bench.bare:app", "--host", "127.0.0.1", "--port", "{port}",
                   "--log-level", "warning", "--no-access-log"], env, log)


def wait_for_views(server: Server, timeout: float = 120) -> None:
    """Until the server's views have caught up with its events (its /healthz says how far they are)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(server.url + "/healthz", timeout=10).json()
        if health["views"] >= health["events"]:
            return
        time.sleep(0.1)
    raise RuntimeError(f"views did not catch up: {health}")


@dataclass
class Session:
    """A logged-in resident: the cookies and the CSRF token its forms carry, and the address it comes from."""

    cookie: str
    token: str
    address: str


def log_in(server: Server, phone: str, password: str, address: str) -> Session:
    """Log in through the form (as a browser would, through a proxy that says where it comes from)."""
    headers = {"X-Forwarded-For": address}
    with httpx.Client(base_url=server.url, timeout=60, headers=headers) as client:
        token = _csrf(client.get("/login").text)
        response = client.post("/login", data={"csrf_token": token, "phone": phone, "password": password,
                                               "next": "/"})
        if response.status_code != 303:
            raise RuntimeError(f"login of {phone} failed: {response.status_code}")
        token = _csrf(client.get("/login").text)   # a session's forms carry its own token
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
    return Session(cookie, token, address)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def sign_up_request(session: Session, path: str) -> Request:
    """The two-tap sign-up as htmx sends it: the form's token and a fresh command id; the shift's card comes back."""
    body = urlencode({"csrf_token": session.token, "command_id": uuid4().hex}).encode()
    return ("POST", path, body, {"Cookie": session.cookie, "HX-Request": "true", "X-Forwarded-For": session.address,
                                 "Content-Type": "application/x-www-form-urlencoded"})


def bare_request(session: Session) -> Request:
    """The same form, cookies and headers, to the bare reference."""
    method, _, body, headers = sign_up_request(session, "/signup")
    return method, "/signup", body, headers


@dataclass
class LoadResult:
    """What one load run saw: answers that did what was asked, errors, its length and every latency (seconds)."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return 1000 * median(self.latencies)

    @property
    def p99_ms(self) -> float:
        return 1000 * percentile(self.latencies, 99)


def succeeded(status: int, body: bytes) -> bool:
    """A sign-up's answer: 200 with the card's confirmation (a refusal comes back as an alert in the card)."""
    return status == 200 and b'role="alert"' not in body and b'role="status"' in body


def hammer(port: int, plans: list[list[Request]], seconds: float) -> LoadResult:
    """Each plan on a thread of its own with one keep-alive connection, all released together; a client stops
    when its plan is done or the deadline has passed."""
    result = LoadResult()
    lock = threading.Lock()
    barrier = threading.Barrier(len(plans) + 1)
    finished: list[float] = []

    def client(plan: list[Request]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, ok, errors, first = [], 0, 0, ""
        barrier.wait()
        deadline = time.perf_counter() + seconds
        for method, path, body, headers in plan:
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                data = response.read()
                good = succeeded(response.status, data)
                if not good and not first:
                    first = f"{response.status}: {data[:200]!r}"
            except (OSError, http.client.HTTPException) as e:
                good, first = False, first or repr(e)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies.append(time.perf_counter() - started)
            ok, errors = ok + good, errors + (not good)
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.ok += ok
            result.errors += errors
            result.first_error = result.first_error or first
            finished.append(time.perf_counter())

    threads = [threading.Thread(target=client, args=(p,), daemon=True) for p in plans]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(seconds + 60)
    result.seconds = max(finished, default=started) - started
    return result


def plan_day(app, worker: UUID, community: UUID, on: datetime, shifts: int, places: int) -> tuple[UUID, list[UUID]]:
    """An action day at `on` (a Shanghai-time midnight): `shifts` shifts of 4 minutes, 5 minutes apart from 08:00,
    so one resident can take every one of them."""
    day = app.volunteer.create_action_day(worker, community, None, "全民志愿服务日（压测）", "", on.date().isoformat(),
                                          command_id=uuid4().hex)
    first = on + timedelta(hours=8)
    ids = [app.volunteer.add_shift(worker, day, f"服务岗位{n + 1}", "社区广场", first + timedelta(minutes=5 * n),
                                   first + timedelta(minutes=5 * n + 4), places, command_id=uuid4().hex)
           for n in range(shifts)]
    return day, ids


def summary(results: list[LoadResult]) -> dict[str, float]:
    """Medians over the trials."""
    return {"rate": median([r.rate for r in results]), "p50": median([r.p50_ms for r in results]),
            "p99": median([r.p99_ms for r in results]), "errors": sum(r.errors for r in results),
            "ok": sum(r.ok for r in results)}
