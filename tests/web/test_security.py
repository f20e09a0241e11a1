"""Issue 9's holes, each tried over real HTTP against a real `linli serve` (as the review reproduced them)."""
from __future__ import annotations

import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.builders import ROOT, LiveServer, command_id, csrf_from, new_phone, wait_for_views

pytestmark = pytest.mark.slow
COMMUNITY_CODE = "320106001001"   # the demo's 江苏路社区（演示）


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("security") / "data")
    yield live
    live.stop()


def client(server: LiveServer, address: str | None = None) -> tuple[httpx.Client, str]:
    """An anonymous browser (from `address`, through the trusted proxy) and its CSRF token."""
    headers = {"X-Forwarded-For": address} if address else {}
    browser = httpx.Client(base_url=server.url, timeout=30, headers=headers)
    return browser, csrf_from(browser.get("/signup").text)


def community_id(server: LiveServer) -> str:
    page = httpx.get(server.url + "/signup").text
    return re.search(r'<option value="([0-9a-f-]{36})"', page).group(1)


def logged_in_name(browser: httpx.Client) -> str:
    match = re.search(r'class="who"[^>]*>([^<]+)<', browser.get("/").text)
    return match.group(1) if match else ""


# --- 1. a sign-up's command id belongs to whoever sent it --------------------------------------------------
def test_replaying_someone_elses_sign_up_command_id_never_logs_in_as_them(server):
    victim, token = client(server, "10.1.0.1")
    victim_phone, shared_id = new_phone(), command_id()
    victim.post("/signup/code", data={"csrf_token": token, "phone": victim_phone})
    done = victim.post("/signup", data={
        "csrf_token": token, "phone": victim_phone, "code": server.sms_code(victim_phone), "name": "受害人",
        "password": "victim-password", "password2": "victim-password", "community_id": community_id(server),
        "command_id": shared_id})
    assert done.status_code == 303

    attacker, token = client(server, "10.1.0.2")
    attacker_phone = new_phone()
    attacker.post("/signup/code", data={"csrf_token": token, "phone": attacker_phone})
    replay = attacker.post("/signup", data={
        "csrf_token": token, "phone": attacker_phone, "code": server.sms_code(attacker_phone), "name": "攻击者",
        "password": "attacker-password", "password2": "attacker-password", "command_id": shared_id})
    assert replay.status_code == 303 and logged_in_name(attacker) == "攻击者"   # their own, new account

    stored = b"".join(p.read_bytes() for p in server.data_dir.glob("events.sqlite3*"))
    assert shared_id.encode() not in stored   # only a keyed digest of a command id is ever stored


def test_a_repeated_sign_up_form_never_starts_a_second_session(server):
    browser, token = client(server, "10.1.0.3")
    phone = new_phone()
    browser.post("/signup/code", data={"csrf_token": token, "phone": phone})
    form = {"csrf_token": token, "phone": phone, "code": server.sms_code(phone), "name": "重复提交",
            "password": "double-password", "password2": "double-password", "command_id": command_id()}
    assert browser.post("/signup", data=form).status_code == 303
    stranger, token = client(server, "10.1.0.4")
    again = stranger.post("/signup", data={**form, "csrf_token": token})
    assert again.status_code == 422 and "linli_session" not in again.cookies


def test_a_command_id_must_be_short(server):
    browser, token = client(server, "10.1.0.5")
    phone = new_phone()
    browser.post("/signup/code", data={"csrf_token": token, "phone": phone})
    response = browser.post("/signup", data={
        "csrf_token": token, "phone": phone, "code": server.sms_code(phone), "name": "长标识",
        "password": "long-id-password", "password2": "long-id-password", "command_id": "x" * 250_000})
    assert response.status_code in (413, 422)


# --- 4. anonymous sign-up cannot exhaust memory or CPU -----------------------------------------------------
def _rss_mib(pid: int) -> float:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def test_invalid_sign_ups_are_refused_before_any_password_is_hashed(server):
    before = _rss_mib(server.process.pid)
    started = time.monotonic()
    browser, token = client(server, "10.4.0.1")
    statuses = [browser.post("/signup", data={"csrf_token": token, "phone": f"12{i:09d}", "name": "无效",
                                              "password": "flood-password", "password2": "flood-password"}).status_code
                for i in range(40)]
    assert set(statuses) == {422}
    assert time.monotonic() - started < 5
    assert _rss_mib(server.process.pid) - before < 100
    page_started = time.monotonic()
    assert httpx.get(server.url + "/").status_code == 200
    assert time.monotonic() - page_started < 1


def test_a_flood_of_password_checks_gets_503_with_retry_after_not_the_servers_memory(server):
    def attempt(i: int) -> httpx.Response:
        browser, token = client(server, f"10.4.1.{i}")
        try:
            return browser.post("/login", data={"csrf_token": token, "phone": new_phone(), "password": f"x-{i}-guess"})
        finally:
            browser.close()
    with ThreadPoolExecutor(40) as pool:
        responses = list(pool.map(attempt, range(40)))
    busy = [r for r in responses if r.status_code == 503]
    assert {r.status_code for r in responses} <= {401, 503} and busy
    assert all(r.headers.get("retry-after") for r in busy)


def test_asking_for_codes_is_limited_per_address(server):
    browser, token = client(server, "10.4.2.1")
    statuses = [browser.post("/signup/code", data={"csrf_token": token, "phone": new_phone()}).status_code
                for _ in range(12)]
    assert statuses[:9] == [200] * 9 and statuses[-1] == 429


# --- 5. nobody locks an owner out; the limiter lives in the views database -----------------------------------
def test_wrong_passwords_from_one_address_never_lock_the_owner_out_elsewhere(server):
    owner, token = client(server, "10.5.0.1")
    phone = new_phone()
    server.sign_up(owner, token, phone, "本人", community_id(server), "owner-password")
    attacker, token = client(server, "10.5.0.2")
    statuses = [attacker.post("/login", data={"csrf_token": token, "phone": phone, "password": f"guess-{i}"})
                .status_code for i in range(7)]
    assert statuses[:4] == [401] * 4 and statuses[-1] == 429
    elsewhere, token = client(server, "10.5.0.3")
    response = elsewhere.post("/login", data={"csrf_token": token, "phone": phone, "password": "owner-password"})
    assert response.status_code == 303


def test_the_login_limiter_holds_across_a_restart(tmp_path):
    first = LiveServer(tmp_path / "data")
    try:
        attacker, token = client(first, "10.5.1.1")
        for i in range(5):
            attacker.post("/login", data={"csrf_token": token, "phone": "13800000001", "password": f"g-{i}"})
    finally:
        first.stop()
    again = LiveServer(tmp_path / "data")
    try:
        attacker, token = client(again, "10.5.1.1")
        response = attacker.post("/login", data={"csrf_token": token, "phone": "13800000001",
                                                 "password": "linli-demo-2026"})
        assert response.status_code == 429 and response.headers["retry-after"]
    finally:
        again.stop()


# --- 6. phones are proven by a code; the same answer for known and unknown numbers ---------------------------
def test_a_sign_up_needs_the_code_texted_to_the_number(server):
    browser, token = client(server, "10.6.0.1")
    phone = new_phone()
    browser.post("/signup/code", data={"csrf_token": token, "phone": phone})
    wrong = browser.post("/signup", data={"csrf_token": token, "phone": phone, "code": "000000", "name": "冒名",
                                          "password": "claim-password", "password2": "claim-password"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.text


def test_asking_for_a_code_answers_the_same_for_a_registered_number(server):
    browser, token = client(server, "10.6.0.2")
    known = browser.post("/signup/code", data={"csrf_token": token, "phone": "13800000001"})
    unknown = browser.post("/signup/code", data={"csrf_token": token, "phone": "13999999999"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r"1\d\d\*{4}\d{4}|[0-9a-f]{32}|value=\"[^\"]*\"", "", html)  # noqa: E731
    assert strip(known.text) == strip(unknown.text)
    assert "已注册" in (server.data_dir / "sms-outbox.log").read_text().splitlines()[-2]   # told by text only


def test_a_forgotten_password_is_reset_with_a_texted_code_and_every_session_ends(server):
    owner, token = client(server, "10.6.0.3")
    phone = new_phone()
    server.sign_up(owner, token, phone, "忘记密码的人", community_id(server), "old-password-1")
    assert logged_in_name(owner) == "忘记密码的人"
    helper, token = client(server, "10.6.0.4")
    helper.post("/password/forgot/code", data={"csrf_token": token, "phone": phone})
    reset = helper.post("/password/forgot", data={"csrf_token": token, "phone": phone,
                                                  "code": server.sms_code(phone), "password": "new-password-2",
                                                  "password2": "new-password-2", "command_id": command_id()})
    assert reset.status_code == 303
    assert logged_in_name(owner) == ""   # the old session ended
    fresh, token = client(server, "10.6.0.5")
    assert fresh.post("/login", data={"csrf_token": token, "phone": phone, "password": "new-password-2"}) \
        .status_code == 303


def test_a_resident_changes_password_and_number_and_the_old_number_is_free(server):
    browser, token = client(server, "10.6.0.6")
    phone, new_number = new_phone(), new_phone()
    server.sign_up(browser, token, phone, "换号的人", community_id(server), "first-password")
    token = csrf_from(browser.get("/me").text)
    changed = browser.post("/me/password", data={"csrf_token": token, "current_password": "first-password",
                                                 "password": "second-password", "password2": "second-password"})
    assert changed.status_code == 303
    token = csrf_from(browser.get("/me").text)
    browser.post("/me/phone/code", data={"csrf_token": token, "phone": new_number})
    moved = browser.post("/me/phone", data={"csrf_token": token, "phone": new_number,
                                            "code": server.sms_code(new_number), "current_password": "second-password"})
    assert moved.status_code == 303
    other, token = client(server, "10.6.0.7")
    assert other.post("/login", data={"csrf_token": token, "phone": new_number, "password": "second-password"}) \
        .status_code == 303
    stranger, token = client(server, "10.6.0.8")
    assert stranger.post("/login", data={"csrf_token": token, "phone": phone, "password": "second-password"}) \
        .status_code == 401
    assert server.sign_up(stranger, token, phone, "新主人", community_id(server), "recycled-pass").status_code == 303


# --- 7. never on the published default secret -----------------------------------------------------------------
def test_the_server_refuses_to_start_without_a_secret_outside_the_demo(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "LINLI_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--port", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "LINLI_SECRET" in result.stderr


def test_the_demo_makes_its_own_secret_once_and_keeps_it_private(server):
    secret = server.data_dir / "secret"
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_text()) >= 40
    assert secret.read_text().strip() != "linli-dev-secret"
    assert all(p.stat().st_mode & 0o077 == 0 for p in server.data_dir.glob("*.sqlite3"))


# --- 10. logs keep no search terms -------------------------------------------------------------------------------
def test_the_request_log_has_route_paths_but_never_a_query_string(server):
    httpx.get(server.url + "/login", params={"next": "/c/13912345678-secret-search"})
    time.sleep(0.3)
    log = (server.data_dir.parent / f"server-{server.port}.log").read_text()
    assert "GET /login 200" in log and "13912345678" not in log and "x-request-id" not in log.lower()


# --- sessions and CSRF ---------------------------------------------------------------------------------------------
def test_a_csrf_token_from_one_session_is_refused_in_another(server):
    one, token = client(server, "10.9.0.1")
    server.sign_up(one, token, new_phone(), "会话一", community_id(server), "session-one-pw")
    other, token = client(server, "10.9.0.2")
    server.sign_up(other, token, new_phone(), "会话二", community_id(server), "session-two-pw")
    stolen = csrf_from(one.get("/me").text)
    response = other.post("/logout", data={"csrf_token": stolen})
    assert response.status_code == 403 and logged_in_name(other) == "会话二"


def test_cookies_are_secure_when_served_over_tls_through_the_trusted_proxy(server):
    browser = httpx.Client(base_url=server.url, headers={"X-Forwarded-Proto": "https"})
    response = browser.get("/login")
    assert "secure" in response.headers["set-cookie"].lower()


# --- a resident's own data, and deleting it ------------------------------------------------------------------------
def test_a_resident_downloads_their_data_then_deletes_their_account(server):
    browser, token = client(server, "10.9.1.1")
    phone = new_phone()
    server.sign_up(browser, token, phone, "自己删除", community_id(server), "delete-me-pw")
    data = browser.get("/me/data.json")
    assert data.status_code == 200 and "自己删除" in data.text and phone in data.text
    assert "自己删除" in browser.get("/me/data").text
    token = csrf_from(browser.get("/me").text)
    unconfirmed = browser.post("/me/delete", data={"csrf_token": token, "current_password": "delete-me-pw"})
    assert unconfirmed.status_code == 422 and logged_in_name(browser) == "自己删除"
    deleted = browser.post("/me/delete", data={"csrf_token": token, "current_password": "delete-me-pw",
                                               "confirm": "yes"})
    assert deleted.status_code == 303 and logged_in_name(browser) == ""
    again, token = client(server, "10.9.1.2")
    assert again.post("/login", data={"csrf_token": token, "phone": phone, "password": "delete-me-pw"}) \
        .status_code == 401
    assert server.sign_up(again, token, phone, "重新注册", community_id(server), "come-back-pw").status_code == 303


def test_officials_read_who_did_what_from_the_events(server):
    worker = httpx.Client(base_url=server.url, headers={"X-Forwarded-For": "10.9.2.1"})
    token = csrf_from(worker.get("/login").text)
    worker.post("/login", data={"csrf_token": token, "phone": "13800000002", "password": "linli-demo-2026"})
    page = worker.get(f"/c/{community_id(server)}/audit")
    assert page.status_code == 200 and "李社工（演示）" in page.text and "核实居民" in page.text
    official = httpx.Client(base_url=server.url, headers={"X-Forwarded-For": "10.9.2.2"})
    token = csrf_from(official.get("/login").text)
    official.post("/login", data={"csrf_token": token, "phone": "13800000005", "password": "linli-demo-2026"})
    street = re.search(r'href="/s/([0-9a-f-]{36})"', official.get("/").text).group(1)
    assert "江苏路社区（演示）" in official.get(f"/s/{street}/audit").text
    resident, token = client(server, "10.9.2.3")
    server.sign_up(resident, token, new_phone(), "普通居民", community_id(server), "plain-resident")
    assert resident.get(f"/c/{community_id(server)}/audit").status_code == 403


# --- 8. anonymous "as of" replays are cached, bounded and limited ------------------------------------------------
def test_anonymous_as_of_pages_are_cached_per_minute_and_limited_per_address(server):
    from datetime import timedelta

    from domain.accounts.model import Account, Community
    svc = server.services()
    try:
        community = Community.id_for(COMMUNITY_CODE)
        worker = Account.id_for(svc.app.phone_key("13800000002"))
        starts = svc.app.clock() + timedelta(days=2)
        meeting = svc.app.roundtable.schedule_meeting(worker, community, "历史页面", "p", starts,
                                                      starts + timedelta(hours=1), "x", "online", 5, starts, "simple", 50)
    finally:
        svc.close()
    wait_for_views(server)
    url = f"/c/{community}/roundtable/{meeting}"
    moment = (svc.app.clock() + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")   # Shanghai time, after scheduling
    same = [httpx.get(server.url + url, params={"as_of": moment}, headers={"X-Forwarded-For": "10.8.0.1"})
            for _ in range(30)]
    assert [r.status_code for r in same] == [200] * 30 and "历史页面" in same[0].text   # one replay, then the cache
    minutes = [httpx.get(server.url + url, params={"as_of": f"2026-0{1 + i // 28}-{1 + i % 28:02d}T10:00"},
                         headers={"X-Forwarded-For": "10.8.0.2"}).status_code for i in range(25)]
    assert 429 in minutes and minutes[0] in (200, 404)
    assert httpx.get(server.url + url, headers={"X-Forwarded-For": "10.8.0.2"}).status_code == 200  # today's page
