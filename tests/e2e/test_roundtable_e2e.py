"""A real Chromium against a real server drives the whole roundtable: schedule → register (one resident
waitlisted, then promoted) → agenda → check-in → vote (live tally over SSE) → minutes → follow-up."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from domain.accounts.model import Account
from domain.accounts.model import Community
from tests.builders import ARTIFACTS
from tests.e2e.builders import log_in, save_shot
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "roundtable"
shot = partial(save_shot, SHOTS)
SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKER, RESIDENT = "13800000002", "13800000001"
WAITER_PHONE, WAITER_PASSWORD = "13900008888", "waiting-in-line"
XSS = "<script>alert('x')</script>"


def person(browser, server, phone: str, password: str = DEMO_PASSWORD):
    """A logged-in browser page of its own (separate cookies per person)."""
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, server, phone, password)
    return page


def test_a_roundtable_from_scheduling_to_rated_follow_up(browser, live_server):
    svc = live_server.services()
    try:
        community = Community.id_for("320106001001")
        worker_id = Account.id_for(svc.app.phone_key(WORKER))
        waiter = svc.app.accounts.sign_up(WAITER_PHONE, "钱候补", hash_password(WAITER_PASSWORD), community)
        svc.app.accounts.verify_residency(worker_id, waiter, community)
        svc.runner.catch_up()
    finally:
        svc.close()
    errors: list[str] = []
    start = (datetime.now(SHANGHAI) + timedelta(hours=1)).replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"

    # 1. The worker schedules a meeting with one place.
    worker = person(browser, live_server, WORKER)
    worker.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    worker.goto(f"{live_server.url}/c/{community}/roundtable")
    worker.click("text=安排议事会")
    worker.fill("input[name=title]", "加装电梯议事会 <b>第一次</b>")
    worker.fill("textarea[name=purpose]", "讨论 3 号楼加装电梯的方案和费用分摊")
    worker.fill("input[name=starts_at]", start.strftime(fmt))
    worker.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime(fmt))
    worker.fill("input[name=place]", "社区活动室")
    worker.fill("input[name=capacity]", "1")
    worker.fill("input[name=registration_deadline]", (start - timedelta(minutes=20)).strftime(fmt))
    worker.fill("input[name=quorum_percent]", "40")
    worker.click("button:has-text('安排会议')")
    worker.wait_for_selector("text=会议已安排")
    meeting_url = worker.url
    assert worker.inner_text("#meeting-title") == "加装电梯议事会 <b>第一次</b>"
    shot(worker, "01-scheduled")

    # 2. Two residents register; the second is waitlisted.
    resident = person(browser, live_server, RESIDENT)
    resident.goto(meeting_url)
    resident.click("button:has-text('报名参会')")
    resident.wait_for_selector("text=您已报名")
    waiter_page = person(browser, live_server, WAITER_PHONE, WAITER_PASSWORD)
    waiter_page.goto(meeting_url)
    waiter_page.click("button:has-text('名额已满，加入候补')")
    waiter_page.wait_for_selector("text=您在候补名单第 1 位")
    shot(waiter_page, "02-waitlisted")

    # 3. Agenda: a resident proposes (with markup), the other supports, the worker accepts.
    if resident.get_attribute("details.rt-propose", "open") is None:
        resident.click("summary:has-text('提出议题')")
    resident.fill("#agenda input[name=title]", f"3 号楼加装电梯 {XSS}")
    resident.fill("#agenda textarea[name=description]", "一楼住户也同意")
    resident.click("button:has-text('提交议题')")
    resident.wait_for_selector("text=议题已提交")
    waiter_page.reload()
    waiter_page.click("button:has-text('支持该议题')")
    waiter_page.wait_for_selector("text=您已支持")
    worker.reload()
    worker.fill("#agenda input[name=planned_minutes]", "25")
    worker.click("button:has-text('列入议程')")
    worker.wait_for_selector("ol.rt-agenda >> text=3 号楼加装电梯")
    assert XSS in worker.inner_text("ol.rt-agenda")       # shown as text, never run
    shot(worker, "03-agenda")

    # 4. The first resident withdraws; the waitlisted one is promoted, then re-registers nothing.
    resident.reload()
    resident.click("button:has-text('取消报名')")
    resident.wait_for_selector("text=已取消报名")
    waiter_page.reload()
    waiter_page.wait_for_selector("text=已由候补转为正式名额")
    shot(waiter_page, "04-promoted")
    time.sleep(1.1)
    before_opening = datetime.now(SHANGHAI)
    time.sleep(1.1)

    # 4b. The worker moves the meeting to a bigger room; registrations stand.
    worker.reload()
    worker.click("summary:has-text('改期')")
    worker.fill("#controls input[name=place]", "社区大礼堂")
    worker.fill("#controls input[name=reason]", "报名人多，换大场地")
    worker.click("button:has-text('保存改期')")
    worker.wait_for_selector("text=会议已改期，已报名的居民保留名额")
    assert "原定" in worker.inner_text("#rescheduled") and "社区大礼堂" in worker.inner_text(".rt-facts")
    waiter_page.reload()
    waiter_page.wait_for_selector("text=已由候补转为正式名额")

    # 5. Check-in: on a phone-sized screen by the last 4 digits of the phone, then from the meeting page by
    #    name (live search, big buttons, masked phones); then opening: the roll is frozen, quorum shows.
    phone = worker.context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(meeting_url + "/check-in")
    phone.fill("#rt-q", WAITER_PHONE[-4:])
    row = phone.locator("#rt-checkin-rows li.rt-row", has_text="钱候补")
    expect(phone.locator("#rt-checkin-rows li.rt-row")).to_have_count(1)
    assert WAITER_PHONE not in row.inner_text() and "****" + WAITER_PHONE[-4:] in row.inner_text()
    row.locator("button:has-text('签到')").click()
    expect(row).to_contain_text("已签到")
    shot(phone, "05a-check-in-phone")
    phone.close()
    worker.reload()
    worker.fill("#rt-q", "王居民")
    expect(worker.locator("#rt-checkin-rows li.rt-row")).to_have_count(1)
    worker.locator("#rt-checkin-rows li.rt-row", has_text="王居民").locator("button:has-text('签到')").click()
    worker.wait_for_selector("#attendance td:has-text('王居民')")
    assert "钱候补" in worker.inner_text("#attendance table")
    worker.click("button:has-text('宣布开会')")
    worker.wait_for_selector("text=会议开始，表决名单已确定")
    quorum = worker.inner_text("#quorum")
    assert "2/" in quorum and "已达法定人数" in quorum
    worker.click("button:has-text('发起表决')")
    worker.wait_for_selector("text=表决已开始")

    # 6. The worker's meeting-room screen follows the tally live over server-sent events.
    room = worker.context.new_page()
    room.goto(meeting_url + "/room")
    room.wait_for_selector("text=表决中：已投票 0 人")
    resident.reload()
    resident.click("#live button:has-text('赞成')")
    resident.wait_for_selector("text=您已投票：赞成")
    assert "赞成 1 票" not in resident.inner_text("#live")            # totals hidden while open
    room.wait_for_selector("text=表决中：已投票 1 人", timeout=8000)   # pushed, no reload
    waiter_page.reload()
    waiter_page.click("#live button:has-text('赞成')")
    waiter_page.wait_for_selector("text=您已投票：赞成")
    room.wait_for_selector("text=表决中：已投票 2 人", timeout=8000)
    shot(room, "05-room-live")

    # 7. Close the vote, close the meeting, publish minutes (tally taken from the vote record).
    worker.reload()
    worker.click("button:has-text('结束表决并计票')")
    worker.wait_for_selector("#live >> text=赞成 2 票，反对 0 票，弃权 0 票")
    room.wait_for_selector("text=通过 — 赞成 2 票", timeout=8000)
    worker.click("button:has-text('宣布散会')")
    worker.wait_for_selector("text=会议已结束")
    worker.fill("textarea[name=minutes]", f"会议由李社工主持，讨论了加装电梯。{XSS}")
    worker.click("button:has-text('发布会议纪要')")
    worker.wait_for_selector("text=会议纪要已发布")
    minutes = worker.inner_text("#minutes")
    assert "与投票记录一致" in minutes and XSS in minutes
    shot(worker, "06-minutes")

    # 8. Follow-up of the resolution, then a resident rates it.
    worker.click("#resolutions a")
    worker.fill("input[name=owner]", "物业公司 张经理")
    worker.click("button:has-text('指定负责人')")
    worker.wait_for_selector("#resolution-owner:has-text('物业公司 张经理')")
    worker.click("button:has-text('开始落实')")
    worker.wait_for_selector("#resolution-status:has-text('进行中')")
    worker.fill("textarea[name=note]", "已联系电梯厂家勘察")
    worker.click("button:has-text('记录进展')")
    worker.wait_for_selector("#progress >> text=已联系电梯厂家勘察")
    worker.click("button:has-text('标记为已完成')")
    worker.wait_for_selector("#resolution-status:has-text('已完成')")
    resolution_url = worker.url
    resident.goto(resolution_url)
    resident.click("button:has-text('5 ★')")
    resident.wait_for_selector("text=您的评价：5 星")
    resident.goto(f"{live_server.url}/c/{community}/roundtable/resolutions")
    board = resident.inner_text("#resolutions-board")
    assert "已完成" in board and "5.0 ★" in board and "物业公司 张经理" in board
    shot(resident, "07-resolutions-board")

    # 9. The meeting as it stood before it opened, rebuilt from events.
    resident.goto(meeting_url + "?as_of=" + before_opening.strftime("%Y-%m-%dT%H:%M:%S"))
    resident.wait_for_selector("text=由事件记录重建")
    assert "报名中" in resident.inner_text("#meeting-status")
    assert "3 号楼加装电梯" in resident.inner_text("#agenda") and "表决中" not in resident.inner_text("#live")
    shot(resident, "08-as-of")
    assert not [e for e in errors if "Content Security Policy" in e], errors
