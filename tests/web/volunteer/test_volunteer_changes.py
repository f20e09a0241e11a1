"""Organisers change plans over HTTP: calling off a shift or a day, changing places, walk-ins at check-in; and
another community's ids or roles never reach those forms."""
from __future__ import annotations

import re

import pytest

from projections import volunteer as views
from tests.builders import web_person
from tests.web.builders import (DAY, HX, add_shift, as_user, day_with_one_shift, shift_ids,
                                          shift_url)


@pytest.fixture
def day_and_shift(web, places, worker):
    return day_with_one_shift(web, places, worker, places_n="1")


def test_calling_off_a_shift_tells_each_volunteer_on_their_next_visit(web, places, worker, day_and_shift):
    day_id, shift_id = day_and_shift
    holder = web_person(web, None, places.community, name="甲")
    waiting = web_person(web, None, places.community, name="乙")
    as_user(web, holder)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, waiting)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {"waitlist": "1"})
    as_user(web, worker)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}")
    assert "取消该班次" in page.text and "取消整个行动日" in page.text
    empty = web.post_form(shift_url(places, day_id, shift_id) + "/call-off", {"reason": ""})
    assert empty.status_code == 422
    response = web.post_form(shift_url(places, day_id, shift_id) + "/call-off",
                             {"reason": "<script>alert(1)</script>暴雨"})
    assert response.status_code == 303
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}")
    assert "班次已取消" in page.text and "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    for person in (holder, waiting):
        as_user(web, person)
        index = web.get(f"/c/{places.community}/volunteer")
        assert "您报名的班次已取消" in index.text and "&lt;script&gt;alert(1)&lt;/script&gt;暴雨" in index.text
        assert "已取消" in web.get(f"/c/{places.community}/volunteer/me").text
        again = web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
        assert again.status_code == 409 and "该班次已取消" in again.text
    home = web.get("/")
    assert home.status_code == 200 and "递补为正式志愿者" not in home.text  # the home page shows promotions only
    row = views.shift(web.services.views, day_id, shift_id)
    assert row["open_places"] == 0 and row["cancel_reason"].endswith("暴雨")


def test_calling_off_the_whole_day_marks_it_cancelled_and_hides_the_forms(web, places, worker, day_and_shift):
    day_id, shift_id = day_and_shift
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, worker)
    assert web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/call-off",
                         {"reason": "台风", "command_id": "off"}).status_code == 303
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}")
    assert "该行动日已取消：台风" in page.text and "添加班次" not in page.text
    assert "已取消" in web.get(f"/c/{places.community}/volunteer").text
    again = web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/call-off", {"reason": "台风"})
    assert again.status_code == 409
    as_user(web, resident)
    assert "台风" in web.get(f"/c/{places.community}/volunteer").text


def test_raising_places_promotes_the_waitlist_and_lowering_below_sign_ups_is_refused(web, places, worker,
                                                                                     day_and_shift):
    day_id, shift_id = day_and_shift
    people = [web_person(web, None, places.community, name=n) for n in ("一", "二", "三")]
    for i, person in enumerate(people):
        as_user(web, person)
        web.post_form(shift_url(places, day_id, shift_id) + "/signup", {"waitlist": "1"} if i else {})
    as_user(web, worker)
    assert web.post_form(shift_url(places, day_id, shift_id) + "/places", {"places": "2"}).status_code == 303
    row = views.shift(web.services.views, day_id, shift_id)
    assert (row["places"], row["taken"], row["waiting"]) == (2, 2, 1)
    for bad, status in (("1", 409), ("0", 422), ("-5", 422), ("99999999999999999999", 422), ("１e3", 422)):
        response = web.post_form(shift_url(places, day_id, shift_id) + "/places", {"places": bad})
        assert response.status_code == status, (bad, response.status_code)
    assert views.shift(web.services.views, day_id, shift_id)["places"] == 2
    as_user(web, people[1])
    assert "递补为正式志愿者" in web.get(f"/c/{places.community}/volunteer").text


def test_a_worker_walks_in_a_resident_by_phone_and_the_row_says_so(web, places, worker, day_and_shift, clock):
    day_id, shift_id = day_and_shift
    holder = web_person(web, None, places.community, name="已报名")
    as_user(web, holder)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    walker = web_person(web, None, places.community, name="现场来")
    outsider = web_person(web, None, places.other_community, name="外社区")
    as_user(web, worker)
    clock.now = clock.now.replace(day=3, hour=1)
    url = shift_url(places, day_id, shift_id) + "/walk-in"
    full = web.post_form(url, {"phone": walker[1]})
    assert full.status_code == 409 and "超出名额" in full.text
    assert web.post_form(url, {"phone": outsider[1], "beyond_places": "1"}).status_code == 404
    assert web.post_form(url, {"phone": "not a phone\u202e", "beyond_places": "1"}).status_code == 422
    assert web.post_form(url, {"phone": walker[1], "beyond_places": "1"}).status_code == 303
    screen = web.get(shift_url(places, day_id, shift_id) + "/checkin")
    assert "现场来" in screen.text and "现场加入（超出名额）" in screen.text and "加入并签到" in screen.text
    row = views.check_in_row(web.services.views, shift_id, str(walker[0]))
    assert row["checked_in_at"] and row["walk_in"] == 1


@pytest.mark.parametrize("path, data", [("/call-off", {"reason": "x"}), ("/places", {"places": "5"}),
                                        ("/walk-in", {"phone": "13800000001"})])
def test_another_communitys_worker_cannot_change_plans_however_the_url_is_edited(web, places, worker,
                                                                                 day_and_shift, path, data):
    day_id, shift_id = day_and_shift
    other = web_person(web, "worker", places.other_community)
    as_user(web, other)
    own = web.post_form(shift_url(places, day_id, shift_id) + path, data)
    assert own.status_code == 403
    moved = web.post_form(f"/c/{places.other_community}/volunteer/days/{day_id}/shifts/{shift_id}{path}", data)
    assert moved.status_code == 404
    assert web.post_form(f"/c/{places.other_community}/volunteer/days/{day_id}/call-off",
                         {"reason": "x"}).status_code == 404
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    assert web.post_form(shift_url(places, day_id, shift_id) + path, data).status_code == 403
    row = views.shift(web.services.views, day_id, shift_id)
    assert row["places"] == 1 and row["cancel_reason"] is None and row["taken"] == 0


def test_change_forms_need_a_csrf_token_and_answer_htmx_with_a_fragment(web, places, worker, day_and_shift):
    day_id, shift_id = day_and_shift
    response = web.post(shift_url(places, day_id, shift_id) + "/call-off", data={"reason": "x"})
    assert response.status_code == 403
    empty = web.post_form(shift_url(places, day_id, shift_id) + "/call-off", {"reason": ""}, headers=HX)
    assert empty.status_code == 422 and "<html" not in empty.text
    assert views.shift(web.services.views, day_id, shift_id)["cancel_reason"] is None


def test_the_organisers_new_forms_and_notices_are_translated_into_english(web, places, worker, day_and_shift):
    day_id, shift_id = day_and_shift
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    as_user(web, worker)
    web.post_form("/lang", {"lang": "en", "next": "/"})
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}")
    assert "Call off the whole action day" in page.text and "Change places or call off the shift" in page.text
    assert "Walk-in" in web.get(shift_url(places, day_id, shift_id) + "/checkin").text
    web.post_form(shift_url(places, day_id, shift_id) + "/call-off", {"reason": "rain"})
    assert "Shift called off: rain" in web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    as_user(web, resident)
    web.post_form("/lang", {"lang": "en", "next": "/"})
    assert "was called off" in web.get(f"/c/{places.community}/volunteer").text


def test_hours_on_a_street_wide_day_are_certified_by_the_street_not_the_volunteers_community(web, places, clock):
    official = web_person(web, "street_official", places.street, name="孙街道")
    as_user(web, official)
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "街道服务日", "date": DAY, "cutoff_hours": "2", "scope": "street"})
    day_id = response.headers["location"].rsplit("/", 1)[1]
    add_shift(web, places, day_id, places_n="3")
    shift_id = shift_ids(web, day_id)[0]
    resident = web_person(web, None, places.other_community, name="周志愿")
    as_user(web, resident)
    web.post_form(f"/c/{places.other_community}/volunteer/days/{day_id}/shifts/{shift_id}/signup", {})
    other_worker = web_person(web, "worker", places.other_community)
    as_user(web, other_worker)  # a worker of the volunteer's own community runs check-in on the street's day
    clock.now = clock.now.replace(day=3, hour=1)
    base = f"/c/{places.other_community}/volunteer/days/{day_id}/shifts/{shift_id}"
    assert web.post_form(f"{base}/attendance/{resident[0]}/in", {}).status_code == 303
    clock.advance(hours=2)
    assert web.post_form(f"{base}/attendance/{resident[0]}/out", {}).status_code == 303
    as_user(web, resident)
    me_page = web.get(f"/c/{places.other_community}/volunteer/me")
    assert "宁海路街道" in me_page.text
    refused = web.post_form(f"/c/{places.other_community}/volunteer/certificates",
                            {"org_id": str(places.other_community), "year": "2026"})
    assert refused.status_code == 409  # the community itself recorded no hours
    issued = web.post_form(f"/c/{places.other_community}/volunteer/certificates",
                           {"org_id": str(places.street), "year": "2026"})
    assert issued.status_code == 303
    text = web.get(issued.headers["location"]).text
    issuer = re.search(r"<dt>出具组织</dt><dd>([^<]*)</dd>", text).group(1)
    assert issuer == "宁海路街道" and "参加 宁海路街道 组织的志愿服务" in text and "2.0" in text
    code = re.search(r'class="vol-code">([A-Z2-7-]+)<', text).group(1)
    web.logout()
    check = web.get(f"/verify/{code}")
    assert "验证通过" in check.text and "宁海路街道" in check.text


def test_a_worker_of_another_community_cannot_check_in_correct_or_walk_in_whichever_url_they_edit(
        web, places, worker, day_and_shift, clock):
    day_id, shift_id = day_and_shift
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    web.post_form(shift_url(places, day_id, shift_id) + "/signup", {})
    outsider = web_person(web, "worker", places.other_community)
    as_user(web, outsider)
    clock.now = clock.now.replace(day=3, hour=1)
    theirs = f"/c/{places.other_community}/volunteer/days/{day_id}/shifts/{shift_id}"
    for base, status in ((shift_url(places, day_id, shift_id), 403), (theirs, 404)):
        assert web.post_form(f"{base}/attendance/{resident[0]}/in", {}).status_code == status
        assert web.post_form(f"{base}/correct/{resident[0]}", {"hours": "5", "reason": "x"}).status_code == status
        assert web.post_form(f"{base}/walk-in", {"phone": resident[1]}).status_code == status
        assert web.get(f"{base}/checkin").status_code == status
    row = views.check_in_row(web.services.views, shift_id, str(resident[0]))
    assert row["checked_in_at"] is None and row["credited"] == 0
