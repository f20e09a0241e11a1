"""Roundtable review findings, each pinned by a test: paging, odd input never a 5xx, time zones, translations."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from uuid import UUID

from domain.roundtable.model import Resolution

import pytest

from tests.web.builders import Site


@pytest.fixture
def site(web, clock) -> Site:
    return Site(web, clock)


def _past_meetings(site: Site, n: int) -> None:
    """`n` meetings scheduled then cancelled, straight through the use cases (fast)."""
    app = site.web.services.app
    starts = app.clock() + timedelta(days=3)
    for i in range(n):
        mid = app.roundtable.schedule_meeting(site.worker, site.community, f"往期会议{i:02d}", "p", starts + timedelta(hours=i),
                                   starts + timedelta(hours=i, minutes=30), "x", "online", 5, starts, "simple", 50)
        app.roundtable.cancel_meeting(site.worker, mid, "改日")
    site.web.services.runner.catch_up()


def test_past_meetings_are_paged_twenty_at_a_time_latest_first(site):
    _past_meetings(site, 25)
    site.schedule(title="下周议事会")
    first = site.page(None, site.base).text
    assert "下周议事会" in first and len(re.findall(r"往期会议\d\d", first)) == 20 and "往期会议24" in first
    assert "第 1 / 2 页" in first and f'href="{site.base}?page=2"' in first
    second = site.page(None, f"{site.base}?page=2").text
    assert len(re.findall(r"往期会议\d\d", second)) == 5 and "往期会议00" in second and "下周议事会" not in second
    for odd in ("999", "0", "-1", "abc", "1e9", "%00"):
        assert site.page(None, f"{site.base}?page={odd}").status_code == 200


@pytest.mark.parametrize("path", [
    "/{mid}?as_of=0001-01-01T00:00", "/{mid}?as_of=9999-12-31T23:59", "/{mid}?as_of=2026-05-01T25:00",
    "/{mid}?as_of=%00", "/00000000-0000-0000-0000-000000000000", "/{mid}/status?x=%00", "/{mid}.ics",
    "/resolutions/not-a-uuid", "/resolutions?page=99999999999999999999", "/{mid}%00", "/%E2%80%AE{mid}",
])
def test_odd_addresses_are_answered_without_a_server_error(site, path):
    mid = site.schedule()
    r = site.page(site.worker_phone, site.base + path.format(mid=mid))
    assert r.status_code < 500, (path, r.status_code)


@pytest.mark.parametrize("path,data", [
    ("/agenda/1/accept", {"planned_minutes": "9" * 20}),
    ("/agenda/1/accept", {"planned_minutes": "20", "position": "99999"}),
    ("/agenda/%00/accept", {"planned_minutes": "20"}),
    ("/agenda/1/decline", {"reason": "x" * 5000}),
    ("/agenda", {"title": "a\u202eb"}),
    ("/motions", {"item_id": "'; --"}),
    ("/motions/1/vote", {"choice": "maybe"}),
    ("/check-out", {"account_id": "00000000-0000-0000-0000-000000000000"}),
    ("/reschedule", {"starts_at": "2026-05-09T19:00", "ends_at": "2026-05-09T20:00", "place": "x",
                     "registration_deadline": "9999-12-31T23:59"}),
])
def test_odd_form_input_is_refused_with_a_4xx_and_changes_nothing(site, path, data):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    site.post(site.residents[0][1], f"{m}/agenda", {"title": "电梯"})
    before = site.web.services.app.roundtable.meeting(UUID(mid)).version
    r = site.post(site.worker_phone, m + path, data)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
    assert site.web.services.app.roundtable.meeting(UUID(mid)).version == before


def test_every_roundtable_post_without_a_csrf_token_is_refused(site):
    mid = site.schedule()
    site.login(site.worker_phone)
    for tail in ("/register", "/unregister", "/agenda", "/agenda/1/support", "/agenda/1/accept", "/check-in",
                 "/open", "/cancel", "/reschedule", "/motions", "/motions/1/vote", "/minutes"):
        r = site.web.post(f"{site.base}/{mid}{tail}", data={"reason": "x"})
        assert r.status_code == 403, tail
    assert site.web.post(f"{site.base}/new", data={"title": "x"}).status_code == 403


def test_gets_never_change_a_meeting(site):
    mid = site.schedule()
    before = site.web.services.app.roundtable.meeting(UUID(mid)).version
    for tail in ("/register", "/open", "/cancel", "/check-in", "/motions", "/minutes", "/reschedule"):
        r = site.page(site.worker_phone, f"{site.base}/{mid}{tail}")
        assert r.status_code in (200, 404, 405), tail
    assert site.web.services.app.roundtable.meeting(UUID(mid)).version == before


def test_the_resolutions_board_pages_beyond_twenty(site):
    app, w, c = site.web.services.app, site.worker, site.community
    starts = app.clock() + timedelta(hours=1)
    mid = app.roundtable.schedule_meeting(w, c, "长会", "p", starts, starts + timedelta(hours=3), "x", "online", 10, starts,
                               "simple", 50)
    items = [app.roundtable.propose_agenda_item(w, mid, f"决议事项{i:02d}", "") for i in range(21)]
    for item in items:
        app.roundtable.accept_agenda_item(w, mid, item, 5)
    voters = [r for r, _ in site.residents]
    for r in voters:
        app.roundtable.check_in(w, mid, r)
    app.roundtable.open_meeting(w, mid)
    for item in items:
        motion = app.roundtable.open_motion(w, mid, item)
        for r in voters:
            app.roundtable.cast_vote(r, mid, motion, "for")
        app.roundtable.close_motion(w, mid, motion)
    site.web.services.runner.catch_up()
    first = site.page(None, f"{site.base}/resolutions").text
    assert len(re.findall(r"决议事项\d\d", first)) == 20 and "第 1 / 2 页" in first
    assert len(re.findall(r"决议事项\d\d", site.page(None, f"{site.base}/resolutions?page=2").text)) == 1


def test_english_error_messages_translate_their_field_names_too(site):
    mid = site.schedule()
    site.web.cookies.set("linli_lang", "en")
    try:
        r = site.post(site.worker_phone, f"{site.base}/{mid}/reschedule", {"starts_at": "tomorrow"})
        assert r.status_code == 422 and "Starts: use the form 2026-05-02 19:00" in r.text and "开始时间" not in r.text
        r = site.post(site.worker_phone, f"{site.base}/{mid}/reschedule", {"starts_at": "tomorrow"},
                      headers={"HX-Request": "true"})
        assert "Starts: use the form" in r.text and "开始时间" not in r.text
        r = site.page(site.worker_phone, f"{site.base}/not-a-uuid")
        assert r.status_code == 404 and "会议" not in r.text.split("<main", 1)[1].split("</main>")[0]
        html = site.page(site.worker_phone, f"{site.base}/{mid}").text
        assert "Reschedule (change time or place)" in html and "Find a resident by name" in html
    finally:
        site.web.cookies.delete("linli_lang")


def test_markup_renders_as_text_on_every_roundtable_page_and_stream(site):
    bad = '<script>alert(1)</script><img src=x onerror=alert(2)>"\''
    mid = site.schedule(title=f"议事会{bad}"[:80], capacity=10)
    m = f"{site.base}/{mid}"
    site.post(site.residents[0][1], f"{m}/agenda", {"title": f"议题{bad}", "description": bad})
    site.post(site.worker_phone, f"{m}/agenda/1/accept", {"planned_minutes": "20"})
    site.clock.now = datetime(2026, 5, 2, 10, 45, tzinfo=timezone.utc)
    for rid, _ in site.residents[:3]:
        site.post(site.worker_phone, f"{m}/check-in", {"account_id": str(rid)})
    site.post(site.worker_phone, f"{m}/open")
    site.post(site.worker_phone, f"{m}/motions", {"item_id": "1", "title": f"表决{bad}"})
    for _, phone in site.residents[:3]:
        site.post(phone, f"{m}/motions/1/vote", {"choice": "for"})
    room_open = site.page(site.worker_phone, f"{m}/room").text
    site.post(site.worker_phone, f"{m}/motions/1/close")
    site.post(site.worker_phone, f"{m}/adjourn")
    site.post(site.worker_phone, f"{m}/minutes", {"minutes": bad, "for_1": "3", "against_1": "0", "abstain_1": "0"})
    rid = Resolution.id_for(UUID(mid), "1")
    site.post(site.worker_phone, f"{site.base}/resolutions/{rid}/owner", {"owner": bad[:60]})
    site.post(site.worker_phone, f"{site.base}/resolutions/{rid}/note", {"note": bad})
    pages = [room_open] + [site.page(site.worker_phone, p).text for p in (
        m, f"{m}/room", f"{m}/live", f"{m}/status", site.base, f"{site.base}/resolutions",
        f"{site.base}/resolutions/{rid}", f"{m}?as_of=2026-05-02T19:00", f"{m}/check-in")]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]


def test_a_meeting_past_midnight_in_shanghai_shows_the_end_date(site):
    mid = site.schedule(starts_at="2026-05-02T22:00", ends_at="2026-05-03T01:00")
    html = site.page(None, f"{site.base}/{mid}").text
    assert "2026-05-02 22:00 – 2026-05-03 01:00" in html
    assert "2026-05-02 19:00 – 21:00" in site.page(None, f"{site.base}/{site.schedule()}").text
