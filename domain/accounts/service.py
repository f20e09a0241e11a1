"""Use cases of places and accounts (`app.accounts.*`): founding places, sign-up, residency, roles, erasure,
and the facts other contexts decide on (who is acting, who lives where), always read from events."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4


from domain.accounts.model import Account, Community, District, PhoneNumber, PhoneTakenError, Residents, Street
from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.privacy import ERASED
from domain.kernel.text import clean_name, clean_text, normalise_phone


def clean_home(building: str, unit: str) -> dict[str, str]:
    """Building (楼栋) and unit (单元) as typed, checked like any text; empty when neither is given."""
    building = clean_text(building, "楼栋", max_length=20, required=False)
    unit = clean_text(unit, "单元", max_length=20, required=False)
    if unit and not building:
        raise InvalidInputError("请填写楼栋")
    return {"building": building, "unit": unit} if building else {}

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
                command_id: str | None = None, *, fresh_only: bool = False, building: str = "",
                unit: str = "") -> UUID:
        """Open an account (name and phone sealed with a new personal key, the number claimed) and ask to join a
        community. A repeat of the same form (command id bound to phone, name and community) answers with the same
        account; with `fresh_only` (the web, which starts a session) a repeat is refused as a taken number instead,
        so nobody is ever logged in from a replayed result."""
        phone = normalise_phone(phone)
        name = clean_name(name)
        home = clean_home(building, unit)
        phone_key = self.app.phone_key(phone)
        if community_id is not None:
            self.community(community_id)

        def action():
            if self._holder(phone_key) is not None:
                raise PhoneTakenError()
            at = self.app.clock()
            account_id = Account.id_for(phone_key)
            if self.app.find(Account, account_id) is not None:   # the number's first holder moved on: a fresh id
                account_id = uuid4()
            personal = self.app.sealer.seal(account_id, {"name": name, "phone": phone})
            account = Account.open(account_id, phone_key, personal, password_hash, at)
            if community_id is not None:
                account.request_residency(community_id, at)
                if home:
                    account.give_home(community_id, self.app.sealer.seal(account.id, home), account.id, at)
            return account.id, [account, self._claim(phone_key, account.id)]

        def refuse(_: UUID) -> UUID:
            raise PhoneTakenError()
        return self.app.execute("sign-up", command_id, action, binding=(phone_key, name, community_id),
                                replay=refuse if fresh_only else None)

    def account_id_for(self, phone: str) -> UUID | None:
        """The account that holds this phone number now, or None."""
        holder = self._holder(self.app.phone_key(normalise_phone(phone)))
        return holder.id if holder is not None else None

    def login_record(self, phone: str) -> LoginRecord | None:
        """The account and password hash for a phone number, or None (the caller must not say which)."""
        holder = self._holder(self.app.phone_key(normalise_phone(phone)))
        return LoginRecord(holder.id, holder.password_hash) if holder is not None else None

    def _holder(self, phone_key: str) -> Account | None:
        """The active account holding the number: through its claim, or (accounts older than claims) the id the
        number gives, if that account still has it."""
        claim = self.app.find(PhoneNumber, PhoneNumber.id_for(phone_key))
        if claim is not None:
            account = self.app.find(Account, claim.account_id) if claim.account_id else None
        else:
            account = self.app.find(Account, Account.id_for(phone_key))
        if account is None or account.erased or account.phone_key != phone_key:
            return None
        return account

    def _claim(self, phone_key: str, account_id: UUID) -> PhoneNumber:
        """The number's claim for `account_id` (new, or a released one taken again)."""
        claim = self.app.find(PhoneNumber, PhoneNumber.id_for(phone_key))
        if claim is None:
            return PhoneNumber(phone_key=phone_key, account_id=account_id)
        claim.claim(account_id)
        return claim

    def _release(self, account: Account) -> PhoneNumber | None:
        """Free the number the account holds (it changes number, or is erased)."""
        claim = self.app.find(PhoneNumber, PhoneNumber.id_for(account.phone_key))
        if claim is not None and claim.account_id == account.id:
            claim.release()
            return claim
        return None

    def change_password(self, account_id: UUID, password_hash: str, command_id: str | None = None) -> None:
        """The person set a new password (after proving who they are: the old password or a code sent to them)."""
        def action():
            account = self.account(account_id)
            account.change_password(password_hash, self.app.clock())
            return None, [account]
        return self.app.execute("change-password", command_id, action, actor=account_id)

    def change_phone(self, account_id: UUID, phone: str, command_id: str | None = None) -> None:
        """The person moves to a number they proved they own: the new number is claimed, the old one released."""
        phone = normalise_phone(phone)
        phone_key = self.app.phone_key(phone)

        def action():
            account = self.account(account_id)
            holder = self._holder(phone_key)
            if holder is not None:
                raise PhoneTakenError("该手机号已被其他账号使用")
            fields = self.app.sealer.unseal(account.id, account.personal) or {}
            personal = self.app.sealer.seal(account.id, {**fields, "phone": phone})
            released = self._release(account)
            account.change_phone(phone_key, personal, self.app.clock())
            return None, [account, released, self._claim(phone_key, account.id)]
        return self.app.execute("change-phone", command_id, action, actor=account_id)

    def account(self, account_id: UUID) -> Account:
        """The account, or NotFoundError."""
        return self.app.load(Account, account_id, "账号")

    def request_residency(self, account_id: UUID, community_id: UUID, command_id: str | None = None, *,
                          building: str = "", unit: str = "") -> None:
        """An existing account asks to join one more community (saying where in it they live, if they wish)."""
        self.community(community_id)
        home = clean_home(building, unit)

        def action():
            account = self.account(account_id)
            at = self.app.clock()
            account.request_residency(community_id, at)
            if home:
                account.give_home(community_id, self.app.sealer.seal(account_id, home), account_id, at)
            return None, [account]
        return self.app.execute("request-residency", command_id, action, actor=account_id)

    def verify_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID,
                         command_id: str | None = None, *, building: str = "", unit: str = "") -> None:
        """A community worker confirms that a person lives in their community (and so joins its roll), setting
        their building and unit right if the worker found them otherwise."""
        self.require_role(worker_id, roles.WORKER, community_id)
        home = clean_home(building, unit)

        def action():
            account = self.account(account_id)
            at = self.app.clock()
            if home and home != self.home_of(account_id, community_id):
                account.give_home(community_id, self.app.sealer.seal(account_id, home), worker_id, at)
            account.verify_residency(community_id, worker_id, at)
            residents = self._residents(community_id)
            residents.add(account_id)
            return None, [account, residents]
        return self.app.execute("verify-residency", command_id, action, actor=worker_id)

    def set_home(self, by: UUID, account_id: UUID, community_id: UUID, building: str, unit: str,
                 command_id: str | None = None) -> None:
        """Where in the community a person lives: said by the person, or set right by a worker checking it."""
        home = clean_home(building, unit)
        if not home:
            raise InvalidInputError("请填写楼栋")
        if by != account_id:
            self.require_role(by, roles.WORKER, community_id)

        def action():
            account = self.account(account_id)
            account.give_home(community_id, self.app.sealer.seal(account_id, home), by, self.app.clock())
            return None, [account]
        return self.app.execute("set-home", command_id, action, actor=by)

    def home_of(self, account_id: UUID, community_id: UUID) -> dict[str, str] | None:
        """The building and unit the person last gave for the community (from the events), or None."""
        events = self.app.repository.event_store.get(account_id)
        homes = [e for e in events if isinstance(e, Account.HomeGiven) and e.community_id == community_id]
        return self.app.sealer.unseal(account_id, homes[-1].home) if homes else None

    def reject_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID, reason: str,
                         command_id: str | None = None) -> None:
        """A community worker declines a residency request, saying why."""
        self.require_role(worker_id, roles.WORKER, community_id)
        reason = clean_text(reason, "理由", max_length=200)

        def action():
            account = self.account(account_id)
            # A reason may name the person or give their ID number: it is sealed under their key, erased with them.
            account.reject_residency(community_id, worker_id, self.app.sealer.seal_text(account_id, reason),
                                     self.app.clock())
            return None, [account]
        return self.app.execute("reject-residency", command_id, action, actor=worker_id)

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
            released = self._release(account)
            account.erase(self.app.clock())
            return None, [account, released, *rolls]
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
