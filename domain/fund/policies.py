"""The community fund's rules: who reads the full ledger, who moves money, and maker ≠ checker. The service asks
them before it acts, the pages before they show a button or a name."""
from __future__ import annotations

from typing import Any

from domain.kernel import people
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict


def may_read_ledger(actor: Actor, community: InDistrict) -> bool:
    """The full ledger (pending payments, names, every event): the community's fund managers and workers, and the
    street and district officials above it. Everyone else reads the public disclosure."""
    return people.is_staff(actor, community)


def may_manage_fund(actor: Actor, community: InDistrict) -> bool:
    """Opens the year, allocates, commits, records and checks payments, refunds, closes: its fund managers."""
    return people.is_fund_manager(actor, community)


def is_maker(recorded_by: Any, account_id: Any) -> bool:
    """The person who recorded a payment."""
    return str(recorded_by) == str(account_id)


def may_check_payment(actor: Actor, community: InDistrict, recorded_by: Any) -> bool:
    """Approves or sends back a pending payment: a fund manager who did not record it (maker ≠ checker)."""
    return may_manage_fund(actor, community) and not is_maker(recorded_by, actor.account_id)


def may_withdraw_payment(actor: Actor, community: InDistrict, recorded_by: Any) -> bool:
    """Withdraws (voids) a pending payment: only the fund manager who recorded it."""
    return may_manage_fund(actor, community) and is_maker(recorded_by, actor.account_id)


def may_see_street_funds(actor: Actor, street: InDistrict) -> bool:
    """Every community's fund of a street side by side: the street's officials and the district's."""
    return people.is_street_official(actor, street) or people.is_district_official(actor, street)
