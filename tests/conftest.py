"""Fixtures: a controllable clock, the application on each store, a web client, a live server, Chromium. What they
build with lives in `tests/builders.py`."""
from __future__ import annotations

import pytest

from domain.kernel.application import Linli
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Clock, LiveServer, Places, WebClient, drop_schemas, new_schema, postgres_env
from web.contexts import domain_contexts
from web.settings import Settings
from web.wiring import build

# The longest files first. With `--dist loadfile` a file runs whole on one worker, in collection order; one of minutes
# collected last keeps the other core idle at the end of the run.
LONGEST_FIRST = ("tests/e2e/test_accessibility_e2e.py", "tests/scale/", "tests/web/test_history.py", "tests/e2e/",
                 "tests/bench/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((n for n, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
                    len(LONGEST_FIRST))
    items.sort(key=rank)   # stable: within a rank, as collected (every xdist worker sorts alike)


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def linli(clock: Clock) -> Linli:
    """The application in memory (POPO recorder): for domain and use-case tests."""
    return Linli(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, contexts=domain_contexts(), keys=InMemoryKeyStore(),
                 clock=clock)


@pytest.fixture
def places(linli: Linli) -> Places:
    return Places(linli)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def services(request, tmp_path, clock: Clock):
    """The whole back end (events, views, keys, runner) on SQLite files and on PostgreSQL."""
    if request.param == "sqlite":
        env = {"LINLI_DATA_DIR": str(tmp_path / "data")}
        schema = None
    else:
        schema = new_schema()
        env = {**postgres_env(), "POSTGRES_SCHEMA": schema, "LINLI_DATA_DIR": str(tmp_path / "data")}
    svc = build(Settings.from_env(env))
    svc.app.clock = clock
    yield svc
    svc.close()
    if schema:
        drop_schemas(schema)


@pytest.fixture
def web(tmp_path, clock: Clock):
    """The web app on a temporary SQLite store, in-process (Starlette TestClient)."""
    from starlette.testclient import TestClient

    from web.app import create_app
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "data")}))
    svc.app.clock = clock
    app = create_app({"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_PROJECTIONS": "inline"}, services=svc)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.services = svc
        yield WebClient(client)
    svc.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("live") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}
