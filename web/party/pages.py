"""Page contexts of Party-member registration (在职党员到社区报到), and what it adds to other pages: a card on the
community overview, open needs in a member's schedule, a returned registration (or, for workers, waiting ones) on
the home page, counts in the street's table, the person's own data and the audit trail's names. Which buttons a page
shows is asked of `domain.party.policies` in the templates (`rules.party.…`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from domain.kernel import roles
from domain.kernel.errors import NotFoundError
from domain.party import policies
from domain.party.inputs import mask_contact_phone
from domain.party.service import ReportVerification
from projections import chain as chain_views
from projections import party as views
from web.http import Pager, me, render, services, url_for
from web.localtime import local_time, local_today, now
from web.panels import AgendaItem, Column, Panel
from web.places import Place

TAB = "party"
STATE_NAMES = {
    policies.CONSENTED: "已同意告知，待填写", policies.SUBMITTED: "待社区确认", policies.RETURNED: "已退回，待修改",
    policies.CONFIRMED: "已报到", policies.WITHDRAWN: "已撤回同意", policies.ENDED: "已转出", policies.ERASED: "已删除",
}
RATING_NAMES = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
ITEM_NAMES = {"shift": "志愿服务", "meeting": "参加议事会", "agenda": "提出议题", "task": "社区服务"}
TASK_STATUS_NAMES = {"pending": "待社工确认", "confirmed": "已确认", "declined": "未予确认", "counted": "已计入"}
DISCLOSURE_NAMES = {"name": "姓名（部分隐藏）", "unit": "工作单位", "service": "服务次数和时长", "evaluation": "社区评价等级"}
_SERIAL = re.compile(r"DYBD-[0-9A-Za-z]{1,20}-\d{4}-[0-9A-F]{8}-\d{2}")


# --- display ---------------------------------------------------------------------------------------------------
def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal: 90 → 1.5."""
    return f"{(Decimal(minutes or 0) / 60).quantize(Decimal('0.1'))}"


def render_page(request: Request, template: str, status_code: int = 200, **context) -> Response:
    """A Party-member template with its display helpers and names."""
    return render(request, template, status_code=status_code, hours=hours, local=local_time,
                  state_names=STATE_NAMES, rating_names=RATING_NAMES, item_names=ITEM_NAMES,
                  task_status_names=TASK_STATUS_NAMES, disclosure_names=DISCLOSURE_NAMES,
                  mask_contact=mask_contact_phone, **context)


def this_year(request: Request) -> str:
    return str(local_today(request).year)


def year_from(request: Request) -> str:
    """`?year=` when it is a plausible year (else this year)."""
    raw = request.query_params.get("year", "")
    return raw if re.fullmatch(r"20\d\d", raw) and int(raw) <= local_today(request).year + 1 else this_year(request)


# --- the member's own pages ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexPage:
    """The Party-member tab: the person's registration here (or elsewhere), their history, and for staff the
    community's counts."""

    mine: dict | None
    elsewhere: dict | None
    history: list
    figures: dict
    year: str
    counts: dict | None
    kinds: list
    oversees_street: bool = False


def index_page(request: Request, community: Place) -> IndexPage:
    """What the person asking sees on the community's Party-member tab."""
    db, principal, year = services(request).views, me(request), this_year(request)
    history = views.stints(db, principal.account_id)
    active = next((s for s in history if policies.is_active(s["state"])), None)
    mine = active if active and active["community_id"] == community.id else None
    return IndexPage(
        mine=mine, elsewhere=active if active and mine is None else None, history=history,
        figures=views.figures(db, principal.account_id, community.id, year), year=year,
        counts=views.counts(db, community.id, year) if policies.may_read_counts(principal, community) else None,
        kinds=views.service_kinds(db, community.id),
        oversees_street=policies.may_oversee_street(principal, _street_of(community)))


@dataclass(frozen=True)
class _Street:
    id: str | None
    district_id: str | None


def _street_of(community: Place) -> _Street:
    """The community's street as the street policies read it (its id and district)."""
    return _Street(community.street_id, community.district_id)


def state_here(request: Request, community: Place) -> dict | None:
    """The person's active registration in this community, or None."""
    active = views.current(services(request).views, me(request).account_id)
    return active if active and active["community_id"] == community.id else None


def active_elsewhere(request: Request, community: Place) -> bool:
    """The person has an active registration with another community (registering here ends it)."""
    active = views.current(services(request).views, me(request).account_id)
    return bool(active and active["community_id"] != community.id)


@dataclass(frozen=True)
class ConsentPage:
    """The notice (what is collected, why, who sees it, how long) and the separate consent checkbox."""

    version: str
    elsewhere: dict | None
    error: str | None = None


def consent_page(request: Request, community: Place, error: str | None = None) -> ConsentPage:
    """The notice with its current version, and any registration elsewhere that registering here ends."""
    active = views.current(services(request).views, me(request).account_id)
    return ConsentPage(version=policies.CONSENT_VERSION,
                       elsewhere=active if active and active["community_id"] != community.id else None, error=error)


@dataclass(frozen=True)
class RegisterPage:
    """The registration form: the stint it is for, the community's service kinds, what was typed, why refused."""

    mine: dict
    kinds: list
    values: dict
    chosen_kinds: list
    disclose: list
    error: str | None = None


def register_page(request: Request, community: Place, mine: dict, form: dict | None = None,
                  chosen: list | None = None, disclose: list | None = None, error: str | None = None) -> RegisterPage:
    """The form filled with what the member gave last time (or just typed)."""
    values = dict(form) if form is not None else {k: mine.get(k, "") for k in (
        "unit", "org_name", "org_contact", "org_phone", "other_kinds", "availability")}
    given = mine["disclose"] if mine["state"] != policies.CONSENTED else list(policies.DEFAULT_DISCLOSURE)
    return RegisterPage(mine=mine, kinds=views.service_kinds(services(request).views, community.id), values=values,
                        chosen_kinds=chosen if chosen is not None else mine["kinds"],
                        disclose=disclose if disclose is not None else given, error=error)


@dataclass(frozen=True)
class RecordPage:
    """My service record (我的服务记录): what counted, year by year and community by community, the tasks I recorded
    and the reports issued about me."""

    items: list
    years: list
    reports: list
    mine: dict | None
    kinds: list
    error: str | None = None
    values: dict = field(default_factory=dict)


def record_page(request: Request, community: Place, error: str | None = None, values: dict | None = None) -> RecordPage:
    """The person's service record grouped by year and community, their reports, and the task form."""
    db, account_id = services(request).views, me(request).account_id
    rows = views.items(db, account_id)
    years: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["on_date"][:4], row["community_id"])
        if key not in years:
            years[key] = {"year": key[0], "community_name": row["community_name"] or "",
                          "figures": views.figures(db, account_id, key[1], key[0])}
    return RecordPage(items=rows, years=list(years.values()), reports=views.reports_of(db, account_id),
                      mine=state_here(request, community), kinds=views.service_kinds(db, community.id), error=error,
                      values=values or {})


# --- the community's worker --------------------------------------------------------------------------------------
STATE_FILTERS = (policies.SUBMITTED, policies.RETURNED, policies.CONFIRMED)


@dataclass(frozen=True)
class RegistryPage:
    """The community's registry, filtered by state and service kind, a page at a time (phones masked)."""

    rows: list
    pager: Pager
    state: str
    kind: str
    kinds: list
    counts: dict


def registry_page(request: Request, community: Place) -> RegistryPage:
    """The registry page for `?state=`, `?kind=` and `?page=` (anything else is ignored)."""
    db = services(request).views
    state = request.query_params.get("state", "")
    state = state if state in STATE_FILTERS else ""
    kinds = views.service_kinds(db, community.id)
    kind = request.query_params.get("kind", "")[:40]
    kind = kind if kind in kinds else ""
    pager = Pager.from_request(request, views.count_registry(db, community.id, state or None, kind or None))
    return RegistryPage(rows=views.registry(db, community.id, state or None, kind or None, pager.per_page,
                                            pager.offset),
                        pager=pager, state=state, kind=kind, kinds=kinds,
                        counts=views.counts(db, community.id, this_year(request)))


def listed_or_404(request: Request, community: Place) -> dict:
    """The registration the path names, if this community's registry lists it."""
    try:
        registration_id = str(UUID(request.path_params["registration_id"]))
    except ValueError:
        raise NotFoundError("找不到该社区的党员报到") from None
    row = views.listed(services(request).views, community.id, registration_id)
    if row is None:
        raise NotFoundError("找不到该社区的党员报到")
    return row


@dataclass(frozen=True)
class RegistrationPage:
    """One member as the community's worker sees them: details, the year's service and reports, the forms."""

    row: dict
    year: str
    items: list
    figures: dict
    reports: list
    error: str | None = None


def registration_page(request: Request, community: Place, row: dict, error: str | None = None) -> RegistrationPage:
    """The member's details, their service in `?year=` (this year by default) and their reports."""
    db, year = services(request).views, year_from(request)
    return RegistrationPage(row=row, year=year, items=views.items(db, row["account_id"], community.id, year),
                            figures=views.figures(db, row["account_id"], community.id, year),
                            reports=views.reports_for(db, row["registration_id"], community.id), error=error)


@dataclass(frozen=True)
class TasksPage:
    """Tasks members recorded that wait for a worker's confirmation."""

    tasks: list


def tasks_page(request: Request, community: Place) -> TasksPage:
    """The community's tasks waiting for a worker."""
    return TasksPage(tasks=views.waiting_tasks(services(request).views, community.id))


@dataclass(frozen=True)
class KindsPage:
    """The community's list of service kinds, with the forms to change it."""

    kinds: list
    error: str | None = None


def kinds_page(request: Request, community: Place, error: str | None = None) -> KindsPage:
    """The community's service kinds."""
    return KindsPage(kinds=views.service_kinds(services(request).views, community.id), error=error)


@dataclass(frozen=True)
class NeedsPage:
    """The service needs board: the community's posted shifts (members sign up at the volunteer station), and for
    workers the shifts they could post."""

    needs: list
    postable: list
    kinds: list
    member: bool
    error: str | None = None


def needs_page(request: Request, community: Place, error: str | None = None) -> NeedsPage:
    """The board as the person asking sees it (workers also get the shifts they could post)."""
    db, principal, moment = services(request).views, me(request), now(request).isoformat()
    mine = state_here(request, community)
    return NeedsPage(needs=views.needs(db, community.id, moment, principal.account_id),
                     postable=views.postable_shifts(db, community.id, moment)
                     if policies.may_review(principal, community) else [],
                     kinds=views.service_kinds(db, community.id),
                     member=bool(mine and mine["state"] == policies.CONFIRMED), error=error)


# --- reports --------------------------------------------------------------------------------------------------------
def report_or_404(request: Request, community: Place) -> dict:
    """The report whose serial the path names, if this community issued it."""
    serial = request.path_params["serial"]
    report = views.report_by_serial(services(request).views, serial) if _SERIAL.fullmatch(serial) else None
    if report is None or report["community_id"] != community.id:
        raise NotFoundError("找不到该报告")
    return report


@dataclass(frozen=True)
class ReportPage:
    """A printable A4 report for the workplace Party organisation."""

    report: dict
    name: str
    details: dict
    latest: int
    verify_path: str
    stamp: chain_views.Stamp | None = None   # the record this revision was drawn from: its issuance


def report_stamp(request: Request, report: dict) -> chain_views.Stamp | None:
    """The chain of the report's community right after this revision was issued (revision n is the report's
    event n + 1, after its opening)."""
    return chain_views.stamp_of_event(services(request).views, report["report_id"], int(report["revision"]) + 1)


def report_page(request: Request, report: dict) -> ReportPage:
    """The report with the member's name and workplace as their registration still holds them (blank once they
    withdrew, moved away or were erased)."""
    db = services(request).views
    stint = views.stint(db, report["registration_id"], report["stint"]) or {}
    readable = policies.is_active(stint.get("state"))
    return ReportPage(report=report, name=views.person_name(db, report["account_id"]) if readable else "",
                      details=stint if readable else {}, latest=views.latest_revision(db, report["report_id"]),
                      verify_path=url_for(request, "party_verify", code=report["code"]),
                      stamp=report_stamp(request, report))


@dataclass(frozen=True)
class VerifyPage:
    """The public check of a report's code: genuine or not, and only what the member agreed to disclose."""

    result: ReportVerification | None = None
    code: str = ""
    searched: bool = False
    busy: bool = False
    stamp: chain_views.Stamp | None = None


def verify_page(request: Request, code: str) -> VerifyPage | None:
    """The report with this code, checked against a replay of the log, or None when there is none."""
    svc = services(request)
    row = views.report_by_code(svc.views, code) if code else None
    result = svc.app.party.verify_report(UUID(row["report_id"]), code) if row else None
    if result is None or not result.found:
        return None
    return VerifyPage(result=result, code=code, searched=True, stamp=report_stamp(request, row))


# --- the street ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StreetPage:
    """Every community of a street with its members and service for a year: counts, never names."""

    street: Place
    communities: list
    counts: dict
    year: str
    years: list
    totals: dict


def street_page(request: Request, street: Place) -> StreetPage:
    """The street's communities' counts for `?year=` (this year by default)."""
    db, year = services(request).views, year_from(request)
    communities = views.street_communities(db, street.id)
    counts = views.street_counts(db, communities, year)
    keys = ("registered", "members", "active", "minutes", "meetings", "reports")
    this = int(this_year(request))
    return StreetPage(street=street, communities=communities, counts=counts, year=year,
                      years=[str(y) for y in range(this, this - 4, -1)],
                      totals={k: sum(c[k] for c in counts.values()) for k in keys})


# --- hooks: what Party-member registration adds to other pages -----------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel | None:
    """The person's registration here (residents) or the community's counts (staff); nothing for anyone else."""
    principal = me(request)
    if not (policies.may_see_tab(principal, community) or policies.may_read_counts(principal, community)):
        return None
    db, year = services(request).views, this_year(request)
    counts = views.counts(db, community.id, year) if policies.may_read_counts(principal, community) else None
    return Panel("party/_overview_card.html", {
        "community": community, "mine": state_here(request, community) if principal.authenticated else None,
        "counts": counts, "hours": hours(counts["minutes"]) if counts else "", "year": year,
        "state_names": STATE_NAMES})


def agenda(request: Request, community_ids: list[str]) -> list[AgendaItem]:
    """Open needs on the board of the community the person is a confirmed member of (not yet signed up for)."""
    db, principal = services(request).views, me(request)
    active = views.current(db, principal.account_id)
    if not active or active["state"] != policies.CONFIRMED:
        return []
    return [AgendaItem(kind="党员服务需求", title=f"{n['day_title']} · {n['task']}", starts_at=n["starts_at"],
                       when=local_time(n["starts_at"]), place=n["place"],
                       url=url_for(request, "party_needs", community_id=active["community_id"]))
            for n in views.needs(db, active["community_id"], now(request).isoformat(), principal.account_id)
            if not n["my_status"] and not n["cancel_reason"]]


def notices(request: Request) -> list[Panel]:
    """A returned registration (with its reason) for the member; waiting registrations for the workers."""
    db, principal = services(request).views, me(request)
    panels = []
    active = views.current(db, principal.account_id)
    if active and active["state"] == policies.RETURNED:
        panels.append(Panel("party/_notice.html", {"kind": "returned", "registration": active}))
    for role, scope in sorted(principal.grants):
        if role == roles.WORKER:
            waiting = views.counts(db, scope, this_year(request))["waiting"]
            if waiting:
                panels.append(Panel("party/_notice.html", {"kind": "waiting", "community_id": scope, "n": waiting}))
    return panels


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """Each community's Party members (registered now / active this year), hours and reports this year: counts."""
    db, year = services(request).views, this_year(request)
    counts = views.street_counts(db, communities, year)
    return [Column("在职党员：已报到 / 本年有服务", {c: f"{n['registered']} / {n['active']}" for c, n in counts.items()}),
            Column("{year} 年党员服务时长（小时）", {c: hours(n["minutes"]) for c, n in counts.items()},
                   header_params={"year": year}),
            Column("{year} 年双向反馈报告", {c: str(n["reports"]) for c, n in counts.items()},
                   header_params={"year": year})]


def my_data(request: Request) -> dict:
    """What Party-member registration holds about the person asking: each registration (details while it is
    active), their service record and the reports issued about them."""
    db, account_id = services(request).views, me(request).account_id
    registrations = [{
        "社区": s["community_name"] or "", "状态": STATE_NAMES.get(s["state"], s["state"]),
        "同意的告知版本": s["consent_version"], "同意时间": local_time(s["consented_at"]),
        "提交时间": local_time(s["submitted_at"]), "确认时间": local_time(s["confirmed_at"]),
        "结束时间": local_time(s["ended_at"]), "工作单位": s["unit"], "所在单位党组织": s["org_name"],
        "联系人": s["org_contact"], "联系电话": s["org_phone"], "服务意向": "、".join(s["kinds"]),
        "其他服务意向": s["other_kinds"], "可服务时间": s["availability"], "退回理由": s["return_reason"],
        "核验页可公开的内容": "、".join(DISCLOSURE_NAMES[d] for d in s["disclose"]),
    } for s in views.stints(db, account_id)]
    record = [{
        "日期": i["on_date"], "社区": i["community_name"] or "", "类别": ITEM_NAMES.get(i["kind"], i["kind"]),
        "内容": i["title"], "说明": i["description"], "时长（小时）": hours(i["minutes"]),
        "时长已更正": "是" if i["corrected"] else "", "状态": TASK_STATUS_NAMES.get(i["status"], i["status"]),
    } for i in views.items(db, account_id)]
    reports = [{
        "报告编号": r["serial"], "社区": r["community_name"], "年度": r["year"], "出具时间": local_time(r["issued_at"]),
        "服务时长（小时）": hours(r["figures"]["minutes"]), "参加议事会": r["figures"]["meetings"],
        "评价等级": RATING_NAMES.get(r["rating"] or "", ""), "评价意见": r["comment"],
    } for r in views.reports_of(db, account_id)]
    return {"党员报到": registrations, "服务记录": record, "双向反馈报告": reports,
            "说明": "撤回同意、转到其他社区或删除账号后，报到的个人信息（工作单位、党组织及联系人、服务意向、评价意见）即无法再读取；"
                  "服务次数和时长仍计入社区的统计。"}


AUDIT_LABELS = {
    "Registration.Started": "开始党员报到", "Registration.ConsentGiven": "同意党员信息处理告知",
    "Registration.Submitted": "提交党员报到", "Registration.Returned": "退回党员报到",
    "Registration.Confirmed": "确认党员报到", "Registration.Withdrawn": "撤回党员报到同意",
    "Registration.Ended": "党员报到转出", "ServiceRecord.Logged": "记录党员社区服务",
    "ServiceRecord.Confirmed": "确认党员社区服务", "ServiceRecord.Declined": "不予确认党员社区服务",
    "FeedbackReport.Opened": "建立双向反馈报告", "FeedbackReport.Issued": "双向反馈报告已出具",
    "ServiceKinds.Started": "建立服务类别列表", "ServiceKinds.KindAdded": "添加服务类别",
    "ServiceKinds.KindRemoved": "移除服务类别", "Need.Posted": "发布党员服务需求", "Need.Reposted": "重新发布党员服务需求",
    "Need.Removed": "撤下党员服务需求",
}


def audit_labels() -> dict[str, str]:
    """The name (msgid) of every Party-member event in the audit trail."""
    return dict(AUDIT_LABELS)
