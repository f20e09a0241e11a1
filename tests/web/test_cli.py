"""The `linli` command: demo, rebuild with a progress bar, backup and a tested restore."""
import shutil

from web.cli import main
from web.settings import Settings
from web.wiring import build


def test_demo_then_rebuild_replays_every_event_with_progress(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo"]) == 0
    assert "13800000002" in capsys.readouterr().out
    assert main(["demo"]) == 0
    assert "not seeded" in capsys.readouterr().out
    assert main(["rebuild"]) == 0
    captured = capsys.readouterr()
    assert "100.0%" in captured.err and "rebuilt views from" in captured.out


def test_a_backup_restores_to_a_working_store(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    main(["demo"])
    assert main(["backup", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["events.sqlite3"]  # no keys, no plain names
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["keys.sqlite3", "secret"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in [*(tmp_path / "backup").iterdir(), *(tmp_path / "keys").iterdir()])
    for name in ("keys.sqlite3", "secret"):
        shutil.copy(tmp_path / "keys" / name, tmp_path / "backup" / name)
    restored = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "backup")}))
    try:
        assert restored.app.accounts.login_record("13800000002") is not None
        restored.runner.catch_up()  # views are not backed up: they rebuild from the events
        assert restored.runner.position() == restored.runner.head() > 0
        assert restored.app.accounts.person_name(restored.app.accounts.login_record("13800000002").account_id) == "李社工（演示）"
    finally:
        restored.close()


def test_grant_revoke_and_erase_from_the_command_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    main(["demo"])
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "data")}))
    community = svc.views.scalar("SELECT id FROM dir_places WHERE kind = 'community' ORDER BY code")
    resident = svc.app.accounts.login_record("13800000001").account_id
    svc.close()
    assert main(["grant", "13800000001", "worker", community]) == 0
    assert main(["revoke", "13800000001", "worker", community]) == 0
    assert main(["revoke", "13800000001", "worker", community]) == 1
    assert main(["erase", "13800000001"]) == 2
    assert main(["erase", "13800000001", "--yes"]) == 0
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "data")}))
    try:
        assert svc.app.accounts.login_record("13800000001") is None
        assert svc.views.one("SELECT name, phone FROM dir_people WHERE id = ?", (str(resident),)) == \
            {"name": "（已删除）", "phone": ""}
    finally:
        svc.close()


def test_the_demo_with_activity_has_a_history_to_explore(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
    assert main(["demo", "--activity"]) == 0
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "data")}))
    try:
        views = svc.views
        assert views.scalar("SELECT COUNT(*) FROM rt_meetings") == 2
        assert views.scalar("SELECT COUNT(*) FROM rt_resolutions") == 1
        assert views.scalar("SELECT COUNT(*) FROM vol_shifts") == 2
        assert views.scalar("SELECT SUM(d_paid) FROM fund_lines") == 300_000
        assert svc.runner.position() == svc.runner.head()
    finally:
        svc.close()
