"""Use cases of Party-member registration (`app.party.*`): consent, registration, confirmation or return,
withdrawal and moving; service recorded directly and its confirmation; the service needs board; the yearly
two-way feedback report and its public check. Who may do what is `policies`, asked of the actor as the events say.

Membership details are sealed under the person's key and the stint's key (`domain/party/privacy.py`); withdrawing
or moving deletes the stint's key right after the append (and `projections/party.py` deletes it again whenever the
log says so, e.g. after a restore from an older key backup)."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from hmac import compare_digest
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.text import clean_name, clean_text, mask_name
from domain.kernel.time import local_date, local_day, parse_date
from domain.party import policies, privacy, record
from domain.party.inputs import parse_contact_phone, parse_disclosure, parse_year
from domain.party.model import (FeedbackReport, Need, NeedStateError, Registration, ServiceKindError, ServiceKinds,
                                ServiceRecord)
from domain.party.policies import CONFIRMED, CONSENT_VERSION, DEFAULT_SERVICE_KINDS

if TYPE_CHECKING:
    from domain.kernel.application import Linli

SERVICE_KIND_MAX = 20
ONLY_RESIDENTS = "只有经过核实的本社区居民可以在本社区报到"
ONLY_WORKERS = "只有本社区的社区工作者可以进行此操作"


@dataclass(frozen=True)
class ReportVerification:
    """A feedback report looked up by its code and checked against a replay of the log; only what the member
    agreed to disclose is filled in."""

    found: bool
    serial: str = ""
    community_name: str = ""
    year: str = ""
    issued_at: datetime | None = None
    revision: int = 0
    latest_revision: int = 0
    matches_events: bool = False
    disclose: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)
    items: tuple = ()
    current_figures: dict = field(default_factory=dict)
    masked_name: str = ""
    unit: str = ""
    rating: str | None = None
    readable: bool = True     # False once withdrawal, moving or erasure made the sealed parts unreadable


class PartyService:
    """Party-member registration's use cases."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    # --- who acts ---------------------------------------------------------------------------------------------
    def _require(self, rule, account_id: UUID, community_id: UUID, message: str) -> None:
        """NotAllowedError unless `rule` admits the account (as the events say it is) in the community."""
        community = self.app.accounts.community(community_id)
        if not rule(self.app.accounts.actor(account_id), community):
            raise NotAllowedError(message)

    def _require_worker(self, worker_id: UUID, community_id: UUID) -> None:
        self._require(policies.may_review, worker_id, community_id, ONLY_WORKERS)

    def registration(self, account_id: UUID) -> Registration | None:
        """The person's registrations, or None if they never began one."""
        return self.app.find(Registration, Registration.id_for(account_id))

    def _registration(self, registration_id: UUID) -> Registration:
        return self.app.load(Registration, registration_id, "党员报到")

    def open_details(self, registration: Registration, stint: dict) -> dict | None:
        """A stint's sealed details, or None once withdrawn, moved away from or erased."""
        return privacy.unseal(self.app.sealer, registration.account_id,
                              Registration.stint_key(registration.id, stint["stint"]), stint.get("details"))

    # --- the member: consent, registration, withdrawal ---------------------------------------------------------
    def give_consent(self, account_id: UUID, community_id: UUID, version: str, agreed: bool,
                     command_id: str | None = None) -> int:
        """A verified resident gives separate, explicit consent, to the text version shown, to the processing of
        their Party membership by this community. An active registration elsewhere ends (they moved); its sealed
        details are shredded. Returns the new stint's number."""
        if not agreed:
            raise InvalidInputError("请勾选“我已阅读并同意”后再继续")
        if version != CONSENT_VERSION:
            raise InvalidInputError("告知内容已更新，请重新阅读后再同意")
        self._require(policies.may_register, account_id, community_id, ONLY_RESIDENTS)
        ended: list[int] = []

        def action():
            registration = self.registration(account_id) or Registration(account_id=account_id)
            stint, was = registration.give_consent(community_id, version, self.app.clock())
            ended[:] = [was] if was else []
            return stint, [registration]

        def repeated(stint: int) -> int:   # a repeat may have run the action on today's state: it ended nothing
            ended.clear()
            return stint
        stint = self.app.execute("party-consent", command_id, action, actor=account_id, replay=repeated)
        for n in ended:
            privacy.shred(self.app.sealer, Registration.stint_key(Registration.id_for(account_id), n))
        return stint

    def submit_registration(self, account_id: UUID, community_id: UUID, stint: int, unit: str, org_name: str,
                            org_contact: str, org_phone: str, kinds: list[str], other_kinds: str,
                            availability: str, disclose: list[str], command_id: str | None = None) -> None:
        """The member gives (or corrects and resubmits) their workplace, workplace Party organisation and its
        contact, the kinds of service they offer (from the community's list, plus free text) and their
        availability — all sealed — and what the public check of their reports may show."""
        details = {
            "unit": clean_text(unit, "工作单位", max_length=60),
            "org_name": clean_text(org_name, "所在单位党组织", max_length=60),
            "org_contact": clean_name(org_contact) if (org_contact or "").strip() else "",
            "org_phone": parse_contact_phone(org_phone),
            "kinds": self._chosen_kinds(community_id, kinds),
            "other_kinds": clean_text(other_kinds, "其他服务意向", max_length=200, required=False),
            "availability": clean_text(availability, "可服务时间", max_length=200, required=False),
        }
        if not details["org_contact"]:
            raise InvalidInputError("请填写所在单位党组织的联系人")
        if not details["kinds"] and not details["other_kinds"]:
            raise InvalidInputError("请至少选择或填写一项服务意向")
        disclose = parse_disclosure(disclose)
        self._require(policies.may_register, account_id, community_id, ONLY_RESIDENTS)

        def action():
            registration = self.registration(account_id)
            if registration is None:
                raise NotFoundError("请先阅读并同意个人信息处理告知")
            registration.current_in(community_id, stint)
            sealed = privacy.seal(self.app.sealer, account_id, Registration.stint_key(registration.id, stint), details)
            registration.submit(community_id, stint, sealed, disclose, self.app.clock())
            return None, [registration]
        return self.app.execute("party-submit", command_id, action, actor=account_id)

    def _chosen_kinds(self, community_id: UUID, kinds: list[str]) -> list[str]:
        offered = self.service_kinds(community_id)
        chosen = [k for k in dict.fromkeys(kinds) if k]
        if any(k not in offered for k in chosen):
            raise ServiceKindError()
        return chosen

    def withdraw(self, account_id: UUID, community_id: UUID, stint: int | None = None,
                 command_id: str | None = None) -> int:
        """The member withdraws consent: the registration ends and its sealed details are shredded (the counts of
        what they did while registered stay). Returns the stint's number."""
        def action():
            registration = self.registration(account_id)
            if registration is None:
                raise NotFoundError("找不到该社区的党员报到")
            return registration.withdraw(community_id, stint, self.app.clock()), [registration]
        ended = self.app.execute("party-withdraw", command_id, action, actor=account_id)
        privacy.shred(self.app.sealer, Registration.stint_key(Registration.id_for(account_id), ended))
        return ended

    # --- the community's worker: confirm or return ----------------------------------------------------------
    def confirm_registration(self, worker_id: UUID, community_id: UUID, registration_id: UUID, stint: int,
                             command_id: str | None = None) -> None:
        """A worker of the community confirms a waiting registration of one of its verified residents."""
        self._require_worker(worker_id, community_id)

        def action():
            registration = self._registration(registration_id)
            registration.current_in(community_id, stint)
            self._require_still_resident(registration.account_id, community_id)
            registration.confirm(community_id, stint, worker_id, self.app.clock())
            return None, [registration]
        return self.app.execute("party-confirm", command_id, action, actor=worker_id)

    def return_registration(self, worker_id: UUID, community_id: UUID, registration_id: UUID, stint: int,
                            reason: str, command_id: str | None = None) -> None:
        """A worker returns a waiting registration with a reason (sealed: it may quote the member's details)."""
        self._require_worker(worker_id, community_id)
        reason = clean_text(reason, "理由", max_length=200)

        def action():
            registration = self._registration(registration_id)
            registration.current_in(community_id, stint)
            sealed = privacy.seal(self.app.sealer, registration.account_id,
                                  Registration.stint_key(registration.id, stint), {"reason": reason})
            registration.return_for_correction(community_id, stint, sealed, worker_id, self.app.clock())
            return None, [registration]
        return self.app.execute("party-return", command_id, action, actor=worker_id)

    def _require_still_resident(self, account_id: UUID, community_id: UUID) -> None:
        if not self.app.accounts.is_verified_resident(account_id, community_id):
            raise NotAllowedError("该党员已不是本社区的已核实居民")

    # --- service recorded directly -------------------------------------------------------------------------
    def log_service(self, account_id: UUID, community_id: UUID, kind: str, on: str, minutes: int,
                    description: str, command_id: str | None = None) -> UUID:
        """A confirmed member records a task done for the community (what, when, how long); it counts once a
        worker confirms it. The description is sealed (it may name a neighbour). Returns the record's id."""
        kind = clean_text(kind, "服务类别", max_length=SERVICE_KIND_MAX)
        description = clean_text(description, "服务内容", max_length=500, multiline=True)
        ServiceRecord.check_minutes(minutes)
        day = parse_date(on, "服务日期")
        key = command_id or uuid4().hex
        record_id = ServiceRecord.id_for(key)

        def action():
            if self.app.find(ServiceRecord, record_id) is not None:
                return record_id, []
            registration = self.registration(account_id)
            if registration is None or not registration.is_confirmed_in(community_id):
                raise NotAllowedError("报到经社区确认后才能记录服务")
            stint = registration.current()
            if not local_day(stint["confirmed_at"]) <= day <= local_day(self.app.clock()):
                raise InvalidInputError("服务日期应在报到确认之后，且不晚于今天")
            if kind not in self.service_kinds(community_id):
                raise ServiceKindError()
            sealed = privacy.seal(self.app.sealer, account_id, Registration.stint_key(registration.id, stint["stint"]),
                                  {"description": description})
            return record_id, [ServiceRecord(
                key=key, account_id=account_id, registration_id=registration.id, stint=stint["stint"],
                community_id=community_id, kind=kind, on=day.isoformat(), minutes=minutes, description=sealed,
                at=self.app.clock())]
        return self.app.execute("party-log-service", command_id, action, actor=account_id)

    def confirm_service(self, worker_id: UUID, community_id: UUID, record_id: UUID,
                        command_id: str | None = None) -> None:
        """A worker of the community confirms a recorded task of a member still registered with it."""
        self._service_decision(worker_id, community_id, record_id, command_id, "party-confirm-service",
                               lambda r: r.confirm(worker_id, self.app.clock()))

    def decline_service(self, worker_id: UUID, community_id: UUID, record_id: UUID, reason: str,
                        command_id: str | None = None) -> None:
        """A worker declines a recorded task with a reason (sealed under the member's keys)."""
        reason = clean_text(reason, "理由", max_length=200)

        def decline(r: ServiceRecord) -> None:
            sealed = privacy.seal(self.app.sealer, r.account_id,
                                  Registration.stint_key(r.registration_id, r.stint), {"reason": reason})
            r.decline(sealed, worker_id, self.app.clock())
        self._service_decision(worker_id, community_id, record_id, command_id, "party-decline-service", decline)

    def _service_decision(self, worker_id: UUID, community_id: UUID, record_id: UUID, command_id: str | None,
                          use_case: str, decide) -> None:
        self._require_worker(worker_id, community_id)

        def action():
            service = self.app.find(ServiceRecord, record_id)
            if service is None or service.community_id != community_id:
                raise NotFoundError("找不到该服务记录")
            registration = self._registration(service.registration_id)
            current = registration.current()
            if current is None or current["stint"] != service.stint:
                raise NotAllowedError("该党员的报到已结束，不能再处理这条服务记录")
            decide(service)
            return None, [service]
        return self.app.execute(use_case, command_id, action, actor=worker_id)

    # --- the service record, replayed from the log -------------------------------------------------------------
    def ledger(self) -> record.ServiceLedger:
        """Every member's counted service, folded from the whole log (event one onwards)."""
        ledger = record.ServiceLedger()
        wanted, start = record.topics(), 0
        while True:
            batch = self.app.recorder.select_notifications(start=start, limit=1000, topics=wanted,
                                                           inclusive_of_start=False)
            for notification in batch:
                ledger.apply(self.app.mapper.to_domain_event(notification))
            if len(batch) < 1000:
                return ledger
            start = batch[-1].id

    def recount(self, account_id: UUID, community_id: UUID, year: str) -> tuple[dict, list[dict]]:
        """A member's figures and items for one community and year, from a replay of the log."""
        ledger = self.ledger()
        items = ledger.items(account_id, community_id, year)
        return record.figures_of(items), items

    # --- the two-way feedback report -------------------------------------------------------------------------
    def issue_report(self, worker_id: UUID, community_id: UUID, registration_id: UUID, stint: int, year: str,
                     rating: str | None, comment: str, command_id: str | None = None) -> dict:
        """A worker issues the yearly (or an on-demand) feedback report of a confirmed member for their workplace
        Party organisation: registration date, service, hours and meetings as the events say, and the worker's
        evaluation. Returns its serial and code."""
        self._require_worker(worker_id, community_id)
        year = parse_year(year)
        FeedbackReport.check_rating(rating)
        comment = clean_text(comment, "评价意见", max_length=500, required=False, multiline=True)
        community = self.app.accounts.community(community_id)
        if int(year) > local_day(self.app.clock()).year:
            raise InvalidInputError("不能为将来的年度出具报告")

        def action():
            registration = self._registration(registration_id)
            current = registration.current_in(community_id, stint)
            if current["state"] != CONFIRMED:
                raise NotAllowedError("只能为已确认报到的党员出具报告")
            if int(year) < local_day(current["confirmed_at"]).year:
                raise InvalidInputError("该年度早于报到确认的时间")
            self._require_still_resident(registration.account_id, community_id)
            account_id = registration.account_id
            figures, items = self.recount(account_id, community_id, year)
            report_id = FeedbackReport.id_for(account_id, community_id, year)
            report = self.app.find(FeedbackReport, report_id) or FeedbackReport(
                account_id=account_id, registration_id=registration.id, community_id=community_id, year=year)
            serial = FeedbackReport.serial_for(community.code, year, report_id, len(report.issues) + 1)
            key = Registration.stint_key(registration.id, stint)
            details = self.open_details(registration, current) or {}
            disclose = current.get("disclose", [])
            public = {"name": mask_name(self.app.accounts.person_name(account_id)), "unit": details.get("unit", "")}
            disclosed = {k: v for k, v in public.items() if k in disclose}
            issued = report.issue(
                serial=serial, code=self.report_code(serial), stint=stint, community_name=community.name,
                registered_on=local_date(current["confirmed_at"]), figures=figures, items=items,
                evaluation=privacy.seal(self.app.sealer, account_id, key, {"rating": rating, "comment": comment}),
                disclose=disclose,
                public=privacy.seal(self.app.sealer, account_id, key, disclosed),
                by=worker_id, at=self.app.clock())
            return {"report_id": str(report_id), "serial": issued["serial"], "code": issued["code"]}, [report]
        return self.app.execute("party-report", command_id, action, actor=worker_id)

    def report_code(self, serial: str) -> str:
        """A verification code nobody can make up: a keyed digest of the serial."""
        code = base64.b32encode(self.app.keyed_digest(("party-report:" + serial).encode())).decode()[:12]
        return f"{code[:4]}-{code[4:8]}-{code[8:]}"

    def verify_report(self, report_id: UUID, code: str) -> ReportVerification:
        """The issue with this code, checked against a replay of the log; the disclosed parts opened if still
        readable."""
        report = self.app.find(FeedbackReport, report_id)
        issue = next((i for i in report.issues if compare_digest(i["code"], code)), None) if report else None
        if issue is None:
            return ReportVerification(found=False)
        figures, items = self.recount(report.account_id, report.community_id, report.year)
        key = Registration.stint_key(report.registration_id, issue["stint"])
        public = privacy.unseal(self.app.sealer, report.account_id, key, issue["public"])
        evaluation = privacy.unseal(self.app.sealer, report.account_id, key, issue["evaluation"])
        disclose = tuple(issue["disclose"])
        return ReportVerification(
            found=True, serial=issue["serial"], community_name=issue["community_name"], year=report.year,
            issued_at=issue["at"], revision=issue["revision"], latest_revision=len(report.issues),
            matches_events=figures == issue["figures"] and items == issue["items"], disclose=disclose,
            figures=issue["figures"] if "service" in disclose else {},
            items=tuple(issue["items"]) if "service" in disclose else (),
            current_figures=figures if "service" in disclose else {},
            masked_name=(public or {}).get("name", ""), unit=(public or {}).get("unit", ""),
            rating=(evaluation or {}).get("rating") if "evaluation" in disclose else None,
            readable=public is not None)

    # --- the community's list of service kinds -------------------------------------------------------------
    def service_kinds(self, community_id: UUID) -> list[str]:
        """The kinds members choose from (the defaults until a worker changes the list)."""
        kept = self.app.find(ServiceKinds, ServiceKinds.id_for(community_id))
        return list(kept.kinds) if kept is not None else list(DEFAULT_SERVICE_KINDS)

    def add_service_kind(self, worker_id: UUID, community_id: UUID, kind: str, command_id: str | None = None) -> None:
        """A worker adds a kind of service to the community's list."""
        self._change_kinds(worker_id, community_id, kind, command_id, "party-add-kind", ServiceKinds.add)

    def remove_service_kind(self, worker_id: UUID, community_id: UUID, kind: str,
                            command_id: str | None = None) -> None:
        """A worker takes a kind off the community's list (registrations that chose it keep it)."""
        self._change_kinds(worker_id, community_id, kind, command_id, "party-remove-kind", ServiceKinds.remove)

    def _change_kinds(self, worker_id: UUID, community_id: UUID, kind: str, command_id: str | None, use_case: str,
                      change) -> None:
        kind = clean_text(kind, "服务类别", max_length=SERVICE_KIND_MAX)
        if any(ch in "<>\"'`;{}\\" for ch in kind):
            raise ServiceKindError("服务类别不能包含符号 < > \" ' ` ; { } \\")
        self._require_worker(worker_id, community_id)

        def action():
            kinds = self.app.find(ServiceKinds, ServiceKinds.id_for(community_id)) or ServiceKinds(
                community_id=community_id, kinds=list(DEFAULT_SERVICE_KINDS))
            change(kinds, kind, worker_id, self.app.clock())
            return None, [kinds]
        return self.app.execute(use_case, command_id, action, actor=worker_id)

    # --- the service needs board ---------------------------------------------------------------------------
    def post_need(self, worker_id: UUID, community_id: UUID, day_id: UUID, shift_id: UUID, kind: str, note: str,
                  command_id: str | None = None) -> UUID:
        """A worker puts a shift of one of the community's own action days on the Party members' needs board (a
        kind of service and a note); members sign up for it at the volunteer station. Returns the need's id."""
        kind = clean_text(kind, "服务类别", max_length=SERVICE_KIND_MAX)
        note = clean_text(note, "说明", max_length=200, required=False)
        self._require_worker(worker_id, community_id)
        day = self.app.volunteer.action_day(day_id)
        if day.community_id != community_id:
            raise NotFoundError("找不到该行动日")
        shift = day.shift(shift_id)
        if day.is_cancelled(shift_id) or shift["ends_at"] <= self.app.clock():
            raise NeedStateError("该班次已取消或已结束")
        if kind not in self.service_kinds(community_id):
            raise ServiceKindError()
        need_id = Need.id_for(shift_id)

        def action():
            need = self.app.find(Need, need_id)
            if need is None:
                need = Need(community_id=community_id, day_id=day_id, shift_id=shift_id, kind=kind, note=note,
                            by=worker_id, at=self.app.clock())
            else:
                need.repost(kind, note, worker_id, self.app.clock())
            return need_id, [need]
        return self.app.execute("party-post-need", command_id, action, actor=worker_id)

    def remove_need(self, worker_id: UUID, community_id: UUID, need_id: UUID, command_id: str | None = None) -> None:
        """A worker takes a need off the board (the shift stays at the volunteer station)."""
        self._require_worker(worker_id, community_id)

        def action():
            need = self.app.find(Need, need_id)
            if need is None or need.community_id != community_id:
                raise NotFoundError("找不到该服务需求")
            need.remove(worker_id, self.app.clock())
            return None, [need]
        return self.app.execute("party-remove-need", command_id, action, actor=worker_id)

