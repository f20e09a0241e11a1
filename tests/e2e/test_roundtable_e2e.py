"""A real Chromium against a real server drives the whole roundtable: schedule → register (one resident
waitlisted, then promoted) → agenda → check-in → vote (live tally over SSE) → minutes → follow-up; and a meeting
in the room (issue 14): the notice with its QR code and the sign-in sheet printed to A4 PDFs, votes on phones,
through the worker, by proxy and by show of hands, speakers on the room screen, every over-count refused with a
clear message and nothing recorded, and minutes whose tallies equal the record."""
from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from domain.accounts.model import Account
from domain.accounts.model import Community
from tests.builders import ARTIFACTS, wait_for_views
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
    wait_for_views(live_server)   # the form marks a mismatch from the views (a loaded machine can keep them >5 s behind)
    worker.fill("textarea[name=minutes]", f"会议由李社工主持，讨论了加装电梯。{XSS}")
    for field, n in (("for_1", "2"), ("against_1", "0"), ("abstain_1", "0")):   # the tally the minutes state
        worker.fill(f"input[name={field}]", n)
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


# --- a meeting in the room (issue 14) ----------------------------------------------------------------------
ROOM_PASSWORD = "in-the-room-42"
NEIGHBOURS = {   # phone → name: the residents of this meeting, verified in the demo community
    "13900007101": "赵手机", "13900007102": "钱阿姨", "13900007103": "孙受托", "13900007104": "李委托",
    "13900007105": "周大爷", "13900007106": "吴阿婆", "13900007107": "郑邻居"}
PHONE_SIZE = {"width": 390, "height": 844}
A4_POINTS = (595.3, 841.9)


def on_phone(browser, server, phone: str):
    """A resident's own phone: a small screen, their own session."""
    page = browser.new_context(locale="zh-CN", viewport=PHONE_SIZE).new_page()
    log_in(page, server, phone, ROOM_PASSWORD)
    return page


def a4_pdf(page, path) -> bytes:
    """Print the page as Chromium does to an A4 PDF and check the paper size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    pdf = page.pdf(path=str(path), format="A4", print_background=True, prefer_css_page_size=True)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF")
    boxes = {tuple(round(float(n), 1) for n in box.split()[2:4])
             for box in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf) for box in [box.decode()]}
    assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes
    return pdf


def shots(page, name: str) -> None:
    """A full-page screenshot that leaves the caret alone: hiding it puts an inline style on the search box, which
    htmx then copies onto the box it swaps in (and the CSP, rightly, refuses)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")


SHOW_MINUTES_FORM = "() => (document.getElementById('minutes-form') || document.body).outerHTML.slice(0, 3000)"


def check_in(worker, name: str) -> None:
    """The worker finds the resident by name in the meeting page's search and checks them in."""
    worker.wait_for_load_state()
    worker.fill("#rt-q", name)
    worker.press("#rt-q", "Enter")      # searching now, whether or not htmx has bound the freshly swapped form
    row = worker.locator("#rt-checkin-rows li.rt-row", has_text=name)
    expect(row).to_have_count(1)
    row.locator("button:has-text('签到')").click()
    worker.wait_for_selector(f"#attendance td:has-text('{name}')")


def test_a_meeting_in_the_room_from_the_notice_board_to_the_minutes(browser, live_server, tmp_path):
    svc = live_server.services()
    try:
        community = Community.id_for("320106001001")
        worker_id = Account.id_for(svc.app.phone_key(WORKER))
        ids = {}
        for phone, name in NEIGHBOURS.items():
            ids[name] = svc.app.accounts.sign_up(phone, name, hash_password(ROOM_PASSWORD), community)
            svc.app.accounts.verify_residency(worker_id, ids[name], community)
        svc.runner.catch_up()
    finally:
        svc.close()
    errors: list[str] = []
    start = (datetime.now(SHANGHAI) + timedelta(hours=1)).replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"

    # 1. The worker schedules the meeting (one proxy per holder) and puts two items on the agenda.
    worker = person(browser, live_server, WORKER)
    worker.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    worker.goto(f"{live_server.url}/c/{community}/roundtable/new")
    worker.fill("input[name=title]", "楼道改造居民议事会")
    worker.fill("textarea[name=purpose]", "商量 5 号楼加装电梯和楼道照明")
    worker.fill("input[name=starts_at]", start.strftime(fmt))
    worker.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime(fmt))
    worker.fill("input[name=place]", "社区活动室")
    worker.fill("input[name=registration_deadline]", (start - timedelta(minutes=20)).strftime(fmt))
    assert worker.input_value("input[name=proxy_limit]") == "1"
    worker.click("button:has-text('安排会议')")
    worker.wait_for_selector("text=会议已安排")
    meeting_url = worker.url
    meeting_id = UUID(meeting_url.rsplit("/", 1)[1])
    for title in ("5 号楼加装电梯", "楼道照明改造"):
        if worker.get_attribute("details.rt-propose", "open") is None:
            worker.click("summary:has-text('提出议题')")
        worker.fill("#agenda input[name=title]", title)
        worker.click("button:has-text('提交议题')")
        worker.wait_for_selector("text=议题已提交")
        worker.locator("ul.rt-proposals li", has_text=title).locator("button:has-text('列入议程')").click()
        worker.wait_for_selector(f"ol.rt-agenda >> text={title}")

    # 2. The notice for the board prints to an A4 PDF; its QR code decodes to the meeting's address.
    notice = worker.context.new_page()
    notice.goto(meeting_url + "/notice")
    notice.wait_for_selector("#notice-qr")
    assert "楼道改造居民议事会" in notice.inner_text("#notice") and "5 号楼加装电梯" in notice.inner_text("#notice")
    a4_pdf(notice, SHOTS / "in-the-room-notice.pdf")
    shots(notice, "11-notice")
    png = notice.locator("#notice-qr").screenshot()
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode and code.text == meeting_url
    notice.close()

    # 3. Before the meeting: 李委托 authorises 孙受托 on her phone; 郑邻居 tries to as well: one proxy per
    #    holder at this meeting, refused with a clear message and nothing recorded.
    giver = on_phone(browser, live_server, "13900007104")
    giver.goto(meeting_url)
    giver.fill("#proxies input[name=holder_phone]", "139 0000 7103")
    giver.click("button:has-text('委托他（她）代我投票')")
    giver.wait_for_selector("text=委托已登记")
    assert "您已委托 孙受托 代为投票（委托投票）" in giver.inner_text("#proxies")
    shots(giver, "12-proxy-given-on-phone")
    other = on_phone(browser, live_server, "13900007107")
    other.goto(meeting_url)
    other.fill("#proxies input[name=holder_phone]", "13900007103")
    other.click("button:has-text('委托他（她）代我投票')")
    other.wait_for_selector("#meeting .error:has-text('受托人已接受的委托数已达本次会议的上限')")
    assert "您已委托" not in other.inner_text("#proxies")
    shots(other, "13-too-many-proxies-refused")
    other.close()

    # 4. At the door: the worker checks five residents in and opens the meeting; the roll freezes and the
    #    quorum counts the represented 李委托 once. The sign-in sheet of the roll prints to A4.
    worker.reload()
    for name in ("赵手机", "钱阿姨", "孙受托", "周大爷", "吴阿婆"):
        check_in(worker, name)
    worker.click("button:has-text('宣布开会')")
    worker.wait_for_selector("text=会议开始，表决名单已确定")
    assert "其中 1 人由在场的受托人代表" in worker.inner_text("#quorum")
    sheet = worker.context.new_page()
    sheet.goto(meeting_url + "/sign-in-sheet")
    rows = sheet.inner_text("#sheet-rows")
    assert all(name in rows for name in NEIGHBOURS.values()) and "委托 孙受托" in rows and "代表 李委托" in rows
    a4_pdf(sheet, SHOTS / "in-the-room-sign-in-sheet.pdf")
    shots(sheet, "14-sign-in-sheet")
    sheet.close()

    # 5. The room screen on the projector; a resident asks to speak from her phone, the worker gives the floor.
    room = worker.context.new_page()
    room.set_viewport_size({"width": 1280, "height": 720})
    room.goto(meeting_url + "/room")
    assert room.locator("header.top").count() == 0 and room.locator("form").count() == 0
    worker.locator("#chair button:has-text('讨论第 1 项')").click()
    worker.wait_for_selector("text=已进入该议题的讨论")
    phone_a = on_phone(browser, live_server, "13900007101")
    phone_a.goto(meeting_url)
    phone_a.click("button:has-text('我要发言')")
    phone_a.wait_for_selector("text=已申请发言")
    room.wait_for_selector("text=等待发言：赵手机", timeout=8000)
    worker.reload()
    worker.click("button:has-text('请下一位发言')")
    worker.wait_for_selector("text=发言开始")
    room.wait_for_selector("#room-speaker:has-text('正在发言：赵手机')", timeout=8000)
    room.wait_for_selector("#room-clock:has-text('0:02')", timeout=8000)      # the clock ticks, pushed live
    shots(room, "15-room-speaker")
    worker.click("button:has-text('结束发言')")
    worker.wait_for_selector("text=发言结束，用时已记录")

    # 6. Motion 1: 赵手机 votes on her phone; the worker records 钱阿姨's vote (she has no phone); a stale
    #    click recording 赵手机 again is refused (a double vote across channels).
    worker.click("button:has-text('发起表决')")
    worker.wait_for_selector("text=表决已开始")
    phone_a.reload()
    phone_a.click("#live button:has-text('赞成')")
    phone_a.wait_for_selector("text=您已投票：赞成")
    shots(phone_a, "16-vote-on-phone")
    worker.locator("#record-%s" % ids["赵手机"]).locator("button:has-text('反对')").click()   # loaded before she voted
    worker.wait_for_selector("#meeting .error:has-text('您已经投过票了，每人每项表决只能投一次')")
    shots(worker, "17-double-vote-refused")
    worker.locator("#record-%s" % ids["钱阿姨"]).locator("button:has-text('赞成')").click()
    worker.wait_for_selector("#individual-votes >> text=由工作人员 李社工（演示） 代录")

    # 7. 孙受托 votes for herself and, by proxy, for 李委托 — but not while she is checked out.
    holder = on_phone(browser, live_server, "13900007103")
    holder.goto(meeting_url)
    holder.click("#live .rt-vote:not(:has(input[name=giver_id])) button:has-text('赞成')")
    holder.wait_for_selector("text=您已投票：赞成")
    worker.reload()
    worker.locator("#present-%s" % ids["孙受托"]).locator("button:has-text('签退')").click()
    worker.wait_for_selector("text=已签退")
    holder.locator("#proxy-vote-%s" % ids["李委托"]).locator("button:has-text('反对')").click()   # stale page
    holder.wait_for_selector("#meeting .error:has-text('受托人尚未签到')")
    shots(holder, "18-proxy-holder-absent-refused")
    check_in(worker, "孙受托")
    holder.reload()
    holder.locator("#proxy-vote-%s" % ids["李委托"]).locator("button:has-text('反对')").click()
    holder.wait_for_selector("text=您已代 李委托 投票：反对")
    shots(holder, "19-proxy-vote-on-phone")
    worker.reload()
    worker.click("button:has-text('结束表决并计票')")
    worker.wait_for_selector("#motion-1 >> text=赞成 3 票，反对 1 票，弃权 0 票")
    room.wait_for_selector("#room-motion-1 >> text=通过 — 赞成 3 票，反对 1 票，弃权 0 票", timeout=8000)

    # 8. Motion 2 by show of hands: 赵手机 already voted on her phone, so at most 5 hands; 6 are refused.
    worker.select_option("select[name=item_id]", label="2. 楼道照明改造")
    worker.click("button:has-text('发起表决')")
    worker.wait_for_selector("text=表决已开始")
    phone_a.reload()
    phone_a.click("#live button:has-text('赞成')")
    phone_a.wait_for_selector("text=您已投票：赞成")
    worker.reload()
    assert "现在 5 人" in worker.inner_text("#chair")
    for field, n in (("votes_for", "4"), ("votes_against", "1"), ("abstentions", "1")):
        worker.fill(f"#hands-form input[name={field}]", n)
    worker.click("button:has-text('记录举手人数')")
    worker.wait_for_selector("#meeting .error:has-text('举手人数（6）超过在场且尚未投票的人数（5），未予记录')")
    shots(worker, "20-too-many-hands-refused")
    for field, n in (("votes_for", "3"), ("votes_against", "1"), ("abstentions", "1")):
        worker.fill(f"#hands-form input[name={field}]", n)
    worker.click("button:has-text('记录举手人数')")
    worker.wait_for_selector("text=举手表决人数已记录")
    worker.click("button:has-text('结束表决并计票')")
    worker.wait_for_selector("#motion-2 >> text=赞成 4 票，反对 1 票，弃权 1 票")
    room.wait_for_selector("#room-motion-2 >> text=举手表决：赞成 3，反对 1，弃权 1", timeout=8000)
    shots(room, "21-room-results")

    # 9. The minutes state each tally: a wrong one is shown and blocks publishing; the right ones publish.
    worker.click("button:has-text('宣布散会')")
    worker.wait_for_selector("text=会议已结束")
    wait_for_views(live_server)   # the form marks a mismatch from the views (a loaded machine can keep them >5 s behind)
    worker.fill("textarea[name=minutes]", "会议由李社工主持。5 号楼加装电梯、楼道照明改造均获通过。")
    for motion, tally in (("1", ("3", "1", "0")), ("2", ("3", "1", "1"))):     # motion 2 mistyped
        for choice, n in zip(("for", "against", "abstain"), tally):
            worker.fill(f"input[name={choice}_{motion}]", n)
    worker.click("button:has-text('发布会议纪要')")
    worker.wait_for_selector("#meeting .error:has-text('1 项表决的票数与投票记录不一致')")
    assert worker.locator("#tally-2.rt-mismatch").count() == 1 and worker.locator("#minutes").count() == 0, \
        worker.evaluate(SHOW_MINUTES_FORM)   # failed once under a full suite's load, unexplained: show what was there
    shots(worker, "22-minutes-mismatch-refused")
    worker.fill("input[name=for_2]", "4")
    worker.click("button:has-text('发布会议纪要')")
    worker.wait_for_selector("text=会议纪要已发布")
    minutes = worker.inner_text("#minutes-results")
    assert minutes.count("与投票记录一致") == 2 and "不一致" not in minutes
    assert "工作人员代录 1 人" in minutes and "委托投票 1 人" in minutes and "举手表决：赞成 3，反对 1，弃权 1" in minutes
    shots(worker, "23-minutes-published")

    # 10. Nothing refused was recorded: the store holds exactly the accepted commands.
    svc = live_server.services()
    try:
        history = svc.app.roundtable.meeting_history(meeting_id)
    finally:
        svc.close()
    kinds = [type(e).__name__ for e in history]
    assert kinds.count("ProxyGiven") == 1 and kinds.count("HandsCounted") == 1
    assert kinds.count("VoteRecorded") == 1 and kinds.count("ProxyVoteCast") == 1 and kinds.count("VoteCast") == 3
    assert kinds.count("MinutesPublished") == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
