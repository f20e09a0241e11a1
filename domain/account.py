"""A person's account: sealed personal data, password hash, residencies and scoped roles."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import roles
from domain.errors import ConflictError, InvalidInputError, NotAllowedError
from domain.ids import stable_id


class Account(Aggregate):
    """One person. Name and phone live only in `personal`, sealed with the person's own key."""

    @staticmethod
    def id_for(phone_key: str) -> UUID:
        return stable_id("account", phone_key)

    @classmethod
    def create_id(cls, phone_key: str, personal: str, password_hash: str, at: datetime) -> UUID:
        return cls.id_for(phone_key)

    @event("Registered")
    def __init__(self, phone_key: str, personal: str, password_hash: str, at: datetime) -> None:
        self.personal = personal
        self.password_hash = password_hash
        self.registered_at = at
        self.residencies: dict[str, str] = {}
        self.grants: list[list[str]] = []
        self.erased = False

    # --- residency -------------------------------------------------------------------------
    def request_residency(self, community_id: UUID, at: datetime) -> None:
        """Ask to be verified as a resident of a community; pending until a worker decides."""
        self._require_active()
        status = self.residencies.get(str(community_id))
        if status in (roles.PENDING, roles.VERIFIED):
            raise ConflictError("您已申请加入该社区" if status == roles.PENDING else "您已是该社区居民")
        self._residency_requested(community_id=community_id, at=at)

    @event("ResidencyRequested")
    def _residency_requested(self, community_id: UUID, at: datetime) -> None:
        self.residencies[str(community_id)] = roles.PENDING

    def verify_residency(self, community_id: UUID, by: UUID, at: datetime) -> None:
        """A community worker confirms the person lives in the community."""
        self._require_pending(community_id)
        self._residency_verified(community_id=community_id, by=by, at=at)

    @event("ResidencyVerified")
    def _residency_verified(self, community_id: UUID, by: UUID, at: datetime) -> None:
        self.residencies[str(community_id)] = roles.VERIFIED

    def reject_residency(self, community_id: UUID, by: UUID, reason: str, at: datetime) -> None:
        """A community worker declines the request, with a reason the person can read."""
        self._require_pending(community_id)
        self._residency_rejected(community_id=community_id, by=by, reason=reason, at=at)

    @event("ResidencyRejected")
    def _residency_rejected(self, community_id: UUID, by: UUID, reason: str, at: datetime) -> None:
        self.residencies[str(community_id)] = roles.REJECTED

    def is_resident_of(self, community_id: UUID) -> bool:
        return not self.erased and self.residencies.get(str(community_id)) == roles.VERIFIED

    # --- roles -----------------------------------------------------------------------------
    def grant_role(self, role: str, scope_id: UUID, by: UUID | None, at: datetime) -> None:
        """Give the person a role within one community, street, district or organisation."""
        self._require_active()
        if role not in roles.GRANTABLE:
            raise InvalidInputError("未知的角色：{role}", role=role)
        if [role, str(scope_id)] in self.grants:
            return
        self._role_granted(role=role, scope_id=scope_id, by=by, at=at)

    @event("RoleGranted")
    def _role_granted(self, role: str, scope_id: UUID, by: UUID | None, at: datetime) -> None:
        self.grants.append([role, str(scope_id)])

    def revoke_role(self, role: str, scope_id: UUID, by: UUID | None, at: datetime) -> None:
        """Take a role away again."""
        if [role, str(scope_id)] not in self.grants:
            raise ConflictError("该账号没有这个角色")
        self._role_revoked(role=role, scope_id=scope_id, by=by, at=at)

    @event("RoleRevoked")
    def _role_revoked(self, role: str, scope_id: UUID, by: UUID | None, at: datetime) -> None:
        self.grants.remove([role, str(scope_id)])

    def has_role(self, role: str, scope_id: UUID) -> bool:
        return not self.erased and [role, str(scope_id)] in self.grants

    # --- credentials and erasure -----------------------------------------------------------
    def change_password(self, password_hash: str, at: datetime) -> None:
        """Replace the password hash (the hash is made outside the domain)."""
        self._require_active()
        self._password_changed(password_hash=password_hash, at=at)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash

    def erase(self, at: datetime) -> None:
        """Erase the person (PIPL art. 47): their key is deleted, so `personal` can never be read again."""
        if self.erased:
            return
        self._erased(at=at)

    @event("Erased")
    def _erased(self, at: datetime) -> None:
        self.erased = True
        self.password_hash = ""
        self.grants = []

    def _require_active(self) -> None:
        if self.erased:
            raise NotAllowedError("该账号已注销")

    def _require_pending(self, community_id: UUID) -> None:
        self._require_active()
        if self.residencies.get(str(community_id)) != roles.PENDING:
            raise ConflictError("该居民没有待审核的申请")
