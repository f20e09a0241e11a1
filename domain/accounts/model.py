"""Accounts and places: a person's account (sealed personal data, password hash, residencies, scoped roles),
the district → street → community hierarchy, and each community's roll of verified residents."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError
from domain.kernel.ids import stable_id
from domain.kernel.topics import moved


class PhoneTakenError(ConflictError):
    """Another account already uses this phone number."""

    message = "该手机号已注册，请直接登录"


class Account(Aggregate):
    """One person. Name and phone live only in `personal`, sealed with the person's own key."""

    @staticmethod
    def id_for(phone_key: str) -> UUID:
        return stable_id("account", phone_key)

    @classmethod
    def create_id(cls, phone_key: str, personal: str, password_hash: str, at: datetime) -> UUID:
        return cls.id_for(phone_key)

    @classmethod
    def open(cls, account_id: UUID, phone_key: str, personal: str, password_hash: str, at: datetime) -> "Account":
        """A new account under a given id: the number's own id, unless an earlier holder of the number (who moved
        on, or was erased) still has it."""
        return cls._create(cls.Registered, id=account_id, phone_key=phone_key, personal=personal,
                           password_hash=password_hash, at=at)

    @event("Registered")
    def __init__(self, phone_key: str, personal: str, password_hash: str, at: datetime) -> None:
        self.phone_key = phone_key
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

    def give_home(self, community_id: UUID, home: str, by: UUID, at: datetime) -> None:
        """Where in the community the person lives (building and unit, sealed: it is personal data), given by them
        when they ask to join, or set right by a worker checking it."""
        self._require_active()
        if self.residencies.get(str(community_id)) not in (roles.PENDING, roles.VERIFIED):
            raise ConflictError("请先申请加入该社区")
        self._home_given(community_id=community_id, home=home, by=by, at=at)

    @event("HomeGiven")
    def _home_given(self, community_id: UUID, home: str, by: UUID, at: datetime) -> None:
        pass

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

    def change_phone(self, phone_key: str, personal: str, at: datetime) -> None:
        """The person proved they own a new number (a one-time code sent to it): name and new phone sealed again."""
        self._require_active()
        if phone_key == self.phone_key:
            raise ConflictError("新手机号与原手机号相同")
        self._phone_changed(phone_key=phone_key, personal=personal, at=at)

    @event("PhoneChanged")
    def _phone_changed(self, phone_key: str, personal: str, at: datetime) -> None:
        self.phone_key = phone_key
        self.personal = personal

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


class PhoneNumber(Aggregate):
    """Who holds a phone number now (by its keyed digest): a second claim of a held number collides, whether it
    comes from a sign-up or from someone changing their number. Released when the holder changes number or is
    erased, so the number can be claimed again (numbers are recycled by carriers).

    Accounts opened before claims were kept hold their first number without one; the service then finds them
    by the account id the number gives (`Account.id_for`)."""

    @staticmethod
    def id_for(phone_key: str) -> UUID:
        return stable_id("phone-number", phone_key)

    @classmethod
    def create_id(cls, phone_key: str, account_id: UUID) -> UUID:
        return cls.id_for(phone_key)

    @event("Claimed")
    def __init__(self, phone_key: str, account_id: UUID) -> None:
        self.account_id: UUID | None = account_id

    def claim(self, account_id: UUID) -> None:
        """Take a released number."""
        if self.account_id is not None:
            raise PhoneTakenError()
        self._reclaimed(account_id=account_id)

    @event("Reclaimed")
    def _reclaimed(self, account_id: UUID) -> None:
        self.account_id = account_id

    def release(self) -> None:
        """The holder no longer uses the number."""
        if self.account_id is not None:
            self._released()

    @event("Released")
    def _released(self) -> None:
        self.account_id = None


class District(Aggregate):
    """A district (区), identified by its code."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("district", code)

    @classmethod
    def create_id(cls, code: str, name: str) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name


class Street(Aggregate):
    """A street office's area (街道) within a district."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("street", code)

    @classmethod
    def create_id(cls, code: str, name: str, district_id: UUID) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str, district_id: UUID) -> None:
        self.code = code
        self.name = name
        self.district_id = district_id


class Community(Aggregate):
    """A residents' community (社区) within a street."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("community", code)

    @classmethod
    def create_id(cls, code: str, name: str, street_id: UUID, district_id: UUID) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str, street_id: UUID, district_id: UUID) -> None:
        self.code = code
        self.name = name
        self.street_id = street_id
        self.district_id = district_id


class Residents(Aggregate):
    """The verified residents of one community, saved in the same append as every verification and erasure.

    The domain reads a meeting's roll from here (events), never from the directory view: a lagging view would
    silently leave a resident off. Stores older than this aggregate get it built once from the account events
    (`Started` then carries everyone verified so far)."""

    @staticmethod
    def id_for(community_id: UUID) -> UUID:
        return stable_id("community-residents", community_id)

    @classmethod
    def create_id(cls, community_id: UUID, verified: list[str]) -> UUID:
        return cls.id_for(community_id)

    @event("Started")
    def __init__(self, community_id: UUID, verified: list[str]) -> None:
        self.community_id = community_id
        self.verified = dict.fromkeys(verified, True)   # a dict, not a set: snapshots are JSON

    def add(self, account_id: UUID) -> None:
        """A worker verified the person as a resident."""
        if str(account_id) not in self.verified:
            self._added(account_id=account_id)

    @event("Added")
    def _added(self, account_id: UUID) -> None:
        self.verified[str(account_id)] = True

    def remove(self, account_id: UUID) -> None:
        """The person no longer counts (erased)."""
        if str(account_id) in self.verified:
            self._removed(account_id=account_id)

    @event("Removed")
    def _removed(self, account_id: UUID) -> None:
        self.verified.pop(str(account_id), None)


moved({"domain.account:Account": Account, "domain.community:District": District,
       "domain.community:Street": Street, "domain.community:Community": Community})
