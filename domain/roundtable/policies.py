"""The roundtable's participation rules, asked by the service and the model before they act and by the pages before
they show a button. Meeting state comes in as plain values, so the `Meeting` aggregate and a view row can both ask."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from domain.kernel import people
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict
from domain.kernel.time import as_moment

SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
PASSED, REJECTED, NO_QUORUM = "passed", "rejected", "no_quorum"
REGISTERED, WAITLISTED = "registered", "waitlisted"
PLANNED, IN_PROGRESS, DONE = "planned", "in_progress", "done"
FOLLOW_UP_STEPS = {PLANNED: IN_PROGRESS, IN_PROGRESS: DONE}
DOORS_OPEN_BEFORE = timedelta(hours=2)   # check-in starts, and the meeting may be opened, this long before the start

Moment = datetime | str


# --- who ---------------------------------------------------------------------------------------
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


# --- registration ------------------------------------------------------------------------------
def registration_open(status: str, deadline: Moment, now: Moment) -> bool:
    """Registration takes names until its deadline, while the meeting is still scheduled."""
    return status == SCHEDULED and as_moment(now) <= as_moment(deadline)


def may_register(actor: Actor, community: InDistrict, registration: str | None, status: str, deadline: Moment,
                 now: Moment) -> bool:
    """A verified resident not yet registered (nor waitlisted) registers while registration is open."""
    return may_take_part(actor, community) and registration is None and registration_open(status, deadline, now)


def withdrawals_open(status: str) -> bool:
    """Registrations are withdrawn only while the meeting is still scheduled."""
    return status == SCHEDULED


def may_withdraw(registration: str | None, status: str) -> bool:
    """Whoever is registered or waitlisted withdraws, while withdrawals are open."""
    return registration in (REGISTERED, WAITLISTED) and withdrawals_open(status)


# --- agenda ------------------------------------------------------------------------------------
def proposals_open(status: str, starts_at: Moment, now: Moment) -> bool:
    """Agenda items are proposed before the meeting starts."""
    return status == SCHEDULED and as_moment(now) < as_moment(starts_at)


def may_propose(actor: Actor, community: InDistrict, status: str, starts_at: Moment, now: Moment) -> bool:
    """A resident or worker of the community proposes an item while proposals are open."""
    return may_propose_items(actor, community) and proposals_open(status, starts_at, now)


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


def may_decide_items(actor: Actor, community: InDistrict, status: str) -> bool:
    """The community's worker accepts or declines proposed items while the meeting is not over."""
    return may_run_meetings(actor, community) and not_over(status)


# --- the meeting itself ------------------------------------------------------------------------
def doors_open(starts_at: Moment, now: Moment) -> bool:
    """From 2 hours before the start people check in and the meeting may be opened."""
    return as_moment(now) >= as_moment(starts_at) - DOORS_OPEN_BEFORE


def may_open_meeting(actor: Actor, community: InDistrict, status: str, starts_at: Moment, now: Moment) -> bool:
    """The worker opens a scheduled meeting once its doors are open."""
    return may_run_meetings(actor, community) and status == SCHEDULED and doors_open(starts_at, now)


def reschedulable(status: str, present: int) -> bool:
    """A meeting is moved while still scheduled and before anybody is checked in."""
    return status == SCHEDULED and present == 0


def check_in_open(status: str, starts_at: Moment, now: Moment) -> bool:
    """People are checked in from when the doors open until the meeting is over."""
    return not_over(status) and doors_open(starts_at, now)


# --- votes -------------------------------------------------------------------------------------
def votable(accepted_item_ids: Iterable[str], motions: Iterable[Mapping[str, Any]]) -> list[str]:
    """Accepted items that can still be put to the vote: not open now, not already passed or rejected."""
    decided = {str(m["item_id"]) for m in motions if m["outcome"] in (PASSED, REJECTED) or m["status"] == "open"}
    return [i for i in accepted_item_ids if str(i) not in decided]


def voting_open(status: str, motion_status: str) -> bool:
    """Votes are cast on an open motion of an open meeting."""
    return status == OPEN and motion_status == "open"


def may_vote(actor: Actor, community: InDistrict, status: str, motion_status: str, voted: Any, on_roll: bool,
             present: bool) -> bool:
    """A verified resident on the meeting's roll who is checked in votes once on an open motion."""
    return (may_take_part(actor, community) and voting_open(status, motion_status) and not voted and on_roll
            and present)


# --- follow-up of resolutions ------------------------------------------------------------------
def may_follow_up(actor: Actor, community: InDistrict, passed: Any) -> bool:
    """The community's worker follows a passed resolution up: owner, steps and progress notes."""
    return may_run_meetings(actor, community) and bool(passed)


def owner_assignable(follow_up_status: str) -> bool:
    """An owner is named (or renamed) until the resolution is done."""
    return follow_up_status != DONE


def next_follow_up_step(owner: str, follow_up_status: str) -> str | None:
    """The one step the follow-up may take next (planned → in progress → done), once it has an owner."""
    return FOLLOW_UP_STEPS.get(follow_up_status) if owner else None


def ratings_open(follow_up_status: str) -> bool:
    """Residents rate a resolution's outcome once its follow-up is done."""
    return follow_up_status == DONE


def may_rate(actor: Actor, community: InDistrict, follow_up_status: str) -> bool:
    """A verified resident of the community rates a done resolution."""
    return may_take_part(actor, community) and ratings_open(follow_up_status)
