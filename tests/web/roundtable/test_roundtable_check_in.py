"""The worker's check-in: search by name or the phone's last 4 digits, big buttons, masked phones only."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from urllib.parse import quote

import pytest

from tests.builders import web_person
from tests.web.builders import Site


@pytest.fixture
def site(web, clock) -> Site:
    s = Site(web, clock)
    s.mid = s.schedule(capacity=10)
    s.m = f"{s.base}/{s.mid}"
    s.post(s.residents[1][1], f"{s.m}/register")
    clock.now = datetime(2026, 5, 2, 10, 0, tzinfo=timezone.utc)     # 18:00 in Shanghai: check-in is open
    return s


def test_the_check_in_screen_lists_registered_residents_first_with_masked_phones(site):
    html = site.page(site.worker_phone, f"{site.m}/check-in").text
    assert "居民1" in html and "已报名" in html and "居民2" not in html
    phone = site.residents[1][1]
    assert f"{phone[:3]}****{phone[-4:]}" in html and phone not in html
    assert "<select" not in site.page(site.worker_phone, site.m).text


def test_residents_are_found_by_name_or_the_last_four_digits_of_their_phone(site):
    by_name = site.page(site.worker_phone, f"{site.m}/check-in?q=居民3").text
    assert "居民3" in by_name and "居民1" not in by_name
    phone = site.residents[2][1]
    by_digits = site.page(site.worker_phone, f"{site.m}/check-in?q={phone[-4:]}").text
    assert "居民2" in by_digits and phone not in by_digits
    assert "居民2" in site.page(site.worker_phone, f"{site.m}/check-in?q={phone[-4:-2]}%20{phone[-2:]}").text
    assert "手机号后 4 位" in site.page(site.worker_phone, f"{site.m}/check-in?q=12").text


def test_more_than_the_last_four_digits_never_find_anybody_and_the_screen_asks_for_the_last_four(site):
    """Issue 9, item 9: a search by 4–11 final digits let about 40 searches recover a whole number. Only exactly the
    last 4 digits find a resident; a longer digit string (typed with spaces or dashes too) finds nobody."""
    rid, phone = site.residents[2]
    exact = site.page(site.worker_phone, f"{site.m}/check-in?q={phone[-4:]}").text
    shown = re.search(rf'id="rt-row-{rid}">.*?<span class="muted">([^<]*)</span>', exact, re.S)
    assert shown and shown.group(1) == f"{phone[:3]}****{phone[-4:]}" and phone not in exact
    typed = [phone[-n:] for n in range(5, 12)] + [f"{phone[:3]}%20{phone[3:7]}%20{phone[7:]}",
                                                  f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"%20{phone[-5:]}%20"]
    for q in typed:
        html = site.page(site.worker_phone, f"{site.m}/check-in?q={q}").text
        assert "rt-row-" not in html and "居民2" not in html and "请输入手机号后 4 位数字" in html, q
        rows = site.web.get(f"{site.m}/check-in?q={q}", headers={"HX-Request": "true", "HX-Target": "rt-checkin-rows"})
        assert "rt-row-" not in rows.text and "请输入手机号后 4 位数字" in rows.text, q


def test_the_search_finds_only_verified_residents_of_this_community(site):
    html = site.page(site.worker_phone, f"{site.m}/check-in?q=外社区").text
    assert "外社区居民" not in html and "没有找到" in html
    web_person(site.web, None, site.other, "同名居民3")
    assert "同名居民3" not in site.page(site.worker_phone, f"{site.m}/check-in?q=居民3").text


@pytest.mark.parametrize("q", ["%", "_", "\\", "%25", "'; DROP TABLE rt_meetings; --", "居\u202e民", "x" * 500,
                               "\x00", "<script>alert(1)</script>"])
def test_odd_search_text_is_answered_safely(site, q):
    r = site.page(site.worker_phone, f"{site.m}/check-in?q={quote(q)}")
    assert r.status_code == 200 and "<script>alert" not in r.text
    if q in ("%", "_", "\\"):
        assert "居民1" not in r.text     # LIKE wildcards are taken literally


def test_only_the_communitys_worker_sees_the_check_in_screen(site):
    assert site.page(site.residents[0][1], f"{site.m}/check-in").status_code == 403
    assert site.page(site.other_worker[1], f"{site.m}/check-in").status_code == 403
    assert site.page(site.other_worker[1], f"/c/{site.other}/roundtable/{site.mid}/check-in").status_code == 404
    assert site.page(None, f"{site.m}/check-in").status_code == 303


def test_htmx_search_sends_only_the_rows(site):
    site.login(site.worker_phone)
    r = site.web.get(f"{site.m}/check-in?q=居民0", headers={"HX-Request": "true", "HX-Target": "rt-checkin-rows"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<li class="rt-row"') and "居民0" in r.text
    assert 'hx-target="#rt-row-' in r.text and 'name="back" value="check-in"' in r.text
    inside = site.web.get(f"{site.m}/check-in?q=居民0&in=meeting",
                          headers={"HX-Request": "true", "HX-Target": "rt-checkin-rows"})
    assert 'hx-target="#meeting"' in inside.text and 'name="back"' not in inside.text


def test_a_row_checks_in_and_out_in_place_with_htmx(site):
    rid, _ = site.residents[0]
    headers = {"HX-Request": "true", "HX-Target": f"rt-row-{rid}"}
    r = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": str(rid), "q": "居民0"}, headers=headers)
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<li class="rt-row" id="rt-row-{rid}"')
    assert "已签到 18:00" in r.text and "签退" in r.text
    assert '<span id="rt-present-count" hx-swap-oob="true">已签到 1 人</span>' in r.text  # the screen's count
    again = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": str(rid)}, headers=headers)
    assert again.status_code == 200 and 'role="alert"' in again.text and "该居民已签到" in again.text
    out = site.post(site.worker_phone, f"{site.m}/check-out", {"account_id": str(rid)}, headers=headers)
    assert "已签退 18:00" in out.text
    assert "已签到 0 人" in site.page(site.worker_phone, site.m).text


def test_without_javascript_a_check_in_returns_to_the_search(site):
    rid, _ = site.residents[0]
    r = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": str(rid), "back": "check-in",
                                                            "q": "居民0"})
    assert r.status_code == 303 and r.headers["location"].endswith("/check-in?q=%E5%B1%85%E6%B0%910")
    assert "已签到 1 人" in site.page(site.worker_phone, site.m).text
    r = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": str(site.residents[1][0]),
                                                            "back": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == site.m


def test_another_communitys_resident_cannot_be_checked_in_even_through_a_row(site):
    outsider = str(site.outsider[0])
    r = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": outsider},
                  headers={"HX-Request": "true", "HX-Target": f"rt-row-{outsider}"})
    assert r.status_code == 403 and "本社区" in r.text
    r = site.post(site.worker_phone, f"{site.m}/check-in", {"account_id": "not-a-uuid"})
    assert r.status_code == 404
