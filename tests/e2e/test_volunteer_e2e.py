"""A real Chromium against a real server: create an action day → sign up → fill the shift → waitlist → cancel →
promotion notice → check-in/out and a correction → a walk-in beyond places → the shift called off (notice, hours
kept) → certificate → public verification."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from domain.accounts.model import Account
from domain.kernel.time import SHANGHAI
from domain.accounts.model import Community
from tests.builders import ARTIFACTS
from tests.e2e.builders import log_in, log_out, save_shot
from web.passwords import hash_password

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "volunteer"
shot = partial(save_shot, SHOTS)
WAITER_PHONE, WAITER_PASSWORD = "13900009999", "waiting-patiently"


def open_day(page, server, title: str) -> None:
    page.goto(server.url + "/")
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=志愿服务站")
    page.click(f"text={title}")
    page.wait_for_selector("h2:has-text('%s')" % title)


def test_an_action_day_from_creation_to_a_verified_certificate(page, live_server):
    svc = live_server.services()
    try:
        community = Community.id_for("320106001001")
        worker = Account.id_for(svc.app.phone_key("13800000002"))
        waiter = svc.app.accounts.sign_up(WAITER_PHONE, "赵候补", hash_password(WAITER_PASSWORD), community)
        svc.app.accounts.verify_residency(worker, waiter, community)
    finally:
        svc.close()
    start = (datetime.now(SHANGHAI) + timedelta(minutes=40)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=2)
    title = "楼道清洁行动日"

    # 1. The worker creates the day (sign-up open until the shift starts) and one shift with one place.
    log_in(page, live_server, "13800000002")
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=志愿服务站")
    page.click("text=创建行动日")
    page.fill("input[name=title]", title)
    page.fill("input[name=date]", start.date().isoformat())
    page.fill("textarea[name=description]", "清扫楼道、清理小广告")
    page.fill("input[name=cutoff_hours]", "0")
    page.click("button[type=submit]:has-text('创建')")
    page.wait_for_selector("text=行动日已创建")
    page.fill("input[name=task]", "清扫楼道")
    page.fill("input[name=place]", "3 号楼")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", end.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=places]", "1")
    page.click("button[type=submit]:has-text('添加班次')")
    page.wait_for_selector("text=班次已添加")
    shot(page, "1-day-created")
    log_out(page)

    # 2. A resident signs up with one tap on the day page; htmx swaps the card.
    log_in(page, live_server, "13800000001")
    open_day(page, live_server, title)
    card = page.locator("li.vol-shift", has_text="清扫楼道")
    card.locator("button:has-text('报名')").click()
    page.wait_for_selector("li.vol-shift[data-status=confirmed]")
    assert "报名成功" in page.locator("li.vol-shift").inner_text()
    shot(page, "2-signed-up")
    log_out(page)

    # 3. The shift is full: the next resident joins the waitlist.
    log_in(page, live_server, WAITER_PHONE, WAITER_PASSWORD)
    open_day(page, live_server, title)
    assert "名额已满" in page.locator("li.vol-shift").inner_text()
    page.click("li.vol-shift >> button:has-text('加入候补')")
    page.wait_for_selector("text=您在候补名单第 1 位")
    shot(page, "3-waitlisted")
    log_out(page)

    # 4. The first resident cancels; the waiting resident is promoted automatically.
    log_in(page, live_server, "13800000001")
    open_day(page, live_server, title)
    page.click("li.vol-shift >> button:has-text('取消报名')")
    page.wait_for_selector("text=已取消报名")
    shot(page, "4-cancelled")
    log_out(page)

    # 5. On their next visit the promoted resident is told so.
    log_in(page, live_server, WAITER_PHONE, WAITER_PASSWORD)
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=志愿服务站")
    page.wait_for_selector("text=您已从候补名单递补为正式志愿者")
    shot(page, "5-promotion-notice")
    page.click("button:has-text('知道了')")
    expect(page.locator("text=您已从候补名单递补为正式志愿者")).to_have_count(0)
    log_out(page)

    # 6. The worker checks the volunteer in and out on the phone-sized screen, then corrects the hours.
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "13800000002")
    open_day(page, live_server, title)
    page.click("text=签到签退")
    page.fill("input[name=q]", WAITER_PHONE[-4:])
    page.click("button:has-text('查找')")
    row = page.locator("li.vol-row", has_text="赵候补")
    row.locator("button:has-text('签到')").click()
    page.wait_for_selector("li.vol-row >> text=已签到")
    shot(page, "6-checked-in")
    page.locator("li.vol-row", has_text="赵候补").locator("button:has-text('签退')").click()
    page.wait_for_selector("li.vol-row >> text=已签退")
    page.click("li.vol-row >> summary:has-text('更正时长')")
    page.fill("li.vol-row input[name=hours]", "2")
    page.fill("li.vol-row input[name=reason]", "提前到场布置，现场核实")
    page.click("li.vol-row >> button:has-text('保存更正')")
    page.wait_for_selector("text=服务时长已更正")
    assert page.locator("text=提前到场布置，现场核实").count() == 1
    shot(page, "7-corrected")
    # A resident who did not sign up turns up: the shift is full, so the worker adds them beyond places.
    page.fill("section.vol-walk-in input[name=phone]", "13800000001")
    page.check("section.vol-walk-in input[name=beyond_places]")
    page.click("section.vol-walk-in >> button:has-text('加入并签到')")
    page.wait_for_selector("text=已现场加入并签到")
    assert page.locator("li.vol-row", has_text="现场加入（超出名额）").count() == 1
    shot(page, "7b-walk-in")
    # Then rain: the worker calls the shift off with a reason; recorded hours stay.
    open_day(page, live_server, title)
    page.click("li.vol-shift >> summary:has-text('调整名额或取消班次')")
    page.fill("li.vol-shift input[name=reason]", "暴雨预警，提前结束")
    page.click("li.vol-shift >> button:has-text('取消该班次')")
    page.wait_for_selector("text=班次已取消，已通知报名和候补的志愿者")
    assert "班次已取消：暴雨预警，提前结束" in page.locator("li.vol-shift").inner_text()
    shot(page, "7c-shift-called-off")
    log_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # 7. The volunteer issues and prints a certificate of their hours.
    log_in(page, live_server, WAITER_PHONE, WAITER_PASSWORD)
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=志愿服务站")
    page.wait_for_selector("text=您报名的班次已取消")
    page.click("text=我的志愿服务")
    page.wait_for_selector("text=累计服务时长：2.0 小时")  # calling the shift off left the recorded hours
    page.click("button:has-text('开具证明')")
    page.wait_for_selector("text=证明已开具")
    certificate = page.locator("article.vol-certificate").inner_text()
    for expected in ("志愿服务证明", "赵候补", "139****9999", "江苏路社区（演示）", "清扫楼道", "2.0"):
        assert expected in certificate
    code = page.locator(".vol-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    shot(page, "8-certificate")
    page.emulate_media(media="print")
    shot(page, "9-certificate-print")
    page.emulate_media(media="screen")
    log_out(page)

    # 8. Anyone can check the code on the public page.
    page.goto(live_server.url + "/verify")
    page.fill("input[name=code]", code.lower())
    page.click("button:has-text('查验')")
    page.wait_for_selector("text=验证通过")
    assert "赵**" in page.content() and "赵候补" not in page.content()
    shot(page, "10-verified")

