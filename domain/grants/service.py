"""Use cases of charity-venture grants (`app.grants.*`): organisations register and are approved, officials open calls
and name reviewers, members draft and submit applications, reviewers score them, officials propose and (another
one) approve awards, accept milestones and (another one) release tranches, fail a mid-term evaluation and record a
clawback. Every rule is asked of the actor as the events say (`app.accounts.actor`), each command idempotent by its
command id."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from domain.grants import policies
from domain.grants.inputs import (check_credit_code, check_kind, parse_budget, parse_criteria, parse_plan,
                                  parse_scores, parse_team, parse_tranches, split_amount)
from domain.grants.model import (APPLICATION_STATUS_NAMES, Application, ApplicationStateError, Call,
                                 CreditCodeClaim, NotReviewerError, Organisation, OrganisationNotApprovedError,
                                 SelfReviewError, WindowClosedError, shanghai_time)
from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.money import parse_fen
from domain.kernel.text import clean_name, clean_text, normalise_phone
from domain.kernel.time import parse_local_datetime

if TYPE_CHECKING:
    from domain.kernel.application import Linli

Rows = tuple[Sequence[str], Sequence[str]]
OFFICIALS_ONLY = "只有本次征集所在街道或区的工作人员可以进行此操作"


class GrantsService:
    """Organisations (`Organisation`, `CreditCodeClaim`), calls (`Call`: the pool, awards, tranches) and
    applications (`Application`: drafts, scores, reports)."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    # --- reads (from events) -------------------------------------------------------------------
    def organisation(self, organisation_id: UUID) -> Organisation:
        """The organisation, or NotFoundError."""
        return self.app.load(Organisation, organisation_id, "社会组织")

    def call(self, call_id: UUID) -> Call:
        """The call, or NotFoundError."""
        return self.app.load(Call, call_id, "项目征集")

    def application(self, application_id: UUID) -> Application:
        """The application, or NotFoundError."""
        return self.app.load(Application, application_id, "申报")

    def contact(self, organisation_id: UUID) -> dict[str, str] | None:
        """The organisation's contact (name, phone) as last given, or None once erased."""
        events = self.app.repository.event_store.get(organisation_id)
        given = [e for e in events if isinstance(e, (Organisation.Registered, Organisation.ContactChanged))]
        if not given or self.organisation(organisation_id).contact_id is None:
            return None
        return self.app.sealer.unseal(given[-1].contact_id, given[-1].contact)

    # --- organisations ---------------------------------------------------------------------------
    def register_organisation(self, by: UUID, name: str, credit_code: str, kind: str, street_id: UUID,
                              contact_name: str, contact_phone: str, command_id: str | None = None, *,
                              organisation_id: UUID | None = None) -> UUID:
        """Register a social organisation with a street; the registrant becomes its first member (role
        `org_member` scoped to it, in the same append). The contact's name and phone are sealed under a key of
        their own. A credit code already held by another organisation is refused."""
        name = clean_text(name, "组织名称", max_length=80)
        credit_code = check_credit_code(credit_code)
        kind = check_kind(kind, credit_code)
        contact = {"name": clean_name(contact_name), "phone": normalise_phone(contact_phone)}
        street = self.app.accounts.street(street_id)
        if not policies.may_register_organisation(self.app.accounts.actor(by)):
            raise NotAllowedError("请先登录")
        organisation_id = organisation_id or uuid4()
        contact_id = uuid4()
        sealed = self.app.sealer.seal(contact_id, contact)

        def action():
            if self.app.find(Organisation, organisation_id) is not None:
                raise ConflictError("该组织已登记")
            claim = self.app.find(CreditCodeClaim, CreditCodeClaim.id_for(credit_code))
            if claim is None:
                claim = CreditCodeClaim(credit_code=credit_code, organisation_id=organisation_id)
            else:
                claim.claim(organisation_id)
            at = self.app.clock()
            organisation = Organisation.register(organisation_id, name, credit_code, kind, street.id,
                                                 street.district_id, contact_id, sealed, by, at)
            account = self.app.accounts.account(by)
            account.grant_role(roles.ORG_MEMBER, organisation_id, by, at)
            return organisation_id, [organisation, claim, account]
        return self.app.execute("grants-register", command_id, action, actor=by)

    def approve_organisation(self, by: UUID, organisation_id: UUID, command_id: str | None = None) -> None:
        """A street or district official over the organisation's street approves it."""
        return self._decide(by, organisation_id, "grants-org-approve", command_id,
                            lambda o, at: (o.approve(by, at), [o])[1])

    def reject_organisation(self, by: UUID, organisation_id: UUID, reason: str, command_id: str | None = None) -> None:
        """An official turns a registration down, saying why; the credit code is freed for a corrected one."""
        reason = _reason(reason)

        def change(o: Organisation, at: datetime) -> list:
            o.reject(reason, by, at)
            claim = self.app.find(CreditCodeClaim, CreditCodeClaim.id_for(o.credit_code))
            if claim is not None and claim.organisation_id == o.id:
                claim.release()
            return [o, claim]
        return self._decide(by, organisation_id, "grants-org-reject", command_id, change)

    def mark_hub(self, by: UUID, organisation_id: UUID, hub: bool, command_id: str | None = None) -> None:
        """An official marks (or unmarks) an approved organisation as a hub organisation (枢纽型社会组织)."""
        return self._decide(by, organisation_id, "grants-org-hub", command_id,
                            lambda o, at: (o.mark_hub(hub, by, at), [o])[1])

    def add_member(self, by: UUID, organisation_id: UUID, phone: str, command_id: str | None = None) -> UUID:
        """A member adds another Linli account (named by its phone number) to the organisation."""
        account_id = self._account_by_phone(phone)
        self._require_member(by, organisation_id)

        def action():
            organisation = self.organisation(organisation_id)
            at = self.app.clock()
            organisation.add_member(account_id, by, at)
            account = self.app.accounts.account(account_id)
            account.grant_role(roles.ORG_MEMBER, organisation_id, by, at)
            return account_id, [organisation, account]
        return self.app.execute("grants-member-add", command_id, action, actor=by)

    def remove_member(self, by: UUID, organisation_id: UUID, account_id: UUID, command_id: str | None = None) -> None:
        """A member takes an account off the organisation (its role goes with it; it stays a former member)."""
        self._require_member(by, organisation_id)

        def action():
            organisation = self.organisation(organisation_id)
            at = self.app.clock()
            organisation.remove_member(account_id, by, at)
            account = self.app.accounts.account(account_id)
            if account.has_role(roles.ORG_MEMBER, organisation_id):
                account.revoke_role(roles.ORG_MEMBER, organisation_id, by, at)
            return None, [organisation, account]
        return self.app.execute("grants-member-remove", command_id, action, actor=by)

    def change_contact(self, by: UUID, organisation_id: UUID, name: str, phone: str,
                       command_id: str | None = None) -> None:
        """A member names a new contact (sealed under a new key); the old contact's key is deleted."""
        contact = {"name": clean_name(name), "phone": normalise_phone(phone)}
        self._require_member(by, organisation_id)
        contact_id = uuid4()
        sealed = self.app.sealer.seal(contact_id, contact)

        def action():
            organisation = self.organisation(organisation_id)
            old = organisation.change_contact(contact_id, sealed, by, self.app.clock())
            return str(old) if old else None, [organisation]
        old = self.app.execute("grants-contact", command_id, action, actor=by)
        if old:
            self.app.sealer.keys.delete(UUID(old))

    def erase_contact(self, by: UUID, organisation_id: UUID, reason: str, command_id: str | None = None) -> None:
        """A member (or an official over its street) erases the contact's name and phone: recorded with a reason,
        then their key is deleted so no copy of the sealed fields can be read again."""
        reason = _reason(reason)
        organisation = self.organisation(organisation_id)
        actor = self.app.accounts.actor(by)
        if not policies.may_read_organisation(actor, organisation_id, organisation.street_id, organisation.district_id):
            raise NotAllowedError("只有本组织成员或所在街道、区的工作人员可以进行此操作")

        def action():
            o = self.organisation(organisation_id)
            return str(o.erase_contact(reason, by, self.app.clock())), [o]
        contact_id = self.app.execute("grants-contact-erase", command_id, action, actor=by)
        self.app.sealer.keys.delete(UUID(contact_id))

    # --- calls and reviewers ---------------------------------------------------------------------
    def open_call(self, by: UUID, street_id: UUID | None, district_id: UUID | None, title: str, theme: str,
                  pool: str | int, max_per_project: str | int, opens_at: str | datetime, closes_at: str | datetime,
                  criteria: Rows, tranches: Rows, command_id: str | None = None) -> UUID:
        """A street official (a street's call) or a district official (a street's or the district's call) opens a
        call: title, theme, pool and maximum per project in fen, the window (typed in Shanghai time), the criteria
        with their weights and the tranches with what each requires."""
        title = clean_text(title, "征集名称", max_length=80)
        theme = clean_text(theme, "主题", max_length=500, multiline=True)
        pool_fen, max_fen = parse_fen(pool), parse_fen(max_per_project)
        opens, closes = _moment(opens_at, "申报开始时间"), _moment(closes_at, "申报截止时间")
        criteria_rows = parse_criteria(*criteria)
        tranche_rows = parse_tranches(*tranches)
        Call.check_terms(pool_fen, max_fen, opens, closes)
        if closes <= self.app.clock():
            raise InvalidInputError("申报截止时间必须晚于现在")
        if street_id is not None:
            street = self.app.accounts.street(street_id)
            district_id = street.district_id
        elif district_id is None:
            raise InvalidInputError("请选择街道或区")
        if not policies.may_open_call(self.app.accounts.actor(by), street_id, district_id):
            raise NotAllowedError("只有本街道或本区的工作人员可以发布项目征集")

        def action():
            call = Call(street_id=street_id, district_id=district_id, title=title, theme=theme, pool=pool_fen,
                        max_per_project=max_fen, opens_at=opens, closes_at=closes, criteria=criteria_rows,
                        tranches=tranche_rows, by=by, at=self.app.clock())
            return call.id, [call]
        return self.app.execute("grants-call-open", command_id, action, actor=by)

    def assign_reviewer(self, by: UUID, call_id: UUID, phone: str, command_id: str | None = None) -> UUID:
        """An official names a reviewer by their phone number (any Linli account); the account id is recorded."""
        reviewer_id = self._account_by_phone(phone)
        return self._on_call(by, call_id, "grants-reviewer-add", command_id,
                             lambda call, at: (call.assign_reviewer(reviewer_id, by, at), reviewer_id)[1])

    def remove_reviewer(self, by: UUID, call_id: UUID, reviewer_id: UUID, command_id: str | None = None) -> None:
        """An official takes a reviewer off the call (the scores already given stay)."""
        return self._on_call(by, call_id, "grants-reviewer-remove", command_id,
                             lambda call, at: call.remove_reviewer(reviewer_id, by, at))

    # --- applications ------------------------------------------------------------------------------
    def save_draft(self, by: UUID, call_id: UUID, organisation_id: UUID, community_id: UUID, title: str,
                   summary: str = "", requested: str | int = "", budget: Rows = ((), ()), plan: Rows = ((), ()),
                   team: Rows = ((), ()), application_id: UUID | None = None, command_id: str | None = None) -> UUID:
        """A member of an approved organisation writes (or saves again) an application until the deadline: project,
        community served, budget lines, requested amount (never above the maximum), plan and team (sealed)."""
        title = clean_text(title, "项目名称", max_length=80)
        summary = clean_text(summary, "项目简介", max_length=3000, required=False, multiline=True)
        requested_fen = parse_fen(requested) if str(requested).strip() else 0
        budget_rows, plan_rows, team_rows = parse_budget(*budget), parse_plan(*plan), parse_team(*team)
        call = self.call(call_id)
        organisation = self.organisation(organisation_id)
        actor = self.app.accounts.actor(by)
        if not policies.is_member(actor, organisation_id):
            raise NotAllowedError("只有本组织成员可以填写申报书")
        if not policies.may_apply(actor, organisation_id, organisation.status):
            raise OrganisationNotApprovedError()
        community = self.app.accounts.community(community_id)
        if (call.street_id and community.street_id != call.street_id) or community.district_id != call.district_id:
            raise InvalidInputError("服务社区须在本次征集的范围内")
        Application.check_request(requested_fen, call.max_per_project)
        if not policies.drafts_open(call.closes_at, self.app.clock()):
            raise WindowClosedError(closes=shanghai_time(call.closes_at))
        new_id = application_id or uuid4()
        sealed = self.app.sealer.seal(new_id, {"team": json.dumps(team_rows, ensure_ascii=False)})
        fields = dict(community_id=community_id, title=title, summary=summary, requested=requested_fen,
                      budget=budget_rows, plan=plan_rows, team=sealed, team_size=len(team_rows))

        def action():
            at = self.app.clock()
            if application_id is None:
                return new_id, [Application.draft(new_id, call_id, organisation_id, by=by, at=at, **fields)]
            application = self.application(application_id)
            if application.call_id != call_id or application.organisation_id != organisation_id:
                raise NotFoundError("找不到该申报")
            application.save_draft(**fields, closes_at=call.closes_at, by=by, at=at)
            return application_id, [application]
        return self.app.execute("grants-draft", command_id, action, actor=by)

    def submit_application(self, by: UUID, application_id: UUID, command_id: str | None = None) -> None:
        """A member submits the complete draft while the call's window is open (closed at the deadline)."""
        application = self.application(application_id)
        self._require_member(by, application.organisation_id)
        call = self.call(application.call_id)

        def action():
            a = self.application(application_id)
            a.submit(call.opens_at, call.closes_at, call.max_per_project, by, self.app.clock())
            return None, [a]
        return self.app.execute("grants-submit", command_id, action, actor=by)

    def team(self, application_id: UUID) -> list[dict] | None:
        """The application's team as last saved (None once erased)."""
        events = [e for e in self.app.repository.event_store.get(application_id)
                  if isinstance(e, (Application.Drafted, Application.DraftSaved))]
        fields = self.app.sealer.unseal(application_id, events[-1].team) if events else None
        return json.loads(fields["team"]) if fields else None

    def erase_team(self, by: UUID, application_id: UUID, reason: str, command_id: str | None = None) -> None:
        """A member (or an official of the call) erases the team's names: recorded, then the key is deleted."""
        reason = _reason(reason)
        application = self.application(application_id)
        call = self.call(application.call_id)
        actor = self.app.accounts.actor(by)
        if not (policies.is_member(actor, application.organisation_id)
                or policies.may_manage_call(actor, call.street_id, call.district_id)):
            raise NotAllowedError("只有本组织成员或本次征集的工作人员可以进行此操作")

        def action():
            a = self.application(application_id)
            a.erase_team(reason, by, self.app.clock())
            return None, [a]
        self.app.execute("grants-team-erase", command_id, action, actor=by)
        self.app.sealer.keys.delete(application_id)

    # --- review --------------------------------------------------------------------------------------
    def score(self, by: UUID, application_id: UUID, scores: Mapping[str, Any], comments: Mapping[str, str],
              command_id: str | None = None) -> None:
        """A reviewer of the call scores every criterion (0–100) with a comment, once per application; never an
        application of an organisation they belong to (its role now, or its member list ever)."""
        application = self.application(application_id)
        call = self.call(application.call_id)
        organisation = self.organisation(application.organisation_id)
        actor = self.app.accounts.actor(by)
        if str(by) not in call.reviewers:
            raise NotReviewerError()
        if policies.is_conflicted(actor, organisation.id, organisation.ever_members):
            raise SelfReviewError()
        parsed, notes = parse_scores(call.criteria, dict(scores), dict(comments))

        def action():
            a = self.application(application_id)
            a.score(call.criteria, parsed, notes, by, self.app.clock())
            return None, [a]
        return self.app.execute("grants-score", command_id, action, actor=by)

    # --- awards ----------------------------------------------------------------------------------------
    def propose_award(self, by: UUID, application_id: UUID, amount: str | int, command_id: str | None = None) -> UUID:
        """An official proposes an award for a scored application (the maker): it reserves money from the pool at
        once, so awards can never exceed it. Returns the project's id (the application's)."""
        fen = parse_fen(amount)
        application = self.application(application_id)
        if application.status != policies.SUBMITTED:
            raise ApplicationStateError(status=APPLICATION_STATUS_NAMES[application.status])
        if not application.scores:
            raise ConflictError("该申报还没有评审评分，不能提出资助")

        def change(call: Call, at: datetime) -> UUID:
            call.propose_award(application_id, application.organisation_id, application.title, fen,
                               application.requested, by, at)
            return application_id
        return self._on_award(by, application, "grants-award-propose", command_id, change)

    def approve_award(self, by: UUID, application_id: UUID, command_id: str | None = None) -> None:
        """Another official approves a proposed award (the checker): pending → awarded, split into tranches."""
        def change(call: Call, at: datetime) -> None:
            amounts = split_amount(call.award(application_id)["amount"], call.tranches)
            call.approve_award(application_id, amounts, by, at)
        return self._on_award(by, self.application(application_id), "grants-award-approve", command_id, change)

    def reject_award(self, by: UUID, application_id: UUID, reason: str, command_id: str | None = None) -> None:
        """Another official rejects a proposed award, saying why; its money goes back to the pool."""
        reason = _reason(reason)
        return self._on_award(by, self.application(application_id), "grants-award-reject", command_id,
                              lambda call, at: call.reject_award(application_id, reason, by, at))

    def withdraw_award(self, by: UUID, application_id: UUID, reason: str, command_id: str | None = None) -> None:
        """The proposing official withdraws their proposal, saying why; its money goes back to the pool."""
        reason = _reason(reason)
        return self._on_award(by, self.application(application_id), "grants-award-withdraw", command_id,
                              lambda call, at: call.withdraw_award(application_id, reason, by, at))

    # --- the project: reports, milestones, tranches, the mid-term evaluation -----------------------------
    def submit_report(self, by: UUID, application_id: UUID, kind: str, text: str,
                      command_id: str | None = None) -> None:
        """A member reports on the awarded project: the mid-term report once it is signed, the final report once
        the mid-term evaluation passed."""
        text = clean_text(text, "报告内容", max_length=5000, multiline=True)
        application = self.application(application_id)
        self._require_member(by, application.organisation_id)
        call = self.call(application.call_id)
        award = call.awards.get(str(application_id))
        if award is None or award["status"] != policies.AWARDED:
            raise NotFoundError("找不到该项目")
        if not policies.may_report(self.app.accounts.actor(by), application.organisation_id, award["project"],
                                   award["accepted"], kind, application.reports):
            raise ConflictError("现在不能提交该报告：中期报告在签约后提交，结项报告在中期评估通过后提交，每种只提交一次")

        def action():
            a = self.application(application_id)
            a.report(kind, text, by, self.app.clock())
            return None, [a]
        return self.app.execute("grants-report", command_id, action, actor=by)

    def accept_milestone(self, by: UUID, application_id: UUID, milestone: str, note: str = "",
                         command_id: str | None = None) -> None:
        """An official records the signing, passes the mid-term evaluation or accepts the final report (closing the
        project), in order."""
        note = clean_text(note, "说明", max_length=500, required=False, multiline=True)

        def change(call: Call, at: datetime) -> None:
            reported = list(self.application(application_id).reports)
            call.accept_milestone(application_id, milestone, note, reported, by, at)
        return self._on_project(by, application_id, "grants-milestone", command_id, change)

    def release_tranche(self, by: UUID, application_id: UUID, index: int, command_id: str | None = None) -> int:
        """An official other than the one who accepted its milestone releases a tranche; returns its amount."""
        return self._on_project(by, application_id, "grants-release", command_id,
                                lambda call, at: call.release_tranche(application_id, index, by, at))

    def fail_midterm(self, by: UUID, application_id: UUID, reason: str, clawback: str | int = "",
                     command_id: str | None = None) -> int:
        """An official fails the mid-term evaluation: the project stops, every unpaid tranche is cancelled, and (when
        an amount is given) a clawback of paid money is recorded in the same append. Returns the amount cancelled."""
        reason = _reason(reason)
        claw = parse_fen(clawback) if str(clawback).strip() else 0

        def change(call: Call, at: datetime) -> int:
            reported = list(self.application(application_id).reports)
            cancelled = call.fail_midterm(application_id, reason, reported, by, at)
            if claw:
                call.record_clawback(application_id, claw, reason, by, at)
            return cancelled
        return self._on_project(by, application_id, "grants-midterm-fail", command_id, change)

    def record_clawback(self, by: UUID, application_id: UUID, amount: str | int, reason: str,
                        command_id: str | None = None) -> None:
        """An official records money a stopped project's organisation must return (never more than was paid)."""
        fen, reason = parse_fen(amount), _reason(reason)
        return self._on_project(by, application_id, "grants-clawback", command_id,
                                lambda call, at: call.record_clawback(application_id, fen, reason, by, at))

    # --- helpers ---------------------------------------------------------------------------------------
    def _decide(self, by: UUID, organisation_id: UUID, use_case: str, command_id: str | None,
                change: Callable[[Organisation, datetime], list]) -> None:
        organisation = self.organisation(organisation_id)
        if not policies.may_decide_organisation(self.app.accounts.actor(by), organisation.street_id,
                                                organisation.district_id):
            raise NotAllowedError("只有组织登记所在街道或区的工作人员可以进行此操作")

        def action():
            return None, change(self.organisation(organisation_id), self.app.clock())
        return self.app.execute(use_case, command_id, action, actor=by)

    def _require_member(self, by: UUID, organisation_id: UUID) -> None:
        organisation = self.organisation(organisation_id)
        if not policies.may_manage_members(self.app.accounts.actor(by), organisation_id, organisation.status):
            raise NotAllowedError("只有本组织成员可以进行此操作")

    def _account_by_phone(self, phone: str) -> UUID:
        account_id = self.app.accounts.account_id_for(str(phone or "")[:40])
        if account_id is None:
            raise NotFoundError("该手机号还没有注册邻里账号")
        return account_id

    def _official(self, by: UUID, call: Call) -> None:
        if not policies.may_manage_call(self.app.accounts.actor(by), call.street_id, call.district_id):
            raise NotAllowedError(OFFICIALS_ONLY)

    def _on_call(self, by: UUID, call_id: UUID, use_case: str, command_id: str | None,
                 change: Callable[[Call, datetime], Any]) -> Any:
        """Run `change` on the call, fresh, as one of its officials."""
        self._official(by, self.call(call_id))

        def action():
            call = self.call(call_id)
            return change(call, self.app.clock()), [call]
        return self.app.execute(use_case, command_id, action, actor=by)

    def _on_award(self, by: UUID, application: Application, use_case: str, command_id: str | None,
                  change: Callable[[Call, datetime], Any]) -> Any:
        """An award decision: an official of the call who does not belong to the applying organisation."""
        organisation = self.organisation(application.organisation_id)
        call = self.call(application.call_id)
        if not policies.may_propose_award(self.app.accounts.actor(by), call.street_id, call.district_id,
                                          organisation.id, organisation.ever_members):
            if policies.may_manage_call(self.app.accounts.actor(by), call.street_id, call.district_id):
                raise NotAllowedError("您是该申报组织的成员，不能决定它的资助")
            raise NotAllowedError(OFFICIALS_ONLY)
        return self._on_call(by, application.call_id, use_case, command_id, change)

    def _on_project(self, by: UUID, application_id: UUID, use_case: str, command_id: str | None,
                    change: Callable[[Call, datetime], Any]) -> Any:
        return self._on_call(by, self.application(application_id).call_id, use_case, command_id, change)


def _reason(reason: str) -> str:
    return clean_text(reason, "理由", max_length=200)


def _moment(value: str | datetime, field: str) -> datetime:
    """A moment typed in Shanghai time (or given as an aware datetime)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInputError("{field}不是有效的时间", field=field)
        return value
    return parse_local_datetime(str(value or "")[:40], field)
