"""The community fund's rules: who reads the full ledger, who moves money, maker ≠ checker, and what state a payment,
a commitment, a request or a year must be in for an action. The model and the service ask them before they act, the
pages before they show a button or a name.

Maker ≠ checker holds for every money movement and for hiding where money went: a payment, a refund, an allocation
increase and erasing the payee of a paid payment are each asked for by one fund manager and decided by another."""
from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from domain.kernel import people, roles
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict

OPEN = "open"                                        # a commitment that still reserves money
PENDING, APPROVED = "pending", "approved"            # a payment waiting for its checker; a paid one
INDIVIDUAL = "individual"                            # a payee who is a person (the other kind: an organisation)
REQUESTED = "requested"                              # a request waiting for its checker (then approved or rejected)
REFUND, INCREASE, ERASURE = "refund", "increase", "erasure"   # what a request asks for
MONEY_REQUESTS = (REFUND, INCREASE)                  # requests that would move money once approved
CATEGORIES = {                                       # what a project (and a motion that spends money) is for
    "elderly": "养老",
    "children": "儿童",
    "environment": "环境",
    "culture": "文化",
    "safety": "安全",
    "health": "健康",
    "other": "其他",
}


def may_read_ledger(actor: Actor, community: InDistrict) -> bool:
    """The full ledger (pending payments, names, every event): the community's fund managers and workers, and the
    street and district officials above it. Everyone else reads the public disclosure."""
    return people.is_staff(actor, community)


def may_manage_fund(actor: Actor, community: InDistrict) -> bool:
    """Opens the year, allocates, commits, records and checks payments, refunds, closes: its fund managers."""
    return people.is_fund_manager(actor, community)


def may_change_money(actor: Actor, community: InDistrict, closed: Any) -> bool:
    """Allocates, commits, pays, checks, refunds or corrects: a fund manager, while the year is not closed."""
    return may_manage_fund(actor, community) and not closed


def is_maker(recorded_by: Any, account_id: Any) -> bool:
    """The person who recorded a payment or asked for a refund, an increase or an erasure (the maker)."""
    return str(recorded_by) == str(account_id)


def awaits_check(status: str) -> bool:
    """A payment still pending: only such a payment can be approved, sent back or withdrawn."""
    return status == PENDING


def may_check_payment(actor: Actor, community: InDistrict, recorded_by: Any) -> bool:
    """Approves or sends back a pending payment: a fund manager who did not record it (maker ≠ checker)."""
    return may_manage_fund(actor, community) and not is_maker(recorded_by, actor.account_id)


def may_withdraw_payment(actor: Actor, community: InDistrict, recorded_by: Any) -> bool:
    """Withdraws (voids) a pending payment: only the fund manager who recorded it."""
    return may_manage_fund(actor, community) and is_maker(recorded_by, actor.account_id)


def refundable(status: str, amount: int, refunded: int) -> int:
    """What of a payment can still come back as a refund: the unrefunded part of an approved payment, else 0."""
    return amount - refunded if status == APPROVED else 0


def may_request_refund(actor: Actor, community: InDistrict, status: str, amount: int, refunded: int,
                       refund_requested: Any = None) -> bool:
    """Asks for a refund: a fund manager, on an approved payment not yet wholly refunded and with no refund request
    already waiting (one at a time, so what a checker approves is always still refundable)."""
    return may_manage_fund(actor, community) and refundable(status, amount, refunded) > 0 and not refund_requested


def may_request_increase(actor: Actor, community: InDistrict, closed: Any, increase_requested: Any = None) -> bool:
    """Asks for more money for a project: a fund manager, while the year is open and no increase of the project is
    already waiting."""
    return may_change_money(actor, community, closed) and not increase_requested


def request_is_open(status: str) -> bool:
    """A request still waiting for its checker: only such a request can be approved or rejected."""
    return status == REQUESTED


def may_check_request(actor: Actor, community: InDistrict, kind: str, requested_by: Any, closed: Any) -> bool:
    """Approves or rejects a refund, an allocation increase or a payee erasure: a fund manager who did not ask for
    it (maker ≠ checker); money requests only while the year is open (an erasure moves no money)."""
    return (may_manage_fund(actor, community) and not is_maker(requested_by, actor.account_id)
            and (kind == ERASURE or not closed))


def payee_is_erasable(payee_kind: str) -> bool:
    """Only an individual payee's name can be erased; an organisation's name is public by law."""
    return payee_kind == INDIVIDUAL


def erasure_needs_check(status: str) -> bool:
    """Erasing the payee of a paid payment would hide where public money went, so a second fund manager checks it.
    A payment that never paid (pending, sent back, withdrawn) hides nothing: one manager erases its payee, and a
    pending payment whose payee is erased can no longer be approved (`payment_is_approvable`)."""
    return status == APPROVED


def may_erase_payee(actor: Actor, community: InDistrict, payee_kind: str, erased: bool, status: str) -> bool:
    """Erases an individual payee's name at once (also in a closed year): a fund manager, once per payment, when
    the payment never paid."""
    return (may_manage_fund(actor, community) and payee_is_erasable(payee_kind) and not erased
            and not erasure_needs_check(status))


def may_request_payee_erasure(actor: Actor, community: InDistrict, payee_kind: str, erased: bool, status: str,
                              erasure_requested: Any = None) -> bool:
    """Asks to erase the individual payee of a paid payment (also in a closed year): a fund manager, once per
    payment, with no such request already waiting; another manager decides."""
    return (may_manage_fund(actor, community) and payee_is_erasable(payee_kind) and not erased
            and erasure_needs_check(status) and not erasure_requested)


def payment_is_approvable(status: str, payee_erased: bool) -> bool:
    """A pending payment whose payee is still known: nobody approves paying someone whose name was erased."""
    return awaits_check(status) and not payee_erased


def may_approve_payment(actor: Actor, community: InDistrict, recorded_by: Any, status: str,
                        payee_erased: bool) -> bool:
    """Approves a pending payment: its checker (`may_check_payment`), while its payee is still known."""
    return may_check_payment(actor, community, recorded_by) and payment_is_approvable(status, payee_erased)


def receipt_key(receipt_ref: str) -> str:
    """A receipt number (票据编号) as compared for duplicates: NFKC (full-width → ASCII), trimmed, case-folded."""
    return unicodedata.normalize("NFKC", receipt_ref or "").strip().casefold()


def holds_receipt(status: str) -> bool:
    """A payment whose receipt number no other payment of the fund may use: one pending or paid. A payment sent
    back or withdrawn never paid, so its receipt can be recorded again (corrected)."""
    return status in (PENDING, APPROVED)


def commitment_is_open(status: str) -> bool:
    """A commitment still reserving money: only it can be paid against, released or cancelled."""
    return status == OPEN


def year_is_openable(year: int, today: date) -> bool:
    """A fund is opened for this year (China time) or, to plan, the next: never for a year gone by, whose budget
    nobody could spend on time and whose ledger would be written after the fact."""
    return today.year <= year <= today.year + 1


def resolution_in_year(fund_year: int, adopted_on: date) -> bool:
    """A fund year's money follows the resolutions adopted up to its end: once the year is over, a later resolution
    is paid from a later year's fund, never added to a past year's."""
    return adopted_on.year <= fund_year


def resolution_room(authorised: int | None, allocated_under: int) -> int:
    """What a resolution still authorises: the amount its motion stated less everything allocated under it, in every
    year's fund together (increases included, reductions given back). A resolution that states no amount — adopted
    before motions stated one, or on a motion that spends no money — authorises nothing."""
    return 0 if authorised is None else max(0, authorised - allocated_under)


def category_follows(stated: str | None, category: str) -> bool:
    """A project's category is the one its resolution's motion stated (any, when it stated none)."""
    return stated is None or stated == category


def year_is_over(year: int, today: date) -> bool:
    """A fund year is closed only once it has ended (today in China time)."""
    return today.year > year


def may_close_year(actor: Actor, community: InDistrict, year: int, today: date) -> bool:
    """Closes the year's fund: a fund manager, once the year has ended."""
    return may_manage_fund(actor, community) and year_is_over(year, today)


def may_see_street_funds(actor: Actor, street: InDistrict) -> bool:
    """Every community's fund of a street side by side: the street's officials and the district's."""
    return actor.has_role(roles.STREET_OFFICIAL, street.id) or people.is_district_official(actor, street)
