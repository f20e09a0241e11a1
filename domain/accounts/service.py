"""Use cases of places and accounts (`app.accounts.*`): founding places, sign-up, residency, roles, erasure,
and the facts other contexts decide on (who is acting, who lives where), always read from events."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID


from domain.accounts.model import Account, Community, District, PhoneTakenError, Residents, Street
from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.errors import NotAllowedError, NotFoundError
from domain.kernel.privacy import ERASED
from domain.kernel.text import clean_name, clean_text, normalise_phone

if TYPE_CHECKING:
    from domain.kernel.application import Linli

__all__ = ["AccountService", "LoginRecord", "PhoneTakenError"]


@dataclass(frozen=True)
class LoginRecord:
    """What the web layer needs to check a password and start a session."""

    account_id: UUID
    password_hash: str


# Topics under which residency verifications and erasures were recorded, before and after the move of
# `Account` to this package: building a community's roll for an older store reads both.
_ROLL_TOPICS = [f"{module}:Account.{name}" for module in ("domain.account", "domain.accounts.model")
                for name in ("ResidencyVerified", "Erased")]


class AccountService:
    """Places, accounts, residency and roles."""

    def __init__(self, app: Linli) -> None:
        self.app = app
        self._streets: dict[str, str] = {}   # community id → street id (a community never moves)

    # --- places ----------------------------------------------------------------------------
    def found_district(self, code: str, name: str) -> UUID:
        """Create a district; repeating it with the same code has no second effect."""
        name = clean_text(name, "区名称", max_length=40)
        return self._found(District, District.id_for(code), dict(code=code, name=name))

    def found_street(self, code: str, name: str, district_id: UUID) -> UUID:
        """Create a street office's area within a district."""
        self.app.load(District, district_id, "区")
        name = clean_text(name, "街道名称", max_length=40)
        return self._found(Street, Street.id_for(code), dict(code=code, name=name, district_id=district_id))

    def found_community(self, code: str, name: str, street_id: UUID) -> UUID:
        """Create a community within a street, with its (empty) roll of verified residents."""
        street = self.street(street_id)
        name = clean_text(name, "社区名称", max_length=40)
        community_id = Community.id_for(code)
        return self._found(Community, community_id,
                           dict(code=code, name=name, street_id=street_id, district_id=street.district_id),
                           Residents(community_id=community_id, verified=[]))

    def _found(self, cls: type, aggregate_id: UUID, kwargs: dict, *companions: Any) -> UUID:
        def action():
            if self.app.find(cls, aggregate_id) is not None:
                return aggregate_id, []
            return aggregate_id, [cls(**kwargs), *companions]
        return self.app.execute(f"found-{cls.__name__}", None, action)

    def community(self, community_id: UUID) -> Community:
        """The community, or NotFoundError."""
        return self.app.load(Community, community_id, "社区")

    def street(self, street_id: UUID) -> Street:
        """The street, or NotFoundError."""
        return self.app.load(Street, street_id, "街道")

    def community_or_street(self, place_id: UUID) -> tuple[str, Community | Street | None]:
        """`("community", it)` or `("street", it)` for the place with this id (certificates are issued by
        either), or `("", None)`."""
        community = self.app.find(Community, place_id)
        if community is not None:
            return "community", community
        street = self.app.find(Street, place_id)
        return ("street", street) if street is not None else ("", None)

    # --- accounts --------------------------------------------------------------------------
    def sign_up(self, phone: str, name: str, password_hash: str, community_id: UUID | None,
                command_id: str | None = None) -> UUID:
        """Open an account (name and phone sealed with a new personal key) and ask to join a community."""
        phone = normalise_phone(phone)
        name = clean_name(name)
        account_id = self.account_id_for(phone)
        if community_id is not None:
            self.community(community_id)

        def action():
            if self.app.find(Account, account_id) is not None:
                raise PhoneTakenError()
            at = self.app.clock()
            personal = self.app.sealer.seal(account_id, {"name": name, "phone": phone})
            account = Account(phone_key=self.app.phone_key(phone), personal=personal, password_hash=password_hash,
                              at=at)
            if community_id is not None:
                account.request_residency(community_id, at)
            return account_id, [account]
        return self.app.execute("sign-up", command_id, action)

    def account_id_for(self, phone: str) -> UUID:
        """The id an account with this (canonical) phone number has or would have."""
        return Account.id_for(self.app.phone_key(normalise_phone(phone)))

    def login_record(self, phone: str) -> LoginRecord | None:
        """The account and password hash for a phone number, or None (the caller must not say which)."""
        account = self.app.find(Account, self.account_id_for(phone))
        if account is None or account.erased:
            return None
        return LoginRecord(account.id, account.password_hash)

    def account(self, account_id: UUID) -> Account:
        """The account, or NotFoundError."""
        return self.app.load(Account, account_id, "账号")

    def request_residency(self, account_id: UUID, community_id: UUID, command_id: str | None = None) -> None:
        """An existing account asks to join one more community."""
        self.community(community_id)

        def action():
            account = self.account(account_id)
            account.request_residency(community_id, self.app.clock())
            return None, [account]
        return self.app.execute("request-residency", command_id, action)

    def verify_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID,
                         command_id: str | None = None) -> None:
        """A community worker confirms that a person lives in their community (and so joins its roll)."""
        self.require_role(worker_id, roles.WORKER, community_id)

        def action():
            account = self.account(account_id)
            account.verify_residency(community_id, worker_id, self.app.clock())
            residents = self._residents(community_id)
            residents.add(account_id)
            return None, [account, residents]
        return self.app.execute("verify-residency", command_id, action)

    def reject_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID, reason: str,
                         command_id: str | None = None) -> None:
        """A community worker declines a residency request, saying why."""
        self.require_role(worker_id, roles.WORKER, community_id)
        reason = clean_text(reason, "理由", max_length=200)

        def action():
            account = self.account(account_id)
            account.reject_residency(community_id, worker_id, reason, self.app.clock())
            return None, [account]
        return self.app.execute("reject-residency", command_id, action)

    def grant_role(self, account_id: UUID, role: str, scope_id: UUID, by: UUID | None = None) -> None:
        """Give a role in a scope (the CLI and the demo call this with by=None, as the system)."""
        def action():
            account = self.account(account_id)
            account.grant_role(role, scope_id, by, self.app.clock())
            return None, [account]
        return self.app.execute("grant-role", None, action)

    def revoke_role(self, account_id: UUID, role: str, scope_id: UUID, by: UUID | None = None) -> None:
        """Take a role away again (the CLI calls this with by=None, as the system)."""
        def action():
            account = self.account(account_id)
            account.revoke_role(role, scope_id, by, self.app.clock())
            return None, [account]
        return self.app.execute("revoke-role", None, action)

    def erase_person(self, account_id: UUID) -> None:
        """Erase a person: record it (they leave every roll), then delete their key so no sealed field can be
        read again."""
        def action():
            account = self.account(account_id)
            rolls = []
            for community_id, status in account.residencies.items():
                if status == roles.VERIFIED:
                    residents = self._residents(UUID(community_id))
                    residents.remove(account_id)
                    rolls.append(residents)
            account.erase(self.app.clock())
            return None, [account, *rolls]
        self.app.execute("erase-person", None, action)
        self.app.sealer.keys.delete(account_id)

    def person_name(self, account_id: UUID) -> str:
        """The person's name, or the erased marker once their key is gone."""
        account = self.app.find(Account, account_id)
        if account is None:
            raise NotFoundError("找不到该账号")
        fields = self.app.sealer.unseal(account_id, account.personal)
        return fields["name"] if fields else ERASED

    # --- facts other contexts decide on (from events, never from a view) -------------------------
    def actor(self, account_id: UUID | None) -> Actor:
        """Who `account_id` is now: roles, residencies and the streets of their communities."""
        account = self.app.find(Account, account_id) if account_id is not None else None
        if account is None or account.erased:
            return Actor(account_id=str(account_id) if account_id is not None else None)
        grants = frozenset((role, scope) for role, scope in account.grants)
        communities = set(account.residencies) | {scope for role, scope in grants if role in roles.COMMUNITY_ROLES}
        return Actor(account_id=str(account.id), grants=grants, residencies=dict(account.residencies),
                     streets={c: s for c in communities if (s := self._street_of(c)) is not None})

    def _street_of(self, community_id: str) -> str | None:
        street = self._streets.get(community_id)
        if street is None:
            community = self.app.find(Community, UUID(community_id))
            if community is None:
                return None
            street = self._streets[community_id] = str(community.street_id)
        return street

    def is_verified_resident(self, account_id: UUID, community_id: UUID) -> bool:
        """True when a worker has verified the person as a resident of the community."""
        account = self.app.find(Account, account_id)
        return account is not None and account.is_resident_of(community_id)

    def has_role(self, account_id: UUID, role: str, scope_id: UUID) -> bool:
        """True when the account holds `role` in exactly that scope."""
        account = self.app.find(Account, account_id)
        return account is not None and account.has_role(role, scope_id)

    def require_role(self, account_id: UUID, role: str, scope_id: UUID) -> None:
        """NotAllowedError unless the account holds `role` in `scope_id`."""
        if not self.has_role(account_id, role, scope_id):
            raise NotAllowedError("只有{role}可以进行此操作", role=roles.ROLE_NAMES[role])

    def require_resident(self, account_id: UUID, community_id: UUID) -> None:
        """NotAllowedError unless the account is a verified resident of the community."""
        if not self.is_verified_resident(account_id, community_id):
            raise NotAllowedError("只有经过核实的本社区居民可以进行此操作")

    def verified_residents(self, community_id: UUID) -> list[UUID]:
        """Everyone verified as a resident of the community and not erased, from its roll's events."""
        return sorted(UUID(a) for a in self._residents(community_id).verified)

    def _residents(self, community_id: UUID) -> Residents:
        """The community's roll; for a community founded before rolls were kept, built once from the log."""
        residents = self.app.find(Residents, Residents.id_for(community_id))
        if residents is None:
            self.community(community_id)
            residents = Residents(community_id=community_id, verified=self._verified_in_log(community_id))
        return residents

    def _verified_in_log(self, community_id: UUID) -> list[str]:
        verified: set[str] = set()
        start = 0
        while True:
            batch = self.app.recorder.select_notifications(start=start, limit=1000, topics=_ROLL_TOPICS,
                                                           inclusive_of_start=False)
            for notification in batch:
                e = self.app.mapper.to_domain_event(notification)
                if isinstance(e, Account.ResidencyVerified) and e.community_id == community_id:
                    verified.add(str(e.originator_id))
                elif isinstance(e, Account.Erased):
                    verified.discard(str(e.originator_id))
            if len(batch) < 1000:
                return sorted(verified)
            start = batch[-1].id
