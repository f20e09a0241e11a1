"""A real Chromium against a real server, the issue's "done when": an organisation registers and is approved → a call
opens → it applies (twice) → two reviewers score → an award is proposed by one official and approved by another →
a milestone is accepted → its tranche is released (by the other official) → the mid-term fails on the second project
(later tranches blocked, a clawback recorded) → the final report closes the first. Screenshots at every step, the
dossier printed to PDF."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import partial

import pytest

from domain.accounts.model import Community, Street
from domain.kernel.time import SHANGHAI
from tests.builders import ARTIFACTS, LiveServer
from tests.e2e.builders import log_in, log_out, save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "grants"
shot = partial(save_shot, SHOTS)
MEMBER, STREET, DISTRICT, RESIDENT, WORKER = "13800000008", "13800000005", "13800000006", "13800000001", "13800000002"
CODE = "52320106MJ5790127L"


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "data")
    yield live
    live.stop()


def as_person(page, server, phone: str) -> None:
    if page.locator("button:has-text('退出')").count():
        log_out(page)
    log_in(page, server, phone)


def apply(page, title: str, requested: str) -> str:
    """On the call's page, as the member: draft, save, submit; the application's id."""
    page.click("text=以本组织名义申报项目")
    page.fill("input[name=title]", title)
    page.select_option("select[name=community_id]", label="江苏路社区（演示）")
    page.fill("textarea[name=summary]", f"{title}：面向社区高龄独居老人的服务项目")
    page.fill("input[name=requested]", requested)
    page.fill("input[name=budget_item] >> nth=0", "服务人工")
    page.fill("input[name=budget_amount] >> nth=0", requested)
    page.fill("input[name=plan_title] >> nth=0", "项目启动")
    page.fill("input[name=plan_due] >> nth=0", "2026-12-01")
    page.fill("input[name=team_name] >> nth=0", "郑会长")
    page.fill("input[name=team_role] >> nth=0", "项目负责人")
    page.click("#draft-form button[type=submit]")
    page.wait_for_selector("text=申报书草稿已保存")
    application = re.search(r"/grants/applications/([0-9a-f-]{36})", page.url).group(1)
    page.click("button:has-text('提交申报')")
    page.wait_for_selector("text=申报已提交")
    return application


def score(page, server, application: str, marks: list[str]) -> None:
    page.goto(f"{server.url}/grants/reviews")
    page.click(f"a[href='/grants/applications/{application}#score']")
    for i, mark in enumerate(marks, 1):
        page.fill(f"input[name=score_c{i}]", mark)
        page.fill(f"textarea[name=comment_c{i}]", f"第 {i} 项：{'较好' if int(mark) >= 80 else '一般'}")
    page.click("#score-form button[type=submit]")
    page.wait_for_selector("text=评分已提交")


def test_a_grant_from_registration_to_a_closed_project_and_a_stopped_one(page, server):
    street = Street.id_for("320106001")
    community = Community.id_for("320106001001")
    now = datetime.now(SHANGHAI)

    # 1. The social organisation's member registers their organisation from the home page.
    log_in(page, server, MEMBER)
    page.wait_for_selector("text=公益创投")
    shot(page, "01-member-home")
    page.click("text=登记社会组织")
    page.fill("input[name=name]", "江苏路睦邻互助服务中心")
    page.fill("input[name=credit_code]", CODE.lower())
    page.select_option("select[name=kind]", "service")
    page.select_option("select[name=street_id]", str(street))
    page.fill("input[name=contact_name]", "郑会长")
    page.fill("input[name=contact_phone]", "139 1234 5678")
    page.click("button:has-text('提交登记')")
    page.wait_for_selector("text=组织已登记，等待街道或区工作人员审核")
    org_url = page.url
    shot(page, "02-registered")

    # 2. The street official approves it.
    as_person(page, server, STREET)
    page.click("text=1 个社会组织等待审核")
    page.click("text=江苏路睦邻互助服务中心")
    page.click("button:has-text('通过登记')")
    page.wait_for_selector("text=已通过该组织的登记")
    shot(page, "03-approved")

    # 3. The district official opens a call for the street and names two reviewers by phone.
    as_person(page, server, DISTRICT)
    page.goto(f"{server.url}/grants")
    page.click("text=发布项目征集")
    page.select_option("select[name=scope]", f"street:{street}")
    page.fill("input[name=title]", "宁海路街道 2026 年社区公益创投")
    page.fill("textarea[name=theme]", "为老服务、儿童关爱、邻里互助")
    page.fill("input[name=pool]", "200,000")
    page.fill("input[name=max_per_project]", "50,000")
    page.fill("input[name=opens_at]", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=closes_at]", (now + timedelta(days=30)).strftime("%Y-%m-%dT17:00"))
    shot(page, "04-call-form")
    page.click("button:has-text('发布')")
    page.wait_for_selector("text=项目征集已发布")
    call_url = page.url
    for phone in (RESIDENT, WORKER):
        page.fill("input[name=phone]", phone)
        page.click("button:has-text('指定为评审')")
        page.wait_for_selector("text=已指定评审")
    shot(page, "05-call-opened")

    # 4. The member applies with two projects.
    as_person(page, server, MEMBER)
    page.goto(call_url)
    first = apply(page, "长者助餐", "40,000")
    shot(page, "06-submitted")
    page.goto(call_url)
    second = apply(page, "邻里守望", "30,000")

    # 5. Two reviewers score both, each criterion with a comment.
    as_person(page, server, RESIDENT)
    page.wait_for_selector("text=2 个申报等待您评审")
    score(page, server, first, ["90", "85", "80", "85"])
    score(page, server, second, ["70", "60", "75", "65"])
    shot(page, "07-reviewer-done")
    as_person(page, server, WORKER)
    score(page, server, first, ["86", "80", "90", "80"])
    score(page, server, second, ["72", "70", "70", "60"])

    # 6. The street official proposes both awards from the ranking; the district official approves them.
    as_person(page, server, STREET)
    page.goto(call_url + "/ranking")
    assert page.inner_text(f"#rank-{first} .gr-mean") == "85.20"   # (86.00 + 84.40) / 2
    shot(page, "08-ranking")
    for application in (first, second):
        page.click(f"#rank-{application} button:has-text('提出资助')")
        page.wait_for_selector("text=资助已提出，等待另一位工作人员审批")
        page.goto(call_url + "/ranking")
    page.goto(call_url)
    assert page.locator("button:has-text('批准资助')").count() == 0      # the maker cannot check
    shot(page, "09-proposed")
    as_person(page, server, DISTRICT)
    for application in (first, second):
        page.goto(call_url)
        page.click(f"#award-{application} button:has-text('批准资助')")
        page.wait_for_selector("text=资助已批准")
    shot(page, "10-awarded")

    # 7. Signing accepted by the street official; the first tranche released by the district official.
    for application in (first, second):
        as_person(page, server, STREET)
        page.goto(f"{server.url}/grants/projects/{application}")
        page.click("button:has-text('验收通过')")
        page.wait_for_selector("text=节点已验收")
        assert page.locator("button:has-text('拨付')").count() == 0
        as_person(page, server, DISTRICT)
        page.goto(f"{server.url}/grants/projects/{application}")
        page.click("form[action$='/tranches/0/release'] button")
        page.wait_for_selector("text=款项已拨付")
    shot(page, "11-first-tranche-released")

    # 8. The mid-term fails on the second project: later tranches stop, a clawback is recorded.
    as_person(page, server, MEMBER)
    for application, text in ((first, "已送餐 1,200 份，志愿者 15 名"), (second, "活动未按计划开展")):
        page.goto(f"{server.url}/grants/projects/{application}")
        page.fill("form[action$='/reports/midterm'] textarea[name=text]", text)
        page.click("form[action$='/reports/midterm'] button")
        page.wait_for_selector("text=报告已提交")
    as_person(page, server, DISTRICT)
    page.goto(f"{server.url}/grants/projects/{second}")
    page.fill("form[action$='/midterm/fail'] input[name=reason]", "未按计划开展活动，经费使用不规范")
    page.fill("form[action$='/midterm/fail'] input[name=clawback]", "3,000")
    page.click("form[action$='/midterm/fail'] button")
    page.wait_for_selector("text=中期评估未通过：后续拨付已停止")
    assert page.locator(".gr-tranche-cancelled").count() == 2
    assert page.locator("form[action*='/release']").count() == 0
    assert "3,000.00" in page.inner_text(".gr-figure-clawed")
    shot(page, "12-midterm-failed")

    # 9. The first project passes its mid-term, reports finally and is closed; its tranches are all paid.
    as_person(page, server, STREET)
    page.goto(f"{server.url}/grants/projects/{first}")
    page.click("form[action$='/milestones/midterm'] button")
    page.wait_for_selector("text=节点已验收")
    as_person(page, server, DISTRICT)
    page.goto(f"{server.url}/grants/projects/{first}")
    page.click("form[action$='/tranches/1/release'] button")
    page.wait_for_selector("text=款项已拨付")
    as_person(page, server, MEMBER)
    page.goto(f"{server.url}/grants/projects/{first}")
    page.fill("form[action$='/reports/final'] textarea[name=text]", "全年送餐 3,000 份，满意度 96%")
    page.click("form[action$='/reports/final'] button")
    page.wait_for_selector("text=报告已提交")
    as_person(page, server, STREET)
    page.goto(f"{server.url}/grants/projects/{first}")
    page.click("form[action$='/milestones/final'] button")
    page.wait_for_selector("text=已结项")
    as_person(page, server, DISTRICT)
    page.goto(f"{server.url}/grants/projects/{first}")
    page.click("form[action$='/tranches/2/release'] button")
    page.wait_for_selector("text=款项已拨付")
    page.wait_for_selector("text=结项报告已验收，项目已结项。")
    assert "40,000.00" in page.inner_text(".gr-figure-released")
    shot(page, "13-closed")

    # The pool summary drills down to its events; the dossier prints.
    page.goto(call_url)
    figures = page.inner_text(".gr-figures")
    assert "70,000.00" not in figures and "52,000.00" in figures     # awarded: 40,000 + the 12,000 paid to the second
    page.click(".gr-figure-released a")
    page.wait_for_selector("h1:has-text('构成「已拨付」的记录')")
    assert page.locator("tbody tr").count() == 4
    shot(page, "14-released-lines")
    page.goto(f"{server.url}/grants/projects/{first}/dossier")
    page.wait_for_selector("text=公益创投项目档案")
    page.emulate_media(media="print")
    shot(page, "15-dossier-print")
    page.pdf(path=str(SHOTS / "dossier.pdf"))
    page.emulate_media(media="screen")

    # Anyone sees the disclosure and the community's card; the project page has an address for the roundtable.
    log_out(page)
    page.goto(call_url + "/disclosure")
    body = page.inner_text("main")
    assert "长者助餐" in body and "邻里守望" in body and "江苏路睦邻互助服务中心" in body and "已终止" in body
    shot(page, "16-disclosure")
    page.goto(f"{server.url}/c/{community}")
    page.wait_for_selector(".card:has-text('公益创投') >> text=长者助餐")
    shot(page, "17-community-card")
    page.goto(f"{server.url}/grants/projects/{first}")
    assert page.input_value("input.gr-link") == f"/grants/projects/{first}"
    assert org_url.endswith(re.search(r"/grants/organisations/[0-9a-f-]{36}", org_url).group(0))
