"""Nothing acknowledged is lost: kill -9 the server during writes, restart it, every 303 is still there."""
import os
import signal
import threading
import time

import httpx
import pytest

from tests.builders import LiveServer, csrf_from

pytestmark = pytest.mark.slow


def test_every_acknowledged_sign_up_survives_kill_9_and_the_views_catch_up(tmp_path):
    data = tmp_path / "data"
    server = LiveServer(data)
    community = None
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            token = csrf_from(client.get("/signup").text)
            for i in range(10_000):
                if stop.is_set():
                    return
                phone = f"135{worker:02d}{i:06d}"
                try:
                    r = server.sign_up(client, token, phone, "压力测试", community, "durable-password")
                except httpx.HTTPError:
                    return
                if r.status_code == 303 or (r.history and r.history[0].status_code == 303):
                    acknowledged.append(phone)
                client.cookies.delete("linli_session")

    try:
        page = httpx.get(server.url + "/signup").text
        community = page.split('<option value="')[2].split('"')[0]
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
        [t.start() for t in threads]
        deadline = time.monotonic() + 30
        while len(acknowledged) < 12 and time.monotonic() < deadline:  # kill mid-stream, not before it starts
            time.sleep(0.05)
        os.kill(server.process.pid, signal.SIGKILL)
        stop.set()
        [t.join(10) for t in threads]
    finally:
        server.stop()
    assert len(acknowledged) > 10

    restarted = LiveServer(data)
    try:
        svc = restarted.services()
        missing = [p for p in acknowledged if svc.app.accounts.login_record(p) is None]
        assert missing == []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            health = httpx.get(restarted.url + "/healthz").json()
            if health["views"] == health["events"]:
                break
            time.sleep(0.2)
        assert health["status"] == "ok" and health["views"] == health["events"]
        svc.close()
    finally:
        restarted.stop()
