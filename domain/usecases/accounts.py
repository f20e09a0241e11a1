"""Use cases for places (district/street/community) and accounts: sign-up, residency, roles, login lookup."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain import roles
from domain.account import Account
from domain.community import Community, District, Street
from domain.errors import ConflictError, NotAllowedError, NotFoundError
from domain.text import clean_name, clean_text, normalise_phone
from domain.usecases.base import UseCases


@dataclass(frozen=True)
class LoginRecord:
    """What the web layer needs to check a password and start a session."""

    account_id: UUID
    password_hash: str


class PhoneTakenError(ConflictError):
    """Another account already uses this phone number."""

    message = "该手机号已注册，请直接登录"


class AccountUseCases(UseCases):
    """Places, accounts, residency and roles."""

    # --- places ----------------------------------------------------------------------------
    def found_district(self, code: str, name: str) -> UUID:
        """Create a district; repeating it with the same code has no second effect."""
        name = clean_text(name, "区名称", max_length=40)
        return self._found(District, District.id_for(code), dict(code=code, name=name))

    def found_street(self, code: str, name: str, district_id: UUID) -> UUID:
        """Create a street office's area within a district."""
        self.load(District, district_id, "区")
        name = clean_text(name, "街道名称", max_length=40)
        return self._found(Street, Street.id_for(code), dict(code=code, name=name, district_id=district_id))

    def found_community(self, code: str, name: str, street_id: UUID) -> UUID:
        """Create a community within a street."""
        street = self.load(Street, street_id, "街道")
        name = clean_text(name, "社区名称", max_length=40)
        return self._found(Community, Community.id_for(code),
                           dict(code=code, name=name, street_id=street_id, district_id=street.district_id))

    def _found(self, cls: type, aggregate_id: UUID, kwargs: dict) -> UUID:
        def action():
            if self.find(cls, aggregate_id) is not None:
                return aggregate_id, []
            return aggregate_id, [cls(**kwargs)]
        return self.execute(f"found-{cls.__name__}", None, action)

    def community(self, community_id: UUID) -> Community:
        """The community, or NotFoundError."""
        return self.load(Community, community_id, "社区")

    # --- accounts --------------------------------------------------------------------------
    def sign_up(self, phone: str, name: str, password_hash: str, community_id: UUID | None,
                command_id: str | None = None) -> UUID:
        """Open an account (name and phone sealed with a new personal key) and ask to join a community."""
        phone = normalise_phone(phone)
        name = clean_name(name)
        phone_key = self.phone_key(phone)
        account_id = Account.id_for(phone_key)
        if community_id is not None:
            self.community(community_id)

        def action():
            if self.find(Account, account_id) is not None:
                raise PhoneTakenError()
            at = self.clock()
            personal = self.sealer.seal(account_id, {"name": name, "phone": phone})
            account = Account(phone_key=phone_key, personal=personal, password_hash=password_hash, at=at)
            if community_id is not None:
                account.request_residency(community_id, at)
            return account_id, [account]
        return self.execute("sign-up", command_id, action)

    def login_record(self, phone: str) -> LoginRecord | None:
        """The account and password hash for a phone number, or None (the caller must not say which)."""
        account = self.find(Account, Account.id_for(self.phone_key(normalise_phone(phone))))
        if account is None or account.erased:
            return None
        return LoginRecord(account.id, account.password_hash)

    def account(self, account_id: UUID) -> Account:
        """The account, or NotFoundError."""
        return self.load(Account, account_id, "账号")

    def request_residency(self, account_id: UUID, community_id: UUID, command_id: str | None = None) -> None:
        """An existing account asks to join one more community."""
        self.community(community_id)

        def action():
            account = self.account(account_id)
            account.request_residency(community_id, self.clock())
            return None, [account]
        return self.execute("request-residency", command_id, action)

    def verify_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID,
                         command_id: str | None = None) -> None:
        """A community worker confirms that a person lives in their community."""
        self._require_role(worker_id, roles.WORKER, community_id)

        def action():
            account = self.account(account_id)
            account.verify_residency(community_id, worker_id, self.clock())
            return None, [account]
        return self.execute("verify-residency", command_id, action)

    def reject_residency(self, worker_id: UUID, account_id: UUID, community_id: UUID, reason: str,
                         command_id: str | None = None) -> None:
        """A community worker declines a residency request, saying why."""
        self._require_role(worker_id, roles.WORKER, community_id)
        reason = clean_text(reason, "理由", max_length=200)

        def action():
            account = self.account(account_id)
            account.reject_residency(community_id, worker_id, reason, self.clock())
            return None, [account]
        return self.execute("reject-residency", command_id, action)

    def grant_role(self, account_id: UUID, role: str, scope_id: UUID, by: UUID | None = None) -> None:
        """Give a role in a scope (the CLI and the demo call this with by=None, as the system)."""
        def action():
            account = self.account(account_id)
            account.grant_role(role, scope_id, by, self.clock())
            return None, [account]
        return self.execute("grant-role", None, action)

    def revoke_role(self, account_id: UUID, role: str, scope_id: UUID, by: UUID | None = None) -> None:
        """Take a role away again (the CLI calls this with by=None, as the system)."""
        def action():
            account = self.account(account_id)
            account.revoke_role(role, scope_id, by, self.clock())
            return None, [account]
        return self.execute("revoke-role", None, action)

    def erase_person(self, account_id: UUID) -> None:
        """Erase a person: record it, then delete their key so no sealed field can be read again."""
        def action():
            account = self.account(account_id)
            account.erase(self.clock())
            return None, [account]
        self.execute("erase-person", None, action)
        self.sealer.keys.delete(account_id)

    # --- checks other contexts reuse -----------------------------------------------------------
    def is_verified_resident(self, account_id: UUID, community_id: UUID) -> bool:
        """True when a worker has verified the person as a resident of the community."""
        account = self.find(Account, account_id)
        return account is not None and account.is_resident_of(community_id)

    def has_role(self, account_id: UUID, role: str, scope_id: UUID) -> bool:
        """True when the account holds `role` in exactly that scope."""
        account = self.find(Account, account_id)
        return account is not None and account.has_role(role, scope_id)

    def _require_role(self, account_id: UUID, role: str, scope_id: UUID) -> None:
        if not self.has_role(account_id, role, scope_id):
            raise NotAllowedError("只有{role}可以进行此操作", role=roles.ROLE_NAMES[role])

    def _require_resident(self, account_id: UUID, community_id: UUID) -> None:
        if not self.is_verified_resident(account_id, community_id):
            raise NotAllowedError("只有经过核实的本社区居民可以进行此操作")

    def person_name(self, account_id: UUID) -> str:
        """The person's name, or the erased marker once their key is gone."""
        account = self.find(Account, account_id)
        if account is None:
            raise NotFoundError("找不到该账号")
        fields = self.sealer.unseal(account_id, account.personal)
        return fields["name"] if fields else "（已删除）"
