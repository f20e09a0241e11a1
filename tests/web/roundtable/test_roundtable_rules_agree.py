"""A button shown is a command accepted: for each roundtable policy that shows or hides a button, a state where the
page shows it and the POST is accepted, and one where the page hides it and the same POST, sent anyway, is refused
with a 4xx and records nothing."""
from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import pytest

from domain.roundtable.model import Resolution
from tests.builders import web_person
from tests.web.builders import Site

EVENING = datetime(2026, 5, 2, 10, 0, tzinfo=timezone.utc)        # 18:00 in Shanghai: doors open, meeting at 19:00
STARTED = datetime(2026, 5, 2, 11, 5, tzinfo=timezone.utc)        # 19:05: the meeting has started
NEW_TIME = {"starts_at": "2026-05-09T19:30", "ends_at": "2026-05-09T21:00", "place": "社区大礼堂",
            "registration_deadline": "2026-05-09T12:00"}


@pytest.fixture
def site(web, clock) -> Site:
    return Site(web, clock)


def shows(site: Site, phone: str | None, page: str, action: str) -> bool:
    """Whether the page, as `phone` sees it, has a form posting to `action`."""
    return f'action="{action}"' in site.page(phone, page).text


def row_button(site: Site, screen: str, action: str) -> bool:
    """Whether the worker's check-in screen has a row button posting to `action` (its search form GETs the same
    path, so the POST forms are told apart by `hx-post`)."""
    return f'hx-post="{action}"' in site.page(site.worker_phone, screen).text


def version(site: Site, aggregate_id: str) -> int:
    return site.web.services.app.repository.get(UUID(aggregate_id)).version


def accepted(site: Site, phone: str, action: str, data: dict | None = None) -> None:
    r = site.post(phone, action, data)
    assert r.status_code == 303, r.text[:300]


def refused(site: Site, phone: str, action: str, aggregate_id: str, data: dict | None = None) -> None:
    before = version(site, aggregate_id)
    r = site.post(phone, action, data)
    assert 400 <= r.status_code < 500, (action, r.status_code)
    assert version(site, aggregate_id) == before, action


# --- who ---------------------------------------------------------------------------------------------
def test_may_run_meetings_shows_the_schedule_form_to_the_communitys_worker_only(site):
    new = f"{site.base}/new"
    assert f'href="{new}"' in site.page(site.worker_phone, site.base).text
    assert f'href="{new}"' not in site.page(site.residents[0][1], site.base).text
    r = site.post(site.residents[0][1], new, {"title": "x"})
    assert r.status_code == 403
    site.schedule()                                                    # the worker's form is accepted (303)


# --- registration --------------------------------------------------------------------------------
def test_may_register_until_the_deadline_for_residents_of_the_community(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    resident, outsider = site.residents[0][1], site.outsider[1]
    assert shows(site, resident, m, f"{m}/register")
    accepted(site, resident, f"{m}/register")
    assert not shows(site, resident, m, f"{m}/register")               # registered: no second registration
    refused(site, resident, f"{m}/register", mid)
    assert not shows(site, outsider, m, f"{m}/register")
    refused(site, outsider, f"{m}/register", mid)
    site.clock.now = EVENING                                           # past the 17:00 deadline
    late = site.residents[1][1]
    assert not shows(site, late, m, f"{m}/register")
    refused(site, late, f"{m}/register", mid)


def test_may_withdraw_while_the_meeting_is_scheduled(site):
    mid = site.schedule(capacity=10)
    m = f"{site.base}/{mid}"
    (_, first), (_, second) = site.residents[:2]
    for phone in (first, second):
        accepted(site, phone, f"{m}/register")
    assert shows(site, first, m, f"{m}/unregister")
    accepted(site, first, f"{m}/unregister")
    assert not shows(site, first, m, f"{m}/unregister")                # nothing left to withdraw
    refused(site, first, f"{m}/unregister", mid)
    site.clock.now = EVENING
    accepted(site, site.worker_phone, f"{m}/open")
    assert not shows(site, second, m, f"{m}/unregister")               # open: registrations stand
    refused(site, second, f"{m}/unregister", mid)


# --- agenda --------------------------------------------------------------------------------------
def test_may_propose_before_the_start_for_residents_and_workers(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    assert shows(site, site.residents[0][1], m, f"{m}/agenda")
    accepted(site, site.residents[0][1], f"{m}/agenda", {"title": "电梯"})
    assert shows(site, site.worker_phone, m, f"{m}/agenda")
    assert not shows(site, site.outsider[1], m, f"{m}/agenda")
    refused(site, site.outsider[1], f"{m}/agenda", mid, {"title": "外人"})
    site.clock.now = STARTED                                           # still scheduled, but started
    assert not shows(site, site.residents[1][1], m, f"{m}/agenda")
    refused(site, site.residents[1][1], f"{m}/agenda", mid, {"title": "太晚"})


def test_may_support_another_residents_item_but_never_ones_own(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    proposer, other = site.residents[0][1], site.residents[1][1]
    accepted(site, proposer, f"{m}/agenda", {"title": "电梯"})
    support = f"{m}/agenda/1/support"
    assert not shows(site, proposer, m, support)
    refused(site, proposer, support, mid)
    assert not shows(site, site.worker_phone, m, support)
    refused(site, site.worker_phone, support, mid)
    assert shows(site, other, m, support)
    accepted(site, other, support)
    assert not shows(site, other, m, support)                          # supported once: "您已支持" instead
    refused(site, other, support, mid)


def test_may_decide_items_while_the_meeting_is_not_over(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    for title in ("电梯", "停车"):
        accepted(site, site.residents[0][1], f"{m}/agenda", {"title": title})
    assert not shows(site, site.residents[1][1], m, f"{m}/agenda/1/accept")
    refused(site, site.residents[1][1], f"{m}/agenda/1/accept", mid, {"planned_minutes": "10"})
    assert shows(site, site.worker_phone, m, f"{m}/agenda/1/accept")
    accepted(site, site.worker_phone, f"{m}/agenda/1/accept", {"planned_minutes": "10"})
    accepted(site, site.worker_phone, f"{m}/cancel", {"reason": "台风"})
    assert not shows(site, site.worker_phone, m, f"{m}/agenda/2/decline")
    refused(site, site.worker_phone, f"{m}/agenda/2/decline", mid, {"reason": "取消了"})


# --- the meeting ---------------------------------------------------------------------------------
def test_may_open_the_meeting_only_once_its_doors_are_open(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    assert not shows(site, site.worker_phone, m, f"{m}/open")          # the day before
    assert "会议开始前 2 小时内才能宣布开会" in site.page(site.worker_phone, m).text
    refused(site, site.worker_phone, f"{m}/open", mid)
    site.clock.now = EVENING
    assert not shows(site, site.residents[0][1], m, f"{m}/open")
    refused(site, site.residents[0][1], f"{m}/open", mid)
    assert shows(site, site.worker_phone, m, f"{m}/open")
    accepted(site, site.worker_phone, f"{m}/open")


def test_reschedulable_until_somebody_is_checked_in(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    assert shows(site, site.worker_phone, m, f"{m}/reschedule")
    accepted(site, site.worker_phone, f"{m}/reschedule", NEW_TIME)
    site.clock.now = datetime(2026, 5, 9, 10, 0, tzinfo=timezone.utc)  # doors of the new time
    accepted(site, site.worker_phone, f"{m}/check-in", {"account_id": str(site.residents[0][0])})
    assert not shows(site, site.worker_phone, m, f"{m}/reschedule")
    assert "已有居民签到，不能改期" in site.page(site.worker_phone, m).text
    refused(site, site.worker_phone, f"{m}/reschedule", mid, {**NEW_TIME, "place": "别处"})


def test_check_in_open_from_two_hours_before_the_start_until_the_meeting_is_over(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    rid, phone = site.residents[0]
    screen = f"{m}/check-in?q={phone[-4:]}"
    assert f"rt-row-{rid}" in site.page(site.worker_phone, screen).text
    assert not row_button(site, screen, f"{m}/check-in")   # the day before: no button
    refused(site, site.worker_phone, f"{m}/check-in", mid, {"account_id": str(rid)})
    site.clock.now = EVENING
    assert row_button(site, screen, f"{m}/check-in")
    accepted(site, site.worker_phone, f"{m}/check-in", {"account_id": str(rid)})
    assert row_button(site, screen, f"{m}/check-out")
    accepted(site, site.worker_phone, f"{m}/check-out", {"account_id": str(rid)})
    accepted(site, site.worker_phone, f"{m}/open")
    accepted(site, site.worker_phone, f"{m}/adjourn")
    assert not row_button(site, screen, f"{m}/check-in")   # over
    refused(site, site.worker_phone, f"{m}/check-in", mid, {"account_id": str(rid)})


# --- votes ---------------------------------------------------------------------------------------
def test_may_vote_checked_in_on_the_roll_once_while_the_motion_is_open(site):
    mid, m, motion = site.meeting_in_progress(present=2)
    vote = f"{m}/motions/{motion}/vote"
    voter, absent = site.residents[0][1], site.residents[3][1]
    assert shows(site, voter, m, vote)
    accepted(site, voter, vote, {"choice": "for"})
    assert not shows(site, voter, m, vote)                             # voted once
    refused(site, voter, vote, mid, {"choice": "against"})
    assert not shows(site, absent, m, vote)                            # on the roll, not checked in
    refused(site, absent, vote, mid, {"choice": "for"})
    assert not shows(site, site.worker_phone, m, vote)                 # the worker never votes
    refused(site, site.worker_phone, vote, mid, {"choice": "for"})
    assert not shows(site, site.outsider[1], m, vote)
    refused(site, site.outsider[1], vote, mid, {"choice": "for"})
    accepted(site, site.worker_phone, f"{m}/motions/{motion}/close")
    other = site.residents[1][1]
    assert not shows(site, other, m, vote)                             # closed
    refused(site, other, vote, mid, {"choice": "for"})


def test_a_resident_off_the_roll_sees_no_vote_buttons_and_is_refused(site, web):
    mid, m, motion = site.meeting_in_progress(present=1)
    late_id, late_phone = web_person(web, None, site.community, "新居民")   # verified after the roll froze
    accepted(site, site.worker_phone, f"{m}/check-in", {"account_id": str(late_id)})
    vote = f"{m}/motions/{motion}/vote"
    html = site.page(late_phone, m).text
    assert f'action="{vote}"' not in html and "您不在本次会议的表决名单上" in html
    refused(site, late_phone, vote, mid, {"choice": "for"})


def test_votable_items_are_offered_for_a_vote_once_and_only_the_worker_closes_it(site):
    mid, m, motion = site.meeting_in_progress()
    close = f"{m}/motions/{motion}/close"
    assert not shows(site, site.residents[0][1], m, close)
    refused(site, site.residents[0][1], close, mid)
    assert not shows(site, site.worker_phone, m, f"{m}/motions")       # item 1 is being voted on
    for _, phone in site.residents[:3]:
        accepted(site, phone, f"{m}/motions/{motion}/vote", {"choice": "for"})
    assert shows(site, site.worker_phone, m, close)
    accepted(site, site.worker_phone, close)
    assert not shows(site, site.worker_phone, m, f"{m}/motions")       # passed: never put again
    refused(site, site.worker_phone, f"{m}/motions", mid, {"item_id": "1"})


# --- follow-up of resolutions --------------------------------------------------------------------
def _passed_resolution(site: Site) -> tuple[str, str]:
    mid, m, motion = site.meeting_in_progress()
    for _, phone in site.residents[:3]:
        accepted(site, phone, f"{m}/motions/{motion}/vote", {"choice": "for"})
    accepted(site, site.worker_phone, f"{m}/motions/{motion}/close")
    rid = str(Resolution.id_for(UUID(mid), motion))
    return rid, f"{site.base}/resolutions/{rid}"


def test_may_follow_up_a_passed_resolution_one_step_at_a_time(site):
    rid, r = _passed_resolution(site)
    resident = site.residents[0][1]
    assert not shows(site, resident, r, f"{r}/owner")
    refused(site, resident, f"{r}/owner", rid, {"owner": "我"})
    assert not shows(site, site.worker_phone, r, f"{r}/advance")       # no owner yet
    refused(site, site.worker_phone, f"{r}/advance", rid, {"status": "in_progress"})
    assert shows(site, site.worker_phone, r, f"{r}/owner")
    accepted(site, site.worker_phone, f"{r}/owner", {"owner": "物业公司"})
    html = site.page(site.worker_phone, r).text
    assert f'action="{r}/advance"' in html and 'name="status" value="in_progress"' in html
    refused(site, site.worker_phone, f"{r}/advance", rid, {"status": "done"})   # a step not offered
    accepted(site, site.worker_phone, f"{r}/advance", {"status": "in_progress"})
    accepted(site, site.worker_phone, f"{r}/advance", {"status": "done"})
    assert not shows(site, site.worker_phone, r, f"{r}/owner") and not shows(site, site.worker_phone, r, f"{r}/advance")
    refused(site, site.worker_phone, f"{r}/owner", rid, {"owner": "别人"})
    refused(site, site.worker_phone, f"{r}/advance", rid, {"status": "done"})


def test_may_rate_a_done_resolution_as_a_resident_of_the_community(site):
    rid, r = _passed_resolution(site)
    resident = site.residents[0][1]
    assert not shows(site, resident, r, f"{r}/rate")                   # not done yet
    refused(site, resident, f"{r}/rate", rid, {"stars": "5"})
    accepted(site, site.worker_phone, f"{r}/owner", {"owner": "物业公司"})
    for step in ("in_progress", "done"):
        accepted(site, site.worker_phone, f"{r}/advance", {"status": step})
    assert not shows(site, site.outsider[1], r, f"{r}/rate")
    refused(site, site.outsider[1], f"{r}/rate", rid, {"stars": "1"})
    assert shows(site, resident, r, f"{r}/rate")
    accepted(site, resident, f"{r}/rate", {"stars": "5"})
    assert not shows(site, resident, r, f"{r}/rate")                   # rated once
    refused(site, resident, f"{r}/rate", rid, {"stars": "4"})
