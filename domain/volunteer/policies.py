"""The volunteer station's rules: who creates, organises and manages action days, who volunteers, when sign-up
closes, and who reads hours and certificates. The service asks them before it acts, the pages before they show a
button (or a link).
A day is named by its `community_id` (None for a street-wide day) and its `street_id`."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.time import as_moment


def may_create_day(actor: Actor, community_id: Any) -> bool:
    """A community's workers create its action days."""
    return actor.has_role(roles.WORKER, community_id)


def may_create_street_day(actor: Actor, street_id: Any) -> bool:
    """A street's officials create street-wide action days (every community of the street takes part)."""
    return actor.has_role(roles.STREET_OFFICIAL, street_id)


def may_plan_days(actor: Actor, community_id: Any, street_id: Any) -> bool:
    """Opens a community's new-day form: its workers (community days) or its street's officials (street-wide)."""
    return may_create_day(actor, community_id) or may_create_street_day(actor, street_id)


def may_organise(actor: Actor, community_id: Any, street_id: Any) -> bool:
    """Adds shifts, checks volunteers in and out, corrects hours: the workers of the day's community; for a
    street-wide day its street officials and the workers of any community of the street."""
    if community_id:
        return actor.has_role(roles.WORKER, community_id)
    return actor.has_role(roles.STREET_OFFICIAL, street_id) or actor.has_role_in_street(roles.WORKER, street_id)


def may_manage(actor: Actor, community_id: Any, street_id: Any) -> bool:
    """Calls off or resizes shifts: the day's community workers; for a street-wide day only its street officials
    (a worker of one community runs check-in there but does not cancel the whole street's plans)."""
    if community_id:
        return actor.has_role(roles.WORKER, community_id)
    return actor.has_role(roles.STREET_OFFICIAL, street_id)


def may_volunteer(actor: Actor, community_id: Any, street_id: Any) -> bool:
    """Verified residents of the day's community; for a street-wide day, of any community of the street."""
    if community_id:
        return actor.is_resident_of(community_id)
    return actor.is_resident_in_street(street_id)


def may_read_hours(actor: Actor, community_id: Any) -> bool:
    """A community's workers read (and export) the hours served on its action days."""
    return actor.has_role(roles.WORKER, community_id)


def may_read_street_hours(actor: Actor, street_id: Any) -> bool:
    """A street's officials read (and export) the hours served on its street-wide action days."""
    return actor.has_role(roles.STREET_OFFICIAL, street_id)


def may_see_certificate(actor: Actor, account_id: Any, org_id: Any) -> bool:
    """A certificate in full (name, ID number): its holder, or a worker of the community that issued it."""
    return actor.is_self(account_id) or actor.has_role(roles.WORKER, org_id)


def sign_up_closes_at(starts_at: datetime | str, cutoff_minutes: int) -> datetime:
    """Sign-up and cancelling close this long before a shift starts."""
    return as_moment(starts_at) - timedelta(minutes=cutoff_minutes)


def sign_up_open(starts_at: datetime | str, cutoff_minutes: int, now: datetime | str) -> bool:
    """A shift still takes sign-ups and cancellations (its cut-off has not passed)."""
    return as_moment(now) < sign_up_closes_at(starts_at, cutoff_minutes)
