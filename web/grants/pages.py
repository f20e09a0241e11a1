"""Page contexts of the charity-venture grants pages (calls board, call, ranking, pool lines, disclosure,
organisations, applications, projects, dossier, my organisation, reviewer's queue, the community's projects) and what
grants adds to other pages: a card on the community overview, notices on the home page, a street column, the names
of its events in the audit trail, and what it holds about the person asking."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from domain.grants import policies
from domain.grants.inputs import ORGANISATION_KINDS
from domain.grants.model import (APPLICATION_STATUS_NAMES, AWARD_STATUS_NAMES, MILESTONE_NAMES,
                                 ORGANISATION_STATUS_NAMES, PROJECT_STATUS_NAMES, REPORT_NAMES)
from domain.kernel import roles
from domain.kernel.errors import NotFoundError
from domain.kernel.money import format_fen
from domain.kernel.time import as_moment
from projections import chain as chain_views
from projections import grants as views
from web.http import me, services
from web.localtime import local_time, now
from web.panels import Column, Panel
from web.places import Place

FIGURE_NAMES = {"pool": "资金池", "pending": "待审批", "awarded": "已资助", "released": "已拨付",
                "clawed": "已追回", "remaining": "尚可资助", "unreleased": "待拨付"}
CALL_STATE_NAMES = {"upcoming": "即将开始", "open": "申报中", "closed": "已截止"}
TRANCHE_STATUS_NAMES = {"waiting": "待拨付", "released": "已拨付", "cancelled": "已取消"}
EVENT_NAMES = {
    "Organisation.Registered": "登记社会组织", "Organisation.Approved": "通过组织登记",
    "Organisation.Rejected": "驳回组织登记", "Organisation.HubMarked": "标记枢纽型社会组织",
    "Organisation.MemberAdded": "添加组织成员", "Organisation.MemberRemoved": "移除组织成员",
    "Organisation.ContactChanged": "更换联系人", "Organisation.ContactErased": "删除联系人信息",
    "CreditCodeClaim.Claimed": "登记统一社会信用代码", "CreditCodeClaim.Reclaimed": "重新登记统一社会信用代码",
    "CreditCodeClaim.Released": "释放统一社会信用代码",
    "Call.Opened": "发布项目征集", "Call.ReviewerAssigned": "指定评审", "Call.ReviewerRemoved": "移除评审",
    "Call.AwardProposed": "提出资助", "Call.AwardApproved": "批准资助", "Call.AwardRejected": "驳回资助",
    "Call.AwardWithdrawn": "撤回资助", "Call.MilestoneAccepted": "验收节点", "Call.TrancheReleased": "拨付款项",
    "Call.MidtermFailed": "中期评估未通过", "Call.ClawbackRecorded": "追回资金",
    "Application.Drafted": "起草申报书", "Application.DraftSaved": "保存申报书", "Application.Submitted": "提交申报",
    "Application.Scored": "评审评分", "Application.ReportSubmitted": "提交项目报告",
    "Application.TeamErased": "删除团队成员信息",
}
# The events behind each figure of a pool (the `record` page's `?type=`, for those without the officials' lines).
POOL_EVENTS = {"pool": "Call.Opened", "pending": "Call.AwardProposed,Call.AwardApproved,Call.AwardRejected,Call.AwardWithdrawn",
               "awarded": "Call.AwardApproved,Call.MidtermFailed,Call.ClawbackRecorded",
               "released": "Call.TrancheReleased", "clawed": "Call.MidtermFailed,Call.ClawbackRecorded"}
# What every grants template names things by (msgids, translated in the templates).
NAMES = {"pool_events": POOL_EVENTS, "figure_names": FIGURE_NAMES, "call_state_names": CALL_STATE_NAMES, "org_kinds": ORGANISATION_KINDS,
         "org_status_names": ORGANISATION_STATUS_NAMES, "application_status_names": APPLICATION_STATUS_NAMES,
         "award_status_names": AWARD_STATUS_NAMES, "project_status_names": PROJECT_STATUS_NAMES,
         "milestone_names": MILESTONE_NAMES, "report_names": REPORT_NAMES,
         "tranche_status_names": TRANCHE_STATUS_NAMES, "event_names": EVENT_NAMES}


def call_state(call: dict, moment: datetime) -> str:
    """upcoming, open or closed, by the application's clock."""
    if moment < as_moment(call["opens_at"]):
        return "upcoming"
    return "open" if moment < as_moment(call["closes_at"]) else "closed"


def score_text(hundredths: float | None) -> str:
    """A weighted score (hundredths of a point) as shown: 82.50; '—' when nobody has scored yet."""
    return "—" if hundredths is None else f"{hundredths / 100:.2f}"


# --- what a page names ------------------------------------------------------------------------------
def call_or_404(request: Request, call_id: str) -> dict:
    """The call in the path, or a 404."""
    row = views.call(services(request).views, call_id)
    if row is None:
        raise NotFoundError("找不到该项目征集")
    return row


def org_or_404(request: Request, org_id: str) -> dict:
    """The organisation in the path, or a 404."""
    row = views.organisation(services(request).views, org_id)
    if row is None:
        raise NotFoundError("找不到该社会组织")
    return row


def application_or_404(request: Request, application_id: str) -> dict:
    """The application in the path, or a 404."""
    row = views.application(services(request).views, application_id)
    if row is None:
        raise NotFoundError("找不到该申报")
    return row


def manages(request: Request, call: dict) -> bool:
    """The person is an official of the call."""
    return policies.may_manage_call(me(request), call["street_id"], call["district_id"])


def my_org_ids(request: Request) -> list[str]:
    """The organisations the person belongs to (their `org_member` grants)."""
    return sorted(scope for role, scope in me(request).grants if role == roles.ORG_MEMBER)


def call_scopes(request: Request) -> list[dict]:
    """The places the person may open a call for: streets they are an official of (or whose district they are),
    and their districts as a whole."""
    db, principal = services(request).views, me(request)
    scopes = [{"value": f"street:{s['id']}", "name": s["name"]} for s in views.streets(db)
              if policies.may_open_call(principal, s["id"], s["district_id"])]
    scopes += [{"value": f"district:{d['id']}", "name": d["name"]} for d in views.districts(db)
               if policies.may_open_call(principal, None, d["id"])]
    return scopes


def streets(request: Request) -> list[dict]:
    """Every street an organisation may register with, with its district."""
    return views.streets(services(request).views)


def decides_some_street(request: Request) -> bool:
    """The person is a street or district official somewhere (reads registrations waiting for approval)."""
    return any(role in (roles.STREET_OFFICIAL, roles.DISTRICT_OFFICIAL) for role, _ in me(request).grants)


# --- the calls board --------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardPage:
    """Every call (open first) with its window, pool and what is left; links for officials and members."""

    calls: list[dict]
    states: dict[str, str]
    may_open: bool
    member: bool
    reviewer: bool
    official: bool


def board_page(request: Request) -> BoardPage:
    """The public calls board."""
    db, moment = services(request).views, now(request)
    calls = views.calls(db)
    states = {c["id"]: call_state(c, moment) for c in calls}
    order = {"open": 0, "upcoming": 1, "closed": 2}
    principal = me(request)
    return BoardPage(calls=sorted(calls, key=lambda c: order[states[c["id"]]]), states=states,
                     may_open=bool(call_scopes(request)) if principal.authenticated else False,
                     member=bool(my_org_ids(request)),
                     reviewer=principal.authenticated and bool(views.reviewing_calls(db, principal.account_id)),
                     official=decides_some_street(request))


# --- a call -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CallPage:
    """One call: terms, criteria, tranches, the pool; the member's organisations that may apply; for officials the
    reviewers, the applications and the awards waiting for a checker."""

    call: dict
    state: str
    manage: bool
    apply_as: list[dict]          # the person's approved organisations (they may draft for each)
    reviewers: list[dict]
    applications: list[dict]
    awards: list[dict]
    reviewer: bool
    members: dict[str, list[str]]   # organisation id → everyone who ever belonged (no award decided by its own)


def call_page(request: Request, call: dict) -> CallPage:
    """A call as the person asking may see it."""
    db, principal = services(request).views, me(request)
    manage = manages(request, call)
    orgs = [o for o in views.organisations_of(db, my_org_ids(request))
            if policies.may_apply(principal, o["id"], o["status"])]
    reviewer_ids = views.reviewer_ids(db, call["id"])
    awards = views.awards(db, call["id"])
    return CallPage(
        call=call, state=call_state(call, now(request)), manage=manage, apply_as=orgs,
        reviewers=views.reviewers(db, call["id"]) if manage else [],
        applications=views.applications_of_call(db, call["id"], status=None) if manage else [],
        awards=awards, reviewer=str(principal.account_id) in reviewer_ids,
        members={w["org_id"]: views.ever_members(db, w["org_id"]) for w in awards} if manage else {})


@dataclass(frozen=True)
class RankingPage:
    """The call's submitted applications by weighted mean, each reviewer's scores per criterion; award forms."""

    call: dict
    rows: list[dict]
    members: dict[str, list[str]]      # organisation id → everyone who ever belonged (no award by its own members)


def ranking_page(request: Request, call: dict) -> RankingPage:
    """The ranking of a call, for its officials."""
    db = services(request).views
    rows = views.ranking(db, call["id"])
    return RankingPage(call=call, rows=rows, members={r["org_id"]: views.ever_members(db, r["org_id"]) for r in rows})


@dataclass(frozen=True)
class LinesPage:
    """The events behind one figure of a call's pool (of one project)."""

    call: dict
    figure: str | None
    rows: list[dict]
    project: dict | None


def lines_page(request: Request, call: dict, figure: str | None, application_id: str | None) -> LinesPage:
    """The lines of a figure (all lines for an unknown one)."""
    figure = figure if figure in views.FIGURES else None
    project = None
    if application_id:
        project = views.application(services(request).views, application_id)
        if project is None or project["call_id"] != call["id"]:
            raise NotFoundError("找不到该项目")
    return LinesPage(call=call, figure=figure, project=project,
                     rows=views.lines(services(request).views, call["id"], figure, application_id))


@dataclass(frozen=True)
class DisclosurePage:
    """公示: the awards of a call (organisation, project, community, amount, what was released), and the pool."""

    call: dict
    awards: list[dict]


def disclosure_page(request: Request, call: dict) -> DisclosurePage:
    """What anyone may read of a call's awards."""
    return DisclosurePage(call=call, awards=views.awards(services(request).views, call["id"], policies.AWARDED))


# --- organisations -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrganisationsPage:
    """Registrations waiting for the official's decision, every organisation of their streets, and the person's own."""

    pending: list[dict]
    decided: list[dict]
    mine: list[dict]


def organisations_page(request: Request) -> OrganisationsPage:
    """The organisations the person may decide on or belongs to."""
    db, principal = services(request).views, me(request)
    mine = views.organisations_of(db, my_org_ids(request))
    rows = [o for o in views.organisations(db) if policies.may_decide_organisation(principal, o["street_id"],
                                                                                   o["district_id"])]
    return OrganisationsPage(pending=[o for o in rows if o["status"] == policies.PENDING],
                             decided=[o for o in rows if o["status"] != policies.PENDING], mine=mine)


@dataclass(frozen=True)
class OrganisationPage:
    """One organisation; its contact, members and applications for its members and the officials over it."""

    org: dict
    member: bool
    decide: bool
    read: bool
    members: list[dict]
    applications: list[dict]


def organisation_page(request: Request, org: dict) -> OrganisationPage:
    """An organisation as the person asking may see it."""
    db, principal = services(request).views, me(request)
    read = policies.may_read_organisation(principal, org["id"], org["street_id"], org["district_id"])
    return OrganisationPage(
        org=org, member=policies.may_manage_members(principal, org["id"], org["status"]),
        decide=policies.may_decide_organisation(principal, org["street_id"], org["district_id"]), read=read,
        members=views.members(db, org["id"]) if read else [],
        applications=views.applications_of_orgs(db, [org["id"]]) if read else [])


# --- applications -----------------------------------------------------------------------------------------
BLANK_ROWS = 3   # empty rows under what is filled in: forms work without JavaScript


@dataclass(frozen=True)
class DraftForm:
    """The application form: the call, the organisation, the communities it may serve, the values so far."""

    call: dict
    org: dict
    communities: list[dict]
    values: dict
    budget: list[dict]
    plan: list[dict]
    team: list[dict]


def draft_form(request: Request, call: dict, org: dict, application: dict | None = None) -> DraftForm:
    """A new application's form, or an existing draft's, with empty rows to add to."""
    db = services(request).views
    a = application or {}
    return DraftForm(
        call=call, org=org, communities=views.communities_in(db, call["street_id"], call["district_id"]),
        values={"title": a.get("title", ""), "summary": a.get("summary", ""), "community_id": a.get("community_id", ""),
                "requested": format_fen(a["requested"]) if a.get("requested") else ""},
        budget=[*a.get("budget", []), *[{}] * BLANK_ROWS], plan=[*a.get("plan", []), *[{}] * BLANK_ROWS],
        team=[*a.get("team", []), *[{}] * BLANK_ROWS])


@dataclass(frozen=True)
class ApplicationPage:
    """One application: what it asks for, the scores (officials by name), the reviewer's form, the edit form, the
    award forms."""

    a: dict
    call: dict
    edit: DraftForm | None
    may_submit: bool
    may_score: bool
    scores: list[dict]
    names: bool                    # reviewers shown by name (officials), else "评审 1, 2, …"
    manage: bool
    members: list[str]
    budget_total: int
    mean: float | None


def application_page(request: Request, a: dict) -> ApplicationPage:
    """An application as the person asking may see it (the public sees nothing of an unawarded one)."""
    db, principal = services(request).views, me(request)
    call = call_or_404(request, a["call_id"])
    reviewers = views.reviewer_ids(db, call["id"])
    if not policies.may_read_application(principal, a["org_id"], call["street_id"], call["district_id"], reviewers):
        raise NotFoundError("找不到该申报")
    moment = now(request)
    editable = policies.may_edit_application(principal, a["org_id"], a["status"], call["closes_at"], moment)
    members = views.ever_members(db, a["org_id"])
    scores = views.scores(db, a["id"])
    manage = manages(request, call)
    member = policies.is_member(principal, a["org_id"])
    return ApplicationPage(
        a=a, call=call,
        edit=draft_form(request, call, org_or_404(request, a["org_id"]), a) if editable else None,
        may_submit=policies.may_submit_application(principal, a["org_id"], a["status"], call["opens_at"],
                                                   call["closes_at"], moment),
        may_score=policies.may_score(principal, reviewers, a["org_id"], members, a["status"],
                                     [s["reviewer_id"] for s in scores]),
        scores=scores if (manage or member) else [s for s in scores if s["reviewer_id"] == principal.account_id],
        names=policies.may_see_reviewer_names(principal, call["street_id"], call["district_id"]),
        manage=manage, members=members, budget_total=sum(int(b["amount"]) for b in a["budget"]),
        mean=sum(s["total"] for s in scores) / len(scores) if scores else None)


# --- projects ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectPage:
    """An awarded project: milestones and tranches; reports for its members; the officials' forms."""

    a: dict
    call: dict
    award: dict
    tranches: list[dict]
    milestones: dict[str, dict]
    reports: dict[str, dict]
    accepted: dict[str, str]         # milestone → who accepted it
    manage: bool
    member: bool
    dossier: bool
    next_milestone: str | None
    stamp: chain_views.Stamp | None = None   # the record the award follows from: its call's latest event


def project_page(request: Request, a: dict) -> ProjectPage:
    """The project page (public once awarded: its stable address can go into a roundtable agenda item)."""
    db, principal = services(request).views, me(request)
    award = next((w for w in views.awards(db, a["call_id"], policies.AWARDED) if w["application_id"] == a["id"]), None)
    if award is None:
        raise NotFoundError("找不到该项目")
    call = call_or_404(request, a["call_id"])
    milestones = views.milestones(db, a["id"])
    accepted = {m: r["decided_by"] for m, r in milestones.items() if r["status"] == "accepted"}
    return ProjectPage(
        a=a, call=call, award=award, tranches=views.tranches(db, a["id"]), milestones=milestones,
        reports=views.reports(db, a["id"]), accepted=accepted, manage=manages(request, call),
        member=policies.is_member(principal, a["org_id"]),
        dossier=policies.may_read_dossier(principal, call["street_id"], call["district_id"], a["org_id"]),
        next_milestone=policies.next_milestone(accepted) if award["project_status"] == policies.RUNNING else None,
        stamp=chain_views.stamp_of_aggregate(db, call["id"]))


@dataclass(frozen=True)
class DossierPage:
    """Everything about one project: the application, reviews, award, milestones, tranches, every event."""

    a: dict
    call: dict
    project: ProjectPage | None
    scores: list[dict]
    names: bool
    events: list[dict]


def dossier_page(request: Request, a: dict) -> DossierPage:
    """A project's dossier (printable), for the call's officials and the organisation's members."""
    db, principal = services(request).views, me(request)
    call = call_or_404(request, a["call_id"])
    if not policies.may_read_dossier(principal, call["street_id"], call["district_id"], a["org_id"]):
        raise NotFoundError("找不到该项目")
    project = project_page(request, a) if a["award_status"] == policies.AWARDED else None
    names = policies.may_see_reviewer_names(principal, call["street_id"], call["district_id"])
    events = [e if names or e["type"] != "Scored" else {**e, "actor_name": None} for e in views.dossier(db, a["id"])]
    return DossierPage(a=a, call=call, project=project, scores=views.scores(db, a["id"]), names=names, events=events)


# --- my organisation, my reviews, a community's projects ------------------------------------------------------
@dataclass(frozen=True)
class MinePage:
    """The person's organisations and their applications, and the calls open to apply to."""

    orgs: list[dict]
    applications: list[dict]
    open_calls: list[dict]
    unknown: int          # org_member roles naming no registered organisation


def mine_page(request: Request) -> MinePage:
    """My organisation's applications."""
    db, moment = services(request).views, now(request)
    ids = my_org_ids(request)
    orgs = views.organisations_of(db, ids)
    return MinePage(orgs=orgs, applications=views.applications_of_orgs(db, [o["id"] for o in orgs]),
                    open_calls=[c for c in views.calls(db) if call_state(c, moment) != "closed"],
                    unknown=len(ids) - len(orgs))


@dataclass(frozen=True)
class ReviewsPage:
    """The reviewer's queue (not yet scored, own organisations left out) and what they scored."""

    queue: list[dict]
    conflicted: list[dict]
    done: list[dict]


def reviews_page(request: Request) -> ReviewsPage:
    """The reviewer's queue."""
    db, principal = services(request).views, me(request)
    queue, conflicted = [], []
    for a in views.review_queue(db, principal.account_id):
        (conflicted if policies.is_conflicted(principal, a["org_id"], views.ever_members(db, a["org_id"]))
         else queue).append(a)
    return ReviewsPage(queue=queue, conflicted=conflicted, done=views.reviewed_by(db, principal.account_id))


@dataclass(frozen=True)
class CommunityPage:
    """The grants at work in a community."""

    projects: list[dict] = field(default_factory=list)


def community_page(request: Request, community: Place) -> CommunityPage:
    """The awarded projects serving a community."""
    return CommunityPage(projects=views.community_projects(services(request).views, community.id))


# --- what grants adds to other pages ------------------------------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel:
    """The charity-venture projects at work in the community."""
    projects = views.community_projects(services(request).views, community.id)
    return Panel("grants/_overview_card.html", {"community": community, "projects": projects[:3],
                                                 "count": len(projects)})


def notices(request: Request) -> list[Panel]:
    """Where a member, a reviewer or an official goes next: their organisation and its applications, the
    applications waiting for their score, the registrations and awards waiting for their decision."""
    principal = me(request)
    if not principal.authenticated:
        return []
    db = services(request).views
    ids = my_org_ids(request)
    orgs = views.organisations_of(db, ids)
    queue = [a for a in views.review_queue(db, principal.account_id)
             if not policies.is_conflicted(principal, a["org_id"], views.ever_members(db, a["org_id"]))]
    official = decides_some_street(request)
    pending_orgs, awaiting = 0, 0
    if official:
        pending_orgs = sum(1 for o in views.organisations(db, policies.PENDING)
                           if policies.may_decide_organisation(principal, o["street_id"], o["district_id"]))
        calls = [c["id"] for c in views.calls(db) if policies.may_manage_call(principal, c["street_id"],
                                                                              c["district_id"])]
        awaiting = sum(1 for w in views.proposed_awards(db, calls) if w["proposed_by"] != principal.account_id)
    if not (ids or queue or official):
        return []
    return [Panel("grants/_notice.html", {"orgs": orgs, "unknown": len(ids) - len(orgs), "member": bool(ids),
                                          "queue": len(queue), "official": official, "pending_orgs": pending_orgs,
                                          "awaiting": awaiting, "status_names": ORGANISATION_STATUS_NAMES})]


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """How many charity-venture projects each community has running."""
    db = services(request).views
    cells = {}
    for c in communities:
        running = [p for p in views.community_projects(db, c.id) if p["project_status"] == policies.RUNNING]
        cells[c.id] = str(len(running))
    return [Column("公益创投项目（实施中）", cells)]


def audit_labels() -> dict[str, str]:
    """The name (msgid) of every grants event in the audit trail."""
    return dict(EVENT_NAMES)


def my_data(request: Request) -> dict:
    """What grants holds about the person asking: organisations they belong to, the applications they drafted or
    submitted, the scores and comments they gave as a reviewer, and the decisions they made as an official.
    (A contact person or a team member who has no account is not linked to any account: their names are sealed
    under keys of their own and erased on request.)"""
    db, principal = services(request).views, me(request)
    account_id = str(principal.account_id)
    orgs = views.organisations_of(db, my_org_ids(request))
    return {
        "所属社会组织": [{"组织": o["name"], "统一社会信用代码": o["credit_code"],
                     "状态": ORGANISATION_STATUS_NAMES.get(o["status"], o["status"])} for o in orgs],
        "评审评分": [{"项目": r["title"], "项目征集": r["call_title"], "评分": r["scores"], "评语": r["comments"],
                  "加权得分": score_text(r["total"]), "时间": local_time(r["at"])}
                 for r in views.reviewed_by(db, account_id)],
        "经办记录": [{"项目": e["title"], "事项": EVENT_NAMES.get(f"{e['aggregate']}.{e['type']}", e["type"]),
                  "金额（元）": format_fen(e["amount"]) if e["amount"] is not None else "", "理由": e["reason"],
                  "时间": local_time(e["at"])} for e in views.decisions_by(db, account_id)],
    }
