"""Charity-venture grants (公益创投): social organisations, calls with a money pool, applications with scored review,
awards, and tranches paid against milestones.

Every fen of a call lives in ONE stream (the `Call`), so optimistic concurrency makes its limit race-free:

    pool = remaining + pending + awarded          awarded (per project) = unreleased + released

A proposed award *reserves* its money at once (pending), so thirty proposals sent at the same moment can never
promise more than the pool holds; a second official approves it (pending → awarded), or rejects it, or its proposer
withdraws it (the reservation goes back). A tranche is released only once the milestone it requires is accepted,
by an official other than the one who accepted it. A failed mid-term evaluation stops the project: every tranche not
yet paid is cancelled (that money goes back to the pool) and a clawback of paid money may be recorded — new events,
nothing edited. Accepting the final report closes the project.

An `Application` holds the organisation's draft, its submission, the reviewers' scores (one event per reviewer, all
criteria at once: a second score collides in the stream) and its reports. An `Organisation` holds its registration,
approval, hub mark, members and the sealed contact; a `CreditCodeClaim` per credit code makes a second registration
of the same code collide."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.grants.policies import (APPROVED, AWARDED, CLOSED, DECLINED, DRAFT, FINAL, MIDTERM, PENDING, PROPOSED,
                                    REJECTED, REPORTED, RUNNING, SIGNING, STOPPED, SUBMITTED, WITHDRAWN, is_maker,
                                    next_milestone, window_open)
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.money import format_fen
from domain.kernel.time import SHANGHAI

ORGANISATION_STATUS_NAMES = {PENDING: "待审核", APPROVED: "已通过", REJECTED: "未通过"}
APPLICATION_STATUS_NAMES = {DRAFT: "草稿", SUBMITTED: "已提交"}
AWARD_STATUS_NAMES = {PROPOSED: "待审批", AWARDED: "已资助", DECLINED: "已驳回", WITHDRAWN: "已撤回"}
PROJECT_STATUS_NAMES = {RUNNING: "实施中", STOPPED: "已终止", CLOSED: "已结项"}
MILESTONE_NAMES = {SIGNING: "签订资助协议", MIDTERM: "中期评估", FINAL: "结项报告验收"}
REPORT_NAMES = {MIDTERM: "中期报告", FINAL: "结项报告"}


# --- named errors -----------------------------------------------------------------------------------
class CreditCodeTakenError(ConflictError):
    """Another organisation is already registered under this unified social credit code."""

    message = "该统一社会信用代码已有组织登记"


class OrganisationStateError(ConflictError):
    """The organisation is not in a state that allows this command."""

    message = "该组织当前状态为「{status}」，不能进行此操作"


class OrganisationNotApprovedError(NotAllowedError):
    """Only an approved organisation applies for grants."""

    message = "该组织尚未通过审核，不能申报项目"


class MemberError(ConflictError):
    """Adding someone already a member, or removing someone who is not (or the last member)."""


class WindowClosedError(ConflictError):
    """The application window is not open (before it opens, or after the deadline)."""

    message = "不在申报时间内：申报截止时间为 {closes}（北京时间）"


class RequestTooLargeError(InvalidInputError):
    """An application asks (or an award gives) more than the call's maximum per project."""

    message = "申请金额不能超过每个项目的资助上限 {max} 元"


class ApplicationIncompleteError(InvalidInputError):
    """A draft lacks something a submission needs."""

    message = "申报书还不完整：{missing}"


class ApplicationStateError(ConflictError):
    """The application is not in a state that allows this command."""

    message = "该申报当前状态为「{status}」，不能进行此操作"


class AlreadyScoredError(ConflictError):
    """A reviewer scores each application once."""

    message = "您已经为该申报评过分，每位评审对每个申报只能评分一次"


class SelfReviewError(NotAllowedError):
    """A reviewer may not review an application of an organisation they belong to."""

    message = "您是该申报组织的成员，不能评审该申报"


class NotReviewerError(NotAllowedError):
    """Only a reviewer the officials named for the call scores its applications."""

    message = "您不是该项目征集的评审"


class PoolExceededError(ConflictError):
    """An award would take more than is left in the call's pool."""

    message = "超出资金池：尚可资助 {available} 元，本次需要 {amount} 元"


class AwardStateError(ConflictError):
    """The award is not in a state that allows this command."""

    message = "该资助当前状态为「{status}」，不能进行此操作"


class AwardCheckError(NotAllowedError):
    """The official who proposed an award may not also approve or reject it."""

    message = "资助须由另一位工作人员审批，不能审批自己提出的资助"


class ReleaseCheckError(NotAllowedError):
    """The official who accepted a milestone may not also release the tranche it unlocks."""

    message = "拨付须由另一位工作人员办理，不能拨付自己验收的节点对应的款项"


class MilestoneNotAcceptedError(ConflictError):
    """A tranche is released only after its milestone is accepted."""

    message = "该批款项的拨付条件「{milestone}」尚未验收通过，不能拨付"


class ProjectStoppedError(ConflictError):
    """Nothing is paid to a stopped project any more."""

    message = "该项目已终止，不能再拨付或验收"


class MilestoneOrderError(ConflictError):
    """Milestones are accepted in order (signing, mid-term, final), after the report they need."""

    message = "现在不能办理「{milestone}」：须按签约、中期评估、结项报告的顺序，且组织须先提交相应报告"


class ClawbackTooLargeError(ConflictError):
    """A clawback takes back at most what was released and not yet clawed back."""

    message = "追回金额不能超过已拨付且未追回的 {available} 元"


def _require_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidInputError("金额必须大于 0")


# --- organisations ---------------------------------------------------------------------------------------
class CreditCodeClaim(Aggregate):
    """Which organisation holds a unified social credit code: a second registration of the code collides. Released
    when a registration is rejected, so the organisation can register again once it has put things right."""

    @staticmethod
    def id_for(credit_code: str) -> UUID:
        return stable_id("grants-credit-code", credit_code)

    @classmethod
    def create_id(cls, credit_code: str, organisation_id: UUID) -> UUID:
        return cls.id_for(credit_code)

    @event("Claimed")
    def __init__(self, credit_code: str, organisation_id: UUID) -> None:
        self.organisation_id: UUID | None = organisation_id

    def claim(self, organisation_id: UUID) -> None:
        """Take a released code."""
        if self.organisation_id is not None:
            raise CreditCodeTakenError()
        self._reclaimed(organisation_id=organisation_id)

    @event("Reclaimed")
    def _reclaimed(self, organisation_id: UUID) -> None:
        self.organisation_id = organisation_id

    def release(self) -> None:
        """The registration holding the code was rejected."""
        if self.organisation_id is not None:
            self._released()

    @event("Released")
    def _released(self) -> None:
        self.organisation_id = None


class Organisation(Aggregate):
    """A social organisation (社会组织): registered with a street, approved by its officials; its members are Linli
    accounts (each also granted the `org_member` role scoped to this organisation). The contact person's name and
    phone are sealed under a key of their own (`contact_id`), so they can be erased."""

    @classmethod
    def register(cls, organisation_id: UUID, name: str, credit_code: str, kind: str, street_id: UUID,
                 district_id: UUID, contact_id: UUID, contact: str, by: UUID, at: datetime) -> Organisation:
        """A new registration under a given id (the demo's organisation has a fixed one)."""
        return cls._create(cls.Registered, id=organisation_id, name=name, credit_code=credit_code, kind=kind,
                           street_id=street_id, district_id=district_id, contact_id=contact_id, contact=contact,
                           by=by, at=at)

    @event("Registered")
    def __init__(self, name: str, credit_code: str, kind: str, street_id: UUID, district_id: UUID,
                 contact_id: UUID, contact: str, by: UUID, at: datetime) -> None:
        self.name = name
        self.credit_code = credit_code
        self.kind = kind
        self.street_id = street_id
        self.district_id = district_id
        self.contact_id: UUID | None = contact_id
        self.status = PENDING
        self.hub = False
        self.members: dict[str, bool] = {str(by): True}     # dicts, not sets: snapshots are JSON
        self.ever_members: dict[str, bool] = {str(by): True}

    def approve(self, by: UUID, at: datetime) -> None:
        """A street or district official approves the registration."""
        self._require(PENDING)
        self._approved(by=by, at=at)

    @event("Approved")
    def _approved(self, by: UUID, at: datetime) -> None:
        self.status = APPROVED

    def reject(self, reason: str, by: UUID, at: datetime) -> None:
        """An official turns the registration down, saying why (the credit code is freed)."""
        self._require(PENDING)
        self._rejected(reason=reason, by=by, at=at)

    @event("Rejected")
    def _rejected(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = REJECTED

    def mark_hub(self, hub: bool, by: UUID, at: datetime) -> None:
        """Marks (or unmarks) an approved organisation as a hub organisation (枢纽型社会组织)."""
        self._require(APPROVED)
        if bool(hub) == self.hub:
            raise ConflictError("该组织已是枢纽型社会组织" if hub else "该组织不是枢纽型社会组织")
        self._hub_marked(hub=bool(hub), by=by, at=at)

    @event("HubMarked")
    def _hub_marked(self, hub: bool, by: UUID, at: datetime) -> None:
        self.hub = hub

    def add_member(self, account_id: UUID, by: UUID, at: datetime) -> None:
        """A member adds another Linli account to the organisation."""
        if self.status == REJECTED:
            raise OrganisationStateError(status=ORGANISATION_STATUS_NAMES[self.status])
        if str(account_id) in self.members:
            raise MemberError("该账号已是本组织成员")
        self._member_added(account_id=account_id, by=by, at=at)

    @event("MemberAdded")
    def _member_added(self, account_id: UUID, by: UUID, at: datetime) -> None:
        self.members[str(account_id)] = True
        self.ever_members[str(account_id)] = True

    def remove_member(self, account_id: UUID, by: UUID, at: datetime) -> None:
        """A member takes someone off the organisation (never the last member). They stay in `ever_members`: a
        former member still may not review the organisation's applications."""
        if str(account_id) not in self.members:
            raise MemberError("该账号不是本组织成员")
        if len(self.members) == 1:
            raise MemberError("组织至少要有一名成员")
        self._member_removed(account_id=account_id, by=by, at=at)

    @event("MemberRemoved")
    def _member_removed(self, account_id: UUID, by: UUID, at: datetime) -> None:
        self.members.pop(str(account_id), None)

    def change_contact(self, contact_id: UUID, contact: str, by: UUID, at: datetime) -> UUID | None:
        """A new contact person (sealed under a new key); returns the old contact's key id, to be deleted."""
        old = self.contact_id
        self._contact_changed(contact_id=contact_id, contact=contact, by=by, at=at)
        return old

    @event("ContactChanged")
    def _contact_changed(self, contact_id: UUID, contact: str, by: UUID, at: datetime) -> None:
        self.contact_id = contact_id

    def erase_contact(self, reason: str, by: UUID, at: datetime) -> UUID:
        """The contact's name and phone are erased (their key is deleted next); returns that key's id."""
        if self.contact_id is None:
            raise ConflictError("联系人信息已删除")
        contact_id = self.contact_id
        self._contact_erased(contact_id=contact_id, reason=reason, by=by, at=at)
        return contact_id

    @event("ContactErased")
    def _contact_erased(self, contact_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.contact_id = None

    def _require(self, status: str) -> None:
        if self.status != status:
            raise OrganisationStateError(status=ORGANISATION_STATUS_NAMES[self.status])


# --- calls: the pool, the awards and the tranches -------------------------------------------------------------
class Call(Aggregate):
    """A call for projects (公益创投项目征集) with its pool: the reviewers, every award and every tranche."""

    @event("Opened")
    def __init__(self, street_id: UUID | None, district_id: UUID, title: str, theme: str, pool: int,
                 max_per_project: int, opens_at: datetime, closes_at: datetime, criteria: list[dict],
                 tranches: list[dict], by: UUID, at: datetime) -> None:
        self.street_id = street_id
        self.district_id = district_id
        self.title = title
        self.pool = pool
        self.max_per_project = max_per_project
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.criteria = criteria
        self.tranches = tranches
        self.reviewers: dict[str, bool] = {}
        self.awards: dict[str, dict] = {}
        self.pending = 0
        self.awarded = 0
        self.released = 0
        self.clawed_back = 0

    @classmethod
    def check_terms(cls, pool: int, max_per_project: int, opens_at: datetime, closes_at: datetime) -> None:
        """A call's money and window make sense before it is opened."""
        _require_amount(pool)
        _require_amount(max_per_project)
        if max_per_project > pool:
            raise InvalidInputError("每个项目的资助上限不能超过资金池")
        if closes_at <= opens_at:
            raise InvalidInputError("申报截止时间必须晚于开始时间")

    # --- figures -----------------------------------------------------------------------------
    @property
    def remaining(self) -> int:
        """What can still be awarded: the pool less what is proposed or awarded."""
        return self.pool - self.pending - self.awarded

    @property
    def unreleased(self) -> int:
        """Awarded and not yet paid out."""
        return self.awarded - self.released

    @property
    def weights(self) -> dict[str, int]:
        return {c["key"]: int(c["weight"]) for c in self.criteria}

    def award(self, application_id: UUID | str) -> dict:
        a = self.awards.get(str(application_id))
        if a is None:
            raise NotFoundError("找不到该资助")
        return a

    def invariant_violations(self) -> list[str]:
        """Every broken money rule (empty when the call is sound); the tests check it after every command."""
        broken = []
        for name in ("pending", "awarded", "released", "clawed_back"):
            if getattr(self, name) < 0:
                broken.append(f"{name} < 0")
        if self.pending + self.awarded > self.pool:
            broken.append("pending + awarded > pool")
        if self.unreleased + self.released + self.pending > self.pool:
            broken.append("unreleased + released + pending > pool")
        if self.released > self.awarded:
            broken.append("released > awarded")
        if self.clawed_back > self.released:
            broken.append("clawed back > released")
        totals = {"pending": 0, "awarded": 0, "released": 0, "clawed_back": 0}
        for aid, a in self.awards.items():
            if a["status"] == PROPOSED:
                totals["pending"] += a["amount"]
            if a["status"] == AWARDED:
                totals["awarded"] += a["amount"] - a["cancelled"]
                totals["released"] += a["released"]
                totals["clawed_back"] += a["clawed_back"]
                if sum(t["amount"] for t in a["tranches"]) != a["amount"]:
                    broken.append(f"award {aid}: tranches do not add up to the award")
                paid = sum(t["amount"] for t in a["tranches"] if t["released"])
                if paid != a["released"] or a["released"] + a["cancelled"] > a["amount"]:
                    broken.append(f"award {aid}: released + cancelled > amount")
                if any(t["released"] and t["requirement"] not in a["accepted"] for t in a["tranches"]):
                    broken.append(f"award {aid}: a tranche was released before its milestone")
                if a["clawed_back"] > a["released"]:
                    broken.append(f"award {aid}: clawed back > released")
            if a["amount"] > self.max_per_project:
                broken.append(f"award {aid} above the maximum per project")
        for key, total in totals.items():
            if total != getattr(self, key):
                broken.append(f"sum of awards' {key} {total} != call {key} {getattr(self, key)}")
        return broken

    # --- reviewers -----------------------------------------------------------------------------
    def assign_reviewer(self, reviewer_id: UUID, by: UUID, at: datetime) -> None:
        """An official names a reviewer (any Linli account) for the call's applications."""
        if str(reviewer_id) in self.reviewers:
            raise ConflictError("该账号已是本次征集的评审")
        self._reviewer_assigned(reviewer_id=reviewer_id, by=by, at=at)

    @event("ReviewerAssigned")
    def _reviewer_assigned(self, reviewer_id: UUID, by: UUID, at: datetime) -> None:
        self.reviewers[str(reviewer_id)] = True

    def remove_reviewer(self, reviewer_id: UUID, by: UUID, at: datetime) -> None:
        """An official takes a reviewer off the call; the scores they gave stay on record."""
        if str(reviewer_id) not in self.reviewers:
            raise ConflictError("该账号不是本次征集的评审")
        self._reviewer_removed(reviewer_id=reviewer_id, by=by, at=at)

    @event("ReviewerRemoved")
    def _reviewer_removed(self, reviewer_id: UUID, by: UUID, at: datetime) -> None:
        self.reviewers.pop(str(reviewer_id), None)

    # --- awards ---------------------------------------------------------------------------------
    def propose_award(self, application_id: UUID, organisation_id: UUID, title: str, amount: int, requested: int,
                      by: UUID, at: datetime) -> None:
        """An official proposes an award (the maker): it reserves its money from the pool at once."""
        _require_amount(amount)
        if amount > self.max_per_project:
            raise RequestTooLargeError("资助金额不能超过每个项目的资助上限 {max} 元", max=format_fen(self.max_per_project))
        if amount > requested:
            raise InvalidInputError("资助金额不能超过申请金额 {requested} 元", requested=format_fen(requested))
        current = self.awards.get(str(application_id))
        if current is not None and current["status"] in (PROPOSED, AWARDED):
            raise AwardStateError(status=AWARD_STATUS_NAMES[current["status"]])
        if amount > self.remaining:
            raise PoolExceededError(available=format_fen(self.remaining), amount=format_fen(amount))
        self._award_proposed(application_id=application_id, organisation_id=organisation_id, title=title,
                             amount=amount, by=by, at=at)

    @event("AwardProposed")
    def _award_proposed(self, application_id: UUID, organisation_id: UUID, title: str, amount: int, by: UUID,
                        at: datetime) -> None:
        self.awards[str(application_id)] = {
            "organisation_id": str(organisation_id), "title": title, "amount": amount, "status": PROPOSED,
            "proposed_by": str(by), "project": None, "tranches": [], "accepted": {},
            "cancelled": 0, "released": 0, "clawed_back": 0}
        self.pending += amount

    def approve_award(self, application_id: UUID, tranche_amounts: list[int], by: UUID, at: datetime) -> None:
        """Another official approves the proposal (the checker): pending → awarded, split into the call's tranches."""
        a = self._proposed(application_id)
        if is_maker(a["proposed_by"], by):
            raise AwardCheckError()
        if len(tranche_amounts) != len(self.tranches) or sum(tranche_amounts) != a["amount"] \
                or any(n < 0 for n in tranche_amounts):
            raise InvalidInputError("拨付批次金额之和必须等于资助金额")
        self._award_approved(application_id=application_id, amount=a["amount"], tranches=list(tranche_amounts),
                             by=by, at=at)

    @event("AwardApproved")
    def _award_approved(self, application_id: UUID, amount: int, tranches: list[int], by: UUID,
                        at: datetime) -> None:
        a = self.awards[str(application_id)]
        a["status"] = AWARDED
        a["project"] = RUNNING
        a["tranches"] = [{"requirement": t["requirement"], "percent": t["percent"], "amount": n, "released": False,
                          "cancelled": False} for t, n in zip(self.tranches, tranches, strict=True)]
        self.pending -= amount
        self.awarded += amount

    def reject_award(self, application_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """Another official turns the proposal down, saying why: its reservation goes back to the pool."""
        a = self._proposed(application_id)
        if is_maker(a["proposed_by"], by):
            raise AwardCheckError("不能驳回自己提出的资助；如需撤回，请使用「撤回」")
        self._award_rejected(application_id=application_id, amount=a["amount"], reason=reason, by=by, at=at)

    @event("AwardRejected")
    def _award_rejected(self, application_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.awards[str(application_id)]["status"] = DECLINED
        self.pending -= amount

    def withdraw_award(self, application_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        """The official who proposed an award withdraws it: its reservation goes back to the pool."""
        a = self._proposed(application_id)
        if not is_maker(a["proposed_by"], by):
            raise NotAllowedError("只有提出人可以撤回该资助；审批人请使用「驳回」")
        self._award_withdrawn(application_id=application_id, amount=a["amount"], reason=reason, by=by, at=at)

    @event("AwardWithdrawn")
    def _award_withdrawn(self, application_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.awards[str(application_id)]["status"] = WITHDRAWN
        self.pending -= amount

    # --- milestones, tranches, the mid-term evaluation, clawbacks -----------------------------------------
    def accept_milestone(self, application_id: UUID, milestone: str, note: str, reported: list[str], by: UUID,
                         at: datetime) -> None:
        """An official records the signing, passes the mid-term evaluation or accepts the final report (which
        closes the project), in that order, each after the organisation's report it needs."""
        a = self._running(application_id)
        if next_milestone(a["accepted"]) != milestone or (milestone in REPORTED and milestone not in reported):
            raise MilestoneOrderError(milestone=MILESTONE_NAMES.get(milestone, milestone))
        self._milestone_accepted(application_id=application_id, milestone=milestone, note=note, by=by, at=at)

    @event("MilestoneAccepted")
    def _milestone_accepted(self, application_id: UUID, milestone: str, note: str, by: UUID, at: datetime) -> None:
        a = self.awards[str(application_id)]
        a["accepted"][milestone] = str(by)
        if milestone == FINAL:
            a["project"] = CLOSED

    def release_tranche(self, application_id: UUID, index: int, by: UUID, at: datetime) -> int:
        """An official other than the one who accepted its milestone releases a tranche; returns its amount."""
        a = self.award(application_id)
        if a["status"] != AWARDED:
            raise AwardStateError(status=AWARD_STATUS_NAMES[a["status"]])
        if a["project"] == STOPPED:
            raise ProjectStoppedError()
        if not isinstance(index, int) or not 0 <= index < len(a["tranches"]):
            raise NotFoundError("找不到该批次")
        tranche = a["tranches"][index]
        if tranche["released"]:
            raise ConflictError("该批款项已拨付")
        accepted_by = a["accepted"].get(tranche["requirement"])
        if accepted_by is None:
            raise MilestoneNotAcceptedError(milestone=MILESTONE_NAMES[tranche["requirement"]])
        if is_maker(accepted_by, by):
            raise ReleaseCheckError()
        self._tranche_released(application_id=application_id, tranche=index, amount=tranche["amount"], by=by, at=at)
        return tranche["amount"]

    @event("TrancheReleased")
    def _tranche_released(self, application_id: UUID, tranche: int, amount: int, by: UUID, at: datetime) -> None:
        a = self.awards[str(application_id)]
        a["tranches"][tranche]["released"] = True
        a["released"] += amount
        self.released += amount

    def fail_midterm(self, application_id: UUID, reason: str, reported: list[str], by: UUID, at: datetime) -> int:
        """An official fails the mid-term evaluation: the project stops and every tranche not yet paid is cancelled
        (its money goes back to the pool). Returns the amount cancelled."""
        a = self._running(application_id)
        if next_milestone(a["accepted"]) != MIDTERM or MIDTERM not in reported:
            raise MilestoneOrderError(milestone=MILESTONE_NAMES[MIDTERM])
        cancelled = a["amount"] - a["released"]
        self._midterm_failed(application_id=application_id, cancelled=cancelled, reason=reason, by=by, at=at)
        return cancelled

    @event("MidtermFailed")
    def _midterm_failed(self, application_id: UUID, cancelled: int, reason: str, by: UUID, at: datetime) -> None:
        a = self.awards[str(application_id)]
        a["project"] = STOPPED
        a["cancelled"] += cancelled
        for t in a["tranches"]:
            if not t["released"]:
                t["cancelled"] = True
        self.awarded -= cancelled

    def record_clawback(self, application_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        """An official records money the organisation of a stopped project must return (a compensating event)."""
        _require_amount(amount)
        a = self.award(application_id)
        if a["status"] != AWARDED or a["project"] != STOPPED:
            raise ConflictError("只有已终止的项目才能追回资金")
        available = a["released"] - a["clawed_back"]
        if amount > available:
            raise ClawbackTooLargeError(available=format_fen(available))
        self._clawback_recorded(application_id=application_id, amount=amount, reason=reason, by=by, at=at)

    @event("ClawbackRecorded")
    def _clawback_recorded(self, application_id: UUID, amount: int, reason: str, by: UUID, at: datetime) -> None:
        self.awards[str(application_id)]["clawed_back"] += amount
        self.clawed_back += amount

    # --- helpers --------------------------------------------------------------------------------
    def _proposed(self, application_id: UUID) -> dict:
        a = self.award(application_id)
        if a["status"] != PROPOSED:
            raise AwardStateError(status=AWARD_STATUS_NAMES[a["status"]])
        return a

    def _running(self, application_id: UUID) -> dict:
        a = self.award(application_id)
        if a["status"] != AWARDED:
            raise AwardStateError(status=AWARD_STATUS_NAMES[a["status"]])
        if a["project"] == STOPPED:
            raise ProjectStoppedError()
        if a["project"] != RUNNING:
            raise ConflictError("该项目已结项")
        return a


# --- applications -------------------------------------------------------------------------------------------
class Application(Aggregate):
    """An organisation's application to a call: the draft (saved as often as needed), its submission before the
    deadline, one score event per reviewer, and the project's reports once awarded. The team (names are personal
    data) is sealed under a key of the application's own id."""

    @classmethod
    def draft(cls, application_id: UUID, call_id: UUID, organisation_id: UUID, community_id: UUID, title: str,
              summary: str, requested: int, budget: list[dict], plan: list[dict], team: str, team_size: int,
              by: UUID, at: datetime) -> Application:
        """A new draft under a given id (its team is sealed under that id's key before it exists)."""
        return cls._create(cls.Drafted, id=application_id, call_id=call_id, organisation_id=organisation_id,
                           community_id=community_id, title=title, summary=summary, requested=requested,
                           budget=budget, plan=plan, team=team, team_size=team_size, by=by, at=at)

    @event("Drafted")
    def __init__(self, call_id: UUID, organisation_id: UUID, community_id: UUID, title: str, summary: str,
                 requested: int, budget: list[dict], plan: list[dict], team: str, team_size: int, by: UUID,
                 at: datetime) -> None:
        self.call_id = call_id
        self.organisation_id = organisation_id
        self.status = DRAFT
        self._set(community_id, title, summary, requested, budget, plan, team_size)
        self.scores: dict[str, dict] = {}
        self.reports: dict[str, bool] = {}
        self.team_erased = False

    def _set(self, community_id: UUID, title: str, summary: str, requested: int, budget: list[dict],
             plan: list[dict], team_size: int) -> None:
        self.community_id = community_id
        self.title = title
        self.summary = summary
        self.requested = requested
        self.budget = budget
        self.plan = plan
        self.team_size = team_size

    @staticmethod
    def check_request(requested: int, max_per_project: int) -> None:
        """A requested amount is never above the call's maximum per project (also while a draft)."""
        if requested > max_per_project:
            raise RequestTooLargeError(max=format_fen(max_per_project))

    def save_draft(self, community_id: UUID, title: str, summary: str, requested: int, budget: list[dict],
                   plan: list[dict], team: str, team_size: int, closes_at: datetime, by: UUID,
                   at: datetime) -> None:
        """A member saves the draft again (until the deadline)."""
        self._require(DRAFT)
        if at >= closes_at:
            raise WindowClosedError(closes=shanghai_time(closes_at))
        self._draft_saved(community_id=community_id, title=title, summary=summary, requested=requested,
                          budget=budget, plan=plan, team=team, team_size=team_size, by=by, at=at)

    @event("DraftSaved")
    def _draft_saved(self, community_id: UUID, title: str, summary: str, requested: int, budget: list[dict],
                     plan: list[dict], team: str, team_size: int, by: UUID, at: datetime) -> None:
        self._set(community_id, title, summary, requested, budget, plan, team_size)
        self.team_erased = False

    def submit(self, opens_at: datetime, closes_at: datetime, max_per_project: int, by: UUID, at: datetime) -> None:
        """A member submits the complete draft while the window is open; it cannot be changed afterwards."""
        self._require(DRAFT)
        if not window_open(opens_at, closes_at, at):
            raise WindowClosedError(closes=shanghai_time(closes_at))
        missing = [name for name, ok in (
            ("项目简介", bool(self.summary)), ("申请金额", self.requested > 0), ("预算", bool(self.budget)),
            ("进度安排", bool(self.plan)), ("项目团队", self.team_size > 0 and not self.team_erased)) if not ok]
        if missing:
            raise ApplicationIncompleteError(missing="、".join(missing))
        self.check_request(self.requested, max_per_project)
        total = sum(int(b["amount"]) for b in self.budget)
        if self.requested > total:
            raise InvalidInputError("申请金额不能超过预算合计 {total} 元", total=format_fen(total))
        self._submitted(requested=self.requested, by=by, at=at)

    @event("Submitted")
    def _submitted(self, requested: int, by: UUID, at: datetime) -> None:
        self.status = SUBMITTED

    def score(self, criteria: list[dict], scores: dict[str, int], comments: dict[str, str], by: UUID,
              at: datetime) -> None:
        """A reviewer scores every criterion once, each with a comment (the service has checked who they are)."""
        if self.status != SUBMITTED:
            raise ApplicationStateError(status=APPLICATION_STATUS_NAMES[self.status])
        if str(by) in self.scores:
            raise AlreadyScoredError()
        keys = [c["key"] for c in criteria]
        if sorted(scores) != sorted(keys) or sorted(comments) != sorted(keys):
            raise InvalidInputError("请为每一项评审标准打分并填写评语")
        self._scored(scores=dict(scores), comments=dict(comments), by=by, at=at)

    @event("Scored")
    def _scored(self, scores: dict[str, int], comments: dict[str, str], by: UUID, at: datetime) -> None:
        self.scores[str(by)] = dict(scores)

    def report(self, kind: str, text: str, by: UUID, at: datetime) -> None:
        """The organisation reports on the project (mid-term, final), once each (the service checks the project)."""
        if kind not in REPORTED:
            raise InvalidInputError("报告类型不正确")
        if kind in self.reports:
            raise ConflictError("该报告已提交")
        self._reported(kind=kind, text=text, by=by, at=at)

    @event("ReportSubmitted")
    def _reported(self, kind: str, text: str, by: UUID, at: datetime) -> None:
        self.reports[kind] = True

    def erase_team(self, reason: str, by: UUID, at: datetime) -> None:
        """The team's names are erased (the application's key is deleted next); scores and amounts stay."""
        if self.team_erased:
            raise ConflictError("团队成员信息已删除")
        self._team_erased(reason=reason, by=by, at=at)

    @event("TeamErased")
    def _team_erased(self, reason: str, by: UUID, at: datetime) -> None:
        self.team_erased = True

    def _require(self, status: str) -> None:
        if self.status != status:
            raise ApplicationStateError(status=APPLICATION_STATUS_NAMES[self.status])


def shanghai_time(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
