"""Grid service's rules (网格化服务管理): who sets up grids, who reports and handles residents' requests (诉求) at
which level, who rates what, and when a request is overdue. The service asks them before it acts, the pages before
they show a button. A request is handled at one level at a time: its grid's grid workers (网格员), the community's
workers (社区协调), or the street's officials (the community's workers also cover its grids); escalation goes up one level at a time and never past the street."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict, is_district_official, is_resident, is_street_official, is_worker
from domain.kernel.time import as_moment

GRID, COMMUNITY, STREET = "grid", "community", "street"
LEVELS = (GRID, COMMUNITY, STREET)
SUBMITTED, IN_PROGRESS, RESOLVED, CLOSED, MERGED = "submitted", "in_progress", "resolved", "closed", "merged"
OPEN_STATUSES = (SUBMITTED, IN_PROGRESS)
CONFIRMATION_DAYS = 7                     # a resolved request closes as "not rated" this long after, unanswered
RESIDENT_SHARE_FLOOR = {COMMUNITY: 70, STREET: 50}   # residents' ratings weigh at least this much (percent)


# --- grids ----------------------------------------------------------------------------------------------------
def may_manage_grids(actor: Actor, community: InDistrict) -> bool:
    """Defines grids, their buildings and units, the request categories and time limits, and assigns grid workers:
    the community's workers."""
    return is_worker(actor, community)


def may_serve_as_grid_worker(person: Actor, community: InDistrict) -> bool:
    """Who can be made a grid worker of a grid of the community: one of its workers or verified residents."""
    return is_worker(person, community) or is_resident(person, community)


def is_grid_worker(actor: Actor, grid_id: Any) -> bool:
    """A grid worker (网格员) of exactly that grid."""
    return actor.has_role(roles.GRID_WORKER, grid_id)


def may_work_grid(actor: Actor, community: InDistrict, grid_id: Any) -> bool:
    """Sees a grid's households (masked), its open requests and its visit diary: its grid workers and the
    community's workers."""
    return is_grid_worker(actor, grid_id) or is_worker(actor, community)


def may_keep_diary(actor: Actor, grid_id: Any) -> bool:
    """Records visits (民情日记) in a grid and turns what was raised into requests on a resident's behalf (代办):
    the grid's own grid workers."""
    return is_grid_worker(actor, grid_id)


def may_turn_into_request(actor: Actor, grid_id: Any, household_id: Any, request_id: Any) -> bool:
    """A visit to a household whose matter has not become a request yet, by a grid worker of its grid."""
    return may_keep_diary(actor, grid_id) and bool(household_id) and not request_id


# --- requests ---------------------------------------------------------------------------------------------------
def may_submit(actor: Actor, community: InDistrict) -> bool:
    """Reports a request (诉求) in the community: its verified residents."""
    return is_resident(actor, community)


def handles(actor: Actor, community: InDistrict, level: str, grid_id: Any) -> bool:
    """Acts on a request at its level: the grid's grid workers (and the community's workers, who cover a grid left
    without one), the community's workers, or the street's officials."""
    if level == GRID:
        return (bool(grid_id) and is_grid_worker(actor, grid_id)) or is_worker(actor, community)
    if level == COMMUNITY:
        return is_worker(actor, community)
    return level == STREET and is_street_official(actor, community)


def oversees_requests(actor: Actor, community: InDistrict) -> bool:
    """Sees all of the community's requests and its figures: its workers, the street's and the district's officials."""
    return is_worker(actor, community) or is_street_official(actor, community) or is_district_official(actor, community)


def may_see_request(actor: Actor, community: InDistrict, followers: Any, grid_id: Any) -> bool:
    """A request in full (description, photo, timeline): whoever reported it or follows it, the grid workers of its
    grid, and those who oversee the community's requests."""
    return any(actor.is_self(f) for f in followers or ()) or (bool(grid_id) and is_grid_worker(actor, grid_id)) \
        or oversees_requests(actor, community)


def may_accept(actor: Actor, community: InDistrict, status: str, level: str, grid_id: Any) -> bool:
    """Takes a submitted request on (受理): who handles its level."""
    return status == SUBMITTED and handles(actor, community, level, grid_id)


def next_level(level: str) -> str | None:
    """Where an escalation goes: grid → community (协调) → street; nothing above the street."""
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def may_escalate(actor: Actor, community: InDistrict, status: str, level: str, grid_id: Any) -> bool:
    """Passes an open request up one level, with a reason: who handles its level, never past the street."""
    return status in OPEN_STATUSES and next_level(level) is not None and handles(actor, community, level, grid_id)


def may_resolve(actor: Actor, community: InDistrict, status: str, level: str, grid_id: Any) -> bool:
    """Records an accepted request as resolved, with a note: who handles its level."""
    return status == IN_PROGRESS and handles(actor, community, level, grid_id)


def may_answer(actor: Actor, reporter_id: Any, status: str) -> bool:
    """Confirms and rates a resolved request, or says it is not solved: the person who reported it."""
    return status == RESOLVED and actor.is_self(reporter_id)


def merges(actor: Actor, community: InDistrict, level: str, grid_id: Any) -> bool:
    """Merges duplicates of a request's kind: who handles it, or the community's workers."""
    return handles(actor, community, level, grid_id) or is_worker(actor, community)


def may_merge(actor: Actor, community: InDistrict, status: str, level: str, grid_id: Any) -> bool:
    """Merges an open request into another as its duplicate."""
    return status in OPEN_STATUSES and merges(actor, community, level, grid_id)


def acceptance_overdue(status: str, accept_due: datetime | str, now: datetime | str) -> bool:
    """Still waiting to be taken on after its acceptance time limit."""
    return status == SUBMITTED and as_moment(now) > as_moment(accept_due)


def resolution_overdue(status: str, resolve_due: datetime | str, now: datetime | str) -> bool:
    """Still open after its category's resolution time limit."""
    return status in OPEN_STATUSES and as_moment(now) > as_moment(resolve_due)


def confirmation_due(resolved_at: datetime | str) -> datetime:
    """The reporter answers within this time, or the request closes as "not rated"."""
    return as_moment(resolved_at) + timedelta(days=CONFIRMATION_DAYS)


def confirmation_lapsed(status: str, resolved_at: datetime | str | None, now: datetime | str) -> bool:
    """Resolved and unanswered for longer than the reporter is given."""
    return status == RESOLVED and resolved_at is not None and as_moment(now) >= confirmation_due(resolved_at)


# --- satisfaction and assessment ---------------------------------------------------------------------------------
def may_rate_places(actor: Actor, community: InDistrict) -> bool:
    """Rates the community, and its street, once a period: the community's verified residents."""
    return is_resident(actor, community)


def may_read_assessment(actor: Actor, street: InDistrict) -> bool:
    """The street's assessment (its communities' and its own scores): its officials and the district's."""
    return actor.has_role(roles.STREET_OFFICIAL, street.id) or is_district_official(actor, street)


def may_set_weight(actor: Actor, street: InDistrict, kind: str) -> bool:
    """How much residents' ratings weigh: for the street's communities its officials decide, for the street
    itself the district's officials."""
    if kind == COMMUNITY:
        return actor.has_role(roles.STREET_OFFICIAL, street.id) or is_district_official(actor, street)
    return kind == STREET and is_district_official(actor, street)


def weight_allowed(kind: str, percent: int) -> bool:
    """Residents' ratings weigh from the floor (70% for communities, 50% for streets) up to 100%."""
    floor = RESIDENT_SHARE_FLOOR.get(kind)
    return floor is not None and isinstance(percent, int) and not isinstance(percent, bool) and floor <= percent <= 100


def residents_part(mean_score: float | None) -> float | None:
    """Residents' mean rating (1–5) on the 100-point scale of the assessment: ×20."""
    return None if mean_score is None else mean_score * 20


def performance_part(rates: list[float | None]) -> float | None:
    """Measured request handling: the mean of the rates (percent) that could be measured this period."""
    measured = [r for r in rates if r is not None]
    return sum(measured) / len(measured) if measured else None


def combined_score(mean_score: float | None, rates: list[float | None], resident_share: int) -> float | None:
    """The assessment score (0–100): residents' ratings weigh `resident_share` percent, measured performance the
    rest. None while either part has nothing to measure (the page says why)."""
    residents, performance = residents_part(mean_score), performance_part(rates)
    if residents is None or performance is None:
        return None
    return (resident_share * residents + (100 - resident_share) * performance) / 100


def may_open_queue(actor: Actor, community: InDistrict, grid_ids: list[Any]) -> bool:
    """Opens the grid workers' queue of a community: a grid worker of one of its grids, or one of its workers."""
    return is_worker(actor, community) or any(is_grid_worker(actor, g) for g in grid_ids)
