"""Who acts: the facts every participation rule reads, whoever gathered them.

The domain builds an Actor from events (the account and the communities it belongs to); the web builds its
principal, an Actor too, from the views, to decide which buttons to show. Both ask the same policies."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.kernel import roles


@dataclass(frozen=True)
class Actor:
    """An account's roles by scope, residencies by community, and the street of each community named in them."""

    account_id: str | None = None
    grants: frozenset[tuple[str, str]] = frozenset()
    residencies: Mapping[str, str] = field(default_factory=dict)
    streets: Mapping[str, str] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.account_id is not None

    def is_self(self, account_id: object) -> bool:
        """This actor is the account `account_id`."""
        return self.account_id is not None and str(account_id) == self.account_id

    def has_role(self, role: str, scope_id: object) -> bool:
        """Holds `role` in exactly that community, street, district or organisation."""
        return scope_id is not None and (role, str(scope_id)) in self.grants

    def residency(self, community_id: object) -> str | None:
        """pending, verified, rejected, or None."""
        return self.residencies.get(str(community_id))

    def is_resident_of(self, community_id: object) -> bool:
        """A worker has verified that the person lives in the community."""
        return self.residency(community_id) == roles.VERIFIED

    def is_resident_in_street(self, street_id: object) -> bool:
        """A verified resident of some community of the street."""
        return any(status == roles.VERIFIED and self.streets.get(cid) == str(street_id)
                   for cid, status in self.residencies.items())

    def has_role_in_street(self, role: str, street_id: object) -> bool:
        """Holds a community role (e.g. worker) in some community of the street."""
        return any(r == role and self.streets.get(scope) == str(street_id) for r, scope in self.grants)


NOBODY = Actor()
