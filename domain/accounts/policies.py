"""The accounts context's rules: who reviews residents, who may ask to join, who oversees a street."""
from __future__ import annotations

from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict, is_district_official, is_staff, is_worker


def may_review_residents(actor: Actor, community: InDistrict) -> bool:
    """Sees pending residents and verifies or rejects them: the community's workers."""
    return is_worker(actor, community)


def may_join(actor: Actor, community: InDistrict) -> bool:
    """Asks to become a resident: logged in, not already pending or verified there."""
    return actor.authenticated and actor.residency(community.id) not in (roles.PENDING, roles.VERIFIED)


def may_oversee_street(actor: Actor, street: InDistrict) -> bool:
    """Sees every community of a street at a glance: the street's officials and the district's."""
    return actor.has_role(roles.STREET_OFFICIAL, street.id) or is_district_official(actor, street)


def may_read_audit_trail(actor: Actor, community: InDistrict) -> bool:
    """Who did what in a community: the people who work on its behalf (workers, fund managers, officials above)."""
    return is_staff(actor, community)
