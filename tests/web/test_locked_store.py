"""A store locked past its timeout answers "busy, try again" (503) — never a 500 — and reads still work."""
import sqlite3

import pytest
from starlette.testclient import TestClient

from tests.builders import WebClient, new_phone
from web.app import create_app
from web.settings import Settings
from web.wiring import build


@pytest.fixture
def web_with_short_lock_timeout(tmp_path):
    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "SQLITE_LOCK_TIMEOUT": "1", "LINLI_PROJECTIONS": "inline"}
    svc = build(Settings.from_env(env))
    district = svc.app.accounts.found_district("1", "区")
    community = svc.app.accounts.found_community("3", "社区", svc.app.accounts.found_street("2", "街道", district))
    svc.runner.catch_up()
    with TestClient(create_app(env, services=svc), base_url="http://127.0.0.1") as client:
        client.services = svc
        yield WebClient(client), community, tmp_path / "data" / "events.sqlite3"
    svc.close()


def test_a_write_to_a_locked_store_is_refused_as_busy_and_reads_still_work(web_with_short_lock_timeout):
    web, community, events_file = web_with_short_lock_timeout
    before = web.services.app.recorder.max_notification_id()
    blocker = sqlite3.connect(events_file, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    blocker.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                    "SELECT originator_id, originator_version + 1000, topic, state FROM stored_events LIMIT 1")
    try:
        response = web.sign_up(new_phone(), "张三", community)
        assert response.status_code == 503
        assert "系统繁忙，请稍后重试" in response.text
        assert web.get("/").status_code == 200
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert web.services.app.recorder.max_notification_id() == before
    retried = web.sign_up(new_phone(), "张三", community)
    assert retried.status_code == 303
