"""Use cases of the community fund (`app.fund.*`): open, allocate, commit, pay, refund, increase and erase (each
asked for by one fund manager and checked by another), close. Every write is by a fund manager of that community
(`policies`), each idempotent by its command id."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from domain.fund.inputs import check_year
from domain.fund.model import Fund, FundNotOpenError, FundYearOutOfReachError, ResolutionNotPassedError, parse_day
from domain.fund.policies import INCREASE, may_manage_fund, payee_is_erasable, year_is_openable
from domain.kernel.errors import NotAllowedError, NotFoundError
from domain.kernel.money import parse_fen
from domain.kernel.text import clean_text
from domain.kernel.time import local_day

if TYPE_CHECKING:
    from domain.kernel.application import Linli


class FundService:
    """The community fund: one `Fund` aggregate per community and year."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    # --- reads ---------------------------------------------------------------------------
    def year_fund(self, community_id: UUID, year: int) -> Fund | None:
        """The fund of a community and year, or None if it was never opened."""
        return self.app.find(Fund, Fund.id_for(community_id, check_year(year)))

    # --- writes --------------------------------------------------------------------------
    def open_fund(self, by: UUID, community_id: UUID, year: int, command_id: str | None = None) -> UUID:
        """Open a community's fund for a year with the configured budget; opening it again changes nothing."""
        year = check_year(year)
        self._require_fund_manager(by, community_id)

        def action():
            fund_id = Fund.id_for(community_id, year)
            if self.app.find(Fund, fund_id) is not None:
                return fund_id, []
            return fund_id, [self._new_fund(by, community_id, year)]
        return self.app.execute("fund-open", command_id, action, actor=by)

    def allocate(self, by: UUID, community_id: UUID, year: int, resolution_id: UUID, title: str,
                 category: str, amount: str | int, command_id: str | None = None) -> UUID:
        """Allocate money to a project authorised by a passed resolution of the same community, within the amount (and
        in the category) its motion stated: the Resolution's own events say how much, the funds of the community's
        other years what they already hold under it."""
        year = check_year(year)
        self._require_fund_manager(by, community_id)
        title = clean_text(title, "项目名称", max_length=80)
        fen = parse_fen(amount)
        resolution = self.app.roundtable.resolution(resolution_id)
        if resolution.community_id != community_id:
            raise NotFoundError("找不到该决议")
        if not resolution.passed:
            raise ResolutionNotPassedError()
        project_id = uuid4()

        def action():
            fund = self.app.find(Fund, Fund.id_for(community_id, year)) or self._new_fund(by, community_id, year)
            fund.allocate(project_id, resolution.id, resolution.title, title, category, fen, by, self.app.clock(),
                          adopted_on=local_day(resolution.adopted_at), stated_category=resolution.category,
                          **self._authority(community_id, year, resolution))
            return project_id, [fund]
        return self.app.execute("fund-allocate", command_id, action, actor=by)

    def request_increase(self, by: UUID, community_id: UUID, year: int, project_id: UUID, amount: str | int,
                         reason: str, command_id: str | None = None) -> UUID:
        """Ask to add to a project's allocation, saying why; another fund manager approves or rejects it."""
        fen, reason = parse_fen(amount), self._fund_reason(reason)
        increase_id = uuid4()

        def change(fund: Fund, at) -> UUID:
            fund.request_increase(increase_id, project_id, fen, reason, by, at,
                                  **self._project_authority(fund, community_id, year, project_id))
            return increase_id
        return self._fund_change(by, community_id, year, "fund-increase", command_id, change)

    def approve_increase(self, by: UUID, community_id: UUID, year: int, increase_id: UUID,
                         command_id: str | None = None) -> None:
        """A fund manager other than the one who asked approves an increase: only now is it allocated."""
        def change(fund: Fund, at) -> None:
            asked = fund.requests.get(str(increase_id))
            project_id = asked["project_id"] if asked and asked["kind"] == INCREASE else None
            fund.approve_increase(increase_id, by, at, **self._project_authority(fund, community_id, year, project_id))
        return self._fund_change(by, community_id, year, "fund-increase-approve", command_id, change)

    def reject_increase(self, by: UUID, community_id: UUID, year: int, increase_id: UUID, reason: str,
                        command_id: str | None = None) -> None:
        """A fund manager other than the one who asked turns an increase down, saying why."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-increase-reject", command_id,
                                 lambda fund, at: fund.reject_increase(increase_id, reason, by, at))

    def reduce_allocation(self, by: UUID, community_id: UUID, year: int, project_id: UUID, amount: str | int,
                          reason: str, command_id: str | None = None) -> None:
        """Return part of a project's free money to the budget, saying why."""
        fen, reason = parse_fen(amount), self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-reduce", command_id,
                            lambda fund, at: fund.reduce_allocation(project_id, fen, reason, by, at))

    def commit(self, by: UUID, community_id: UUID, year: int, project_id: UUID, amount: str | int,
               description: str, command_id: str | None = None) -> UUID:
        """Reserve money of a project for a contract or purchase."""
        fen = parse_fen(amount)
        description = clean_text(description, "预留说明", max_length=200)
        commitment_id = uuid4()

        def change(fund: Fund, at) -> UUID:
            fund.commit(commitment_id, project_id, fen, description, by, at)
            return commitment_id
        return self._fund_change(by, community_id, year, "fund-commit", command_id, change)

    def release_commitment(self, by: UUID, community_id: UUID, year: int, commitment_id: UUID, reason: str,
                           command_id: str | None = None) -> None:
        """Close a commitment, giving what is left of it back to its project."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-release", command_id,
                            lambda fund, at: fund.release_commitment(commitment_id, reason, by, at))

    def cancel_commitment(self, by: UUID, community_id: UUID, year: int, commitment_id: UUID, reason: str,
                          command_id: str | None = None) -> None:
        """Cancel a commitment that nothing was paid against."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-cancel", command_id,
                            lambda fund, at: fund.cancel_commitment(commitment_id, reason, by, at))

    def record_payment(self, by: UUID, community_id: UUID, year: int, project_id: UUID,
                       commitment_id: UUID | None, amount: str | int, payee_kind: str, payee: str, paid_on: str,
                       description: str, receipt_ref: str, command_id: str | None = None) -> UUID:
        """Record a payment (maker); it reserves its money now and counts as paid once a second manager approves.

        An individual payee's name is sealed with a key of its own, so it can be erased later."""
        year = check_year(year)
        fen = parse_fen(amount)
        payee = clean_text(payee, "收款方", max_length=60)
        description = clean_text(description, "用途说明", max_length=200)
        receipt_ref = clean_text(receipt_ref, "票据编号", max_length=60)
        paid_on = parse_day(paid_on, year, local_day(self.app.clock()))
        payment_id = uuid4()
        if payee_is_erasable(payee_kind):  # sealed under a key of its own, so erasing it later is deleting the key
            sealed, payee = self.app.sealer.seal(payment_id, {"payee": payee}), ""
        else:
            sealed = ""

        def change(fund: Fund, at) -> UUID:
            fund.record_payment(payment_id, project_id, commitment_id, fen, payee_kind, payee, sealed, paid_on,
                                description, receipt_ref, by, at)
            return payment_id
        return self._fund_change(by, community_id, year, "fund-pay", command_id, change)

    def approve_payment(self, by: UUID, community_id: UUID, year: int, payment_id: UUID,
                        command_id: str | None = None) -> None:
        """A different fund manager approves a pending payment (checker)."""
        return self._fund_change(by, community_id, year, "fund-approve", command_id,
                            lambda fund, at: fund.approve_payment(payment_id, by, at))

    def reject_payment(self, by: UUID, community_id: UUID, year: int, payment_id: UUID, reason: str,
                       command_id: str | None = None) -> None:
        """A different fund manager sends a pending payment back, saying why."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-reject", command_id,
                            lambda fund, at: fund.reject_payment(payment_id, reason, by, at))

    def void_payment(self, by: UUID, community_id: UUID, year: int, payment_id: UUID, reason: str,
                     command_id: str | None = None) -> None:
        """The maker withdraws their own pending payment, saying why."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-void", command_id,
                            lambda fund, at: fund.void_payment(payment_id, reason, by, at))

    def request_refund(self, by: UUID, community_id: UUID, year: int, payment_id: UUID, amount: str | int,
                       reason: str, command_id: str | None = None) -> UUID:
        """Ask for money to come back from a paid payment, saying why; another fund manager approves or rejects it."""
        fen, reason = parse_fen(amount), self._fund_reason(reason)
        refund_id = uuid4()

        def change(fund: Fund, at) -> UUID:
            fund.request_refund(refund_id, payment_id, fen, reason, by, at)
            return refund_id
        return self._fund_change(by, community_id, year, "fund-refund", command_id, change)

    def approve_refund(self, by: UUID, community_id: UUID, year: int, refund_id: UUID,
                       command_id: str | None = None) -> None:
        """A fund manager other than the one who asked approves a refund: only now does the money come back."""
        return self._fund_change(by, community_id, year, "fund-refund-approve", command_id,
                                 lambda fund, at: fund.approve_refund(refund_id, by, at))

    def reject_refund(self, by: UUID, community_id: UUID, year: int, refund_id: UUID, reason: str,
                      command_id: str | None = None) -> None:
        """A fund manager other than the one who asked turns a refund down, saying why."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-refund-reject", command_id,
                                 lambda fund, at: fund.reject_refund(refund_id, reason, by, at))

    def erase_payee(self, by: UUID, community_id: UUID, year: int, payment_id: UUID, reason: str,
                    command_id: str | None = None) -> None:
        """Erase the individual payee of a payment that never paid: record why, then delete the payment's key so the
        sealed name in the event (and in every snapshot and backup of it) can never be read again."""
        reason = self._fund_reason(reason)
        self._fund_change(by, community_id, year, "fund-erase-payee", command_id,
                          lambda fund, at: fund.erase_payee(payment_id, reason, by, at))
        self.app.sealer.keys.delete(payment_id)

    def request_payee_erasure(self, by: UUID, community_id: UUID, year: int, payment_id: UUID, reason: str,
                              command_id: str | None = None) -> UUID:
        """Ask to erase the individual payee of a paid payment, saying why; another fund manager decides."""
        reason = self._fund_reason(reason)
        erasure_id = uuid4()

        def change(fund: Fund, at) -> UUID:
            fund.request_payee_erasure(erasure_id, payment_id, reason, by, at)
            return erasure_id
        return self._fund_change(by, community_id, year, "fund-erasure", command_id, change)

    def approve_payee_erasure(self, by: UUID, community_id: UUID, year: int, erasure_id: UUID,
                              command_id: str | None = None) -> None:
        """A fund manager other than the one who asked approves an erasure; then the payment's key is deleted, as
        for `erase_payee`. Amounts stay as they are."""
        payment_id = self._fund_change(by, community_id, year, "fund-erasure-approve", command_id,
                                       lambda fund, at: fund.approve_payee_erasure(erasure_id, by, at))
        self.app.sealer.keys.delete(payment_id)

    def reject_payee_erasure(self, by: UUID, community_id: UUID, year: int, erasure_id: UUID, reason: str,
                             command_id: str | None = None) -> None:
        """A fund manager other than the one who asked turns an erasure down, saying why."""
        reason = self._fund_reason(reason)
        return self._fund_change(by, community_id, year, "fund-erasure-reject", command_id,
                                 lambda fund, at: fund.reject_payee_erasure(erasure_id, reason, by, at))

    def close_year(self, by: UUID, community_id: UUID, year: int, command_id: str | None = None) -> int:
        """Close the year's fund; returns the unspent balance in fen."""
        def change(fund: Fund, at) -> int:
            fund.close(by, at)
            return fund.unspent
        return self._fund_change(by, community_id, year, "fund-close", command_id, change)

    # --- helpers -------------------------------------------------------------------------
    def _fund_change(self, by: UUID, community_id: UUID, year: int, use_case: str, command_id: str | None,
                change: Callable[[Fund, Any], Any]) -> Any:
        year = check_year(year)
        self._require_fund_manager(by, community_id)

        def action():
            fund = self._fund(Fund.id_for(community_id, year))
            if fund is None:
                raise FundNotOpenError()
            return change(fund, self.app.clock()), [fund]
        return self.app.execute(use_case, command_id, action, actor=by)

    def _fund(self, fund_id: UUID) -> Fund | None:
        """The fund to change: from its snapshot and later events, or — when that snapshot predates receipt keys in
        the state (`Fund.upcast_v1_v2`) — replayed from its events, so a duplicate receipt is always seen."""
        fund = self.app.find(Fund, fund_id)
        if fund is not None and not fund.receipts_known:
            fund = functools.reduce(lambda state, e: e.mutate(state), self.app.repository.event_store.get(fund_id),
                                    None)
        return fund

    def _authority(self, community_id: UUID, year: int, resolution: Any) -> dict:
        """What a resolution authorises (`authorised`: the amount its motion stated, from its own events; None when it
        stated none) and what the community's funds of other years already hold under it (`elsewhere`): those a
        resolution can reach, from the year it was adopted to next year."""
        elsewhere = 0
        for other in range(local_day(resolution.adopted_at).year, local_day(self.app.clock()).year + 2):
            fund = self.app.find(Fund, Fund.id_for(community_id, other)) if other != year else None
            if fund is not None:
                elsewhere += fund.allocated_under(resolution.id)
        return {"authorised": resolution.amount, "elsewhere": elsewhere}

    def _project_authority(self, fund: Fund, community_id: UUID, year: int, project_id: UUID | str | None) -> dict:
        """`_authority` of the resolution a project of `fund` was allocated under (none for an unknown project: the
        fund refuses it with its own error)."""
        project = fund.projects.get(str(project_id)) if project_id is not None else None
        if project is None:
            return {"authorised": None}
        resolution = self.app.roundtable.resolution(UUID(project["resolution_id"]))
        return self._authority(community_id, year, resolution)

    def _new_fund(self, by: UUID, community_id: UUID, year: int) -> Fund:
        self.app.accounts.community(community_id)
        if not year_is_openable(year, local_day(self.app.clock())):
            raise FundYearOutOfReachError(year=year)
        return Fund(community_id=community_id, year=year, budget_fen=self.app.fund_budget_fen, by=by,
                    at=self.app.clock())

    def _require_fund_manager(self, by: UUID, community_id: UUID) -> None:
        accounts = self.app.accounts
        if not may_manage_fund(accounts.actor(by), accounts.community(community_id)):
            raise NotAllowedError("只有本社区的资金管理员可以进行此操作")

    @staticmethod
    def _fund_reason(reason: str) -> str:
        return clean_text(reason, "理由", max_length=200)
