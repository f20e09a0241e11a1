"""What the web tests build with: the volunteer forms, the roundtable's site of two communities and people acting
through forms, and the load tests' live server, logged-in clients and simultaneous requests."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import httpx

from projections import volunteer as views
from tests.builders import LiveServer, csrf_from, web_person
from web.demo import DEMO_PASSWORD
from web.http import SESSION_COOKIE as SESSION

DAY = "2026-05-03"
HX = {"HX-Request": "true"}


def as_user(web, person):
    web.logout()
    web.login(person[1])


def create_day(web, places, title="社区清洁日", date=DAY, cutoff="2"):
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": title, "date": date, "description": "打扫楼道", "cutoff_hours": cutoff,
                              "command_id": f"day-{title}-{date}"})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def add_shift(web, places, day_id, places_n="2", start=f"{DAY}T09:00", end=f"{DAY}T11:00", task="清扫楼道",
              expect=303):
    response = web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/shifts",
                             {"task": task, "place": "3 号楼", "starts_at": start, "ends_at": end,
                              "places": places_n, "min_age": ""})
    assert response.status_code == expect, response.text
    return response


def shift_ids(web, day_id):
    return [s["id"] for s in views.shifts(web.services.views, day_id)]


def shift_url(places, day_id, shift_id):
    return f"/c/{places.community}/volunteer/days/{day_id}/shifts/{shift_id}"


def day_with_one_shift(web, places, worker, places_n):
    """As the worker, plan the default day with one shift of `places_n` places; return (day id, shift id)."""
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id, places_n=places_n)
    return day_id, shift_ids(web, day_id)[0]


class Site:
    """Two communities on the web app, a worker, residents and an outsider; helpers that act through forms."""

    def __init__(self, web, clock) -> None:
        self.web, self.clock = web, clock
        app = web.services.app
        district = app.accounts.found_district("320106", "鼓楼区")
        street = app.accounts.found_street("320106001", "宁海路街道", district)
        self.community = app.accounts.found_community("320106001001", "江苏路社区", street)
        self.other = app.accounts.found_community("320106001002", "颐和路社区", street)
        self.worker, self.worker_phone = web_person(web, "worker", self.community, "李社工")
        self.residents = [web_person(web, None, self.community, f"居民{i}") for i in range(4)]
        self.outsider = web_person(web, None, self.other, "外社区居民")
        self.other_worker = web_person(web, "worker", self.other, "外社区社工")
        self.base = f"/c/{self.community}/roundtable"
        self.as_who: str | None = None
        self.sessions: dict[str, str] = {}
        self.cookie_domain = ""

    def login(self, phone: str | None) -> None:
        """Act as `phone` (None: anonymous). Each person logs in once per test (argon2 is slow on purpose);
        switching people swaps their session cookies."""
        if self.as_who == phone:
            return
        jar = self.web.cookies
        if self.as_who is not None:
            self.sessions[self.as_who] = self._session_cookie()
        for cookie in [c for c in jar.jar if c.name == SESSION]:
            jar.jar.clear(cookie.domain, cookie.path, cookie.name)
        if phone is not None:
            if phone in self.sessions:
                jar.set(SESSION, self.sessions[phone], domain=self.cookie_domain, path="/")
            else:
                self.web.login(phone)
                self.cookie_domain = next(c.domain for c in jar.jar if c.name == SESSION)
        self.as_who = phone

    def _session_cookie(self) -> str:
        return next(c.value for c in self.web.cookies.jar if c.name == SESSION)

    def schedule(self, title: str = "加装电梯议事会", capacity: int = 2, **extra) -> str:
        self.login(self.worker_phone)
        data = {"title": title, "purpose": "讨论 3 号楼加装电梯", "starts_at": "2026-05-02T19:00",
                "ends_at": "2026-05-02T21:00", "place": "社区活动室", "mode": "in_person", "capacity": str(capacity),
                "registration_deadline": "2026-05-02T17:00", "voting_rule": "simple", "quorum_percent": "50",
                **extra}
        r = self.web.post_form(f"{self.base}/new", data)
        assert r.status_code == 303, r.text
        return r.headers["location"].rsplit("/", 1)[1]

    def post(self, phone: str, path: str, data: dict | None = None, **kw):
        self.login(phone)
        return self.web.post_form(path, data or {}, **kw)

    def page(self, phone: str | None, path: str):
        self.login(phone)
        return self.web.get(path, follow_redirects=False)

    def meeting_in_progress(self, present: int = 3) -> tuple[str, str, str]:
        """A meeting with an accepted item, `present` residents checked in, opened, one motion open."""
        mid = self.schedule(capacity=10)
        m = f"{self.base}/{mid}"
        assert self.post(self.residents[0][1], f"{m}/agenda", {"title": "3 号楼加装电梯"}).status_code == 303
        assert self.post(self.worker_phone, f"{m}/agenda/1/accept", {"planned_minutes": "20"}).status_code == 303
        self.clock.now = datetime(2026, 5, 2, 10, 45, tzinfo=timezone.utc)   # 18:45 in Shanghai
        for rid, _ in self.residents[:present]:
            assert self.post(self.worker_phone, f"{m}/check-in", {"account_id": str(rid)}).status_code == 303
        assert self.post(self.worker_phone, f"{m}/open").status_code == 303
        assert self.post(self.worker_phone, f"{m}/motions", {"item_id": "1"}).status_code == 303
        return mid, m, "1"


# No keep-alive: an idle pooled connection the server closes (between rounds) would race the next request.
NO_KEEP_ALIVE = httpx.Limits(max_keepalive_connections=0)


@contextmanager
def serving(data_dir: Path) -> Iterator[tuple[LiveServer, object, list[httpx.Client]]]:
    """A live server with the demo, a second connection to its store, and a list of clients closed at the end."""
    server = LiveServer(data_dir)
    svc = server.services()
    clients: list[httpx.Client] = []
    try:
        yield server, svc, clients
    finally:
        for client in clients:
            client.close()
        svc.close()
        server.stop()


def log_in(server: LiveServer, phone: str, password: str = DEMO_PASSWORD, timeout: float = 60,
           limits: httpx.Limits = NO_KEEP_ALIVE) -> tuple[httpx.Client, str]:
    """A client logged in as `phone` (a session of its own), and its CSRF token."""
    client = httpx.Client(base_url=server.url, timeout=timeout, limits=limits)
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": token, "phone": phone, "password": password, "next": "/"})
    assert response.status_code == 303, response.text
    return client, csrf_from(client.get("/login").text)   # a logged-in session's forms carry its own token


def all_at_once(n: int, fn) -> list:
    """fn(0) … fn(n - 1), each on a thread of its own, released together by a barrier; their results in order."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))
