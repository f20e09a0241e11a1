"""Who is who in a community: the predicates every context's rules are built from.

Each reads an `Actor` (built from events by a service, from views by the web) and a community or street:
anything with `id`, `street_id` and `district_id` (the `Community` aggregate, or the web's place row)."""
from __future__ import annotations

from typing import Any, Protocol

from domain.kernel import roles
from domain.kernel.actor import Actor


class InDistrict(Protocol):
    """A community (id, street_id, district_id) or a street (id, district_id)."""

    id: Any
    district_id: Any


def is_resident(actor: Actor, community: InDistrict) -> bool:
    """A verified resident of this community."""
    return actor.is_resident_of(community.id)


def is_worker(actor: Actor, community: InDistrict) -> bool:
    """A community worker (社区工作者) of this community."""
    return actor.has_role(roles.WORKER, community.id)


def is_fund_manager(actor: Actor, community: InDistrict) -> bool:
    """A fund manager of this community."""
    return actor.has_role(roles.FUND_MANAGER, community.id)


def is_street_official(actor: Actor, community: InDistrict) -> bool:
    """A street official over this community's street."""
    return actor.has_role(roles.STREET_OFFICIAL, getattr(community, "street_id", None))


def is_district_official(actor: Actor, community: InDistrict) -> bool:
    """A district official over this community's (or street's) district."""
    return actor.has_role(roles.DISTRICT_OFFICIAL, community.district_id)


def is_staff(actor: Actor, community: InDistrict) -> bool:
    """Works on this community's behalf: worker, fund manager, street or district official."""
    return (is_worker(actor, community) or is_fund_manager(actor, community)
            or is_street_official(actor, community) or is_district_official(actor, community))


def is_member(actor: Actor, community: InDistrict) -> bool:
    """A verified resident or staff of this community."""
    return is_resident(actor, community) or is_staff(actor, community)
