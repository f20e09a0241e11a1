"""The roundtable's participation rules, asked by the service before it acts and by the pages before they show a
button. Meeting state comes in as plain values, so the `Meeting` aggregate and a view row can both ask."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.kernel import people
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict
from domain.kernel.time import as_moment

SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
PASSED, REJECTED, NO_QUORUM = "passed", "rejected", "no_quorum"


def may_run_meetings(actor: Actor, community: InDistrict) -> bool:
    """Schedules, opens and chairs the community's meetings, checks residents in: its community workers."""
    return people.is_worker(actor, community)


def may_take_part(actor: Actor, community: InDistrict) -> bool:
    """Registers, supports agenda items, votes and rates resolutions: a verified resident of the community."""
    return people.is_resident(actor, community)


def may_propose_items(actor: Actor, community: InDistrict) -> bool:
    """Proposes agenda items: a verified resident or a worker of the community."""
    return people.is_resident(actor, community) or people.is_worker(actor, community)


def may_see_names(actor: Actor, community: InDistrict) -> bool:
    """Sees who proposed what: members of the community (residents and staff)."""
    return people.is_member(actor, community)


def registration_open(status: str, deadline: datetime | str, now: datetime | str) -> bool:
    """Registration takes names until its deadline, while the meeting is still scheduled."""
    return status == SCHEDULED and as_moment(now) <= as_moment(deadline)


def proposals_open(status: str, starts_at: datetime | str, now: datetime | str) -> bool:
    """Agenda items are proposed before the meeting starts."""
    return status == SCHEDULED and as_moment(now) < as_moment(starts_at)


def not_over(status: str) -> bool:
    """Until the meeting closes (or is cancelled) items are supported, accepted or declined, and people check in."""
    return status in (SCHEDULED, OPEN)


def is_own_item(proposed_by: Any, account_id: Any) -> bool:
    """Nobody supports the item they proposed themselves."""
    return str(proposed_by) == str(account_id)


def may_support(actor: Actor, community: InDistrict, proposed_by: Any, item_status: str, status: str) -> bool:
    """Another verified resident supports a proposed (not declined) item while the meeting is not over."""
    return (may_take_part(actor, community) and not_over(status) and item_status != "declined"
            and actor.authenticated and not is_own_item(proposed_by, actor.account_id))


def votable(accepted_item_ids: Iterable[str], motions: Iterable[Mapping[str, Any]]) -> list[str]:
    """Accepted items that can still be put to the vote: not open now, not already passed or rejected."""
    decided = {str(m["item_id"]) for m in motions if m["outcome"] in (PASSED, REJECTED) or m["status"] == "open"}
    return [i for i in accepted_item_ids if str(i) not in decided]

