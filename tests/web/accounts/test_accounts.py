"""Sign-up, login, residency review and the web hardening every page shares."""
import hashlib
import re

import pytest

from projections import accounts as directory
from tests.builders import PASSWORD, ROOT, new_phone, web_person


def sign_up(web, places, phone=None, name="张三", **extra):
    return web.sign_up(phone or new_phone(), name, places.community, **extra)


def test_a_resident_signs_up_and_sees_their_request_pending(web, places):
    response = sign_up(web, places, phone="138 0013 8000")
    assert response.status_code == 303
    home = web.get("/")
    assert "江苏路社区" in home.text and "待核实" in home.text and "注册成功" in home.text


def test_a_worker_approves_a_pending_resident_who_then_counts_as_verified(web, places):
    sign_up(web, places, phone="13800138000", name="王阿姨")
    web.logout()
    worker_id, worker_phone = web_person(web, "worker", places.community)
    web.login(worker_phone)
    page = web.get(f"/c/{places.community}/residents")
    assert "王阿姨" in page.text and "138****8000" in page.text and "13800138000" not in page.text
    account_id = re.search(r'id="resident-([0-9a-f-]+)"', page.text).group(1)
    response = web.post_form(f"/c/{places.community}/residents/{account_id}/verify", {"command_id": "v1"})
    assert response.status_code == 303
    assert directory.count_residents(web.services.views, str(places.community), "verified") == 1
    assert "没有需要处理的申请" in web.get(f"/c/{places.community}/residents").text


def test_a_worker_of_another_community_cannot_see_or_decide_residents_here(web, places):
    sign_up(web, places)
    web.logout()
    resident = directory.residents(web.services.views, str(places.community), "pending")[0]["id"]
    _, phone = web_person(web, "worker", places.other_community)
    web.login(phone)
    assert web.get(f"/c/{places.community}/residents").status_code == 403
    response = web.post_form(f"/c/{places.community}/residents/{resident}/verify", {"command_id": "x"})
    assert response.status_code == 403
    assert directory.count_residents(web.services.views, str(places.community), "pending") == 1


def test_pages_for_members_send_anonymous_visitors_to_login(web, places):
    response = web.get(f"/c/{places.community}/residents", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("field, value, message", [
    ("phone", "12345", "手机号格式不正确"),
    ("phone", "138001380001234", "手机号格式不正确"),
    ("name", "张" * 1000, "不能超过 40 个字"),
    ("name", "张\u202e三", "控制字符"),
    ("name", "张\x07三", "控制字符"),
    ("name", "<svg onload=alert(1)>", "不能包含符号"),
    ("password", "short", "密码长度"),
])
def test_bad_sign_up_input_gets_a_clear_answer_in_chinese_and_changes_nothing(web, places, field, value, message):
    before = web.services.app.recorder.max_notification_id()
    data = {"phone": new_phone(), "name": "张三", "password": PASSWORD, "password2": PASSWORD,
            "community_id": str(places.community), field: value}
    if field == "password":
        data["password2"] = value
    response = web.post_form("/signup", data)
    assert response.status_code == 422
    assert message in response.text
    assert "<svg onload" not in response.text
    assert web.services.app.recorder.max_notification_id() == before


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(web, places):
    before = web.services.app.recorder.max_notification_id()
    response = web.client.post("/signup", data={"phone": new_phone(), "name": "张三", "password": PASSWORD,
                                                "password2": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403 and "刷新页面" in response.text
    response = web.client.post("/signup", data={"csrf_token": "forged-token-1234567890", "phone": new_phone()})
    assert response.status_code == 403
    assert web.services.app.recorder.max_notification_id() == before


def test_a_wrong_password_does_not_say_whether_the_phone_exists(web, places):
    sign_up(web, places, phone="13800138000")
    web.logout()
    known = web.post_form("/login", {"phone": "13800138000", "password": "wrong-password"})
    unknown = web.post_form("/login", {"phone": "13900139000", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 401
    assert "手机号或密码不正确" in known.text and "手机号或密码不正确" in unknown.text


def test_many_wrong_passwords_lock_the_phone_with_429_not_500(web, places):
    sign_up(web, places, phone="13700137000")
    web.logout()
    statuses = [web.post_form("/login", {"phone": "13700137000", "password": f"nope-{i}"}).status_code
                for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    assert "尝试次数过多" in web.post_form("/login", {"phone": "13700137000", "password": PASSWORD}).text


def test_login_gives_a_new_session_id_and_logout_ends_it(web, places):
    _, phone = web_person(web, None, places.community)
    web.login(phone)
    first = web.cookies.get("linli_session")
    web.logout()
    web.login(phone)
    second = web.cookies.get("linli_session")
    assert first and second and first != second
    web.client.cookies.set("linli_session", first)
    assert web.get(f"/c/{places.community}/residents", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_and_samesite_lax(web, places):
    _, phone = web_person(web, None, places.community)
    response = web.post_form("/login", {"phone": phone, "password": PASSWORD, "next": "/"})
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("linli_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_off_site(web, places, target):
    _, phone = web_person(web, None, places.community)
    response = web.post_form("/login", {"phone": phone, "password": PASSWORD, "next": target})
    assert response.headers["location"] == "/"


def test_every_page_carries_the_security_headers(web, places):
    for url in ["/", "/login", f"/c/{places.community}", "/no-such-page"]:
        headers = web.get(url).headers
        assert "unsafe-eval" not in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_state_never_changes_on_get(web, places):
    for route in web.app.routes:
        methods = getattr(route, "methods", None) or set()
        if "GET" in methods:
            assert "POST" not in methods, route.path


def test_unknown_pages_and_ids_get_the_layout_in_chinese(web, places):
    for url, status in [("/nope", 404), ("/c/not-a-uuid", 404), (f"/c/{places.street}", 404),
                        ("/c/00000000-0000-0000-0000-000000000000", 404)]:
        response = web.get(url)
        assert response.status_code == status and "找不到" in response.text and "邻里" in response.text


def test_oversized_bodies_and_too_many_fields_are_refused(web, places):
    big = web.post_form("/signup", {"name": "张" * 300_000})
    assert big.status_code == 413
    fields = {f"f{i}": "x" for i in range(500)}
    assert web.post_form("/signup", fields).status_code == 400


def test_nul_bytes_and_broken_utf8_in_forms_are_refused(web, places):
    before = web.services.app.recorder.max_notification_id()
    response = web.client.post("/signup", content=b"csrf_token=" + web.csrf.encode() + b"&name=%00abc&phone=%ff%fe",
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert web.services.app.recorder.max_notification_id() == before


def test_markup_in_a_name_is_shown_as_text(web, places):
    _, phone = web_person(web, None, places.community, name="阿卜杜拉·买买提")
    web.login(phone)
    assert "阿卜杜拉·买买提" in web.get("/").text


def test_english_is_one_switch_away(web, places):
    response = web.post_form("/lang", {"lang": "en", "next": "/login"})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    page = web.get("/login")
    assert "Log in" in page.text and 'lang="en"' in page.text
    web.post_form("/lang", {"lang": "zh", "next": "/"})
    assert "登录" in web.get("/login").text


def test_the_vendored_htmx_is_2_0_and_matches_its_recorded_checksum():
    static = ROOT / "web" / "static"
    for line in (static / "VERSIONS.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, package, version, _, digest = line.split()
        assert hashlib.sha256((static / name).read_bytes()).hexdigest() == digest
        if package == "htmx.org":
            assert version.startswith("2.0.")


def test_health_reports_the_views_caught_up(web, places):
    body = web.get("/healthz").json()
    assert body["status"] == "ok" and body["views"] == body["events"]


def test_errors_are_in_english_when_the_reader_chose_english(web, places):
    web.post_form("/lang", {"lang": "en", "next": "/"})
    response = web.post_form("/signup", {"phone": new_phone(), "name": "张" * 50, "password": PASSWORD,
                                         "password2": PASSWORD, "community_id": str(places.community)})
    assert response.status_code == 422
    assert "Name may have at most 40 characters" in response.text
    response = web.post_form("/signup", {"phone": "12", "name": "张三", "password": PASSWORD, "password2": PASSWORD})
    assert "Mobile number: is not valid" in response.text


def test_a_poisoned_host_header_never_reaches_links_or_redirects(web, places):
    _, phone = web_person(web, None, places.community)
    page = web.get("/", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "evil.example" not in page.text
    response = web.post_form("/login", {"phone": phone, "password": PASSWORD, "next": "/"},
                             headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("url, status", [
    ("/c/%00", 404), ("/c/%ff%fe", 404), ("/c/\u202e", 404), (f"/c/{'9' * 5000}", 404),
    ("/c/%2e%2e/%2e%2e/etc/passwd", 404), ("/?page=%00", 200), ("/login?next=%ff", 200)])
def test_nul_bytes_broken_utf8_and_odd_paths_never_cause_a_5xx(web, places, url, status):
    assert web.get(url).status_code == status
