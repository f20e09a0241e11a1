"""The two check-in screens (a shift's, a meeting's) in a real Chromium: a tap on a row stands, whatever a search in
flight brings back, and the newest search is the one shown (web/static/linli.js)."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from tests.builders import make_resident
from tests.e2e.builders import log_in

pytestmark = pytest.mark.e2e
WORKER, RESIDENT, NAME = "13800000002", "13800000001", "王居民"
SLOTS = itertools.count()   # one server for the module: each test's shift or meeting at its own time


def a_shift(app, worker, residents, community, start) -> tuple[str, str, str]:
    day = app.volunteer.create_action_day(worker, community, None, "垃圾分类宣传日", "", start.date().isoformat(),
                                          cutoff_minutes=0)
    shift = app.volunteer.add_shift(worker, day, "分类指导", "2 号门", start, start + timedelta(minutes=5), 3)
    for resident in residents:
        app.volunteer.sign_up_for_shift(resident, day, shift)
    return f"/c/{community}/volunteer/days/{day}/shifts/{shift}/checkin", "li.vol-row", "#q"


def a_meeting(app, worker, residents, community, start) -> tuple[str, str, str]:
    meeting = app.roundtable.schedule_meeting(
        worker, community, "垃圾分类议事会", "商量定时定点投放", start, start + timedelta(hours=2), "社区活动室",
        "in_person", 40, start - timedelta(minutes=10), "simple", 10)
    for resident in residents:
        app.roundtable.register_for_meeting(resident, meeting)
    return f"/c/{community}/roundtable/{meeting}/check-in", "li.rt-row", "#rt-q"


SCREENS = pytest.mark.parametrize("screen", [a_shift, a_meeting], ids=["shift", "meeting"])


def open_screen(page, live_server, screen, second: str | None = None) -> tuple[str, str, str]:
    """The worker on a check-in screen with the demo resident (王居民) on it, and `second` too if named."""
    svc = live_server.services()
    try:
        app = svc.app
        community = Community.id_for("320106001001")
        worker = Account.id_for(app.phone_key(WORKER))
        start = (datetime.now(SHANGHAI) + timedelta(minutes=30 + 10 * next(SLOTS))).replace(second=0, microsecond=0)
        residents = [Account.id_for(app.phone_key(RESIDENT))]
        if second:
            residents.append(make_resident(app, community, worker, name=second))
        path, rows, search = screen(app, worker, residents, community, start)
    finally:
        svc.close()
    log_in(page, live_server, WORKER)
    page.goto(live_server.url + path)
    expect(page.locator(rows, has_text=NAME).locator("button:has-text('签到')")).to_be_visible()
    return path, rows, search


def searches(path: str):
    return lambda url: path + "?" in url


def holding_the_first(sent: list, held: list, answered_now: bool = False):
    """A route for the searches: each is noted in `sent`; the first is held in `held` (with the server's answer drawn
    at once, if `answered_now`), the others go through."""
    def route_search(route):
        sent.append(route.request.url)
        if len(sent) > 1:
            route.continue_()
        else:
            held.append((route, route.fetch() if answered_now else None))
    return route_search


def type_quietly(page, search: str, text: str) -> None:
    """Typed without the as-you-type search (the test sends its searches itself)."""
    page.eval_on_selector(search, "(input, text) => { input.value = text }", text)


def until(page, condition, what: str) -> None:
    for _ in range(200):
        if condition():
            return
        page.wait_for_timeout(25)
    raise AssertionError(what)


@SCREENS
def test_a_tap_on_a_row_is_not_undone_by_a_search_answered_before_it(page, live_server, screen):
    """The worker types a name and taps 签到 on the row already shown while the search is still on its way. The
    search's answer was drawn before the check-in; it must not come back over the row and show 签到 again, and the
    search is asked again once the tap is answered."""
    path, rows, search = open_screen(page, live_server, screen)
    held, sent = [], []
    page.route(searches(path), holding_the_first(sent, held, answered_now=True))   # answered before the check-in …
    type_quietly(page, search, NAME)
    page.click("button:has-text('查找')")
    until(page, lambda: held, "the search never left the browser")
    row = page.locator(rows, has_text=NAME)
    row.locator("button:has-text('签到')").click()
    expect(row).to_contain_text("已签到")
    route, stale = held[0]
    try:
        route.fulfill(response=stale)            # … and its list arrives after the check-in's row
    except Exception:                            # noqa: BLE001 - the browser cancelled it already
        pass
    until(page, lambda: len(sent) == 2, "the search was not asked again after the tap")
    page.wait_for_timeout(500)
    expect(row).to_contain_text("已签到")
    expect(row.locator("button:has-text('签到')")).to_have_count(0)
    assert page.input_value(search) == NAME


@SCREENS
def test_a_search_sent_while_a_tap_is_on_its_way_is_asked_again_once_the_tap_is_answered(page, live_server, screen):
    path, rows, search = open_screen(page, live_server, screen)
    taps = []
    page.route(lambda url: "check-in" in url or "/attendance/" in url,
               lambda route: taps.append(route) if route.request.method == "POST" else route.continue_())
    row = page.locator(rows, has_text=NAME)
    row.locator("button:has-text('签到')").click()
    until(page, lambda: taps, "the tap never left the browser")
    answered = []
    page.on("requestfinished", lambda r: answered.append(r.url) if path + "?" in r.url else None)
    type_quietly(page, search, NAME)
    page.click("button:has-text('查找')")      # drawn before the check-in is saved: not shown, asked again later
    until(page, lambda: answered, "the search was not answered")
    taps[0].continue_()
    until(page, lambda: len(answered) == 2, "the search was not asked again after the tap")
    expect(page.locator(rows, has_text=NAME)).to_contain_text("已签到")
    expect(page.locator(rows, has_text=NAME).locator("button:has-text('签到')")).to_have_count(0)


@SCREENS
def test_the_newest_search_is_the_one_shown(page, live_server, screen):
    """The worker corrects the query while the first search is still on its way: the second is sent once the first
    is answered, and its list is what the screen shows (found by the review of the first fix, which dropped it)."""
    second = f"第二位{next(SLOTS)}"   # the meeting's screen lists every verified resident: a name of its own
    path, rows, search = open_screen(page, live_server, screen, second=second)
    held, sent = [], []
    page.route(searches(path), holding_the_first(sent, held))
    type_quietly(page, search, NAME)
    page.click("button:has-text('查找')")
    until(page, lambda: held, "the first search never left the browser")
    type_quietly(page, search, second)
    page.click("button:has-text('查找')")
    held[0][0].continue_()
    until(page, lambda: len(sent) == 2, "the newer search was never sent")
    expect(page.locator(rows, has_text=second)).to_have_count(1)
    expect(page.locator(rows, has_text=NAME)).to_have_count(0)
    assert page.input_value(search) == second
