"""A real Chromium against a real server: consent → register → the worker returns it → resubmit → confirm → the
member serves a shift posted on the needs board (check-in/out at the volunteer station) and attends a roundtable
meeting → the annual report shows both and is printed to PDF → the public page verifies its code → the member
withdraws consent → the registry no longer shows them and the street's counts for the year are unchanged."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial

import pytest
from playwright.sync_api import expect

from domain.accounts.model import Community, Street
from domain.kernel.time import SHANGHAI
from tests.builders import ARTIFACTS
from tests.e2e.builders import log_in, save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "party"
shot = partial(save_shot, SHOTS)
RESIDENT, WORKER, OFFICIAL = "13800000001", "13800000002", "13800000005"
NAME = "王居民（演示）"


def person(browser, server, phone: str):
    """A logged-in page of its own (separate cookies per person); patient, as the machine may be busy."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(60_000)
    log_in(page, server, phone)
    return page


def year_cells(page, community_id) -> list[str]:
    """The street table's cells of one community, without "registered now" (members during the year, active,
    hours, meeting attendances, reports)."""
    return page.locator(f"tr[data-community='{community_id}'] td.num").all_inner_texts()[1:]


def test_a_party_member_from_consent_to_a_verified_report_and_withdrawal(browser, live_server):
    community = Community.id_for("320106001001")
    street = Street.id_for("320106001")
    url = live_server.url
    now = datetime.now(SHANGHAI)
    year = str(now.year)
    errors: list[str] = []

    # 1. Consent first: the resident reads what is collected, why, who sees it and for how long, and ticks it.
    member = person(browser, live_server, RESIDENT)
    member.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    member.goto(f"{url}/c/{community}")
    member.click("nav.tabs >> text=党员报到")
    member.click("text=开始报到")
    member.wait_for_selector("text=个人信息处理告知（在职党员到社区报到）")
    for words in ("收集什么", "为什么收集", "谁能看到", "保存多久"):
        expect(member.locator(".party-notice")).to_contain_text(words)
    shot(member, "01-consent")
    member.check("input[name=agree]")
    member.click("button:has-text('同意并继续')")
    member.wait_for_selector("text=已记录您的同意，请填写报到信息")

    # 2. Registration: workplace, workplace Party organisation, kinds of service, availability, what to disclose.
    member.fill("input[name=unit]", "南京某某科技有限公司")
    member.fill("input[name=org_name]", "南京某某科技有限公司党委")
    member.fill("input[name=org_contact]", "陈书记")
    member.fill("input[name=org_phone]", "025 8312 3456")
    member.check("input[name=kinds][value=邻里互助]")
    member.check("input[name=kinds][value=环境整治]")
    member.fill("input[name=availability]", "周末上午")
    member.check("input[name=disclose][value=name]")
    shot(member, "02-registration-form")
    member.click("button:has-text('提交报到')")
    member.wait_for_selector("text=报到信息已提交，请等待社区工作者确认")
    shot(member, "03-submitted")

    # 3. The worker finds it in the registry (phones masked) and returns it with a reason.
    worker = person(browser, live_server, WORKER)
    worker.goto(f"{url}/c/{community}/party/registry")
    row = worker.locator("table.party-registry tr", has_text=NAME)
    expect(row).to_contain_text("待社区确认")
    expect(row).to_contain_text("025-****3456")
    assert RESIDENT not in row.inner_text() and "138****0001" in row.inner_text()
    shot(worker, "04-registry")
    row.locator("a").click()
    worker.fill("form.party-return input[name=reason]", "请填写党组织联系人的手机号")
    worker.click("form.party-return button:has-text('退回')")
    worker.wait_for_selector("text=已退回，党员修改后可重新提交")

    # 4. The member sees the reason, corrects and resubmits; the worker confirms.
    member.goto(f"{url}/c/{community}/party")
    member.wait_for_selector("text=社区工作者退回了您的报到，理由：请填写党组织联系人的手机号")
    shot(member, "05-returned")
    member.click("text=修改后重新提交")
    member.fill("input[name=org_phone]", "139 0000 1234")
    member.click("button:has-text('重新提交')")
    member.wait_for_selector("text=报到信息已提交")
    worker.goto(f"{url}/c/{community}/party/registry?state=submitted")
    worker.locator("table.party-registry a", has_text=NAME).click()
    worker.click("button:has-text('确认报到')")
    worker.wait_for_selector("text=已确认该党员报到")
    member.goto(f"{url}/c/{community}/party")
    member.wait_for_selector("text=您已在本社区报到")
    shot(member, "06-confirmed")

    # 5. A task on the needs board is a volunteer shift: the worker creates it and posts it; the member signs up
    #    at the volunteer station, and is checked in and out there (the worker corrects the hours actually served).
    start = (now + timedelta(minutes=40)).replace(second=0, microsecond=0)
    worker.goto(f"{url}/c/{community}/party/needs")
    worker.click("text=到志愿服务站创建行动日和班次")
    worker.fill("input[name=title]", "楼道清洁行动日")
    worker.fill("input[name=date]", start.date().isoformat())
    worker.fill("input[name=cutoff_hours]", "0")
    worker.click("button[type=submit]:has-text('创建')")
    worker.wait_for_selector("text=行动日已创建")
    worker.fill("input[name=task]", "清扫楼道")
    worker.fill("input[name=place]", "3 号楼")
    worker.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    worker.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    worker.fill("input[name=places]", "5")
    worker.click("button[type=submit]:has-text('添加班次')")
    worker.wait_for_selector("text=班次已添加")
    day_url = worker.url
    worker.goto(f"{url}/c/{community}/party/needs")
    worker.select_option("select[name=kind]", "环境整治")
    worker.fill("section.party-post input[name=note]", "欢迎在职党员带头参加")
    worker.click("section.party-post button:has-text('发布')")
    worker.wait_for_selector("text=已发布到党员服务需求栏")
    member.goto(f"{url}/c/{community}/party/needs")
    need = member.locator("li.card", has_text="清扫楼道")
    expect(need).to_contain_text("欢迎在职党员带头参加")
    shot(member, "07-needs-board")
    need.locator("a", has_text="清扫楼道").click()
    member.locator("li.vol-shift", has_text="清扫楼道").locator("button:has-text('报名')").click()
    member.wait_for_selector("li.vol-shift[data-status=confirmed]")
    worker.goto(day_url)
    worker.click("text=签到签退")
    worker.fill("input[name=q]", RESIDENT[-4:])
    worker.click("button:has-text('查找')")
    volunteer = worker.locator("li.vol-row", has_text=NAME)
    volunteer.locator("button:has-text('签到')").click()
    worker.wait_for_selector("li.vol-row >> text=已签到")
    worker.locator("li.vol-row", has_text=NAME).locator("button:has-text('签退')").click()
    worker.wait_for_selector("li.vol-row >> text=已签退")
    worker.click("li.vol-row >> summary:has-text('更正时长')")
    worker.fill("li.vol-row input[name=hours]", "2")
    worker.fill("li.vol-row input[name=reason]", "实际服务两小时，现场核实")
    worker.click("li.vol-row >> button:has-text('保存更正')")
    worker.wait_for_selector("text=服务时长已更正")
    shot(worker, "08-checked-in-and-out")

    # 6. A roundtable meeting: the worker schedules it and checks the member in.
    meeting_start = (now + timedelta(hours=1)).replace(second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    worker.goto(f"{url}/c/{community}/roundtable")
    worker.click("text=安排议事会")
    worker.fill("input[name=title]", "楼道环境议事会")
    worker.fill("textarea[name=purpose]", "商量楼道堆物清理办法")
    worker.fill("input[name=starts_at]", meeting_start.strftime(fmt))
    worker.fill("input[name=ends_at]", (meeting_start + timedelta(hours=2)).strftime(fmt))
    worker.fill("input[name=place]", "社区活动室")
    worker.fill("input[name=capacity]", "30")
    worker.fill("input[name=registration_deadline]", (meeting_start - timedelta(minutes=20)).strftime(fmt))
    worker.fill("input[name=quorum_percent]", "40")
    worker.click("button:has-text('安排会议')")
    worker.wait_for_selector("text=会议已安排")
    worker.goto(worker.url + "/check-in")
    worker.fill("#rt-q", "王居民")
    attendee = worker.locator("#rt-checkin-rows li.rt-row", has_text=NAME)
    attendee.locator("button:has-text('签到')").click()
    expect(attendee).to_contain_text("已签到")

    # The member's record shows both, accrued from those events (nothing entered twice).
    member.goto(f"{url}/c/{community}/party/record")
    record = member.locator("table.party-items")
    expect(record).to_contain_text("清扫楼道")
    expect(record).to_contain_text("楼道环境议事会")
    expect(record).to_contain_text("时长经更正")
    shot(member, "09-service-record")

    # 7. The worker issues this year's two-way feedback report; it shows both and prints to an A4 PDF.
    official = person(browser, live_server, OFFICIAL)
    official.goto(f"{url}/s/{street}/party?year={year}")
    worker.goto(f"{url}/c/{community}/party/registry")
    worker.locator("table.party-registry a", has_text=NAME).click()
    worker.fill("form.party-report-form input[name=year]", year)
    worker.select_option("form.party-report-form select[name=rating]", "excellent")
    worker.fill("form.party-report-form textarea[name=comment]", "带头参加楼道清洁，积极建言献策")
    worker.click("button:has-text('出具报告')")
    worker.wait_for_selector("text=双向反馈报告已出具")
    report = worker.locator("article.party-report")
    for words in (NAME, "南京某某科技有限公司党委", "清扫楼道", "楼道环境议事会", "2.0 小时", "优秀", "带头参加楼道清洁"):
        expect(report).to_contain_text(words)
    serial = re.search(r"DYBD-\S+", worker.inner_text(".party-serial"))[0]
    code = worker.inner_text(".party-code-value").strip()
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    shot(worker, "10-report")
    worker.emulate_media(media="print")
    shot(worker, "11-report-print")
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "feedback-report.pdf"
    worker.pdf(path=str(pdf), format="A4", print_background=True)
    worker.emulate_media(media="screen")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    member.goto(f"{url}/c/{community}/party/record")
    expect(member.locator("text=带头参加楼道清洁，积极建言献策")).to_be_visible()   # the member sees the evaluation

    # 8. Anyone checks the code on the public page: genuine, and only what the member disclosed (masked name, hours).
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{url}/party/verify")
    public.fill("input[name=code]", code.lower().replace("-", " "))
    public.click("button:has-text('查验')")
    public.wait_for_selector("text=验证通过")
    expect(public.locator(".party-serial-value")).to_have_text(serial)
    content = public.content()
    assert "王" in content and "王居民" not in content and "南京某某" not in content and "优秀" not in content
    expect(public.locator("dl.party-details")).to_contain_text("2.0 小时")
    shot(public, "12-verified")

    # 9. The street official's counts for the year, before the member withdraws.
    official.goto(f"{url}/s/{street}/party?year={year}")
    before = year_cells(official, community)
    assert before == ["1", "1", "2.0", "1", "1"], before
    assert NAME not in official.content()
    shot(official, "13-street-before")

    # 10. The member withdraws consent: the registration ends and its details are gone.
    member.goto(f"{url}/c/{community}/party")
    member.click("summary:has-text('撤回同意')")
    member.check("input[name=confirm]")
    member.click("button:has-text('撤回同意并结束报到')")
    member.wait_for_selector("text=已撤回同意，您的报到已结束，报到信息已删除")
    assert "南京某某科技有限公司" not in member.content()
    shot(member, "14-withdrawn")

    # 11. The registry no longer shows them; the street's counts for the year are unchanged.
    worker.goto(f"{url}/c/{community}/party/registry")
    worker.wait_for_selector("text=没有符合条件的党员报到。")
    assert NAME not in worker.inner_text("main")
    shot(worker, "15-registry-after")
    official.goto(f"{url}/s/{street}/party?year={year}")
    assert year_cells(official, community) == before
    assert official.locator(f"tr[data-community='{community}'] td.num").first.inner_text() == "0"
    shot(official, "16-street-after")
    public.goto(f"{url}/party/verify/{code}")
    public.wait_for_selector("text=验证通过")
    assert "个人信息不再显示" in public.content()
    assert errors == [], errors
