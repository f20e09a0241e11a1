"""Rescheduling a meeting through the web: the form, who may, the page and the calendar files."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from icalendar import Calendar

from tests.web.builders import Site

NEW_TIME = {"starts_at": "2026-05-09T19:30", "ends_at": "2026-05-09T21:00", "place": "社区大礼堂",
            "registration_deadline": "2026-05-09T12:00", "reason": "活动室维修"}


@pytest.fixture
def site(web, clock) -> Site:
    return Site(web, clock)


def test_a_worker_reschedules_and_registered_residents_keep_their_places(site):
    mid = site.schedule(capacity=1)
    m = f"{site.base}/{mid}"
    site.post(site.residents[0][1], f"{m}/register")
    site.post(site.residents[1][1], f"{m}/register")
    assert site.post(site.worker_phone, f"{m}/reschedule", NEW_TIME).status_code == 303
    html = site.page(site.residents[0][1], m).text
    assert "2026-05-09 19:30" in html and "社区大礼堂" in html and "您已报名" in html
    assert "会议已改期：原定 2026-05-02 19:00，社区活动室。" in html and "活动室维修" in html
    assert "候补名单第 1 位" in site.page(site.residents[1][1], m).text
    assert "2026-05-09 19:30" in site.page(None, site.base).text


def test_the_ics_files_carry_the_new_time_and_a_growing_sequence(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    [before] = Calendar.from_ical(site.page(None, f"{m}.ics").content).walk("VEVENT")
    assert int(before["sequence"]) == 0
    site.post(site.worker_phone, f"{m}/reschedule", NEW_TIME)
    [after] = Calendar.from_ical(site.page(None, f"{m}.ics").content).walk("VEVENT")
    assert int(after["sequence"]) == 1 and str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") == datetime(2026, 5, 9, 11, 30, tzinfo=timezone.utc)
    assert str(after.decoded("dtstart").tzinfo) == "Asia/Shanghai" and str(after["location"]) == "社区大礼堂"
    site.post(site.worker_phone, f"{m}/cancel", {"reason": "台风"})
    [feed_event] = Calendar.from_ical(site.page(None, f"{site.base}.ics").content).walk("VEVENT")
    assert int(feed_event["sequence"]) == 2 and str(feed_event["status"]) == "CANCELLED"


def test_only_the_communitys_worker_may_reschedule(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    assert site.post(site.residents[0][1], f"{m}/reschedule", NEW_TIME).status_code == 403
    assert site.post(site.other_worker[1], f"{m}/reschedule", NEW_TIME).status_code == 403
    assert site.post(site.other_worker[1], f"/c/{site.other}/roundtable/{mid}/reschedule", NEW_TIME).status_code == 404
    assert "社区活动室" in site.page(None, m).text and "已改期" not in site.page(None, m).text


@pytest.mark.parametrize("field,value,status", [
    ("starts_at", "下周六", 422), ("starts_at", "2026-02-30T19:00", 422), ("starts_at", "0001-01-01T00:00", 422),
    ("ends_at", "2026-05-09T18:00", 422), ("registration_deadline", "2026-05-10T12:00", 422), ("place", "", 422),
])
def test_a_bad_new_time_or_place_is_refused_with_a_clear_message(site, field, value, status):
    mid = site.schedule()
    r = site.post(site.worker_phone, f"{site.base}/{mid}/reschedule", {**NEW_TIME, field: value})
    assert r.status_code == status and 'class="error"' in r.text
    assert "已改期" not in site.page(None, f"{site.base}/{mid}").text


def test_htmx_reschedule_refusals_show_inside_the_meeting(site):
    mid = site.schedule()
    r = site.post(site.worker_phone, f"{site.base}/{mid}/reschedule", {**NEW_TIME, "starts_at": "明天"},
                  headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.lstrip().startswith('<div id="meeting"') and "开始时间格式应为" in r.text
