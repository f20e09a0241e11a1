"""Maker ≠ checker beyond payments (issue 9, item 3): a refund, an allocation increase and erasing the payee of a paid
payment are asked for by one fund manager and move only when another approves; a receipt number pays once."""
from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest
from eventsourcing.domain import Snapshot

from domain.fund.model import (BudgetExceededError, DuplicateReceiptError, ErasureNeedsCheckError, MakerCheckerError,
                               ErasureNotNeededError, Fund, PayeeErasedApprovalError, RequestCheckError,
                               RequestStateError, RequestsBlockCloseError, RequestWaitingError)
from domain.kernel import roles
from domain.kernel.application import Linli
from domain.kernel.errors import DomainError, NotFoundError
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Places, make_worker
from tests.domain.builders import YEAR, fund_case
from web.contexts import domain_contexts

_receipts = itertools.count(1)


@pytest.fixture
def case(linli, places):
    return fund_case(linli, places)


def project_of(case, amount="10,000"):
    return case.app.fund.allocate(case.maker, case.community, YEAR, case.resolution, "楼道扶手", "elderly", amount)


def pay(case, project, amount="3,000", receipt=None, kind="organisation", payee="南京安居装修有限公司", by=None):
    return case.app.fund.record_payment(by or case.maker, case.community, YEAR, project, None, amount, kind, payee,
                                        "2026-04-30", "扶手安装", receipt or f"FP-{next(_receipts)}")


def paid(case, project, amount="3,000", **kw):
    """A payment recorded by the maker and approved by the checker."""
    payment = pay(case, project, amount, **kw)
    case.app.fund.approve_payment(case.checker, case.community, YEAR, payment)
    return payment


def fund(case) -> Fund:
    return case.app.fund.year_fund(case.community, YEAR)


def event_names(case) -> list[str]:
    return [type(e).__name__ for e in case.app.repository.event_store.get(Fund.id_for(case.community, YEAR))]


# --- the review's attack ---------------------------------------------------------------------------------------
def test_the_maker_alone_can_no_longer_refund_a_paid_payment_and_pay_the_same_invoice_again(case):
    """The review: the maker refunded ¥3,000 alone (paid dropped), then paid the same ¥3,000 again with the checker's
    approval — two ¥3,000 payments out, the ledger showing one. Now the refund waits for the checker, the maker
    cannot approve it, and the same receipt cannot be paid again."""
    project = project_of(case)
    first = paid(case, project, "3,000", receipt="FP-2026-0001")
    refund = case.app.fund.request_refund(case.maker, case.community, YEAR, first, "3,000", "供应商退回")
    assert fund(case).paid == 300_000  # nothing moved
    with pytest.raises(MakerCheckerError):
        case.app.fund.approve_refund(case.maker, case.community, YEAR, refund)
    for again in ("FP-2026-0001", "fp-2026-0001", "ＦＰ－２０２６－０００１"):
        with pytest.raises(DuplicateReceiptError) as refused:
            pay(case, project, "3,000", receipt=again)
        assert refused.value.text() == f"票据编号「{again}」已用于本年度资金的另一笔支付，同一张票据不能重复支付"
    f = fund(case)
    assert (f.paid, f.pending, len(f.payments)) == (300_000, 0, 1)
    assert f.requests[str(refund)]["status"] == "requested" and f.invariant_violations() == []
    assert event_names(case)[-1] == "RefundRequested"


def test_a_second_payment_on_a_new_receipt_still_waits_for_the_checker_and_paid_stays_at_the_first(case):
    project = project_of(case)
    first = paid(case, project, "3,000", receipt="FP-A")
    case.app.fund.request_refund(case.maker, case.community, YEAR, first, "3,000", "供应商退回")
    second = pay(case, project, "3,000", receipt="FP-B")
    f = fund(case)
    assert (f.paid, f.pending) == (300_000, 300_000)
    with pytest.raises(MakerCheckerError):
        case.app.fund.approve_payment(case.maker, case.community, YEAR, second)
    assert fund(case).paid == 300_000


# --- refunds ---------------------------------------------------------------------------------------------------
def test_the_maker_cannot_approve_or_reject_their_own_refund_and_the_second_manager_approves_it(case):
    project = project_of(case)
    payment = paid(case, project)
    refund = case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "500", "多收的材料费")
    with pytest.raises(RequestCheckError) as refused:
        case.app.fund.approve_refund(case.maker, case.community, YEAR, refund)
    assert refused.value.text() == "该申请须由另一位资金管理员审核，不能审核自己提出的申请"
    with pytest.raises(RequestCheckError):
        case.app.fund.reject_refund(case.maker, case.community, YEAR, refund, "撤回")
    assert fund(case).paid == 300_000
    case.app.fund.approve_refund(case.checker, case.community, YEAR, refund)
    f = fund(case)
    assert (f.paid, f.free(project), f.payments[str(payment)]["refunded"]) == (250_000, 750_000, 50_000)
    assert f.requests[str(refund)]["status"] == "approved"
    [refunded] = [e for e in case.app.repository.event_store.get(f.id) if isinstance(e, Fund.PaymentRefunded)]
    assert (refunded.payment_id, refunded.amount, refunded.reason, refunded.by) == \
        (payment, 50_000, "多收的材料费", case.checker)
    with pytest.raises(RequestStateError) as again:
        case.app.fund.approve_refund(case.checker, case.community, YEAR, refund)
    assert "已通过" in again.value.text()


def test_a_rejected_refund_moves_nothing_and_a_new_one_may_be_asked_for(case):
    project = project_of(case)
    payment = paid(case, project)
    refund = case.app.fund.request_refund(case.checker, case.community, YEAR, payment, "3,000", "全部退回")
    with pytest.raises(RequestWaitingError) as waiting:  # one refund waits per payment
        case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "1", "再退一点")
    assert "退款" in waiting.value.text()
    case.app.fund.reject_refund(case.maker, case.community, YEAR, refund, "供应商未退款")
    f = fund(case)
    assert f.paid == 300_000 and f.requests[str(refund)]["status"] == "rejected"
    with pytest.raises(RequestStateError):
        case.app.fund.approve_refund(case.maker, case.community, YEAR, refund)
    second = case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "1,000", "退回一部分")
    case.app.fund.approve_refund(case.checker, case.community, YEAR, second)
    assert fund(case).paid == 200_000


def test_a_refund_cannot_ask_for_more_than_is_refundable_nor_from_an_unpaid_payment(case):
    project = project_of(case)
    payment = paid(case, project, "3,000")
    pending = pay(case, project, "100")
    with pytest.raises(DomainError) as refused:
        case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "3,000.01", "多退")
    assert "可退金额 3,000.00 元" in refused.value.text()
    with pytest.raises(DomainError) as unpaid:
        case.app.fund.request_refund(case.maker, case.community, YEAR, pending, "1", "退款")
    assert "待审核" in unpaid.value.text()
    assert fund(case).requests == {}


def test_two_checkers_approving_the_same_refund_at_once_refund_it_once(case, places):
    third = make_worker(case.app, places.community, roles.FUND_MANAGER, "孙出纳")
    project = project_of(case)
    payment = paid(case, project, "3,000")
    refund = case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "2,000", "退货")
    barrier = threading.Barrier(2)

    def approve(who):
        barrier.wait()
        try:
            case.app.fund.approve_refund(who, case.community, YEAR, refund)
            return "ok"
        except RequestStateError:
            return "decided"
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(approve, (case.checker, third)))
    assert outcomes == ["decided", "ok"]
    f = fund(case)
    assert f.paid == 100_000 and event_names(case).count("PaymentRefunded") == 1


def test_a_request_of_another_kind_or_another_fund_is_not_found(case):
    from tests.domain.builders import make_resolution
    project = project_of(case)
    payment = paid(case, project)
    refund = case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "1", "退")
    with pytest.raises(NotFoundError):
        case.app.fund.approve_increase(case.checker, case.community, YEAR, refund)
    with pytest.raises(NotFoundError):
        case.app.fund.approve_refund(case.checker, case.community, YEAR, uuid4())
    theirs = make_resolution(case.app, case.other_community)
    case.app.fund.allocate(case.other_manager, case.other_community, YEAR, theirs, "他们的项目", "other", "1")
    with pytest.raises(NotFoundError):  # through their own fund, our request does not exist
        case.app.fund.approve_refund(case.other_manager, case.other_community, YEAR, refund)
    assert fund(case).paid == 300_000


# --- allocation increases ------------------------------------------------------------------------------------
def test_the_maker_cannot_approve_their_own_increase_and_the_second_manager_can(case):
    project = project_of(case, "10,000")
    increase = case.app.fund.request_increase(case.maker, case.community, YEAR, project, "2,000", "材料涨价")
    assert fund(case).allocated == 1_000_000
    with pytest.raises(MakerCheckerError):
        case.app.fund.approve_increase(case.maker, case.community, YEAR, increase)
    with pytest.raises(RequestWaitingError):
        case.app.fund.request_increase(case.checker, case.community, YEAR, project, "1", "再加一点")
    case.app.fund.approve_increase(case.checker, case.community, YEAR, increase)
    f = fund(case)
    assert (f.allocated, f.projects[str(project)]["allocated"]) == (1_200_000, 1_200_000)
    [increased] = [e for e in case.app.repository.event_store.get(f.id) if isinstance(e, Fund.AllocationIncreased)]
    assert (increased.project_id, increased.amount, increased.reason, increased.by) == \
        (project, 200_000, "材料涨价", case.checker)


def test_an_increase_approval_checks_the_unallocated_budget_then_and_a_rejection_moves_nothing(case):
    project = project_of(case, "170,000")
    other = case.app.fund.allocate(case.maker, case.community, YEAR, case.resolution, "楼道照明", "safety", "10,000")
    increase = case.app.fund.request_increase(case.maker, case.community, YEAR, project, "15,000", "扩大范围")
    with pytest.raises(BudgetExceededError):  # asked for more than is left: refused at once
        case.app.fund.request_increase(case.maker, case.community, YEAR, other, "20,000.01", "x")
    case.app.fund.allocate(case.maker, case.community, YEAR, case.resolution, "口袋花园", "environment", "10,000")
    version = fund(case).version
    with pytest.raises(BudgetExceededError) as refused:
        case.app.fund.approve_increase(case.checker, case.community, YEAR, increase)
    assert "尚未分配的资金为 10,000.00 元" in refused.value.text() and fund(case).version == version
    case.app.fund.reject_increase(case.checker, case.community, YEAR, increase, "预算不足")
    f = fund(case)
    assert f.allocated == 19_000_000 and f.requests[str(increase)]["status"] == "rejected"


# --- erasing a payee ---------------------------------------------------------------------------------------
def test_the_payee_of_a_paid_payment_is_erased_only_on_request_and_with_a_second_managers_approval(case):
    project = project_of(case)
    payment = paid(case, project, "200", kind="individual", payee="王小明")
    version = fund(case).version
    with pytest.raises(ErasureNeedsCheckError):
        case.app.fund.erase_payee(case.maker, case.community, YEAR, payment, "本人申请")
    assert fund(case).version == version and case.app.sealer.keys.get(payment) is not None
    erasure = case.app.fund.request_payee_erasure(case.maker, case.community, YEAR, payment, "本人申请")
    with pytest.raises(RequestWaitingError):
        case.app.fund.request_payee_erasure(case.checker, case.community, YEAR, payment, "本人申请")
    with pytest.raises(MakerCheckerError):
        case.app.fund.approve_payee_erasure(case.maker, case.community, YEAR, erasure)
    assert case.app.sealer.keys.get(payment) is not None
    case.app.fund.approve_payee_erasure(case.checker, case.community, YEAR, erasure)
    assert case.app.sealer.keys.get(payment) is None
    f = fund(case)
    assert f.payments[str(payment)]["payee_erased"] and f.requests[str(erasure)]["status"] == "approved"
    assert f.paid == 20_000 and event_names(case)[-2:] == ["PayeeErasureRequested", "PayeeErased"]


def test_a_rejected_erasure_keeps_the_name(case):
    project = project_of(case)
    payment = paid(case, project, "200", kind="individual", payee="王小明")
    erasure = case.app.fund.request_payee_erasure(case.checker, case.community, YEAR, payment, "误操作")
    case.app.fund.reject_payee_erasure(case.maker, case.community, YEAR, erasure, "不是本人申请")
    assert case.app.sealer.keys.get(payment) is not None
    assert not fund(case).payments[str(payment)]["payee_erased"]
    with pytest.raises(RequestStateError):
        case.app.fund.approve_payee_erasure(case.maker, case.community, YEAR, erasure)


def test_one_manager_erases_the_payee_of_an_unpaid_payment_which_then_can_only_be_sent_back(case):
    project = project_of(case)
    payment = pay(case, project, "200", kind="individual", payee="王小明")
    with pytest.raises(ErasureNotNeededError):
        case.app.fund.request_payee_erasure(case.maker, case.community, YEAR, payment, "本人申请")
    case.app.fund.erase_payee(case.maker, case.community, YEAR, payment, "本人申请")
    assert case.app.sealer.keys.get(payment) is None
    with pytest.raises(PayeeErasedApprovalError):  # nobody pays a payee nobody can check any more
        case.app.fund.approve_payment(case.checker, case.community, YEAR, payment)
    assert fund(case).paid == 0
    case.app.fund.reject_payment(case.checker, case.community, YEAR, payment, "收款人信息已删除")
    f = fund(case)
    assert (f.paid, f.pending, f.payments[str(payment)]["status"]) == (0, 0, "rejected")


# --- the year-end close ----------------------------------------------------------------------------------------
def test_a_waiting_refund_or_increase_blocks_the_close_but_a_waiting_erasure_does_not(case, clock):
    from datetime import datetime, timezone
    project = project_of(case)
    payment = paid(case, project, "200", kind="individual", payee="王小明")
    refund = case.app.fund.request_refund(case.maker, case.community, YEAR, payment, "100", "退款")
    increase = case.app.fund.request_increase(case.maker, case.community, YEAR, project, "100", "追加")
    erasure = case.app.fund.request_payee_erasure(case.maker, case.community, YEAR, payment, "本人申请")
    clock.now = datetime(YEAR, 12, 31, 16, 0, 1, tzinfo=timezone.utc)  # 1 January in Shanghai
    with pytest.raises(RequestsBlockCloseError) as blocked:
        case.app.fund.close_year(case.maker, case.community, YEAR)
    assert blocked.value.text() == "还有 2 项退款或追加分配申请等待审核，请先审核或驳回再结账"
    case.app.fund.reject_refund(case.checker, case.community, YEAR, refund, "不退")
    case.app.fund.approve_increase(case.checker, case.community, YEAR, increase)
    case.app.fund.close_year(case.maker, case.community, YEAR)
    case.app.fund.approve_payee_erasure(case.checker, case.community, YEAR, erasure)  # a closed year still erases
    assert fund(case).closed and case.app.sealer.keys.get(payment) is None


# --- receipt numbers -------------------------------------------------------------------------------------------
def test_a_receipt_number_already_used_in_the_fund_is_refused_with_a_clear_message_and_records_nothing(case):
    project = project_of(case)
    pay(case, project, "100", receipt="No.2026-17")
    version = fund(case).version
    with pytest.raises(DuplicateReceiptError) as refused:
        pay(case, project, "200", receipt="NO.２０２６-１７")
    assert refused.value.text() == "票据编号「NO.２０２６-１７」已用于本年度资金的另一笔支付，同一张票据不能重复支付"
    assert refused.value.status == 409 and fund(case).version == version and len(fund(case).payments) == 1


def test_a_receipt_of_a_payment_sent_back_or_withdrawn_may_be_recorded_again(case):
    project = project_of(case)
    rejected = pay(case, project, "100", receipt="R-1")
    voided = pay(case, project, "100", receipt="R-2")
    case.app.fund.reject_payment(case.checker, case.community, YEAR, rejected, "金额有误")
    case.app.fund.void_payment(case.maker, case.community, YEAR, voided, "录错了")
    pay(case, project, "90", receipt="r-1")
    pay(case, project, "90", receipt="R-2")
    assert fund(case).pending == 18_000


def test_another_communitys_fund_and_another_year_may_use_the_same_receipt_number(case, clock):
    from datetime import datetime, timezone

    from tests.domain.builders import make_resolution
    pay(case, project_of(case), "1", receipt="FP-1")
    theirs = make_resolution(case.app, case.other_community)
    their_project = case.app.fund.allocate(case.other_manager, case.other_community, YEAR, theirs, "他们的", "other", "1")
    case.app.fund.record_payment(case.other_manager, case.other_community, YEAR, their_project, None, "1",
                                 "organisation", "某公司", "2026-04-30", "用途", "FP-1")
    assert case.app.fund.year_fund(case.other_community, YEAR).pending == 100
    clock.now = datetime(YEAR + 1, 1, 5, 2, 0, tzinfo=timezone.utc)
    next_year = case.app.fund.allocate(case.maker, case.community, YEAR + 1, case.resolution, "明年", "other", "1")
    case.app.fund.record_payment(case.maker, case.community, YEAR + 1, next_year, None, "1", "organisation", "某公司",
                                 f"{YEAR + 1}-01-05", "用途", "FP-1")
    assert case.app.fund.year_fund(case.community, YEAR + 1).pending == 100


def test_an_old_store_holding_a_receipt_twice_replays_and_only_new_payments_are_refused(case):
    """Before the rule, the same receipt could be recorded twice: those events replay, both payments can still be
    checked, and a third payment with that receipt is refused."""
    project = project_of(case)
    f = fund(case)
    for payment_id in (uuid4(), uuid4()):  # written as the old code did: no receipt check
        f._payment_recorded(payment_id=payment_id, project_id=project, commitment_id=None, amount=100,
                            payee_kind="organisation", payee="某公司", payee_sealed="", paid_on="2026-04-30",
                            description="用途", receipt_ref="OLD-1", by=case.maker, at=case.app.clock())
    case.app.save(f)
    replayed = case.app.repository.get(f.id)
    assert len(replayed.payments) == 2 and replayed.invariant_violations() == []
    for payment_id in replayed.payments:
        case.app.fund.approve_payment(case.checker, case.community, YEAR, payment_id)
    with pytest.raises(DuplicateReceiptError):
        pay(case, project, "1", receipt="old-1")
    assert fund(case).paid == 200


def test_a_fund_loaded_from_a_snapshot_older_than_receipt_keys_still_refuses_a_used_receipt():
    """A snapshot taken before this version has no requests and no receipt keys; it is upcast, and the service then
    replays the fund's events, so an old payment's receipt number is still seen."""
    app = Linli(env={"PERSISTENCE_MODULE": "eventsourcing.popo", "AGGREGATE_CACHE_MAXSIZE": ""},
                contexts=domain_contexts(), keys=InMemoryKeyStore())
    case = fund_case(app, Places(app))
    project = project_of(case)
    pay(case, project, "100", receipt="SNAP-1")
    current = fund(case)
    state = {k: v for k, v in Snapshot.take(current).state.items() if k not in ("requests", "class_version")}
    state["payments"] = {pid: {k: v for k, v in p.items() if k != "receipt"} for pid, p in state["payments"].items()}
    old = Snapshot(originator_id=current.id, originator_version=current.version, timestamp=Snapshot.create_timestamp(),
                   topic=Snapshot.take(current).topic, state=state)
    app.snapshots.put([old])
    loaded = fund(case)
    assert loaded.requests == {} and not loaded.receipts_known
    with pytest.raises(DuplicateReceiptError):
        pay(case, project, "1", receipt="snap-1")
    pay(case, project, "1", receipt="SNAP-2")
    assert fund(case).pending == 10_100
