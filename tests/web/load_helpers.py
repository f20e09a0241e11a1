"""What the load tests over real HTTP share: logging people in to a live server, and firing requests at once."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import LiveServer, csrf_from
from web.demo import DEMO_PASSWORD

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
    return client, token


def all_at_once(n: int, fn) -> list:
    """fn(0) … fn(n - 1), each on a thread of its own, released together by a barrier; their results in order."""
    barrier = threading.Barrier(n)

    def run(i: int):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))
