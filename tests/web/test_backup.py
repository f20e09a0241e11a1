"""Backup under load, then restore: the copy opens, catches up, and its views equal a rebuild from its events."""
import shutil
import threading

import httpx
import pytest

from tests.builders import LiveServer, csrf_from
from tests.projections.builders import snapshot
from web.cli import main
from web.settings import Settings
from web.wiring import build

pytestmark = pytest.mark.slow
TABLES = ["dir_places", "dir_people", "dir_residencies", "dir_grants"]


def test_a_backup_taken_during_sign_ups_restores_to_consistent_views(tmp_path, monkeypatch, capsys):
    server = LiveServer(tmp_path / "data")
    stop = threading.Event()
    accepted: list[str] = []

    def writer(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            token = csrf_from(client.get("/signup").text)
            community = client.get("/signup").text.split('<option value="')[2].split('"')[0]
            for i in range(10_000):
                if stop.is_set():
                    return
                phone = f"133{worker:02d}{i:06d}"
                r = server.sign_up(client, token, phone, "备份测试", community, "backup-password")
                if r.status_code == 303:
                    accepted.append(phone)
                client.cookies.delete("linli_session")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    try:
        [t.start() for t in threads]
        while len(accepted) < 10:
            threading.Event().wait(0.05)
        monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path / "data"))
        assert main(["backup", str(tmp_path / "backup"), "--keys", str(tmp_path / "keys")]) == 0
        while len(accepted) < 20:  # the load goes on after the copy
            threading.Event().wait(0.05)
    finally:
        stop.set()
        [t.join(15) for t in threads]
        server.stop()

    for name in ("keys.sqlite3", "secret"):  # a restore brings back the key backup kept apart
        shutil.copy(tmp_path / "keys" / name, tmp_path / "backup" / name)
    restored = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "backup")}))
    try:
        restored.runner.catch_up()
        assert restored.runner.position() == restored.runner.head()
        people = restored.views.scalar("SELECT COUNT(*) FROM dir_people WHERE name = '备份测试'")
        assert 10 <= people < len(accepted)
        before = snapshot(restored, TABLES)
        restored.runner.rebuild()
        assert snapshot(restored, TABLES) == before
        assert all(row["name"] != "（已删除）" for row in restored.views.all("SELECT name FROM dir_people"))
    finally:
        restored.close()
