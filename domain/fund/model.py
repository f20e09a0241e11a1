"""The community fund (为民服务专项资金): one aggregate per community and year that can never be overspent.

Money moves between five buckets, all integer fen and all kept inside this one stream, so optimistic
concurrency makes every limit race-free:

    budget = unallocated + allocated
    allocated (per project) = free + committed + pending + paid

A recorded payment is *pending*: it reserves its money at once (TigerBeetle's pending transfer), so two
payments recorded at the same time can never both spend the last yuan. Approval by a second fund manager
*posts* it (pending → paid); rejection or withdrawal *voids* it (the reservation goes back where it came
from). Refunds and corrections are new events with a reason; nothing is edited or deleted.
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.fund.policies import is_maker
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.money import format_fen
from domain.kernel.time import local_day, parse_date
from domain.kernel.topics import moved

CATEGORIES = {
    "elderly": "养老",
    "children": "儿童",
    "environment": "环境",
    "culture": "文化",
    "safety": "安全",
    "health": "健康",
    "other": "其他",
}
PAYEE_KINDS = {"organisation": "单位", "individual": "个人"}

OPEN, RELEASED, CANCELLED = "open", "released", "cancelled"
PENDING, APPROVED, REJECTED, VOIDED = "pending", "approved", "rejected", "voided"
PAYMENT_STATUS_NAMES = {PENDING: "待审核", APPROVED: "已支付", REJECTED: "已退回", VOIDED: "已撤回"}


class FundClosedError(ConflictError):
    """The year has been closed; its fund is read-only."""

    message = "该年度资金已结账，不能再修改"


class FundNotOpenError(NotFoundError):
    """No fund has been opened for that community and year."""

    message = "该年度资金尚未开启"


class BudgetExceededError(ConflictError):
    """An allocation would take more than the year's unallocated budget."""

    message = "超出年度预算：尚未分配的资金为 {available} 元，本次需要 {amount} 元"


class InsufficientFundsError(ConflictError):
    """A commitment or payment would take more than is free in the project (or left in the commitment)."""

    message = "余额不足：该项目可用 {available} 元，本次需要 {amount} 元"


class ResolutionNotPassedError(ConflictError):
    """Money may only be allocated against a roundtable resolution that passed."""

    message = "只能依据已通过的议事会决议分配资金"


class MakerCheckerError(NotAllowedError):
    """The person who recorded a payment may not also approve or reject it."""

    message = "支付须由另一位资金管理员审核，不能审核自己录入的支付"


class PaymentStateError(ConflictError):
    """The payment is not in a state that allows this command."""

    message = "该支付当前状态为「{status}」，不能进行此操作"


class CommitmentStateError(ConflictError):
    """The commitment is not open, or has payments against it."""

    message = "该预留已结束"


class CloseBlockedError(ConflictError):
    """The year cannot be closed while money is still pending or reserved."""

    message = "还有 {pending} 元待审核支付和 {committed} 元未结预留，请先处理再结账"


class PayeeNotErasableError(ConflictError):
    """Only an individual payee's name is personal data sealed under its own key; an organisation's is public."""

    message = "只有个人收款方的姓名可以删除，单位名称须公示"


class PayeeAlreadyErasedError(ConflictError):
    """The payee of this payment has been erased already."""

    message = "该支付的收款人信息已删除"


class FundYearOutOfReachError(ConflictError):
    """A fund is opened for last year, this year or next year only: no backdated budget from years ago, and no
    spending plans for years nobody has budgeted."""

    message = "只能开启去年、今年或明年的年度资金，不能开启 {year} 年"


class YearNotOverError(ConflictError):
    """A year is closed at its end: closing early would freeze the community's money for the rest of the year,
    and nothing can reopen it."""

    message = "{year} 年尚未结束，年度结账须在次年进行"


class FundInputError(InvalidInputError):
    """A field of a fund command is malformed."""


def parse_day(text: str, year: int, today: date) -> str:
    """A payment day `YYYY-MM-DD` inside the fund's year and not in the future, as an ISO string."""
    day = parse_date(text)
    if day.year != year:
        raise FundInputError("日期须在 {year} 年内", year=year)
    if day > today:
        raise FundInputError("日期不能晚于今天")
    return day.isoformat()


class Fund(Aggregate):
    """A community's fund for one year: budget, projects, commitments, payments, refunds and the close."""

    @staticmethod
    def id_for(community_id: UUID, year: int) -> UUID:
        return stable_id("fund", community_id, year)

    @classmethod
    def create_id(cls, community_id: UUID, year: int, budget_fen: int, by: UUID | None, at: datetime) -> UUID:
        return cls.id_for(community_id, year)

    @event("Opened")
    def __init__(self, community_id: UUID, year: int, budget_fen: int, by: UUID | None, at: datetime) -> None:
        self.community_id = community_id
        self.year = year
        self.budget = budget_fen
        self.allocated = 0
        self.committed = 0
        self.pending = 0
        self.paid = 0
        self.projects: dict[str, dict] = {}
        self.commitments: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.closed = False
        self.unspent: int | None = None

    # --- figures -------------------------------------------------------------------------
    @property
    def unallocated(self) -> int:
        return self.budget - self.allocated

    @property
    def available(self) -> int:
        """Money neither spent, reserved by a commitment, nor held by a pending payment."""
        return self.budget - self.paid - self.committed - self.pending

    def free(self, project_id: UUID | str) -> int:
        """What a project can still commit or pay without touching its commitments."""
        p = self.project(project_id)
        return p["allocated"] - p["committed"] - p["pending"] - p["paid"]

    def project(self, project_id: UUID | str) -> dict:
        p = self.projects.get(str(project_id))
        if p is None:
            raise NotFoundError("找不到该项目")
        return p

    def commitment(self, commitment_id: UUID | str) -> dict:
        c = self.commitments.get(str(commitment_id))
        if c is None:
            raise NotFoundError("找不到该预留")
        return c

    def payment(self, payment_id: UUID | str) -> dict:
        p = self.payments.get(str(payment_id))
        if p is None:
            raise NotFoundError("找不到该支付")
        return p

    def invariant_violations(self) -> list[str]:
        """Every broken money rule (empty when the fund is sound); the tests check it after every event."""
        broken = []
        if not 0 <= self.allocated <= self.budget:
            broken.append(f"allocated {self.allocated} > budget {self.budget}")
        if self.paid + self.committed + self.pending > self.budget:
            broken.append("spent + committed + pending > budget")
        if self.paid + self.committed + self.pending + self.available != self.budget:
            broken.append("spent + committed + pending + available != budget")
        totals = {"allocated": 0, "committed": 0, "pending": 0, "paid": 0}
        for pid, p in self.projects.items():
            for key in totals:
                if p[key] < 0:
                    broken.append(f"project {pid} {key} < 0")
                totals[key] += p[key]
            if p["committed"] + p["pending"] + p["paid"] > p["allocated"]:
                broken.append(f"project {pid} committed + pending + paid > allocated")
        for key, total in totals.items():
            if total != getattr(self, key):
                broken.append(f"sum of projects' {key} {total} != fund {key} {getattr(self, key)}")
        remaining = sum(c["remaining"] for c in self.commitments.values() if c["status"] == OPEN)
        if remaining != self.committed or any(c["remaining"] < 0 for c in self.commitments.values()):
            broken.append("commitments do not add up")
        pending = sum(p["amount"] for p in self.payments.values() if p["status"] == PENDING)
        paid = sum(p["amount"] - p["refunded"] for p in self.payments.values() if p["status"] == APPROVED)
        if pending != self.pending or paid != self.paid:
            broken.append("payments do not add up")
        return broken

    # --- allocations -----------------------------------------------------------------------
    def allocate(self, project_id: UUID, resolution_id: UUID, resolution_title: str, title: str,
                 category: str, amount: int, by: UUID, at: datetime) -> None:
        """Give part of the budget to a project that a passed resolution of this community authorised."""
        self._require_open()
        self._require_amount(amount)
        if category not in CATEGORIES:
            raise FundInputError("请选择项目类别")
        if str(project_id) in self.projects:
            raise ConflictError("该项目已存在")
        if amount > self.unallocated:
            raise BudgetExceededError(available=format_fen(self.unallocated), amount=format_fen(amount))
        self._allocated(project_id=project_id, resolution_id=resolution_id, resolution_title=resolution_title,
                        title=title, category=category, amount=amount, by=by, at=at)

    @event("Allocated")
    def _allocated(self, project_id: UUID, resolution_id: UUID, resolution_title: str, title: str,
                   category: str, amount: int, by: UUID, at: datetime) -> None:
        self.projects[str(project_id)] = {
            "title": title, "category": category, "resolution_id": str(resolution_id),
            "allocated": amount, "committed": 0, "pending": 0, "paid": 0}
        self.allocated += amount

    def increase_allocation(self, project_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        """Add money to a project's allocation (a correction, with a reason)."""
        self._require_open()
        self._require_amount(amount)
        self.project(project_id)
        if amount > self.unallocated:
            raise BudgetExceededError(available=format_fen(self.unallocated), amount=format_fen(amount))
        self._allocation_increased(project_id=project_id, amount=amount, reason=reason, by=by, at=at)

    @event("AllocationIncreased")
    def _allocation_increased(self, project_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.projects[str(project_id)]["allocated"] += amount
        self.allocated += amount

    def reduce_allocation(self, project_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        """Give part of a project's free money back to the budget (a correction, with a reason)."""
        self._require_open()
        self._require_amount(amount)
        free = self.free(project_id)
        if amount > free:
            raise InsufficientFundsError(available=format_fen(free), amount=format_fen(amount))
        self._allocation_reduced(project_id=project_id, amount=amount, reason=reason, by=by, at=at)

    @event("AllocationReduced")
    def _allocation_reduced(self, project_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.projects[str(project_id)]["allocated"] -= amount
        self.allocated -= amount

    # --- commitments -----------------------------------------------------------------------
    def commit(self, commitment_id: UUID, project_id: UUID, amount: int, description: str,
               by: UUID, at: datetime) -> None:
        """Reserve part of a project's money for an approved contract or purchase."""
        self._require_open()
        self._require_amount(amount)
        free = self.free(project_id)
        if str(commitment_id) in self.commitments:
            raise ConflictError("该预留已存在")
        if amount > free:
            raise InsufficientFundsError(available=format_fen(free), amount=format_fen(amount))
        self._committed(commitment_id=commitment_id, project_id=project_id, amount=amount,
                        description=description, by=by, at=at)

    @event("Committed")
    def _committed(self, commitment_id: UUID, project_id: UUID, amount: int, description: str,
                   by: UUID, at: datetime) -> None:
        self.commitments[str(commitment_id)] = {
            "project_id": str(project_id), "amount": amount, "remaining": amount, "status": OPEN,
            "description": description}
        self.projects[str(project_id)]["committed"] += amount
        self.committed += amount

    def release_commitment(self, commitment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Close a commitment and give what is left of it back to the project (the contract cost less)."""
        self._require_open()
        c = self.commitment(commitment_id)
        if c["status"] != OPEN:
            raise CommitmentStateError()
        self._commitment_released(commitment_id=commitment_id, amount=c["remaining"], reason=reason, by=by, at=at)

    @event("CommitmentReleased")
    def _commitment_released(self, commitment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        c = self.commitments[str(commitment_id)]
        c["remaining"] -= amount
        c["status"] = RELEASED
        self.projects[c["project_id"]]["committed"] -= amount
        self.committed -= amount

    def cancel_commitment(self, commitment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Cancel a commitment nothing has been paid against (the contract fell through)."""
        self._require_open()
        c = self.commitment(commitment_id)
        if c["status"] != OPEN:
            raise CommitmentStateError()
        if any(p["commitment_id"] == str(commitment_id) and p["status"] in (PENDING, APPROVED)
               for p in self.payments.values()):
            raise CommitmentStateError("该预留已有支付，只能释放剩余金额，不能取消")
        self._commitment_cancelled(commitment_id=commitment_id, amount=c["remaining"], reason=reason, by=by, at=at)

    @event("CommitmentCancelled")
    def _commitment_cancelled(self, commitment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        c = self.commitments[str(commitment_id)]
        c["remaining"] -= amount
        c["status"] = CANCELLED
        self.projects[c["project_id"]]["committed"] -= amount
        self.committed -= amount

    # --- payments --------------------------------------------------------------------------
    def record_payment(self, payment_id: UUID, project_id: UUID, commitment_id: UUID | None, amount: int,
                       payee_kind: str, payee: str, payee_sealed: str, paid_on: str, description: str,
                       receipt_ref: str, by: UUID, at: datetime) -> None:
        """A fund manager records a payment; it reserves its money at once and waits for a second manager."""
        self._require_open()
        self._require_amount(amount)
        self.project(project_id)
        if str(payment_id) in self.payments:
            raise ConflictError("该支付已存在")
        if payee_kind not in PAYEE_KINDS:
            raise FundInputError("请选择收款方类型（单位或个人）")
        if commitment_id is not None:
            c = self.commitment(commitment_id)
            if c["project_id"] != str(project_id):
                raise NotFoundError("找不到该预留")
            if c["status"] != OPEN:
                raise CommitmentStateError("该预留已结束，不能再据此支付")
            if amount > c["remaining"]:
                raise InsufficientFundsError("余额不足：该预留剩余 {available} 元，本次需要 {amount} 元",
                                             available=format_fen(c["remaining"]), amount=format_fen(amount))
        else:
            free = self.free(project_id)
            if amount > free:
                raise InsufficientFundsError(available=format_fen(free), amount=format_fen(amount))
        self._payment_recorded(payment_id=payment_id, project_id=project_id, commitment_id=commitment_id,
                               amount=amount, payee_kind=payee_kind, payee=payee, payee_sealed=payee_sealed,
                               paid_on=paid_on, description=description, receipt_ref=receipt_ref, by=by, at=at)

    @event("PaymentRecorded")
    def _payment_recorded(self, payment_id: UUID, project_id: UUID, commitment_id: UUID | None, amount: int,
                          payee_kind: str, payee: str, payee_sealed: str, paid_on: str, description: str,
                          receipt_ref: str, by: UUID, at: datetime) -> None:
        project = self.projects[str(project_id)]
        if commitment_id is not None:
            c = self.commitments[str(commitment_id)]
            c["remaining"] -= amount
            project["committed"] -= amount
            self.committed -= amount
        project["pending"] += amount
        self.pending += amount
        self.payments[str(payment_id)] = {
            "project_id": str(project_id), "commitment_id": str(commitment_id) if commitment_id else None,
            "amount": amount, "refunded": 0, "status": PENDING, "recorded_by": str(by), "payee_kind": payee_kind,
            "payee_erased": False}

    def approve_payment(self, payment_id: UUID, by: UUID, at: datetime) -> None:
        """A second fund manager approves a pending payment: only now does it count as paid."""
        self._require_open()
        p = self._pending_payment(payment_id)
        if is_maker(p["recorded_by"], by):
            raise MakerCheckerError()
        self._payment_approved(payment_id=payment_id, amount=p["amount"], by=by, at=at)

    @event("PaymentApproved")
    def _payment_approved(self, payment_id: UUID, amount: int, by: UUID, at: datetime) -> None:
        p = self.payments[str(payment_id)]
        p["status"] = APPROVED
        project = self.projects[p["project_id"]]
        project["pending"] -= amount
        project["paid"] += amount
        self.pending -= amount
        self.paid += amount

    def reject_payment(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """A second fund manager sends a pending payment back; its reservation is released."""
        self._require_open()
        p = self._pending_payment(payment_id)
        if is_maker(p["recorded_by"], by):
            raise MakerCheckerError("不能退回自己录入的支付；如需撤回，请使用「撤回」")
        self._payment_rejected(payment_id=payment_id, amount=p["amount"], reason=reason, by=by, at=at)

    @event("PaymentRejected")
    def _payment_rejected(self, payment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self._release_pending(str(payment_id), REJECTED)

    def void_payment(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """The fund manager who recorded a pending payment withdraws it; its reservation is released."""
        self._require_open()
        p = self._pending_payment(payment_id)
        if not is_maker(p["recorded_by"], by):
            raise NotAllowedError("只有录入人可以撤回该支付；审核人请使用「退回」")
        self._payment_voided(payment_id=payment_id, amount=p["amount"], reason=reason, by=by, at=at)

    @event("PaymentVoided")
    def _payment_voided(self, payment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self._release_pending(str(payment_id), VOIDED)

    def _release_pending(self, payment_id: str, status: str) -> None:
        p = self.payments[payment_id]
        p["status"] = status
        project = self.projects[p["project_id"]]
        project["pending"] -= p["amount"]
        self.pending -= p["amount"]
        c = self.commitments.get(p["commitment_id"] or "")
        if c is not None and c["status"] == OPEN:  # back into the commitment it came from
            c["remaining"] += p["amount"]
            project["committed"] += p["amount"]
            self.committed += p["amount"]

    def refund_payment(self, payment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        """Money paid comes back (overpayment, returned goods): a compensating event; the payment stays."""
        self._require_open()
        self._require_amount(amount)
        p = self.payment(payment_id)
        if p["status"] != APPROVED:
            raise PaymentStateError(status=PAYMENT_STATUS_NAMES[p["status"]])
        refundable = p["amount"] - p["refunded"]
        if amount > refundable:
            raise FundInputError("退款金额不能超过可退金额 {refundable} 元", refundable=format_fen(refundable))
        self._payment_refunded(payment_id=payment_id, amount=amount, reason=reason, by=by, at=at)

    @event("PaymentRefunded")
    def _payment_refunded(self, payment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        p = self.payments[str(payment_id)]
        p["refunded"] += amount
        self.projects[p["project_id"]]["paid"] -= amount
        self.paid -= amount

    # --- personal data ------------------------------------------------------------------------
    def erase_payee(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Record that an individual payee's name is erased (the use case then deletes the payment's key).

        Allowed in a closed year too: erasing personal data changes no amount, so the year stays read-only
        for money while the person's right to erasure still holds."""
        p = self.payment(payment_id)
        if p.get("payee_kind") != "individual":
            raise PayeeNotErasableError()
        if p.get("payee_erased"):
            raise PayeeAlreadyErasedError()
        self._payee_erased(payment_id=payment_id, reason=reason, by=by, at=at)

    @event("PayeeErased")
    def _payee_erased(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.payments[str(payment_id)]["payee_erased"] = True

    # --- year end --------------------------------------------------------------------------
    def close(self, by: UUID, at: datetime) -> None:
        """Close the year: from now on the fund is read-only; the unspent balance is recorded."""
        self._require_open()
        if local_day(at).year <= self.year:
            raise YearNotOverError(year=self.year)
        if self.pending or self.committed:
            raise CloseBlockedError(pending=format_fen(self.pending), committed=format_fen(self.committed))
        self._closed(unspent=self.budget - self.paid, by=by, at=at)

    @event("Closed")
    def _closed(self, unspent: int, by: UUID, at: datetime) -> None:
        self.closed = True
        self.unspent = unspent

    # --- helpers ---------------------------------------------------------------------------
    def _require_open(self) -> None:
        if self.closed:
            raise FundClosedError()

    @staticmethod
    def _require_amount(amount: int) -> None:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise FundInputError("金额必须大于 0")

    def _pending_payment(self, payment_id: UUID) -> dict:
        p = self.payment(payment_id)
        if p["status"] != PENDING:
            raise PaymentStateError(status=PAYMENT_STATUS_NAMES[p["status"]])
        return p


moved({"domain.fund:Fund": Fund})
