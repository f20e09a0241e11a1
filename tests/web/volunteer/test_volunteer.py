"""The volunteer station over HTTP: two-tap sign-up, waitlist and promotion notice, check-in screen, hours export,
certificates and their public verification, and bad input that changes nothing."""
from __future__ import annotations

import csv
import io
import re

import pytest

from projections import volunteer as views
from tests.builders import web_person
from tests.web.builders import (DAY, HX, add_shift, as_user, create_day, day_with_one_shift, shift_ids,
                                          shift_url)


@pytest.fixture
def day_with_shift(web, places, worker):
    return day_with_one_shift(web, places, worker, places_n="1")


def test_a_resident_signs_up_in_two_taps_and_htmx_swaps_the_shift_card(web, places, day_with_shift):
    day_id, shift_id = day_with_shift
    resident = web_person(web, None, places.community, name="王阿姨")
    as_user(web, resident)
    index = web.get(f"/c/{places.community}/volunteer")
    assert index.status_code == 200 and "社区清洁日" in index.text  # tap one: open the day
    day_page = web.get(f"/c/{places.community}/volunteer/days/{day_id}")
    assert "报名" in day_page.text and f'hx-post="{shift_url(places, day_id, shift_id)}/signup"' in day_page.text
    card = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {"command_id": "tap"}, headers=HX)
    assert card.status_code == 200  # tap two
    assert card.text.lstrip().startswith(f'<li class="card vol-shift" id="shift-{shift_id}" data-status="confirmed"')
    assert "您已报名" in card.text and "取消报名" in card.text and "<html" not in card.text
    assert "王阿姨" not in views.shift(web.services.views, day_id, shift_id)  # names stay out of the shift row
    assert views.my_shifts(web.services.views, str(resident[0]))[0]["status"] == "confirmed"


def test_a_full_shift_refuses_and_offers_the_waitlist_then_promotion_is_shown_on_the_next_visit(
        web, places, day_with_shift):
    day_id, shift_id = day_with_shift
    first = web_person(web, None, places.community, name="甲")
    second = web_person(web, None, places.community, name="乙")
    as_user(web, first)
    assert web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}).status_code == 303
    as_user(web, second)
    full = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    assert full.status_code == 409 and "该班次名额已满" in full.text
    card = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}, headers=HX)
    assert "该班次名额已满" in card.text and "加入候补" in card.text
    card = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {"waitlist": "1"}, headers=HX)
    assert "您在候补名单第 1 位" in card.text
    as_user(web, first)
    assert web.post_form(shift_url(places, day_id, shift_id) + "/cancel", {}).status_code == 303
    as_user(web, second)
    index = web.get(f"/c/{places.community}/volunteer")
    assert "您已从候补名单递补为正式志愿者" in index.text
    assert web.post_form(f"/c/{places.community}/volunteer/notices/seen", {}).status_code == 303
    assert "递补" not in web.get(f"/c/{places.community}/volunteer").text


def test_bad_shifts_get_a_clear_4xx_and_change_nothing(web, places, worker):
    as_user(web, worker)
    day_id = create_day(web, places)
    cases = [dict(places_n="-1"), dict(places_n="0"), dict(places_n="abc"), dict(places_n="1e3"),
             dict(end=f"{DAY}T08:00"), dict(start="2026-04-01T09:00", end="2026-04-01T10:00"),
             dict(start="yesterday")]
    for case in cases:
        response = add_shift(web, places, day_id, expect=422, **case)
        assert "class=\"error\"" in response.text
    assert shift_ids(web, day_id) == []
    past = web.post_form(f"/c/{places.community}/volunteer/days",
                         {"title": "过去", "date": "2026-04-01", "cutoff_hours": "2"})
    assert past.status_code == 422 and "行动日不能早于今天" in past.text
    negative = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "x", "date": DAY, "cutoff_hours": "-2"})
    assert negative.status_code == 422


def test_another_communitys_ids_are_not_found_and_change_nothing(web, places, worker):
    other_worker = web_person(web, "worker", places.other_community)
    as_user(web, other_worker)
    other_day = web.post_form(f"/c/{places.other_community}/volunteer/days",
                              {"title": "颐和路日", "date": DAY, "cutoff_hours": "2"}).headers["location"].rsplit("/")[-1]
    web.post_form(f"/c/{places.other_community}/volunteer/days/{other_day}/shifts",
                  {"task": "t", "place": "p", "starts_at": f"{DAY}T09:00", "ends_at": f"{DAY}T10:00", "places": "3"})
    other_shift = shift_ids(web, other_day)[0]
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id)
    assert web.get(f"/c/{places.community}/volunteer/days/{other_day}").status_code == 404
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    assert web.post_form(shift_url(places, other_day, other_shift) + "/signup", {}).status_code == 404
    assert web.post_form(shift_url(places, day_id, other_shift) + "/signup", {}).status_code == 404
    assert web.post_form(shift_url(places, day_id, "not-a-uuid") + "/signup", {}).status_code == 404
    as_user(web, worker)
    assert web.get(shift_url(places, other_day, other_shift) + "/checkin").status_code == 404
    assert web.post_form(f"/c/{places.other_community}/volunteer/days/{other_day}/shifts",
                         {"task": "t", "place": "p", "starts_at": f"{DAY}T12:00", "ends_at": f"{DAY}T13:00",
                          "places": "3"}).status_code == 403
    assert views.shift(web.services.views, other_day, other_shift)["taken"] == 0
    assert len(shift_ids(web, other_day)) == 1


def test_who_may_do_what_on_the_web(web, places, day_with_shift):
    day_id, shift_id = day_with_shift
    web.logout()
    assert web.get(f"/c/{places.community}/volunteer").status_code == 200
    response = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    pending = web_person(web, "fund_manager", places.community)
    as_user(web, pending)
    assert web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}).status_code == 403
    assert web.get(shift_url(places, day_id, shift_id) + "/checkin").status_code == 403
    assert web.get(f"/c/{places.community}/volunteer/hours").status_code == 403
    assert web.get(f"/c/{places.community}/volunteer/days/new").status_code == 403
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 0


def test_the_worker_checks_in_by_last_four_digits_and_hours_come_from_the_clock(web, places, worker, clock):
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id, places_n="5")
    shift_id = shift_ids(web, day_id)[0]
    volunteers = [web_person(web, None, places.community, name=n) for n in ("赵一", "钱二")]
    for person in volunteers:
        as_user(web, person)
        web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, worker)
    clock.now = clock.now.replace(day=3, hour=1)  # 09:00 in Shanghai, the shift starts
    screen = web.get(shift_url(places, day_id, shift_id) + "/checkin", params={"q": volunteers[1][1][-4:]})
    assert "钱二" in screen.text and "赵一" not in screen.text and volunteers[1][1] not in screen.text
    rows = web.get(shift_url(places, day_id, shift_id) + "/checkin", params={"q": "赵"},
                   headers={**HX, "HX-Target": "checkin-rows"})
    assert "赵一" in rows.text and "<html" not in rows.text
    account = str(volunteers[0][0])
    row = web.post_form(f"{shift_url(places, day_id, shift_id)}/attendance/{account}/in", {}, headers=HX)
    assert row.status_code == 200 and "已签到" in row.text and "签退" in row.text
    again = web.post_form(f"{shift_url(places, day_id, shift_id)}/attendance/{account}/in", {}, headers=HX)
    assert "该志愿者已签到" in again.text
    clock.advance(hours=2, minutes=30)
    row = web.post_form(f"{shift_url(places, day_id, shift_id)}/attendance/{account}/out", {}, headers=HX)
    assert "已签退 · 2.5 小时" in row.text
    bad = web.post_form(f"{shift_url(places, day_id, shift_id)}/correct/{account}", {"hours": "-1", "reason": "x"})
    assert bad.status_code == 422
    fixed = web.post_form(f"{shift_url(places, day_id, shift_id)}/correct/{account}",
                          {"hours": "3", "reason": "提前到场布置"})
    assert fixed.status_code == 303
    screen = web.get(shift_url(places, day_id, shift_id) + "/checkin")
    assert "提前到场布置" in screen.text and "李社工" in screen.text
    table = web.get(f"/c/{places.community}/volunteer/hours")
    assert "赵一" in table.text and "3.0" in table.text


def test_the_hours_export_is_excel_friendly_and_formula_safe(web, places, worker, clock):
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id, places_n="5")
    shift_id = shift_ids(web, day_id)[0]
    names = ["=SUM(1+1)", "+cmd|x", "@SUM(1)", "-2+3", "普通·名字"]
    people = [web_person(web, None, places.community, name=n) for n in names]
    for person in people:
        as_user(web, person)
        web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, worker)
    clock.now = clock.now.replace(day=3, hour=2)
    for person in people:
        web.post_form(f"{shift_url(places, day_id, shift_id)}/correct/{person[0]}", {"hours": "1.5", "reason": "补录"})
    response = web.get(f"/c/{places.community}/volunteer/hours.csv", params={"from": "2026-05-01", "to": "2026-05-31"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["姓名", "手机号", "班次数", "服务时长（小时）"]
    exported = {r[0] for r in rows[1:]}
    assert exported == {"'=SUM(1+1)", "'+cmd|x", "'@SUM(1)", "'-2+3", "普通·名字"}
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r[1]) and r[3] == "1.5" for r in rows[1:])
    assert web.get(f"/c/{places.community}/volunteer/hours.csv", params={"from": "junk"}).status_code == 422


def test_a_certificate_is_printable_and_anyone_can_verify_its_code(web, places, worker, clock):
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id, places_n="5")
    shift_id = shift_ids(web, day_id)[0]
    resident = web_person(web, None, places.community, name="王小明")
    as_user(web, resident)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, worker)
    clock.now = clock.now.replace(day=3, hour=1)
    web.post_form(f"{shift_url(places, day_id, shift_id)}/attendance/{resident[0]}/in", {})
    clock.advance(hours=2)
    web.post_form(f"{shift_url(places, day_id, shift_id)}/attendance/{resident[0]}/out", {})
    as_user(web, resident)
    assert web.post_form(f"/c/{places.community}/volunteer/identity", {"id_number": "123"}).status_code == 422
    web.post_form(f"/c/{places.community}/volunteer/identity", {"id_number": "11010519491231002X"})
    me_page = web.get(f"/c/{places.community}/volunteer/me")
    assert "2.0" in me_page.text and "开具证明" in me_page.text and "1101**********002X" in me_page.text
    issued = web.post_form(f"/c/{places.community}/volunteer/certificates",
                           {"org_id": str(places.community), "year": "2026", "command_id": "cert"})
    assert issued.status_code == 303
    certificate = web.get(issued.headers["location"])
    text = certificate.text
    for expected in ("志愿服务证明", "王小明", "1101**********002X", "江苏路社区", "清扫楼道", "2.0", "ZYFW-"):
        assert expected in text
    assert "11010519491231002X" not in text
    code = re.search(r'class="vol-code">([A-Z2-7-]+)<', text).group(1)
    web.logout()
    check = web.get(f"/verify/{code}")
    assert check.status_code == 200 and "验证通过" in check.text and "王**" in check.text and "王小明" not in check.text
    assert web.get(f"/verify?code={code.lower().replace('-', ' ')}", follow_redirects=True).status_code == 200
    assert web.get("/verify/AAAA-BBBB-CCCC").status_code == 404
    assert web.get(issued.headers["location"], follow_redirects=False).status_code == 303  # login required
    stranger = web_person(web, None, places.community)
    as_user(web, stranger)
    assert web.get(issued.headers["location"]).status_code == 403
    as_user(web, worker)
    web.post_form(f"{shift_url(places, day_id, shift_id)}/correct/{resident[0]}", {"hours": "3", "reason": "补录"})
    web.logout()
    stale = web.get(f"/verify/{code}")
    assert stale.status_code == 200 and "出具后服务时长已更正" in stale.text and "3.0" in stale.text


def test_a_street_official_creates_a_street_wide_day_seen_by_every_community_of_the_street(web, places):
    official = web_person(web, "street_official", places.street, name="孙街道")
    as_user(web, official)
    assert "全街道" in web.get(f"/c/{places.community}/volunteer/days/new").text
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "街道服务日", "date": DAY, "cutoff_hours": "2", "scope": "street"})
    assert response.status_code == 303
    day_id = response.headers["location"].rsplit("/", 1)[1]
    add_shift(web, places, day_id, places_n="3")
    shift_id = shift_ids(web, day_id)[0]
    resident = web_person(web, None, places.other_community)
    as_user(web, resident)
    assert "街道服务日" in web.get(f"/c/{places.other_community}/volunteer").text
    url = f"/c/{places.other_community}/volunteer/days/{day_id}/shifts/{shift_id}/signup"
    assert web.post_form(url, {}).status_code == 303
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 1


def test_the_english_page_is_translated(web, places, day_with_shift):
    web.post_form("/lang", {"lang": "en", "next": "/"})
    page = web.get(f"/c/{places.community}/volunteer")
    assert "Volunteer station" in page.text and "Upcoming action days" in page.text


def test_signing_up_for_a_shift_past_its_cut_off_is_refused_and_changes_nothing(web, places, day_with_shift, clock):
    day_id, shift_id = day_with_shift
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    clock.now = clock.now.replace(day=3, hour=0)  # 08:00 in Shanghai: an hour before the shift, past the cut-off
    response = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    assert response.status_code == 409 and "报名和取消已截止" in response.text
    assert "报名已截止" in web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 0


def test_street_wide_hours_are_for_the_street_official(web, places, worker):
    official = web_person(web, "street_official", places.street)
    as_user(web, official)
    assert web.get(f"/c/{places.community}/volunteer/hours", params={"scope": "street"}).status_code == 200
    as_user(web, worker)
    assert web.get(f"/c/{places.community}/volunteer/hours", params={"scope": "street"}).status_code == 403
