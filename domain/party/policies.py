"""The Party-member registration rules (在职党员到社区报到): who registers where, who confirms and reads the registry,
who sees counts, and which step each registration state allows. The service asks them before it acts and the pages
before they show a button, with the registration's own community and state."""
from __future__ import annotations

from typing import Any

from domain.kernel import people, roles
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict

# The consent text (web/templates/party/_consent_text.html) has a version; the event records the one agreed to.
# Change the text → change the version: older consents stay valid, new forms must show the new text.
CONSENT_VERSION = "2026-05-v1"

CONSENTED, SUBMITTED, RETURNED, CONFIRMED = "consented", "submitted", "returned", "confirmed"
WITHDRAWN, ENDED, ERASED = "withdrawn", "ended", "erased"
ACTIVE = (CONSENTED, SUBMITTED, RETURNED, CONFIRMED)     # at most one per person at a time
LISTED = (SUBMITTED, RETURNED, CONFIRMED)                # what the registry shows (never the withdrawn or moved)
MOVED = "moved"                                          # why a registration ended

# What a member may let the public verification page of their report show (each a separate choice).
DISCLOSURES = ("name", "unit", "service", "evaluation")
DEFAULT_DISCLOSURE = ("service",)
RATINGS = ("excellent", "good", "fair", "poor")          # 优秀 / 良好 / 一般 / 较差

DEFAULT_SERVICE_KINDS = ("政策宣讲", "环境整治", "邻里互助", "关爱老幼", "文明劝导", "法律咨询", "医疗健康", "治安巡逻")


# --- who -------------------------------------------------------------------------------------------------
def may_register(actor: Actor, community: InDistrict) -> bool:
    """Registers as an in-service Party member with a community: a verified resident of it."""
    return people.is_resident(actor, community)


def may_review(actor: Actor, community: InDistrict) -> bool:
    """Reads the community's Party-member registry (phones masked), confirms or returns registrations, confirms
    directly recorded service, issues feedback reports, keeps the list of service kinds and posts needs: the
    community's workers, and nobody else (street officials see counts, never names)."""
    return people.is_worker(actor, community)


def may_read_counts(actor: Actor, community: InDistrict) -> bool:
    """Sees how many members a community has, their hours and reports (never who): its workers, its street's
    officials and its district's."""
    return (people.is_worker(actor, community) or people.is_street_official(actor, community)
            or people.is_district_official(actor, community))


def may_oversee_street(actor: Actor, street: InDistrict) -> bool:
    """Sees every community's counts side by side: the street's officials and the district's."""
    return actor.has_role(roles.STREET_OFFICIAL, street.id) or people.is_district_official(actor, street)


def may_read_report(actor: Actor, account_id: Any, community: InDistrict) -> bool:
    """A feedback report in full (name, workplace, evaluation): the member it is about, or a worker of the
    community that issued it."""
    return actor.is_self(account_id) or people.is_worker(actor, community)


def may_see_tab(actor: Actor, community: InDistrict) -> bool:
    """The community's Party-member tab: its residents (to register) and its staff."""
    return people.is_member(actor, community)


# --- what each state allows -------------------------------------------------------------------------------
def is_active(state: str | None) -> bool:
    """A registration that has not been withdrawn, moved away from or erased."""
    return state in ACTIVE


def may_start(actor: Actor, community: InDistrict, state_here: str | None) -> bool:
    """Begins (gives consent) here: a verified resident without an active registration in this community (an
    active one elsewhere ends when they register here: they moved)."""
    return may_register(actor, community) and not is_active(state_here)


def may_submit(state: str | None) -> bool:
    """Fills in (or corrects and resubmits) the registration: after consent, while waiting, or once returned."""
    return state in (CONSENTED, SUBMITTED, RETURNED)


def may_decide(state: str | None) -> bool:
    """A worker confirms or returns a registration that is waiting for them."""
    return state == SUBMITTED


def may_withdraw(state: str | None) -> bool:
    """The member withdraws consent (ending the registration) at any step before it has ended."""
    return is_active(state)


def may_log_service(state: str | None) -> bool:
    """A confirmed member records service done for the community (a worker then confirms it)."""
    return state == CONFIRMED


def may_issue_report(actor: Actor, community: InDistrict, state: str | None) -> bool:
    """A worker issues the two-way feedback report of a confirmed member of the community."""
    return may_review(actor, community) and state == CONFIRMED
