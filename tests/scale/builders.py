"""What the scale and fault tests build with: a PostgreSQL deployment of several `linli serve` processes and one
`linli project` process, a mixed command load arranged through the use cases and driven over HTTP by concurrent
clients, and the checks every test ends with (each acknowledged command is in the events; the views equal a rebuild
from zero)."""
from __future__ import annotations

import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from argon2 import PasswordHasher

from domain.accounts.model import Account, Community, Street
from domain.fund.policies import APPROVED
from domain.kernel import roles
from domain.kernel.errors import BusyError
from domain.kernel.time import SHANGHAI
from projections.db import PostgresDatabase
from projections.runner import Runner
from tests.builders import ROOT, LiveServer, csrf_from, new_phone
from tests.domain.builders import make_resolution
from web.settings import Settings
from web.wiring import build

PASSWORD = "scale-test-password"
# Test accounts get a cheap argon2 hash (its parameters travel inside it), so twenty logins take no time.
CHEAP_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
NO_KEEP_ALIVE = httpx.Limits(max_keepalive_connections=0)
DEMO_COMMUNITY = "320106001001"   # 江苏路社区（演示）; its worker is the demo's 13800000002
DEMO_STREET = "320106001"


# --- the deployment --------------------------------------------------------------------------------------------
class Deployment:
    """`linli serve --workers W` × N processes (LINLI_PROJECTIONS=external) and one `linli project`, all on one
    PostgreSQL schema and one data folder (the SMS outbox the tests read codes from), bound to 127.0.0.1."""

    def __init__(self, tmp_path: Path, env: dict[str, str], web_processes: int = 2, workers: int = 2,
                 projector: bool = True) -> None:
        """Makes the store's tables, starts the first web process (it seeds the demo) and the projection process,
        and returns; the other web processes start in the background meanwhile (`ready()` waits for them)."""
        self.tmp_path = tmp_path
        self.data_dir = tmp_path / "data"
        self.servers: list[LiveServer] = []
        self.projector: subprocess.Popen | None = None
        self.projector_starts = 0
        self._projector_log = open(tmp_path / "projector.log", "ab")
        self._env = {**env, "LINLI_PROJECTIONS": "external", "CREATE_TABLE": "n"}
        self._workers = workers
        self._failures: list[BaseException] = []
        # The event store's tables are made once, here, before any process starts (a deployment's migration step),
        # and every process starts with CREATE_TABLE=n: processes making them at the same moment race in
        # eventsourcing's CREATE OR REPLACE FUNCTION ("tuple concurrently updated"), and the loser exits.
        self.svc = build(Settings.from_env({**env, "LINLI_DATA_DIR": str(self.data_dir)}))
        try:
            self.servers.append(LiveServer(self.data_dir, extra_env=self._env, workers=workers))
        except BaseException:
            self.svc.close()
            self._projector_log.close()
            raise
        self._starting = [threading.Thread(target=self._start_server) for _ in range(web_processes - 1)]
        for thread in self._starting:
            thread.start()
        if projector:
            self.start_projector()

    def _start_server(self) -> None:
        try:
            self.servers.append(LiveServer(self.data_dir, extra_env=self._env, workers=self._workers))
        except BaseException as e:  # noqa: BLE001 - raised by ready()
            self._failures.append(e)

    def ready(self) -> "Deployment":
        """Every web process answers."""
        for thread in self._starting:
            thread.join(60)
        if self._failures:
            raise self._failures[0]
        if any(thread.is_alive() for thread in self._starting):
            raise RuntimeError("a web process did not start within a minute")
        return self

    @property
    def env(self) -> dict[str, str]:
        return self.servers[0].env

    def services(self):
        """A second connection to the store, of the test's own (to arrange data and check it); `stop` closes it."""
        return self.svc

    def start_projector(self) -> None:
        self.projector = subprocess.Popen([sys.executable, "-m", "web.cli", "project"], cwd=ROOT, env=self.env,
                                          stdout=self._projector_log, stderr=subprocess.STDOUT)
        self.projector_starts += 1

    def kill_projector(self) -> int:
        """kill -9 the projection process; returns its exit status (-9)."""
        assert self.projector is not None and self.projector.poll() is None, self.projector_log()
        os.kill(self.projector.pid, signal.SIGKILL)
        return self.projector.wait(10)

    def projector_log(self) -> str:
        self._projector_log.flush()
        return (self.tmp_path / "projector.log").read_text(errors="replace")[-4000:]

    def server_logs(self) -> str:
        return "\n".join((self.data_dir.parent / f"server-{s.port}.log").read_text(errors="replace")[-4000:]
                         for s in self.servers)

    def stop(self) -> None:
        for thread in self._starting:
            thread.join(60)
        if self.projector is not None and self.projector.poll() is None:
            self.projector.terminate()
            try:
                self.projector.wait(10)
            except subprocess.TimeoutExpired:
                self.projector.kill()
                self.projector.wait(5)
        for server in self.servers:
            server.stop()
        self.svc.close()
        self._projector_log.close()


# --- the load: what each client sends ----------------------------------------------------------------------------
@dataclass
class Command:
    """One command a client sends: a form POST (`path`, `data`) or, kind "signup", a resident's sign-up."""

    kind: str             # "shift", "vote", "pay", "approve", "signup"
    path: str
    data: dict[str, str]
    key: tuple            # what to look for in the store afterwards
    status: int | None = None          # the final answer (after retries)
    answers: list[tuple[int, float, float]] = field(default_factory=list)   # (status, sent, answered) per attempt
    text: str = ""        # the body of an unexpected answer
    retry_after: list[str] = field(default_factory=list)   # the Retry-After header of each 503

    @property
    def acknowledged(self) -> bool:
        return self.status in (200, 303)


@dataclass
class Client:
    phone: str
    account_id: UUID | None
    commands: list[Command]
    community: str = ""


@dataclass
class Plan:
    """Everything arranged through the use cases, and the commands each client will send over HTTP."""

    community: UUID
    clients: list[Client]
    days: dict[UUID, list[UUID]]                 # day → its shifts
    meetings: list[tuple[UUID, str]]             # (meeting, its open motion)
    funds: list[tuple[UUID, UUID, UUID, int]]    # (community, maker, checker, year)
    places: int

    @property
    def commands(self) -> list[Command]:
        return [c for client in self.clients for c in client.commands]


def arrange(svc, residents: int = 14, funds: int = 3, shifts_per_resident: int = 50, votes_per_resident: int = 48,
            signups_per_resident: int = 2, payments_per_maker: int = 100, approvals_per_checker: int = 100,
            places: int = 12, seed: int = 17) -> Plan:
    """Arrange, through the use cases on a second connection, what `residents + 2 * funds` clients need:
    verified residents of the demo community, action days with shifts of `places` places (fewer than the residents,
    so some sign-ups are refused or waitlisted), meetings with one open motion and every resident checked in, and per
    fund a community with a maker and a checker, an allocation and the pending payments the checker will approve.
    Returns each client's commands, shuffled (the mix arrives interleaved)."""
    app = _Patient(svc.app)
    rnd = random.Random(seed)
    community = Community.id_for(DEMO_COMMUNITY)
    worker = Account.id_for(app.phone_key("13800000002"))
    now = datetime.now(timezone.utc)

    # Residents one after the other (they all join one roll), the rest several at once (arranging is mostly waiting
    # on the database, and each day, meeting and fund is a stream of its own).
    people = [_resident(app, worker, community, new_phone(), f"扩展居民{i:02d}") for i in range(residents)]
    pool = ThreadPoolExecutor(3)

    # Action days, five one-hour shifts each (a volunteer's shifts never overlap).
    first = datetime.now(SHANGHAI).date() + timedelta(days=1)

    def action_day(d: int) -> tuple[UUID, list[UUID]]:
        day_date = first + timedelta(days=d)
        day = app.volunteer.create_action_day(worker, community, None, f"扩展测试日 {d}", "", day_date.isoformat())
        start = datetime.combine(day_date, datetime.min.time(), SHANGHAI).replace(hour=8).astimezone(timezone.utc)
        return day, [app.volunteer.add_shift(worker, day, f"任务{s}", "小区门口", start + timedelta(hours=s),
                                             start + timedelta(hours=s + 1), places)
                     for s in range(min(5, shifts_per_resident - 5 * d))]
    days: dict[UUID, list[UUID]] = dict(pool.map(action_day, range(-(-shifts_per_resident // 5))))

    # Meetings in progress: an accepted item, every resident checked in, the meeting open, one motion open.
    def meeting_in_progress(m: int) -> tuple[UUID, str]:
        starts = now + timedelta(minutes=60 + m)
        meeting = app.roundtable.schedule_meeting(worker, community, f"扩展议事会 {m}", "p", starts,
                                                  starts + timedelta(hours=1), "活动室", "in_person", 50,
                                                  starts - timedelta(minutes=10), "simple", 10)
        item = app.roundtable.propose_agenda_item(people[0][1], meeting, "议题", "")
        app.roundtable.accept_agenda_item(worker, meeting, item, 10)
        for _, account in people:
            app.roundtable.check_in(worker, meeting, account)
        app.roundtable.open_meeting(worker, meeting)
        return meeting, app.roundtable.open_motion(worker, meeting, item)
    meetings: list[tuple[UUID, str]] = list(pool.map(meeting_in_progress, range(votes_per_resident)))

    # Funds: a community each, a maker and a checker, one allocation, pending payments for the checker.
    year = datetime.now(SHANGHAI).year
    today = datetime.now(SHANGHAI).date().isoformat()
    street = Street.id_for(DEMO_STREET)

    fund_communities = [app.accounts.found_community(f"3201060019{f:02d}", f"扩展资金社区{f}", street)
                        for f in range(funds)]

    def fund(f: int) -> tuple[tuple[UUID, UUID, UUID, int], list[Client]]:
        fc = fund_communities[f]
        (maker_phone, maker), (checker_phone, checker) = [
            _manager(app, fc, name) for name in ("扩展会计", "扩展出纳")]
        project = app.fund.allocate(maker, fc, year, make_resolution(app, fc, "扩展测试决议"), "扩展测试项目",
                                    "other", "150,000")
        pending = [app.fund.record_payment(maker, fc, year, project, None, "10", "organisation", "南京某公司", today,
                                           "材料", f"PRE-{f}-{i}")
                   for i in range(approvals_per_checker)]
        base = f"/c/{fc}/fund/{year}"
        pay = [Command("pay", f"{base}/projects/{project}/pay", {
            "amount": "10", "payee_kind": "organisation", "payee": "南京某公司", "paid_on": today,
            "description": "材料", "receipt_ref": f"HTTP-{f}-{i}"}, (fc, year, f"HTTP-{f}-{i}"))
            for i in range(payments_per_maker)]
        approve = [Command("approve", f"{base}/payments/{p}/approve", {}, (fc, year, p)) for p in pending]
        return (fc, maker, checker, year), [Client(maker_phone, maker, pay, str(fc)),
                                            Client(checker_phone, checker, approve, str(fc))]
    fund_rows, fund_clients = [], []
    for row, pair in pool.map(fund, range(funds)):
        fund_rows.append(row)
        fund_clients += pair
    pool.shutdown()

    base = f"/c/{community}"
    clients: list[Client] = []
    day_list = [(day, shift) for day, shifts in days.items() for shift in shifts]
    for i, (phone, account) in enumerate(people):
        rotated = day_list[i * 3 % len(day_list):] + day_list[:i * 3 % len(day_list)]   # not all on one day at once
        shifts = [Command("shift", f"{base}/volunteer/days/{day}/shifts/{shift}/signup",
                          {"waitlist": "1"} if i % 2 else {}, (day, shift, account))
                  for day, shift in rotated[:shifts_per_resident]]
        order = meetings[i % len(meetings):] + meetings[:i % len(meetings)]
        votes = [Command("vote", f"{base}/roundtable/{meeting}/motions/{motion}/vote",
                         {"choice": rnd.choice(("for", "against", "abstain"))}, (meeting, motion, account))
                 for meeting, motion in order[:votes_per_resident]]
        signups = [Command("signup", "/signup", {}, (new_phone(),)) for _ in range(signups_per_resident)]
        commands = shifts + votes + signups
        rnd.shuffle(commands)
        clients.append(Client(phone, account, commands, str(community)))
    for client in fund_clients:
        rnd.shuffle(client.commands)
    svc.runner.catch_up()
    return Plan(community, clients + fund_clients, days, meetings, fund_rows, places)


class _Patient:
    """The application for arranging: a use case refused as busy (BusyError, after its retries: nothing was saved) is
    run again after a moment. Arranging runs a few use cases at once as one worker, and is not what is measured."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return _Patient(value)

        def again(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(5):
                try:
                    return value(*args, **kwargs)
                except BusyError:
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
        return again


def _resident(app, worker: UUID, community: UUID, phone: str, name: str) -> tuple[str, UUID]:
    account = app.accounts.sign_up(phone, name, CHEAP_HASH, community)
    app.accounts.verify_residency(worker, account, community)
    return phone, account


def _manager(app, community: UUID, name: str) -> tuple[str, UUID]:
    phone = new_phone()
    account = app.accounts.sign_up(phone, name, CHEAP_HASH, None)
    app.accounts.grant_role(account, roles.FUND_MANAGER, community)
    return phone, account


# --- driving it over HTTP --------------------------------------------------------------------------------------------
class Load:
    """Each client on a thread of its own sends its commands one after the other, alternating between the web
    processes (one session, valid on all of them). A 503 is retried with the same command id when `retry_busy`
    (a repeat answers as the first run did); every attempt's answer and timing is kept."""

    def __init__(self, servers: list[LiveServer], plan: Plan, retry_busy: int = 0, timeout: float = 60,
                 held: float = 1.0) -> None:
        self.servers = servers
        self.plan = plan
        self.retry_busy = retry_busy
        self.timeout = timeout
        self.held = held                      # the share of each client's commands sent freely; the rest ...
        self.resume = threading.Event()       # ... wait for this (a test sends them at a moment of its choosing)
        if held >= 1.0:
            self.resume.set()
        self.done = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self.started = self.finished = 0.0

    def run(self) -> None:
        self.started = time.monotonic()
        with ThreadPoolExecutor(len(self.plan.clients)) as pool:
            list(pool.map(self._client, range(len(self.plan.clients))))
        self.finished = time.monotonic()

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def _client(self, index: int) -> None:
        client = self.plan.clients[index]
        servers = self.servers[index % len(self.servers):] + self.servers[:index % len(self.servers)]
        try:
            session, token = _log_in(servers[0].url, client.phone, self.timeout)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(f"client {index} could not log in: {e!r}")
            return
        anonymous = httpx.Client(timeout=self.timeout, limits=NO_KEEP_ALIVE)
        try:
            for n, command in enumerate(client.commands):
                if n >= len(client.commands) * self.held:
                    self.resume.wait(self.timeout * 4)
                server = servers[n % len(servers)]
                for attempt in range(1 + self.retry_busy):
                    if command.kind == "signup":
                        self._sign_up(anonymous, server, client, command)
                        break   # a code is used up by the attempt that may have succeeded: never retried
                    command_id = command.data.get("command_id") or secrets.token_hex(16)
                    command.data["command_id"] = command_id
                    self._send(session, server.url, token, command)
                    if command.status != 503 or attempt == self.retry_busy:
                        break
                    time.sleep(0.5 + random.random())
                    server = servers[(n + attempt + 1) % len(servers)]
                with self._lock:
                    self.done += 1
        finally:
            session.close()
            anonymous.close()

    def _send(self, session: httpx.Client, url: str, token: str, command: Command) -> None:
        sent = time.monotonic()
        try:
            r = session.post(url + command.path, data={"csrf_token": token, **command.data})
            status, text = r.status_code, r.text
            if status == 503:
                command.retry_after.append(r.headers.get("retry-after", ""))
            if status == 303 and r.headers.get("location", "").startswith("/login"):
                status, text = -303, f"sent to log in again: {r.headers['location']}"   # the session was lost
        except httpx.HTTPError as e:
            status, text = -1, repr(e)
        command.answers.append((status, sent, time.monotonic()))
        command.status = status
        if status not in (200, 303, 409):
            command.text = text[:2000]

    def _sign_up(self, client: httpx.Client, server: LiveServer, owner: Client, command: Command) -> None:
        """Ask for a code, read it from the outbox, sign up (from an address of the number's own, as behind the
        proxy the servers trust)."""
        phone = command.key[0]
        address = {"X-Forwarded-For": f"10.{int(phone[-6:-4])}.{int(phone[-4:-2])}.{int(phone[-2:])}"}
        client.cookies.clear()
        url = server.url
        sent = time.monotonic()
        try:
            r = client.get(url + "/signup")
            if r.status_code == 200:
                token = csrf_from(r.text)
                r = client.post(url + "/signup/code", data={"csrf_token": token, "phone": phone}, headers=address)
            if r.status_code == 200 and r.request.url.path == "/signup/code":
                r = client.post(url + "/signup", headers=address, data={
                    "csrf_token": token, "phone": phone, "code": server.sms_code(phone), "name": "扩展新居民",
                    "password": PASSWORD, "password2": PASSWORD, "community_id": owner.community,
                    "command_id": secrets.token_hex(16)})
            status, text = r.status_code, r.text
        except (httpx.HTTPError, AssertionError) as e:
            status, text = -1, repr(e)
        command.answers.append((status, sent, time.monotonic()))
        command.status = status
        if status not in (200, 303, 409):
            command.text = text[:2000]


def _log_in(url: str, phone: str, timeout: float) -> tuple[httpx.Client, str]:
    client = httpx.Client(timeout=timeout, limits=NO_KEEP_ALIVE)
    token = csrf_from(client.get(url + "/login").text)
    r = client.post(url + "/login", data={"csrf_token": token, "phone": phone, "password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return client, csrf_from(client.get(url + "/login").text)


# --- what every test checks afterwards -------------------------------------------------------------------------------
def outcomes(plan: Plan) -> Counter:
    return Counter((c.kind, c.status) for c in plan.commands)


def server_errors(plan: Plan, allowed: tuple[int, ...] = ()) -> list[str]:
    """Every answer (any attempt) that was a 5xx not in `allowed`, or no answer at all."""
    bad = []
    for c in plan.commands:
        for status, _, _ in c.answers:
            if (status >= 500 or status < 0) and status not in allowed:
                bad.append(f"{c.kind} {c.path} → {status}: {_gist(c.text)}")
    return bad


def _gist(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)[:300]


def missing_acknowledged(svc, plan: Plan) -> list[str]:
    """What the events (read from the aggregates, not the views) say against the answers: an acknowledged command
    (303) whose effect is missing, and an effect no acknowledged command explains — a refused (409) sign-up that left a
    trace, a command applied twice. Shifts, votes and payments are compared exactly (nothing else writes to them);
    resident sign-ups one by one (one that answered 503 may have happened). Also each shift within its places and
    every fund's invariants."""
    app = svc.app
    missing: list[str] = []
    days: dict[UUID, Any] = {}
    meetings: dict[UUID, Any] = {}
    funds: dict[tuple, Any] = {}
    held: dict[tuple, set[str]] = {}       # (day, shift) → who the acknowledged sign-ups put in it
    voted: dict[tuple, dict[str, str]] = {}
    paid: dict[tuple, int] = {}            # fund → payments it should hold
    approved: dict[tuple, set[str]] = {}
    for c in plan.commands:
        if c.kind == "shift":
            day_id, shift_id, account = c.key
            if day_id not in days:
                days[day_id] = app.volunteer.action_day(day_id)
            people = held.setdefault((day_id, str(shift_id)), set())
            if c.acknowledged:
                people.add(str(account))
        elif c.kind == "vote":
            meeting_id, motion, account = c.key
            if meeting_id not in meetings:
                meetings[meeting_id] = app.roundtable.meeting(meeting_id)
            votes = voted.setdefault((meeting_id, motion), {})
            if c.acknowledged:
                votes[str(account)] = c.data["choice"]
        elif c.kind in ("pay", "approve"):
            fc, year, ref = c.key
            if (fc, year) not in funds:
                funds[(fc, year)] = app.fund.year_fund(fc, year)
            fund = funds[(fc, year)]
            paid[(fc, year)] = paid.get((fc, year), 0) + (1 if c.kind == "approve" or c.acknowledged else 0)
            if c.kind == "pay" and c.acknowledged and not fund.receipt_used(ref):
                missing.append(f"acknowledged payment {ref} is not in the fund")
            if c.kind == "approve" and c.acknowledged:
                approved.setdefault((fc, year), set()).add(str(ref))
        elif c.kind == "signup" and c.acknowledged:
            record = app.accounts.login_record(c.key[0])
            if record is None or app.accounts.account(record.account_id).residencies.get(
                    str(plan.community)) != roles.PENDING:
                missing.append(f"acknowledged sign-up {c.key[0]} has no account asking to join")
    for (day_id, shift_id), people in held.items():
        shift = days[day_id].shifts[shift_id]
        in_day = shift["confirmed"] + shift["waitlist"]
        if sorted(in_day) != sorted(people):
            missing.append(f"shift {shift_id}: the day holds {sorted(in_day)}, the acknowledged sign-ups "
                           f"{sorted(people)}")
        if len(shift["confirmed"]) > shift["places"]:
            missing.append(f"shift over its places: {len(shift['confirmed'])} > {shift['places']}")
    for (meeting_id, motion), votes in voted.items():
        recorded = meetings[meeting_id].motions[motion]["votes"]
        if recorded != votes:
            missing.append(f"meeting {meeting_id}: the motion holds {recorded}, the acknowledged votes {votes}")
    for key, fund in funds.items():
        if len(fund.payments) != paid[key]:
            missing.append(f"fund {key}: {len(fund.payments)} payments, {paid[key]} arranged or acknowledged")
        done = {p for p, payment in fund.payments.items() if payment["status"] == APPROVED}
        if done != approved.get(key, set()):
            missing.append(f"fund {key}: approved {sorted(done)}, acknowledged {sorted(approved.get(key, set()))}")
        missing += [f"fund invariant: {v}" for v in fund.invariant_violations()]
    return missing


def view_rows(db, tables: list[str]) -> dict[str, list[dict]]:
    """Every row of every view table, in a stable order (tests/projections/builders.py `snapshot`)."""
    return {t: sorted(db.all(f"SELECT * FROM {t}"), key=lambda r: repr(sorted(r.items()))) for t in tables}


def wait_until_caught_up(svc, timeout: float = 30) -> dict[str, int]:
    """Until every projection's tracking position has reached the last event (applied by whichever runner);
    returns the positions."""
    deadline = time.monotonic() + timeout
    while True:
        head, positions = svc.runner.head(), svc.runner.positions()
        if min(positions.values()) >= head:
            return positions
        if time.monotonic() > deadline:
            raise AssertionError(f"views stuck behind the events: head {head}, positions {positions}")
        time.sleep(0.05)


def rebuilt_differences(svc, schema: str) -> dict[str, str]:
    """Replay every event from zero into a fresh views schema and compare it with the served views, table by table:
    the tables that differ, with their row counts (served vs rebuilt) and a first differing row."""
    rebuilt = PostgresDatabase(svc.settings.postgres_conninfo, schema=f"{schema}_rebuilt", pool_size=2)
    try:
        Runner(svc.app, rebuilt, svc.runner.projections).rebuild()   # every projection the deployment runs
        tables = [t for p in svc.runner.projections for t in p.tables]
        served, fresh = view_rows(svc.views, tables), view_rows(rebuilt, tables)
        diff = {}
        for t in tables:
            if served[t] != fresh[t]:
                extra = [r for r in served[t] if r not in fresh[t]][:1]
                lacking = [r for r in fresh[t] if r not in served[t]][:1]
                diff[t] = f"served {len(served[t])} rows, rebuilt {len(fresh[t])}; served only {extra}; " \
                          f"rebuilt only {lacking}"
        return diff
    finally:
        with rebuilt.pool.connection() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema}_rebuilt CASCADE")
        rebuilt.close()



def backlog(svc, community: UUID, n: int, batch: int = 250) -> None:
    """`n` events appended straight to the store (passed resolutions, which the fund and roundtable views show),
    with no runner following: work waiting for the projection process alone."""
    from uuid import uuid4

    from domain.roundtable.model import Resolution
    at = svc.app.clock()
    for start in range(0, n, batch):
        svc.app.save(*[Resolution(meeting_id=uuid4(), motion_id="1", community_id=community, title=f"积压决议 {i}",
                                  passed=True, votes_for=9, votes_against=1, abstentions=0, at=at)
                       for i in range(start, min(n, start + batch))])


def tracking(svc) -> int:
    """The lowest tracking position of the served views (read from the views database, not from any runner)."""
    return min(svc.runner.positions().values())


# --- a PostgreSQL cluster of the fault tests' own, to restart ---------------------------------------------------------
FAULTS_CLUSTER = "faults"
FAULTS_DB = "linli_faults"
FAULTS_LOCK = Path("/tmp/linli-pg-faults.lock")


@dataclass
class Cluster:
    """A PostgreSQL cluster only these tests use (restarting the shared one would break every other test)."""

    version: str
    name: str
    port: int

    def ctl(self, action: str, timeout: float = 60) -> None:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
                       check=True, capture_output=True, timeout=timeout)

    def psql(self, sql: str, db: str = "postgres") -> str:
        done = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                               "-p", str(self.port), "-d", db, "-c", sql],
                              check=True, capture_output=True, text=True, timeout=60)
        return done.stdout

    def online(self) -> bool:
        return any(line.split()[:2] == [self.version, self.name] and "online" in line for line in _clusters())

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster {self.version}/{self.name} does not answer on port {self.port}")
            time.sleep(0.1)

    def conninfo(self) -> dict[str, object]:
        return {"host": "127.0.0.1", "port": self.port, "user": "linli", "password": "linli", "dbname": FAULTS_DB}

    def env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "127.0.0.1",
                "POSTGRES_PORT": str(self.port), "POSTGRES_USER": "linli", "POSTGRES_PASSWORD": "linli",
                "POSTGRES_DBNAME": FAULTS_DB}


def _clusters() -> list[str]:
    return subprocess.run(["pg_lsclusters", "-h"], check=True, capture_output=True, text=True).stdout.splitlines()


def faults_cluster() -> Cluster:
    """Create (once) and start the cluster `<newest version>/faults` on a free port of 127.0.0.1, with the role
    linli/linli and an empty database `linli_faults`. Needs root (pg_createcluster, runuser)."""
    version = sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
    cluster = _existing(version)
    if cluster is not None and not cluster.online():
        try:
            cluster.ctl("start")
        except subprocess.CalledProcessError:   # left half-made by an interrupted run: make it again
            subprocess.run(["pg_dropcluster", "--stop", version, FAULTS_CLUSTER], capture_output=True, timeout=60)
            cluster = None
    if cluster is None:
        taken = {int(line.split()[2]) for line in _clusters()}
        port = next(p for p in range(5433, 5500) if p not in taken and _port_free(p))
        subprocess.run(["pg_createcluster", "--start-conf=manual", "-p", str(port), version, FAULTS_CLUSTER],
                       check=True, capture_output=True, timeout=120)
        cluster = Cluster(version, FAULTS_CLUSTER, port)
        conf = Path("/etc/postgresql", version, FAULTS_CLUSTER, "conf.d")   # included by the cluster's postgresql.conf
        conf.mkdir(exist_ok=True)
        (conf / "linli-faults.conf").write_text("listen_addresses = '127.0.0.1'\nmax_connections = 150\n"
                                                "shared_buffers = '32MB'\n")
        cluster.ctl("start")
    cluster.wait_ready()
    cluster.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'linli') THEN "
                 "CREATE ROLE linli LOGIN PASSWORD 'linli'; END IF; END $$")
    cluster.psql(f"DROP DATABASE IF EXISTS {FAULTS_DB} WITH (FORCE)")
    cluster.psql(f"CREATE DATABASE {FAULTS_DB} OWNER linli")
    return cluster


def _existing(version: str) -> Cluster | None:
    for line in _clusters():
        fields = line.split()
        if fields[:2] == [version, FAULTS_CLUSTER]:
            return Cluster(version, FAULTS_CLUSTER, int(fields[2]))
    return None


def _port_free(port: int) -> bool:
    import socket
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
