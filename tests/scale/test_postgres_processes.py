"""Scale-out shape: two uvicorn workers on PostgreSQL share the store; `linli project` keeps the views."""
import subprocess
import sys
import threading
import time

import httpx
import pytest

from tests.builders import ROOT, LiveServer, drop_schemas, csrf_from, new_schema, postgres_env

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def pg_env():
    schema = new_schema("s_")
    yield {**postgres_env(), "POSTGRES_SCHEMA": schema, "LINLI_SECRET": "scale-test-secret"}
    drop_schemas(schema)


def test_two_web_workers_and_a_separate_projection_process_agree_on_every_sign_up(tmp_path, pg_env):
    server = LiveServer(tmp_path / "data", extra_env={**pg_env, "LINLI_PROJECTIONS": "external"}, workers=2)
    projector = subprocess.Popen([sys.executable, "-m", "web.cli", "project"], cwd=ROOT, env=server.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    accepted = []
    try:
        page = httpx.get(server.url + "/signup").text
        community = page.split('<option value="')[2].split('"')[0]

        def sign_up(worker: int) -> None:
            with httpx.Client(base_url=server.url, timeout=10) as client:
                token = csrf_from(client.get("/signup").text)
                for i in range(15):
                    phone = f"136{worker:02d}{i:06d}"
                    r = server.sign_up(client, token, phone, "扩展测试", community, "scale-password")
                    assert r.status_code == 303, r.text
                    accepted.append(phone)
                    client.cookies.delete("linli_session")

        threads = [threading.Thread(target=sign_up, args=(w,)) for w in range(4)]
        [t.start() for t in threads]
        [t.join(60) for t in threads]
        assert len(accepted) == 60
        svc = server.services()
        deadline = time.monotonic() + 15
        while svc.runner.position() < svc.runner.head() and time.monotonic() < deadline:
            time.sleep(0.1)
        pending = svc.views.scalar("SELECT COUNT(*) FROM dir_residencies WHERE community_id = ? AND status = 'pending'",
                                   (community,))
        assert pending == 60
        svc.close()
    finally:
        projector.terminate()
        projector.wait(10)
        server.stop()
