"""Running Linli: restore with a progress bar, start-up checks that say what is wrong, readiness and metrics."""
from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest

from domain.kernel.store import CURRENT, StoreFormat
from web.cli import main
from web.settings import Settings
from web.startup import StoreRefused, check_store, check_wal
from web.wiring import build


@pytest.fixture
def demo_store(tmp_path, monkeypatch):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo", "--activity"]) == 0
    return tmp_path / "data"


def test_a_backup_restores_with_its_keys_and_the_views_are_rebuilt(demo_store, tmp_path, monkeypatch, capsys):
    assert main(["backup", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "restored"))
    assert main(["restore", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
    captured = capsys.readouterr()
    assert "100.0%" in captured.err and "restored" in captured.out
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "restored")}))
    try:
        assert svc.runner.position() == svc.runner.head() > 0
        assert svc.app.accounts.person_name(svc.app.accounts.login_record("13800000002").account_id) == "李社工（演示）"
        assert svc.app.find(StoreFormat, StoreFormat.ID).version == CURRENT
    finally:
        svc.close()


def test_restore_refuses_to_replace_a_store_that_holds_events_unless_forced(demo_store, tmp_path, capsys):
    assert main(["backup", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
    assert main(["restore", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys"), "--force"]) == 0


def test_a_store_written_by_a_newer_linli_is_refused(demo_store):
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(demo_store)}))
    try:
        svc.app.save(StoreFormat(version=CURRENT + 1))
        with pytest.raises(StoreRefused, match="newer Linli"):
            check_store(svc)
    finally:
        svc.close()


def test_a_sqlite_store_not_in_wal_mode_is_refused(demo_store, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    with closing(sqlite3.connect(demo_store / "events.sqlite3")) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")   # as on a file system without WAL
    with pytest.raises(StoreRefused, match="WAL"):
        check_wal(str(copy))
    check_wal(str(demo_store / "events.sqlite3"))


def test_a_key_store_that_does_not_go_with_the_events_is_refused(demo_store, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(demo_store / "events.sqlite3", other / "events.sqlite3")
    shutil.copy(demo_store / "secret", other / "secret")
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(other)}))   # an empty key store beside the events
    try:
        with pytest.raises(StoreRefused, match="key"):
            check_store(svc)
    finally:
        svc.close()


def test_readiness_and_metrics_behind_a_token(tmp_path):
    from starlette.testclient import TestClient

    from web.app import create_app
    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_METRICS_TOKEN": "scrape-me", "LINLI_PROJECTIONS": "inline"}
    svc = build(Settings.from_env(env))
    try:
        with TestClient(create_app(env, services=svc), base_url="http://127.0.0.1") as client:
            svc.app.accounts.found_district("1", "区")
            svc.runner.catch_up()
            assert client.get("/readyz").json()["status"] == "ready"
            assert client.get("/metrics").status_code == 404
            assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
            text = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).text
            assert "linli_requests_total" in text and 'route="/readyz"' in text
            assert "linli_projection_lag 0.0" in text and 'linli_commands{outcome="ok"} 1.0' in text
            assert "linli_event_store_bytes" in text
    finally:
        svc.close()


def test_readiness_fails_while_the_views_trail_far_behind(tmp_path):
    from starlette.testclient import TestClient

    from web.app import create_app
    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_PROJECTIONS": "external"}
    svc = build(Settings.from_env(env))
    try:
        with TestClient(create_app(env, services=svc), base_url="http://127.0.0.1") as client:
            district = svc.app.accounts.found_district("1", "区")
            street = svc.app.accounts.found_street("2", "街道", district)
            for i in range(120):
                svc.app.accounts.found_community(f"c{i}", f"社区{i}", street)
            response = client.get("/readyz")
            assert response.status_code == 503 and response.json()["lag"] > 100
            svc.runner.catch_up()
            assert client.get("/readyz").status_code == 200
    finally:
        svc.close()
