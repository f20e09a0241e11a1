"""The community fund (为民服务专项资金): one aggregate per community and year that can never be overspent.

Money moves between five buckets, all integer fen and all kept inside this one stream, so optimistic
concurrency makes every limit race-free:

    budget = unallocated + allocated
    allocated (per project) = free + committed + pending + paid

A recorded payment is *pending*: it reserves its money at once (TigerBeetle's pending transfer), so two
payments recorded at the same time can never both spend the last yuan. Approval by a second fund manager
*posts* it (pending → paid); rejection or withdrawal *voids* it (the reservation goes back where it came
from). Refunds and corrections are new events with a reason; nothing is edited or deleted.

Maker ≠ checker for every money movement: a refund and an allocation increase are first *requested* by one fund
manager and move money only when another approves them (then `PaymentRefunded` / `AllocationIncreased`, as before);
erasing the payee of a paid payment likewise. At most one request of a kind waits per payment (refund, erasure) or
project (increase), so the approval event settles that request and old stores — whose refunds, increases and
erasures had no request — replay unchanged.
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.fund.policies import (APPROVED, CATEGORIES, ERASURE, INCREASE, INDIVIDUAL, MONEY_REQUESTS, OPEN, PENDING,
                                   REFUND, REQUESTED, awaits_check, category_follows, commitment_is_open,
                                   erasure_needs_check, holds_receipt, is_maker, payee_is_erasable,
                                   payment_is_approvable, receipt_key, refundable, request_is_open, resolution_in_year,
                                   resolution_room, year_is_over)
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.money import format_fen
from domain.kernel.time import local_day, parse_date
from domain.kernel.topics import moved

PAYEE_KINDS = {"organisation": "单位", INDIVIDUAL: "个人"}

RELEASED, CANCELLED = "released", "cancelled"          # and OPEN (policies)
REJECTED, VOIDED = "rejected", "voided"                # and PENDING, APPROVED (policies)
PAYMENT_STATUS_NAMES = {PENDING: "待审核", APPROVED: "已支付", REJECTED: "已退回", VOIDED: "已撤回"}
REQUEST_KIND_NAMES = {REFUND: "退款", INCREASE: "追加分配", ERASURE: "删除收款人信息"}
REQUEST_STATUS_NAMES = {REQUESTED: "待审核", APPROVED: "已通过", REJECTED: "已驳回"}


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


class NoAmountAuthorisedError(ConflictError):
    """A resolution that states no amount authorises no money: its motion spent none, or it was adopted before motions
    stated amounts (allocations made against it then stay valid; new ones and increases are refused)."""

    message = "该决议没有写明金额，不能据此分配资金；用款须由议事会表决写明金额的动议"


class ResolutionAmountExceededError(ConflictError):
    """Allocations against one resolution (increases included, in every year's fund together) never exceed the amount
    its motion stated."""

    message = "超出决议批准的金额：该决议批准 {authorised} 元，尚可分配 {left} 元，本次需要 {amount} 元"


class ResolutionCategoryError(ConflictError):
    """A project's category is the one its resolution's motion stated."""

    message = "该决议写明的资金类别为「{category}」，项目类别须与之一致"


class MakerCheckerError(NotAllowedError):
    """The person who recorded a payment may not also approve or reject it."""

    message = "支付须由另一位资金管理员审核，不能审核自己录入的支付"


class RequestCheckError(MakerCheckerError):
    """The fund manager who asked for a refund, an increase or an erasure may not also decide it."""

    message = "该申请须由另一位资金管理员审核，不能审核自己提出的申请"


class PaymentStateError(ConflictError):
    """The payment is not in a state that allows this command."""

    message = "该支付当前状态为「{status}」，不能进行此操作"


class CommitmentStateError(ConflictError):
    """The commitment is not open, or has payments against it."""

    message = "该预留已结束"


class RequestStateError(ConflictError):
    """The request has been decided already."""

    message = "该申请当前状态为「{status}」，不能再审核"


class RequestWaitingError(ConflictError):
    """One request of a kind waits per payment (refund, erasure) or project (increase) at a time."""

    message = "已有一项「{kind}」申请在等待审核，请先审核或驳回"


class DuplicateReceiptError(ConflictError):
    """A receipt number (票据编号) already used by another pending or paid payment of the fund."""

    message = "票据编号「{receipt}」已用于本年度资金的另一笔支付，同一张票据不能重复支付"


class PayeeErasedApprovalError(ConflictError):
    """Nobody approves a payment whose payee has been erased: whom it pays can no longer be checked."""

    message = "该支付的收款人信息已删除，无法核对收款人，不能审核通过，只能退回或撤回"


class ErasureNeedsCheckError(ConflictError):
    """The payee of a paid payment is erased only on request, with another fund manager's approval."""

    message = "该支付已支付，删除收款人信息须提出申请，由另一位资金管理员审核"


class ErasureNotNeededError(ConflictError):
    """A payment that never paid needs no erasure request: one fund manager erases its payee at once."""

    message = "该支付尚未支付，可以直接删除收款人信息，无需申请"


class CloseBlockedError(ConflictError):
    """The year cannot be closed while money is still pending or reserved."""

    message = "还有 {pending} 元待审核支付和 {committed} 元未结预留，请先处理再结账"


class RequestsBlockCloseError(ConflictError):
    """The year cannot be closed while a refund or an allocation increase still waits for its checker."""

    message = "还有 {count} 项退款或追加分配申请等待审核，请先审核或驳回再结账"


class PayeeNotErasableError(ConflictError):
    """Only an individual payee's name is personal data sealed under its own key; an organisation's is public."""

    message = "只有个人收款方的姓名可以删除，单位名称须公示"


class PayeeAlreadyErasedError(ConflictError):
    """The payee of this payment has been erased already."""

    message = "该支付的收款人信息已删除"


class FundYearOutOfReachError(ConflictError):
    """A fund is opened for this year or next year only (China time): no budget for a year gone by, and no spending
    plans for years nobody has budgeted."""

    message = "只能开启今年或明年的年度资金，不能开启 {year} 年"


class ResolutionAfterYearError(ConflictError):
    """A past year's fund gains no allocation against a resolution adopted after that year ended."""

    message = "{year} 年度已经结束，不能依据 {day} 通过的决议向该年度资金分配，请使用 {next} 年度资金"


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

    # 2: requests (refund, increase, erasure) and each payment's receipt key are part of the state; an older
    # snapshot is upcast with no requests and receipt keys unknown (the service then replays the events).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["requests"] = {}
        for payment in state.get("payments", {}).values():
            payment.setdefault("receipt", None)

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
        self.requests: dict[str, dict] = {}
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

    def allocated_under(self, resolution_id: UUID | str) -> int:
        """What this fund's projects hold under one resolution (allocations, increases less reductions)."""
        return sum(p["allocated"] for p in self.projects.values() if p["resolution_id"] == str(resolution_id))

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

    def request(self, request_id: UUID | str, kind: str) -> dict:
        r = self.requests.get(str(request_id))
        if r is None or r["kind"] != kind:
            raise NotFoundError("找不到该申请")
        return r

    def waiting_request(self, kind: str, subject_id: UUID | str) -> str | None:
        """The id of the request of `kind` waiting for a checker on a payment (refund, erasure) or a project."""
        key = "project_id" if kind == INCREASE else "payment_id"
        return next((rid for rid, r in self.requests.items()
                     if r["kind"] == kind and r[key] == str(subject_id) and request_is_open(r["status"])), None)

    @property
    def receipts_known(self) -> bool:
        """Every payment's receipt key is in the state (False after an upcast snapshot of an older version)."""
        return all(p.get("receipt") is not None for p in self.payments.values())

    def receipt_used(self, receipt_ref: str) -> bool:
        """A pending or paid payment of this fund already has this receipt number (compared by `receipt_key`)."""
        key = receipt_key(receipt_ref)
        return bool(key) and any(p.get("receipt") == key and holds_receipt(p["status"])
                                 for p in self.payments.values())

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
        waiting: dict[tuple[str, str], int] = {}
        for r in self.requests.values():
            if request_is_open(r["status"]):
                subject = (r["kind"], r["project_id"] if r["kind"] == INCREASE else r["payment_id"])
                waiting[subject] = waiting.get(subject, 0) + 1
                if r["kind"] == REFUND:
                    p = self.payments[r["payment_id"]]
                    if r["amount"] > refundable(p["status"], p["amount"], p["refunded"]):
                        broken.append(f"refund request {r['amount']} > what payment {r['payment_id']} can refund")
        if any(n > 1 for n in waiting.values()):
            broken.append("more than one request of a kind waits on the same payment or project")
        return broken

    # --- allocations -----------------------------------------------------------------------
    def allocate(self, project_id: UUID, resolution_id: UUID, resolution_title: str, title: str,
                 category: str, amount: int, by: UUID, at: datetime, *, adopted_on: date, authorised: int | None,
                 stated_category: str | None = None, elsewhere: int = 0) -> None:
        """Give part of the budget to a project that a passed resolution of this community authorised, adopted (in
        China time, `adopted_on`) before the fund's year ended: never more than the amount its motion stated
        (`authorised`, from the resolution's events) less what is allocated under it here and, `elsewhere`, in the
        community's funds of other years; in the category it stated."""
        self._require_open()
        self._require_amount(amount)
        if not resolution_in_year(self.year, adopted_on):
            raise ResolutionAfterYearError(year=self.year, day=adopted_on.isoformat(), next=adopted_on.year)
        if category not in CATEGORIES:
            raise FundInputError("请选择项目类别")
        if not category_follows(stated_category, category):
            raise ResolutionCategoryError(category=CATEGORIES.get(stated_category, stated_category))
        if str(project_id) in self.projects:
            raise ConflictError("该项目已存在")
        self._require_authorised(resolution_id, amount, authorised, elsewhere)
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

    def request_increase(self, increase_id: UUID, project_id: UUID, amount: int, reason: str, by: UUID,
                         at: datetime, *, authorised: int | None, elsewhere: int = 0) -> None:
        """A fund manager asks to add money to a project's allocation (with a reason), within what its resolution
        still authorises; nothing moves until another fund manager approves it."""
        self._require_open()
        self._require_amount(amount)
        project = self.project(project_id)
        self._require_new_request(increase_id, INCREASE, project_id)
        self._require_authorised(project["resolution_id"], amount, authorised, elsewhere)
        if amount > self.unallocated:
            raise BudgetExceededError(available=format_fen(self.unallocated), amount=format_fen(amount))
        self._increase_requested(increase_id=increase_id, project_id=project_id, amount=amount, reason=reason, by=by,
                                 at=at)

    @event("AllocationIncreaseRequested")
    def _increase_requested(self, increase_id: UUID, project_id: UUID, amount: int, reason: str, by: UUID,
                            at: datetime) -> None:
        self._requested(increase_id, INCREASE, str(project_id), None, amount, reason, by)

    def approve_increase(self, increase_id: UUID, by: UUID, at: datetime, *, authorised: int | None,
                         elsewhere: int = 0) -> None:
        """Another fund manager approves an increase: what the resolution still authorises and the unallocated budget
        are checked now, then it is allocated."""
        self._require_open()
        r = self._waiting(increase_id, INCREASE, by)
        self._require_authorised(self.projects[r["project_id"]]["resolution_id"], r["amount"], authorised, elsewhere)
        if r["amount"] > self.unallocated:
            raise BudgetExceededError(available=format_fen(self.unallocated), amount=format_fen(r["amount"]))
        self._allocation_increased(project_id=UUID(r["project_id"]), amount=r["amount"], reason=r["reason"], by=by,
                                   at=at)

    @event("AllocationIncreased")
    def _allocation_increased(self, project_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.projects[str(project_id)]["allocated"] += amount
        self.allocated += amount
        self._settle(INCREASE, str(project_id))

    def reject_increase(self, increase_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Another fund manager turns an increase down, saying why; nothing moves."""
        self._require_open()
        self._waiting(increase_id, INCREASE, by)
        self._increase_rejected(increase_id=increase_id, reason=reason, by=by, at=at)

    @event("AllocationIncreaseRejected")
    def _increase_rejected(self, increase_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.requests[str(increase_id)]["status"] = REJECTED

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
        if not commitment_is_open(c["status"]):
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
        if not commitment_is_open(c["status"]):
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
        if self.receipt_used(receipt_ref):
            raise DuplicateReceiptError(receipt=receipt_ref)
        if commitment_id is not None:
            c = self.commitment(commitment_id)
            if c["project_id"] != str(project_id):
                raise NotFoundError("找不到该预留")
            if not commitment_is_open(c["status"]):
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
            "payee_erased": False, "receipt": receipt_key(receipt_ref)}

    def approve_payment(self, payment_id: UUID, by: UUID, at: datetime) -> None:
        """A second fund manager approves a pending payment: only now does it count as paid."""
        self._require_open()
        p = self._pending_payment(payment_id)
        if is_maker(p["recorded_by"], by):
            raise MakerCheckerError()
        if not payment_is_approvable(p["status"], p.get("payee_erased", False)):
            raise PayeeErasedApprovalError()
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

    def request_refund(self, refund_id: UUID, payment_id: UUID, amount: int, reason: str, by: UUID,
                       at: datetime) -> None:
        """A fund manager asks for money paid to come back (overpayment, returned goods), saying why; nothing moves
        until another fund manager approves it."""
        self._require_open()
        self._require_amount(amount)
        p = self.payment(payment_id)
        if p["status"] != APPROVED:
            raise PaymentStateError(status=PAYMENT_STATUS_NAMES[p["status"]])
        self._require_new_request(refund_id, REFUND, payment_id)
        self._require_refundable(p, amount)
        self._refund_requested(refund_id=refund_id, payment_id=payment_id, amount=amount, reason=reason, by=by, at=at)

    @event("RefundRequested")
    def _refund_requested(self, refund_id: UUID, payment_id: UUID, amount: int, reason: str, by: UUID,
                          at: datetime) -> None:
        project_id = self.payments[str(payment_id)]["project_id"]
        self._requested(refund_id, REFUND, project_id, str(payment_id), amount, reason, by)

    def approve_refund(self, refund_id: UUID, by: UUID, at: datetime) -> None:
        """Another fund manager approves a refund: what is still refundable is checked now, then the money comes
        back (a compensating event; the payment stays)."""
        self._require_open()
        r = self._waiting(refund_id, REFUND, by)
        self._require_refundable(self.payments[r["payment_id"]], r["amount"])
        self._payment_refunded(payment_id=UUID(r["payment_id"]), amount=r["amount"], reason=r["reason"], by=by, at=at)

    @event("PaymentRefunded")
    def _payment_refunded(self, payment_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        p = self.payments[str(payment_id)]
        p["refunded"] += amount
        self.projects[p["project_id"]]["paid"] -= amount
        self.paid -= amount
        self._settle(REFUND, str(payment_id))

    def reject_refund(self, refund_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Another fund manager turns a refund down, saying why; nothing moves."""
        self._require_open()
        self._waiting(refund_id, REFUND, by)
        self._refund_rejected(refund_id=refund_id, reason=reason, by=by, at=at)

    @event("RefundRejected")
    def _refund_rejected(self, refund_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.requests[str(refund_id)]["status"] = REJECTED

    # --- personal data ------------------------------------------------------------------------
    def erase_payee(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """One fund manager erases the individual payee of a payment that never paid (pending, sent back, withdrawn);
        the use case then deletes the payment's key.

        Safe without a checker: such a payment moved no money, so its payee's name hides nothing, and a pending one
        can no longer be approved once its payee is erased (`payment_is_approvable`). A paid payment's payee is
        erased only on request, with another manager's approval. Allowed in a closed year too: erasing personal data
        changes no amount, so the year stays read-only for money while the person's right to erasure still holds."""
        p = self._erasable_payment(payment_id)
        if erasure_needs_check(p["status"]):
            raise ErasureNeedsCheckError()
        self._payee_erased(payment_id=payment_id, reason=reason, by=by, at=at)

    @event("PayeeErased")
    def _payee_erased(self, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.payments[str(payment_id)]["payee_erased"] = True
        self._settle(ERASURE, str(payment_id))

    def request_payee_erasure(self, erasure_id: UUID, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """A fund manager asks to erase the individual payee of a paid payment (also in a closed year), saying why;
        another fund manager decides."""
        p = self._erasable_payment(payment_id)
        if not erasure_needs_check(p["status"]):
            raise ErasureNotNeededError()
        self._require_new_request(erasure_id, ERASURE, payment_id)
        self._erasure_requested(erasure_id=erasure_id, payment_id=payment_id, reason=reason, by=by, at=at)

    @event("PayeeErasureRequested")
    def _erasure_requested(self, erasure_id: UUID, payment_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        project_id = self.payments[str(payment_id)]["project_id"]
        self._requested(erasure_id, ERASURE, project_id, str(payment_id), 0, reason, by)

    def approve_payee_erasure(self, erasure_id: UUID, by: UUID, at: datetime) -> UUID:
        """Another fund manager approves an erasure (`PayeeErased`); returns the payment whose key goes next."""
        r = self._waiting(erasure_id, ERASURE, by)
        payment_id = UUID(r["payment_id"])
        self._payee_erased(payment_id=payment_id, reason=r["reason"], by=by, at=at)
        return payment_id

    def reject_payee_erasure(self, erasure_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Another fund manager turns an erasure down, saying why; the name stays."""
        self._waiting(erasure_id, ERASURE, by)
        self._erasure_rejected(erasure_id=erasure_id, reason=reason, by=by, at=at)

    @event("PayeeErasureRejected")
    def _erasure_rejected(self, erasure_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.requests[str(erasure_id)]["status"] = REJECTED

    # --- year end --------------------------------------------------------------------------
    def close(self, by: UUID, at: datetime) -> None:
        """Close the year: from now on the fund is read-only; the unspent balance is recorded."""
        self._require_open()
        if not year_is_over(self.year, local_day(at)):
            raise YearNotOverError(year=self.year)
        if self.pending or self.committed:
            raise CloseBlockedError(pending=format_fen(self.pending), committed=format_fen(self.committed))
        waiting = [r for r in self.requests.values() if r["kind"] in MONEY_REQUESTS and request_is_open(r["status"])]
        if waiting:
            raise RequestsBlockCloseError(count=len(waiting))
        self._closed(unspent=self.budget - self.paid, by=by, at=at)

    @event("Closed")
    def _closed(self, unspent: int, by: UUID, at: datetime) -> None:
        self.closed = True
        self.unspent = unspent

    # --- helpers ---------------------------------------------------------------------------
    def _require_authorised(self, resolution_id: UUID | str, amount: int, authorised: int | None,
                            elsewhere: int) -> None:
        """`amount` more under the resolution stays within what its motion stated (`resolution_room`)."""
        if authorised is None:
            raise NoAmountAuthorisedError()
        left = resolution_room(authorised, elsewhere + self.allocated_under(resolution_id))
        if amount > left:
            raise ResolutionAmountExceededError(authorised=format_fen(authorised), left=format_fen(left),
                                                amount=format_fen(amount))

    def _require_open(self) -> None:
        if self.closed:
            raise FundClosedError()

    @staticmethod
    def _require_amount(amount: int) -> None:
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise FundInputError("金额必须大于 0")

    def _require_refundable(self, p: dict, amount: int) -> None:
        left = refundable(p["status"], p["amount"], p["refunded"])
        if amount > left:
            raise FundInputError("退款金额不能超过可退金额 {refundable} 元", refundable=format_fen(left))

    def _erasable_payment(self, payment_id: UUID) -> dict:
        p = self.payment(payment_id)
        if not payee_is_erasable(p.get("payee_kind")):
            raise PayeeNotErasableError()
        if p.get("payee_erased"):
            raise PayeeAlreadyErasedError()
        return p

    def _require_new_request(self, request_id: UUID, kind: str, subject_id: UUID) -> None:
        if str(request_id) in self.requests:
            raise ConflictError("该申请已存在")
        if self.waiting_request(kind, subject_id) is not None:
            raise RequestWaitingError(kind=REQUEST_KIND_NAMES[kind])

    def _waiting(self, request_id: UUID, kind: str, checker: UUID) -> dict:
        """A request still waiting, checked by someone other than who asked for it."""
        r = self.request(request_id, kind)
        if not request_is_open(r["status"]):
            raise RequestStateError(status=REQUEST_STATUS_NAMES[r["status"]])
        if is_maker(r["by"], checker):
            raise RequestCheckError()
        return r

    def _requested(self, request_id: UUID, kind: str, project_id: str, payment_id: str | None, amount: int,
                   reason: str, by: UUID) -> None:
        self.requests[str(request_id)] = {"kind": kind, "project_id": project_id, "payment_id": payment_id,
                                          "amount": amount, "reason": reason, "by": str(by), "status": REQUESTED}

    def _settle(self, kind: str, subject_id: str) -> None:
        """The approval event settles the request of its kind waiting on that payment or project (none in stores
        written before requests existed)."""
        request_id = self.waiting_request(kind, subject_id)
        if request_id is not None:
            self.requests[request_id]["status"] = APPROVED

    def _pending_payment(self, payment_id: UUID) -> dict:
        p = self.payment(payment_id)
        if not awaits_check(p["status"]):
            raise PaymentStateError(status=PAYMENT_STATUS_NAMES[p["status"]])
        return p


moved({"domain.fund:Fund": Fund})
