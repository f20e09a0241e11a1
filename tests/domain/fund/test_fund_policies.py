"""The fund's rules as a role × state matrix: who may check, withdraw, ask for and decide refunds, increases and
erasures, change money, close the year and see a street's funds (the pages ask exactly these; the model and service
enforce them)."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from domain.fund import policies
from domain.kernel import roles
from domain.kernel.actor import Actor

DISTRICT, STREET, COMMUNITY, OTHER = "d-1", "s-1", "c-1", "c-2"
community = SimpleNamespace(id=COMMUNITY, street_id=STREET, district_id=DISTRICT)
street = SimpleNamespace(id=STREET, street_id=None, district_id=DISTRICT)


def person(account_id: str, role: str | None = None, scope: str = COMMUNITY) -> Actor:
    return Actor(account_id=account_id, grants=frozenset({(role, scope)}) if role else frozenset())


MAKER = person("maker", roles.FUND_MANAGER)
CHECKER = person("checker", roles.FUND_MANAGER)
ELSEWHERE = person("elsewhere", roles.FUND_MANAGER, OTHER)
WORKER = person("worker", roles.WORKER)
STREET_OFFICIAL = person("street", roles.STREET_OFFICIAL, STREET)
DISTRICT_OFFICIAL = person("district", roles.DISTRICT_OFFICIAL, DISTRICT)
NOBODY = person("nobody")


@pytest.mark.parametrize("actor, check, withdraw", [
    (MAKER, False, True), (CHECKER, True, False), (ELSEWHERE, False, False), (WORKER, False, False),
    (STREET_OFFICIAL, False, False), (NOBODY, False, False)])
def test_only_another_fund_manager_checks_a_payment_and_only_its_maker_withdraws_it(actor, check, withdraw):
    assert policies.may_check_payment(actor, community, "maker") is check
    assert policies.may_withdraw_payment(actor, community, "maker") is withdraw


@pytest.mark.parametrize("status, amount, refunded, allowed", [
    ("approved", 100, 0, True), ("approved", 100, 99, True), ("approved", 100, 100, False),
    ("pending", 100, 0, False), ("rejected", 100, 0, False), ("voided", 100, 0, False)])
def test_a_refund_needs_an_approved_payment_with_money_left_to_refund(status, amount, refunded, allowed):
    assert policies.may_request_refund(CHECKER, community, status, amount, refunded) is allowed
    assert policies.may_request_refund(CHECKER, community, status, amount, refunded, "refund-1") is False  # one waits
    assert policies.may_request_refund(WORKER, community, status, amount, refunded) is False


@pytest.mark.parametrize("actor, closed, waiting, allowed", [
    (MAKER, False, None, True), (CHECKER, False, None, True), (MAKER, True, None, False),
    (MAKER, False, "increase-1", False), (WORKER, False, None, False), (ELSEWHERE, False, None, False)])
def test_an_increase_is_asked_for_by_a_fund_manager_in_an_open_year_one_at_a_time(actor, closed, waiting, allowed):
    assert policies.may_request_increase(actor, community, closed, waiting) is allowed


@pytest.mark.parametrize("kind", ["refund", "increase", "erasure"])
@pytest.mark.parametrize("actor, closed, allowed", [
    (MAKER, False, False), (CHECKER, False, True), (CHECKER, True, "erasure"), (ELSEWHERE, False, False),
    (WORKER, False, False), (STREET_OFFICIAL, False, False), (NOBODY, False, False)])
def test_a_request_is_decided_only_by_another_fund_manager_and_money_only_in_an_open_year(kind, actor, closed,
                                                                                         allowed):
    expected = (allowed == kind) if isinstance(allowed, str) else allowed
    assert policies.may_check_request(actor, community, kind, "maker", closed) is expected


@pytest.mark.parametrize("status, open_", [("requested", True), ("approved", False), ("rejected", False)])
def test_only_a_waiting_request_can_be_decided(status, open_):
    assert policies.request_is_open(status) is open_


@pytest.mark.parametrize("actor, kind, erased, status, at_once, on_request", [
    (MAKER, "individual", False, "pending", True, False), (CHECKER, "individual", False, "rejected", True, False),
    (MAKER, "individual", False, "voided", True, False), (MAKER, "individual", False, "approved", False, True),
    (CHECKER, "individual", False, "approved", False, True), (MAKER, "individual", True, "pending", False, False),
    (MAKER, "individual", True, "approved", False, False), (MAKER, "organisation", False, "pending", False, False),
    (MAKER, "organisation", False, "approved", False, False), (WORKER, "individual", False, "pending", False, False),
    (WORKER, "individual", False, "approved", False, False), (ELSEWHERE, "individual", False, "approved", False, False)])
def test_a_fund_manager_erases_an_unpaid_payee_at_once_and_asks_a_second_manager_for_a_paid_one(
        actor, kind, erased, status, at_once, on_request):
    assert policies.may_erase_payee(actor, community, kind, erased, status) is at_once
    assert policies.may_request_payee_erasure(actor, community, kind, erased, status) is on_request
    assert policies.may_request_payee_erasure(actor, community, kind, erased, status, "erasure-1") is False


@pytest.mark.parametrize("actor, status, erased, allowed", [
    (CHECKER, "pending", False, True), (CHECKER, "pending", True, False), (MAKER, "pending", False, False),
    (CHECKER, "approved", False, False), (WORKER, "pending", False, False)])
def test_a_pending_payment_is_approved_by_its_checker_only_while_its_payee_is_known(actor, status, erased, allowed):
    assert policies.may_approve_payment(actor, community, "maker", status, erased) is allowed


@pytest.mark.parametrize("a, b", [("FP-2026-0001", "fp-2026-0001"), ("FP-2026-0001", " ＦＰ－２０２６－０００１ "),
                                  ("No.123", "NO.123"), ("Straße-1", "STRASSE-1"), ("票据①", "票据1")])
def test_receipt_numbers_are_compared_after_nfkc_trimming_and_case_folding(a, b):
    assert policies.receipt_key(a) == policies.receipt_key(b)


def test_different_receipt_numbers_stay_different():
    assert policies.receipt_key("FP-1") != policies.receipt_key("FP-11")
    assert policies.receipt_key("FP 1") != policies.receipt_key("FP1")


@pytest.mark.parametrize("status, holds", [("pending", True), ("approved", True), ("rejected", False),
                                           ("voided", False)])
def test_a_pending_or_paid_payment_holds_its_receipt_number(status, holds):
    assert policies.holds_receipt(status) is holds


@pytest.mark.parametrize("actor, closed, allowed", [
    (MAKER, False, True), (MAKER, True, False), (WORKER, False, False), (ELSEWHERE, False, False)])
def test_money_changes_only_by_a_fund_manager_while_the_year_is_not_closed(actor, closed, allowed):
    assert policies.may_change_money(actor, community, closed) is allowed


@pytest.mark.parametrize("actor, today, allowed", [
    (MAKER, date(2026, 12, 31), False), (MAKER, date(2027, 1, 1), True), (WORKER, date(2027, 1, 1), False)])
def test_the_year_closes_only_once_it_is_over_and_only_by_a_fund_manager(actor, today, allowed):
    assert policies.may_close_year(actor, community, 2026, today) is allowed


@pytest.mark.parametrize("actor, allowed", [
    (STREET_OFFICIAL, True), (DISTRICT_OFFICIAL, True), (MAKER, False), (WORKER, False),
    (person("other-street", roles.STREET_OFFICIAL, "s-2"), False), (NOBODY, False)])
def test_a_streets_funds_are_seen_by_its_street_officials_and_its_districts(actor, allowed):
    assert policies.may_see_street_funds(actor, street) is allowed


@pytest.mark.parametrize("status, pending, open_", [
    ("pending", True, False), ("approved", False, False), ("open", False, True), ("released", False, False)])
def test_only_a_pending_payment_awaits_its_check_and_only_an_open_commitment_can_be_used(status, pending, open_):
    assert policies.awaits_check(status) is pending
    assert policies.commitment_is_open(status) is open_
