"""Elder mode (长辈版) and the pages that explain themselves, over HTTP without a browser (tests/e2e/
test_accessibility_e2e.py measures the pages in Chromium)."""
import re

from tests.builders import new_phone, web_person

ELDER = 'class="elder"'


def switch(web, to: str, next_url: str = "/"):
    return web.post_form("/elder", {"elder": to, "next": next_url})


def test_the_switch_turns_elder_mode_on_for_a_year_and_goes_back_to_the_page(web, places):
    page = web.get(f"/c/{places.community}/fund?year=2026")
    assert ELDER not in page.text and 'action="/elder"' in page.text and "长辈版" in page.text
    response = switch(web, "on", f"/c/{places.community}/fund?year=2026")
    assert response.status_code == 303 and response.headers["location"] == f"/c/{places.community}/fund?year=2026"
    cookie = response.headers["set-cookie"]
    assert "linli_elder=1" in cookie and "SameSite=lax" in cookie and "HttpOnly" in cookie
    assert "Max-Age=31536000" in cookie
    page = web.get(f"/c/{places.community}/fund?year=2026")
    assert f"<html lang=\"zh-CN\" {ELDER}>" in page.text and "标准版" in page.text


def test_the_switch_turns_elder_mode_off_and_never_leaves_the_site(web, places):
    switch(web, "on")
    response = switch(web, "off", "https://evil.example/")
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert ELDER not in web.get("/").text


def test_the_switch_needs_the_pages_csrf_token(web, places):
    web.get("/")
    response = web.client.post("/elder", data={"elder": "on", "next": "/"}, follow_redirects=False)
    assert response.status_code == 403


def test_every_page_has_a_skip_link_landmarks_and_its_language(web, places):
    for url in ("/", "/login", f"/c/{places.community}", f"/c/{places.community}/volunteer"):
        html = web.get(url).text
        assert re.search(r'<a class="skip-link" href="#main">跳到正文</a>', html), url
        assert '<header class="top">' in html and '<main id="main"' in html and '<footer class="foot">' in html
        assert '<html lang="zh-CN"' in html
    web.post_form("/lang", {"lang": "en", "next": "/"})
    html = web.get("/").text
    assert '<html lang="en"' in html and ">Skip to the main content</a>" in html and ">Elder mode</button>" in html


def test_in_elder_mode_a_verified_residents_home_offers_the_main_tasks(web, places):
    _, phone = web_person(web, None, places.community)
    web.login(phone)
    assert 'class="tasks"' not in web.get("/").text
    switch(web, "on")
    home = web.get("/").text
    tasks = re.findall(r'<a class="button task" href="([^"]+)">([^<]+)</a>', home)
    assert [label for _, label in tasks] == ["我的安排", "议事会", "报名志愿服务", "我要反映问题"]
    assert tasks[0][0] == "#my-schedule" and 'id="my-schedule"' in home
    assert tasks[3][0] == f"/c/{places.community}/grid/new"


def test_an_unverified_resident_is_told_why_the_buttons_are_missing(web, places):
    web.sign_up(new_phone(), "孙阿姨", places.community)
    home = web.get("/").text
    assert "所以页面上没有这些按钮" in home and "身份证和住址证明" in home
    page = web.get(f"/c/{places.community}/volunteer").text
    assert 'id="residency-gap"' in page and "还在等待社区工作者核实" in page


def test_a_visitor_from_elsewhere_is_told_to_join_first(web, places):
    _, phone = web_person(web, None, places.other_community)
    web.login(phone)
    page = web.get(f"/c/{places.community}/grid").text
    assert 'id="residency-gap"' in page and "只有本社区经过核实的居民" in page and f'href="/c/{places.community}"' in page


def test_staff_are_not_told_they_cannot_take_part(web, places, worker):
    web.login(worker[1])
    assert 'id="residency-gap"' not in web.get(f"/c/{places.community}/volunteer").text


def test_my_data_shows_stored_times_in_beijing_time(web, places, clock):
    _, phone = web_person(web, None, places.community)
    web.login(phone)
    page = web.get("/me/data").text
    assert "2026-05-01 09:00:00" in page and "+00:00" not in page and "T01:00" not in page


def test_a_sign_up_error_is_said_in_words_beside_its_field(web, places):
    phone = new_phone()
    web.post_form("/signup/code", {"phone": phone})
    response = web.post_form("/signup", {"phone": phone, "code": web.sms_code(phone), "name": "孙阿姨",
                                         "password": "correct-horse-42", "password2": "correct-horse-24"})
    assert response.status_code == 422
    field = re.search(r'<input name="password2"[^>]*>\s*<span class="field-error" id="error-password2">([^<]+)</span>',
                      response.text)
    assert field and field.group(1) == "两次输入的密码不一致"
    assert 'aria-invalid="true" aria-describedby="error-password2"' in field.group(0)
    assert response.text.count('aria-invalid="true"') == 1
