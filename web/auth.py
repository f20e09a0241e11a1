"""Who is asking, and named predicates for what they may do. Deny by default: routes must ask."""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.kernel import roles


@dataclass(frozen=True)
class Principal:
    """The person behind a request (anonymous when `account_id` is None), read from the directory view."""

    account_id: str | None = None
    name: str = ""
    phone: str = ""
    grants: frozenset[tuple[str, str]] = frozenset()
    residencies: dict[str, str] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.account_id is not None

    def has(self, role: str, scope_id: str | None) -> bool:
        return scope_id is not None and (role, str(scope_id)) in self.grants

    def residency(self, community_id: str) -> str | None:
        return self.residencies.get(str(community_id))


ANONYMOUS = Principal()


# --- predicates over (principal, community row from the directory view) ----------------------
def is_resident(me: Principal, community: dict) -> bool:
    """A verified resident of this community."""
    return me.residency(community["id"]) == roles.VERIFIED


def is_worker(me: Principal, community: dict) -> bool:
    """A community worker (社区工作者) of this community."""
    return me.has(roles.WORKER, community["id"])


def is_fund_manager(me: Principal, community: dict) -> bool:
    """A fund manager of this community."""
    return me.has(roles.FUND_MANAGER, community["id"])


def is_street_official(me: Principal, community: dict) -> bool:
    """A street official over this community's street."""
    return me.has(roles.STREET_OFFICIAL, community.get("street_id"))


def is_district_official(me: Principal, community: dict) -> bool:
    """A district official over this community's district."""
    return me.has(roles.DISTRICT_OFFICIAL, community.get("district_id"))


def is_staff(me: Principal, community: dict) -> bool:
    """Anyone who works on this community's behalf: worker, fund manager, street or district official."""
    return (is_worker(me, community) or is_fund_manager(me, community)
            or is_street_official(me, community) or is_district_official(me, community))


def is_member(me: Principal, community: dict) -> bool:
    """A verified resident or staff of this community."""
    return is_resident(me, community) or is_staff(me, community)


def may_review_residents(me: Principal, community: dict) -> bool:
    """May see pending residents and verify or reject them."""
    return is_worker(me, community)


def may_join(me: Principal, community: dict) -> bool:
    """May ask to become a resident (logged in, not already pending or verified)."""
    return me.authenticated and me.residency(community["id"]) not in (roles.PENDING, roles.VERIFIED)


PREDICATES = {f.__name__: f for f in (is_resident, is_worker, is_fund_manager, is_street_official,
                                      is_district_official, is_staff, is_member, may_review_residents, may_join)}
