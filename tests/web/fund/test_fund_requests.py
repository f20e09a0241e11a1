"""Refunds, allocation increases and payee erasures through the forms: one fund manager asks, another decides from
the ledger or the project page (with or without htmx); the lines, the CSV, the audit names and the person's own data
show them; a receipt number already used is refused."""
from __future__ import annotations

import csv
import inspect
import io

import pytest
from eventsourcing.domain import Aggregate

from domain.fund.model import Fund
from domain.kernel import roles
from tests.builders import web_person
from tests.domain.builders import YEAR, make_resolution
from web.fund import pages

HX = {"HX-Request": "true"}


class Two:
    """Two fund managers of the community (赵会计 asks, 钱出纳 checks) and a project of ¥10,000 with one approved
    ¥3,000 payment (receipt FP-2026-0001); 赵会计 is logged in."""

    def __init__(self, web, places):
        self.web, self.places = web, places
        app = web.services.app
        self.maker, self.maker_phone = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")
        self.checker, self.checker_phone = web_person(web, roles.FUND_MANAGER, places.community, "钱出纳")
        resolution = make_resolution(app, places.community)
        self.project = app.fund.allocate(self.maker, places.community, YEAR, resolution, "楼道扶手", "elderly",
                                         "10,000")
        self.payment = app.fund.record_payment(self.maker, places.community, YEAR, self.project, None, "3,000",
                                               "individual", "王小明", "2026-04-30", "扶手安装", "FP-2026-0001")
        app.fund.approve_payment(self.checker, places.community, YEAR, self.payment)
        web.services.runner.catch_up()
        self.base = f"/c/{places.community}/fund/{YEAR}"
        self.ledger_url = f"/c/{places.community}/fund?year={YEAR}"
        self.project_url = f"{self.base}/projects/{self.project}"
        web.login(self.maker_phone)

    def fund(self) -> Fund:
        return self.web.services.app.fund.year_fund(self.places.community, YEAR)

    def as_checker(self):
        self.web.logout()
        self.web.login(self.checker_phone)

    def post(self, path, data=None, command_id="c", **kw):
        return self.web.post_form(f"{self.base}{path}", {**(data or {}), "command_id": command_id}, **kw)

    def waiting(self, kind) -> str:
        [request_id] = [rid for rid, r in self.fund().requests.items()
                        if r["kind"] == kind and r["status"] == "requested"]
        return request_id


@pytest.fixture
def two(web, places):
    return Two(web, places)


def test_a_refund_asked_for_on_the_project_page_waits_on_the_ledger_and_the_checker_approves_it_with_htmx(two):
    response = two.post(f"/payments/{two.payment}/refund", {"amount": "500", "reason": "多收的材料费",
                                                            "project_id": str(two.project)}, headers=HX)
    assert response.status_code == 200 and "有一笔退款申请等待另一位资金管理员审核" in response.text
    assert f'action="{two.base}/payments/{two.payment}/refund"' not in response.text  # one waits at a time
    assert two.fund().paid == 300_000
    refund = two.waiting("refund")
    two.as_checker()
    ledger = two.web.get(two.ledger_url).text
    assert "待审核的申请" in ledger and "多收的材料费" in ledger and "赵会计" in ledger
    assert f'hx-post="{two.base}/refunds/{refund}/approve"' in ledger and f'id="request-{refund}"' in ledger
    answer = two.post(f"/refunds/{refund}/approve", command_id="ok", headers=HX)
    assert answer.status_code == 200 and "<html" not in answer.text
    assert answer.text.lstrip().startswith(f'<li class="card fund-request fund-request-approved" id="request-{refund}"')
    assert "已通过" in answer.text and "审核：钱出纳" in answer.text and "/approve" not in answer.text
    assert 'id="fund-figures" hx-swap-oob="true"' in answer.text and "¥2,500.00" in answer.text
    assert 'id="fund-projects" hx-swap-oob="true"' in answer.text
    assert two.fund().paid == 250_000
    again = two.post(f"/refunds/{refund}/approve", command_id="ok", headers=HX)  # a double click
    assert again.status_code == 200 and two.fund().paid == 250_000


def test_an_increase_is_asked_for_then_rejected_on_the_project_page_without_javascript(two):
    response = two.post(f"/projects/{two.project}/increase", {"amount": "2,000", "reason": "材料涨价"})
    assert response.status_code == 303 and response.headers["location"] == two.project_url
    assert two.web.get(two.project_url).text.count("追加分配申请已提交，等待另一位资金管理员审核") == 1
    increase = two.waiting("increase")
    assert two.fund().allocated == 1_000_000
    two.as_checker()
    page = two.web.get(two.project_url).text
    assert f'action="{two.base}/increases/{increase}/reject"' in page
    response = two.post(f"/increases/{increase}/reject", {"reason": "预算另有安排", "project_id": str(two.project)})
    assert response.status_code == 303 and response.headers["location"] == two.project_url
    page = two.web.get(two.project_url).text
    assert "已驳回" in page and "驳回理由：预算另有安排" in page and "追加分配申请已驳回" in page
    assert two.fund().allocated == 1_000_000


def test_an_increase_approved_on_the_project_page_with_htmx_swaps_the_project_figures(two):
    two.post(f"/projects/{two.project}/increase", {"amount": "2,000", "reason": "材料涨价"})
    increase = two.waiting("increase")
    two.as_checker()
    answer = two.post(f"/increases/{increase}/approve", {"project_id": str(two.project)}, headers=HX)
    assert answer.status_code == 200 and 'id="project-figures" hx-swap-oob="true"' in answer.text
    assert "¥12,000.00" in answer.text and two.fund().allocated == 1_200_000


def test_a_refused_htmx_decision_answers_a_4xx_alert_and_changes_nothing(two):
    two.post(f"/payments/{two.payment}/refund", {"amount": "500", "reason": "退货"})
    refund = two.waiting("refund")
    version = two.fund().version
    own = two.post(f"/refunds/{refund}/approve", headers=HX)
    assert own.status_code == 403 and 'role="alert"' in own.text and "不能审核自己提出的申请" in own.text
    assert "<html" not in own.text and two.fund().version == version


def test_a_request_id_from_another_kind_or_garbage_finds_nothing(two):
    two.post(f"/payments/{two.payment}/refund", {"amount": "500", "reason": "退货"})
    refund = two.waiting("refund")
    two.as_checker()
    version = two.fund().version
    for path in (f"/increases/{refund}/approve", f"/erasures/{refund}/reject", "/refunds/not-a-uuid/approve",
                 f"/refunds/{two.payment}/approve"):
        response = two.post(path, {"reason": "x"}, command_id="x" + path[-20:])
        assert response.status_code == 404, (path, response.status_code)
    assert two.fund().version == version


def test_the_same_receipt_number_written_another_way_is_refused_from_the_form_and_nothing_is_recorded(two):
    version = two.fund().version
    for receipt, headers in (("fp-2026-0001", {}), ("ＦＰ－２０２６－０００１", HX)):
        response = two.post(f"/projects/{two.project}/pay", {
            "amount": "3,000", "payee_kind": "organisation", "payee": "南京安居装修有限公司", "paid_on": "2026-04-30",
            "description": "再付一次", "receipt_ref": receipt}, command_id="again-" + receipt, headers=headers)
        assert response.status_code == 409
        assert f"票据编号「{receipt}」已用于本年度资金的另一笔支付，同一张票据不能重复支付" in response.text
    assert two.fund().version == version


def test_requests_and_their_outcome_are_lines_and_a_section_of_the_csv_as_of_the_day(two, clock):
    two.post(f"/payments/{two.payment}/refund", {"amount": "500", "reason": "退货"})
    refund = two.waiting("refund")
    clock.advance(days=10)  # 2026-05-11
    two.as_checker()
    two.post(f"/refunds/{refund}/approve", command_id="ok")
    lines = two.web.get(f"{two.base}/lines").text
    assert "申请退款" in lines and "退货" in lines
    paid = two.web.get(f"{two.base}/lines?figure=paid").text
    assert "申请退款" not in paid and "退款" in paid  # the request changed no figure; the approval did
    rows = list(csv.reader(io.StringIO(two.web.get(f"{two.base}/ledger.csv").content.decode("utf-8-sig"))))
    head = rows.index(["申请日期", "申请", "项目", "支付票据编号", "金额", "理由", "状态", "申请人", "审核人", "驳回理由"])
    assert rows[head + 1] == ["2026-05-01", "退款", "楼道扶手", "FP-2026-0001", "500.00", "退货", "已通过", "赵会计",
                              "钱出纳", ""]
    then = list(csv.reader(io.StringIO(two.web.get(f"{two.base}/ledger.csv?as_of=2026-05-05").content
                                       .decode("utf-8-sig"))))
    assert then[head + 1] == ["2026-05-01", "退款", "楼道扶手", "FP-2026-0001", "500.00", "退货", "待审核", "赵会计", "",
                              ""]
    assert any(r[3:4] == ["申请退款"] for r in then) and not any(r[3:4] == ["退款"] for r in then)


def test_the_fund_names_every_one_of_its_events_for_the_audit_trail():
    events = {f"Fund.{name}" for name, cls in vars(Fund).items()
              if inspect.isclass(cls) and issubclass(cls, Aggregate.Event) and name not in ("Event", "Created")}
    labels = pages.audit_labels()
    assert set(labels) == events and len(events) == 20
    assert labels["Fund.RefundRequested"] == "申请退款" and labels["Fund.PaymentRefunded"] == "退款"
    assert all(labels.values())


def test_my_data_lists_what_a_fund_manager_recorded_checked_asked_or_decided_with_individuals_masked(two, web):
    two.post(f"/payments/{two.payment}/refund", {"amount": "500", "reason": "退货"})
    response = web.get("/me/data.json")
    assert response.status_code == 200
    mine = response.json()["为民服务专项资金"]
    assert mine["作为资金管理员经手的支付"] == [{
        "社区": "江苏路社区", "年度": YEAR, "项目": "楼道扶手", "金额（元）": "3,000.00", "收款方": "王**",
        "支付日期": "2026-04-30", "状态": "已支付", "您的角色": "录入"}]
    assert mine["作为资金管理员提出或审核的申请"] == [{
        "社区": "江苏路社区", "年度": YEAR, "申请": "退款", "项目": "楼道扶手", "金额（元）": "500.00", "理由": "退货",
        "状态": "待审核", "您的角色": "申请"}]
    assert "不与任何账号关联" in mine["备注"] and "王小明" not in response.text
    page = web.get("/me/data").text
    assert "作为资金管理员经手的支付" in page and "王小明" not in page


def test_my_data_of_a_resident_holds_no_fund_records(web, places):
    _, phone = web_person(web, None, places.community, "王居民")
    web.login(phone)
    mine = web.get("/me/data.json").json()["为民服务专项资金"]
    assert mine["作为资金管理员经手的支付"] == [] and mine["作为资金管理员提出或审核的申请"] == []
