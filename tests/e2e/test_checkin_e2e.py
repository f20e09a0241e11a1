"""The two check-in screens (a shift's, a meeting's) in a real Chromium: a tap on a row stands, whatever a search in
flight brings back."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from tests.e2e.builders import log_in

pytestmark = pytest.mark.e2e
WORKER, RESIDENT = "13800000002", "13800000001"


def a_shift(app, worker, resident, community, start) -> tuple[str, str, str]:
    day = app.volunteer.create_action_day(worker, community, None, "垃圾分类宣传日", "", start.date().isoformat(),
                                          cutoff_minutes=0)
    shift = app.volunteer.add_shift(worker, day, "分类指导", "2 号门", start, start + timedelta(hours=1), 3)
    app.volunteer.sign_up_for_shift(resident, day, shift)
    return f"/c/{community}/volunteer/days/{day}/shifts/{shift}/checkin", "li.vol-row", "#q"


def a_meeting(app, worker, resident, community, start) -> tuple[str, str, str]:
    meeting = app.roundtable.schedule_meeting(
        worker, community, "垃圾分类议事会", "商量定时定点投放", start, start + timedelta(hours=2), "社区活动室",
        "in_person", 40, start - timedelta(minutes=10), "simple", 10)
    app.roundtable.register_for_meeting(resident, meeting)
    return f"/c/{community}/roundtable/{meeting}/check-in", "li.rt-row", "#rt-q"


@pytest.mark.parametrize("screen", [a_shift, a_meeting], ids=["shift", "meeting"])
def test_a_tap_on_a_row_is_not_undone_by_a_search_answered_before_it(page, live_server, screen):
    """The worker types a number and taps 签到 on the row already shown while the search is still on its way. The
    search's answer was drawn before the check-in; it must not come back over the row and show 签到 again."""
    svc = live_server.services()
    try:
        app = svc.app
        community = Community.id_for("320106001001")
        start = (datetime.now(SHANGHAI) + timedelta(minutes=30)).replace(second=0, microsecond=0)
        path, rows, search = screen(app, Account.id_for(app.phone_key(WORKER)),
                                    Account.id_for(app.phone_key(RESIDENT)), community, start)
    finally:
        svc.close()
    held = []

    def hold_search(route):
        if route.request.method != "GET":
            route.continue_()
            return
        held.append((route, route.fetch()))     # the server answers now, before the check-in …

    log_in(page, live_server, WORKER)
    page.goto(live_server.url + path)
    row = page.locator(rows, has_text="0001")
    expect(row.locator("button:has-text('签到')")).to_be_visible()
    page.route(lambda url: path + "?" in url, hold_search)
    page.eval_on_selector(search, "input => { input.value = '0001' }")    # typed, without the as-you-type search
    page.click("button:has-text('查找')")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the search never left the browser"
    row.locator("button:has-text('签到')").click()
    expect(row).to_contain_text("已签到")
    route, stale = held[0]
    try:
        route.fulfill(response=stale)           # … and its list arrives after the check-in's row
    except Exception:                           # noqa: BLE001 - the browser may have cancelled it already
        pass
    page.wait_for_timeout(500)
    expect(row).to_contain_text("已签到")
    expect(row.locator("button:has-text('签到')")).to_have_count(0)
