"""The charity-venture grants' rules (公益创投): who approves organisations, who opens and runs a call, who applies,
who reviews (never for their own organisation), maker ≠ checker for awards and releases, and what state a call, an
application, an award or a tranche must be in for an action. The model and the service ask them before they act,
the pages before they show a button.

A call is run at one level: a street's call (`street_id` set) by that street's officials and the officials of its
district; a district's call (`street_id` None) by the district's officials. An organisation is registered with a
street and approved by that street's officials or its district's."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.time import as_moment

# organisations
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
# applications
DRAFT, SUBMITTED = "draft", "submitted"
# awards (one per application at a time): proposed → approved, or rejected / withdrawn
PROPOSED, AWARDED, DECLINED, WITHDRAWN = "proposed", "awarded", "declined", "withdrawn"
# projects (awarded applications)
RUNNING, STOPPED, CLOSED = "running", "stopped", "closed"
# milestones a tranche may require, in the order a project reaches them
SIGNING, MIDTERM, FINAL = "signing", "midterm", "final"
MILESTONES = (SIGNING, MIDTERM, FINAL)
REPORTED = (MIDTERM, FINAL)   # milestones the organisation reports on first (a report of that kind)
SCORE_MIN, SCORE_MAX = 0, 100


# --- organisations --------------------------------------------------------------------------------
def is_official_over_street(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """A street official of that street or a district official of its district."""
    return actor.has_role(roles.STREET_OFFICIAL, street_id) or actor.has_role(roles.DISTRICT_OFFICIAL, district_id)


def may_register_organisation(actor: Actor) -> bool:
    """Anyone logged in registers a social organisation (and becomes its first member)."""
    return actor.authenticated


def may_decide_organisation(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """Approves or rejects a registration, marks a hub organisation: the officials over its street."""
    return is_official_over_street(actor, street_id, district_id)


def is_member(actor: Actor, organisation_id: Any) -> bool:
    """A member of the organisation: holds the `org_member` role scoped to it (granted from its events)."""
    return actor.has_role(roles.ORG_MEMBER, organisation_id)


def may_manage_members(actor: Actor, organisation_id: Any, status: str) -> bool:
    """Adds or removes members, changes or erases the contact: the organisation's members, unless it was rejected."""
    return is_member(actor, organisation_id) and status != REJECTED


def may_read_organisation(actor: Actor, organisation_id: Any, street_id: Any, district_id: Any) -> bool:
    """Sees the contact and the members: the organisation's members and the officials over its street."""
    return is_member(actor, organisation_id) or is_official_over_street(actor, street_id, district_id)


# --- calls ------------------------------------------------------------------------------------------
def may_open_call(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """Opens a street's call: its street officials or its district's; a district's call: the district's officials."""
    if street_id:
        return is_official_over_street(actor, street_id, district_id)
    return actor.has_role(roles.DISTRICT_OFFICIAL, district_id)


def may_manage_call(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """Assigns reviewers, reads the ranking and every application, proposes and checks awards, accepts milestones,
    releases tranches: the officials at the call's level (a street's call: also its district's officials)."""
    return may_open_call(actor, street_id, district_id)


def window_open(opens_at: datetime | str, closes_at: datetime | str, now: datetime) -> bool:
    """Applications are submitted from the opening until the deadline (Asia/Shanghai as typed; compared in UTC)."""
    return as_moment(opens_at) <= now < as_moment(closes_at)


def drafts_open(closes_at: datetime | str, now: datetime) -> bool:
    """Drafts are written and saved until the deadline (also before the window opens)."""
    return now < as_moment(closes_at)


def may_apply(actor: Actor, organisation_id: Any, organisation_status: str) -> bool:
    """Drafts and submits an application for an organisation: its members, once it is approved."""
    return is_member(actor, organisation_id) and organisation_status == APPROVED


def may_edit_application(actor: Actor, organisation_id: Any, status: str, closes_at: datetime | str,
                         now: datetime) -> bool:
    """Saves the draft: a member of the applying organisation, while it is a draft and the deadline has not passed."""
    return is_member(actor, organisation_id) and status == DRAFT and drafts_open(closes_at, now)


def may_submit_application(actor: Actor, organisation_id: Any, status: str, opens_at: datetime | str,
                           closes_at: datetime | str, now: datetime) -> bool:
    """Submits the draft: a member of the applying organisation, while the call's window is open."""
    return is_member(actor, organisation_id) and status == DRAFT and window_open(opens_at, closes_at, now)


def may_read_application(actor: Actor, organisation_id: Any, street_id: Any, district_id: Any,
                         reviewers: Any = ()) -> bool:
    """The whole application (team, budget, reports): the organisation's members, the call's officials, and its
    reviewers."""
    return (is_member(actor, organisation_id) or may_manage_call(actor, street_id, district_id)
            or str(actor.account_id) in {str(r) for r in reviewers})


# --- review -----------------------------------------------------------------------------------------
def is_conflicted(actor: Actor, organisation_id: Any, members: Any = ()) -> bool:
    """Belongs to the applying organisation, now (its role) or ever (its member list): may not judge it."""
    return is_member(actor, organisation_id) or str(actor.account_id) in {str(m) for m in members}


def may_assign_reviewers(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """Names the call's reviewers: its officials."""
    return may_manage_call(actor, street_id, district_id)


def may_score(actor: Actor, reviewers: Any, organisation_id: Any, members: Any, status: str,
              scored_by: Any = ()) -> bool:
    """Scores a submitted application once: a reviewer of the call who does not belong to the applying
    organisation and has not scored it yet."""
    me = str(actor.account_id)
    return (actor.authenticated and me in {str(r) for r in reviewers} and status == SUBMITTED
            and not is_conflicted(actor, organisation_id, members) and me not in {str(s) for s in scored_by})


def weighted_total(weights: dict[str, int], scores: dict[str, int]) -> int:
    """One reviewer's weighted score in hundredths (weights add up to 100, scores 0–100: 0–10,000)."""
    return sum(int(weights[k]) * int(scores[k]) for k in weights)


# --- awards and money ----------------------------------------------------------------------------------
def is_maker(made_by: Any, account_id: Any) -> bool:
    """The official who proposed an award or accepted a milestone."""
    return made_by is not None and str(made_by) == str(account_id)


def may_propose_award(actor: Actor, street_id: Any, district_id: Any, organisation_id: Any, members: Any = ()) -> bool:
    """Proposes an award (the maker): an official of the call who does not belong to the applying organisation."""
    return may_manage_call(actor, street_id, district_id) and not is_conflicted(actor, organisation_id, members)


def may_check_award(actor: Actor, street_id: Any, district_id: Any, proposed_by: Any, organisation_id: Any,
                    members: Any = ()) -> bool:
    """Approves or rejects a proposed award (the checker): another official of the call, not of the organisation."""
    return (may_propose_award(actor, street_id, district_id, organisation_id, members)
            and not is_maker(proposed_by, actor.account_id))


def may_withdraw_award(actor: Actor, street_id: Any, district_id: Any, proposed_by: Any) -> bool:
    """Withdraws a proposed award: the official who proposed it."""
    return may_manage_call(actor, street_id, district_id) and is_maker(proposed_by, actor.account_id)


def next_milestone(accepted: Any) -> str | None:
    """The milestone a running project reaches next (signing, then the mid-term evaluation, then the final report)."""
    return next((m for m in MILESTONES if m not in set(accepted)), None)


def may_accept_milestone(actor: Actor, street_id: Any, district_id: Any, project_status: str, accepted: Any,
                         milestone: str, reported: Any = ()) -> bool:
    """Records signing, passes the mid-term evaluation or accepts the final report: an official of the call, for a
    running project, in order, once the organisation has reported (mid-term and final)."""
    return (may_manage_call(actor, street_id, district_id) and project_status == RUNNING
            and next_milestone(accepted) == milestone
            and (milestone not in REPORTED or milestone in set(reported)))


def may_fail_midterm(actor: Actor, street_id: Any, district_id: Any, project_status: str, accepted: Any,
                     reported: Any = ()) -> bool:
    """Fails the mid-term evaluation (later tranches stop): an official of the call, once the project is signed and
    its mid-term report is in."""
    return (may_manage_call(actor, street_id, district_id) and project_status == RUNNING
            and next_milestone(accepted) == MIDTERM and MIDTERM in set(reported))


def tranche_releasable(project_status: str, requirement: str, accepted: Any, released: bool) -> bool:
    """A tranche is paid once, only after its milestone is accepted, and never once the project is stopped."""
    return project_status in (RUNNING, CLOSED) and requirement in set(accepted) and not released


def may_release_tranche(actor: Actor, street_id: Any, district_id: Any, project_status: str, requirement: str,
                        accepted: Any, released: bool, accepted_by: Any) -> bool:
    """Releases a tranche: an official of the call other than the one who accepted its milestone (four eyes)."""
    return (may_manage_call(actor, street_id, district_id)
            and tranche_releasable(project_status, requirement, accepted, released)
            and not is_maker(accepted_by, actor.account_id))


def may_record_clawback(actor: Actor, street_id: Any, district_id: Any, project_status: str, released: int,
                        clawed_back: int) -> bool:
    """Records money to be returned (a compensating event): an official of the call, for a stopped project, up to
    what was released and not yet clawed back."""
    return may_manage_call(actor, street_id, district_id) and project_status == STOPPED and released > clawed_back


def may_report(actor: Actor, organisation_id: Any, project_status: str, accepted: Any, kind: str,
               reported: Any = ()) -> bool:
    """Submits the mid-term or final report: a member of the organisation, for a running project, once it is signed
    (the final report once the mid-term evaluation passed), once each."""
    if not is_member(actor, organisation_id) or project_status != RUNNING or kind in set(reported):
        return False
    needed = {MIDTERM: SIGNING, FINAL: MIDTERM}.get(kind)
    return needed is not None and needed in set(accepted)


def may_read_dossier(actor: Actor, street_id: Any, district_id: Any, organisation_id: Any) -> bool:
    """Every event, review and decision of a project: the call's officials and the organisation's members."""
    return may_manage_call(actor, street_id, district_id) or is_member(actor, organisation_id)


def may_see_reviewer_names(actor: Actor, street_id: Any, district_id: Any) -> bool:
    """Who scored what by name: the call's officials (the organisation reads the scores and comments unnamed)."""
    return may_manage_call(actor, street_id, district_id)
