"""Charity-venture grants (公益创投): the public calls board, calls, disclosure and project pages; organisations;
applications and their review; the officials' ranking, pool lines, awards (one proposes, another approves),
milestones and tranches (one accepts, another releases); each project's dossier (printable and CSV); my
organisation's applications; the reviewer's queue; a community's projects.

The acting person always comes from the session, never from the form; every use case checks the rule again."""
from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.grants import policies
from domain.grants.inputs import MAX_CRITERIA
from domain.kernel.errors import NotFoundError
from web.grants import exports, pages
from web.http import Form, action, me, page, parse_uuid, render, require, respond, services, url_for
from web import asof
from web.places import community_or_404, place_by_id

OFFICIALS_ONLY = "只有本次征集所在街道或区的工作人员可以进行此操作"
READ_MODELS = ("grants",)   # what a call's page as of a moment is drawn from


def _render(request: Request, template: str, **context) -> Response:
    return render(request, template, **pages.NAMES, **context)


def _me(request: Request) -> UUID:
    return parse_uuid(me(request).account_id)


def _grants(request: Request):
    return services(request).app.grants


def _rows(form: Form, *names: str) -> tuple[list[str], ...]:
    """Repeated form fields (one per row of a table in the form), cut to a sane number of rows."""
    return tuple(form.getlist(n)[:30] for n in names)


def _path_id(request: Request, param: str, what: str) -> UUID:
    return parse_uuid(request.path_params[param], what)


# --- the board and my pages --------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    """The calls board: every call, open first."""
    return _render(request, "grants/index.html", page=pages.board_page(request))


@page
def mine(request: Request) -> Response:
    """My organisation(s) and their applications."""
    return _render(request, "grants/mine.html", page=pages.mine_page(request))


@page
def reviews(request: Request) -> Response:
    """The reviewer's queue."""
    return _render(request, "grants/reviews.html", page=pages.reviews_page(request))


@page(public=True)
def community(request: Request) -> Response:
    """The charity-venture projects serving a community (its tab)."""
    place = community_or_404(request)
    return _render(request, "grants/community.html", community=place, tab="grants",
                   page=pages.community_page(request, place))


# --- organisations -------------------------------------------------------------------------------------
@page
def organisations(request: Request) -> Response:
    """Registrations to decide (officials) and the person's own organisations."""
    return _render(request, "grants/organisations.html", page=pages.organisations_page(request))


@page
def org_new(request: Request) -> Response:
    """The registration form."""
    return _render(request, "grants/org_new.html", streets=pages.streets(request))


@action
def org_register(request: Request, form: Form) -> Response:
    """Register an organisation with a street; the registrant becomes its first member."""
    return respond(request, form, _grants(request).register_organisation, _me(request), form.get("name", ""),
                   form.get("credit_code", ""), form.get("kind", ""), parse_uuid(form.get("street_id"), "街道"),
                   form.get("contact_name", ""), form.get("contact_phone", ""),
                   done="组织已登记，等待街道或区工作人员审核",
                   to=lambda org_id: url_for(request, "grants_org", org_id=org_id))


@page
def org(request: Request) -> Response:
    """One organisation."""
    row = pages.org_or_404(request, request.path_params["org_id"])
    return _render(request, "grants/org.html", page=pages.organisation_page(request, row))


def _on_org(request: Request, form: Form, use_case, *args: object, done: str) -> Response:
    org_id = _path_id(request, "org_id", "社会组织")
    return respond(request, form, use_case, _me(request), org_id, *args, done=done,
                   to=url_for(request, "grants_org", org_id=org_id))


@action
def org_approve(request: Request, form: Form) -> Response:
    """An official approves a registration."""
    return _on_org(request, form, _grants(request).approve_organisation, done="已通过该组织的登记")


@action
def org_reject(request: Request, form: Form) -> Response:
    """An official rejects a registration, saying why."""
    return _on_org(request, form, _grants(request).reject_organisation, form.get("reason", ""),
                   done="已驳回该组织的登记")


@action
def org_hub(request: Request, form: Form) -> Response:
    """An official marks (or unmarks) a hub organisation."""
    hub = form.get("hub") == "1"
    return _on_org(request, form, _grants(request).mark_hub, hub,
                   done="已标记为枢纽型社会组织" if hub else "已取消枢纽型社会组织标记")


@action
def member_add(request: Request, form: Form) -> Response:
    """A member adds an account by its phone number."""
    return _on_org(request, form, _grants(request).add_member, form.get("phone", ""), done="已添加成员")


@action
def member_remove(request: Request, form: Form) -> Response:
    """A member takes an account off the organisation."""
    return _on_org(request, form, _grants(request).remove_member, _path_id(request, "account_id", "成员"),
                   done="已移除该成员")


@action
def contact_change(request: Request, form: Form) -> Response:
    """A member names a new contact person."""
    return _on_org(request, form, _grants(request).change_contact, form.get("contact_name", ""),
                   form.get("contact_phone", ""), done="联系人已更换")


@action
def contact_erase(request: Request, form: Form) -> Response:
    """The contact's name and phone are erased for good."""
    return _on_org(request, form, _grants(request).erase_contact, form.get("reason", ""), done="联系人信息已删除")


# --- calls ------------------------------------------------------------------------------------------------
@page
def call_new(request: Request) -> Response:
    """The form to open a call (street and district officials)."""
    scopes = pages.call_scopes(request)
    require(bool(scopes), "只有街道或区的工作人员可以发布项目征集")
    return _render(request, "grants/call_new.html", scopes=scopes, max_criteria=MAX_CRITERIA)


@action
def call_open(request: Request, form: Form) -> Response:
    """Open a call for a street or a district."""
    level, _, raw = form.get("scope", "").partition(":")
    place = parse_uuid(raw, "街道或区")
    return respond(request, form, _grants(request).open_call, _me(request), place if level == "street" else None,
                   place if level == "district" else None, form.get("title", ""), form.get("theme", ""),
                   form.get("pool", ""), form.get("max_per_project", ""), form.get("opens_at", ""),
                   form.get("closes_at", ""), _rows(form, "criterion_name", "criterion_weight"),
                   _rows(form, "tranche_requirement", "tranche_percent"), done="项目征集已发布",
                   to=lambda call_id: url_for(request, "grants_call", call_id=call_id))


@page(public=True)
def call(request: Request) -> Response:
    """A call: terms, pool, and what the reader may do; with `?as_of=` as it stood then (no actions)."""
    row = pages.call_or_404(request, request.path_params["call_id"])   # one unknown now was never there

    def draw() -> Response:
        return _render(request, "grants/call.html", page=pages.call_page(
            request, pages.call_or_404(request, request.path_params["call_id"])))
    return asof.rendered(request, place_by_id(request, row["street_id"] or row["district_id"]), READ_MODELS, draw)


@page(public=True)
def disclosure(request: Request) -> Response:
    """公示: the awards of a call; no login needed."""
    row = pages.call_or_404(request, request.path_params["call_id"])
    return _render(request, "grants/disclosure.html", page=pages.disclosure_page(request, row))


def _managed_call(request: Request) -> dict:
    row = pages.call_or_404(request, request.path_params["call_id"])
    require(pages.manages(request, row), OFFICIALS_ONLY)
    return row


@page
def ranking(request: Request) -> Response:
    """The ranking: weighted means and each reviewer's scores (officials)."""
    row = _managed_call(request)
    return _render(request, "grants/ranking.html", page=pages.ranking_page(request, row))


@page
def lines(request: Request) -> Response:
    """The events behind a figure of the pool (officials)."""
    row = _managed_call(request)
    raw = request.query_params.get("project") or None
    project = str(parse_uuid(raw, "项目")) if raw else None
    return _render(request, "grants/lines.html",
                   page=pages.lines_page(request, row, request.query_params.get("figure"), project))


@action
def reviewer_assign(request: Request, form: Form) -> Response:
    """An official names a reviewer by phone number."""
    call_id = _path_id(request, "call_id", "项目征集")
    return respond(request, form, _grants(request).assign_reviewer, _me(request), call_id, form.get("phone", ""),
                   done="已指定评审", to=url_for(request, "grants_call", call_id=call_id))


@action
def reviewer_remove(request: Request, form: Form) -> Response:
    """An official takes a reviewer off the call."""
    call_id = _path_id(request, "call_id", "项目征集")
    return respond(request, form, _grants(request).remove_reviewer, _me(request), call_id,
                   _path_id(request, "account_id", "评审"), done="已移除该评审",
                   to=url_for(request, "grants_call", call_id=call_id))


# --- applications ---------------------------------------------------------------------------------------
@page
def apply_form(request: Request) -> Response:
    """A new application for one of the person's approved organisations."""
    row = pages.call_or_404(request, request.path_params["call_id"])
    org_row = pages.org_or_404(request, str(parse_uuid(request.query_params.get("org"), "社会组织")))
    require(policies.may_apply(me(request), org_row["id"], org_row["status"]), "只有已通过审核的组织成员可以申报")
    return _render(request, "grants/apply.html", form=pages.draft_form(request, row, org_row))


def _draft_fields(form: Form) -> dict:
    return dict(summary=form.get("summary", ""), requested=form.get("requested", ""),
                budget=_rows(form, "budget_item", "budget_amount"), plan=_rows(form, "plan_title", "plan_due"),
                team=_rows(form, "team_name", "team_role"))


@action
def apply(request: Request, form: Form) -> Response:
    """Save a new draft; then its page."""
    call_id = _path_id(request, "call_id", "项目征集")
    return respond(request, form, _grants(request).save_draft, _me(request), call_id,
                   parse_uuid(form.get("org_id"), "社会组织"), parse_uuid(form.get("community_id"), "社区"),
                   form.get("title", ""), **_draft_fields(form), done="申报书草稿已保存",
                   to=lambda application_id: url_for(request, "grants_application", application_id=application_id))


@page
def application(request: Request) -> Response:
    """An application: for its organisation, the call's officials and reviewers."""
    row = pages.application_or_404(request, request.path_params["application_id"])
    return _render(request, "grants/application.html", page=pages.application_page(request, row))


def _application_url(request: Request, application_id: object) -> str:
    return url_for(request, "grants_application", application_id=application_id)


@action
def draft_save(request: Request, form: Form) -> Response:
    """Save the draft again."""
    row = pages.application_or_404(request, request.path_params["application_id"])
    return respond(request, form, _grants(request).save_draft, _me(request), parse_uuid(row["call_id"]),
                   parse_uuid(row["org_id"]), parse_uuid(form.get("community_id"), "社区"), form.get("title", ""),
                   **_draft_fields(form), application_id=parse_uuid(row["id"]), done="申报书草稿已保存",
                   to=_application_url(request, row["id"]))


def _on_application(request: Request, form: Form, use_case, *args: object, done: str, to: str | None = None,
                    **kwargs) -> Response:
    application_id = _path_id(request, "application_id", "申报")
    return respond(request, form, use_case, _me(request), application_id, *args, done=done,
                   to=to or _application_url(request, application_id), **kwargs)


@action
def submit(request: Request, form: Form) -> Response:
    """Submit the draft (before the deadline)."""
    return _on_application(request, form, _grants(request).submit_application, done="申报已提交")


@action
def score(request: Request, form: Form) -> Response:
    """A reviewer scores every criterion with a comment, once."""
    scores = {k[len("score_"):]: v for k, v in form.items() if k.startswith("score_")}
    comments = {k[len("comment_"):]: v for k, v in form.items() if k.startswith("comment_")}
    return _on_application(request, form, _grants(request).score, scores, comments, done="评分已提交",
                           to=url_for(request, "grants_reviews"))


@action
def team_erase(request: Request, form: Form) -> Response:
    """The team's names are erased for good."""
    return _on_application(request, form, _grants(request).erase_team, form.get("reason", ""),
                           done="团队成员信息已删除")


@action
def award_propose(request: Request, form: Form) -> Response:
    """An official proposes an award (it reserves money from the pool); another approves it."""
    return _on_application(request, form, _grants(request).propose_award, form.get("amount", ""),
                           done="资助已提出，等待另一位工作人员审批")


@action
def award_approve(request: Request, form: Form) -> Response:
    """Another official approves a proposed award."""
    application_id = _path_id(request, "application_id", "申报")
    return respond(request, form, _grants(request).approve_award, _me(request), application_id,
                   done="资助已批准", to=url_for(request, "grants_project", application_id=application_id))


@action
def award_reject(request: Request, form: Form) -> Response:
    """Another official rejects a proposed award, saying why."""
    return _on_application(request, form, _grants(request).reject_award, form.get("reason", ""), done="资助已驳回")


@action
def award_withdraw(request: Request, form: Form) -> Response:
    """The proposing official withdraws their proposal, saying why."""
    return _on_application(request, form, _grants(request).withdraw_award, form.get("reason", ""),
                           done="资助已撤回")


# --- projects ------------------------------------------------------------------------------------------------
@page(public=True)
def project(request: Request) -> Response:
    """An awarded project: milestones and tranches (a stable address for the roundtable)."""
    row = pages.application_or_404(request, request.path_params["application_id"])
    return _render(request, "grants/project.html", page=pages.project_page(request, row))


def _on_project(request: Request, form: Form, use_case, *args: object, done: str) -> Response:
    application_id = _path_id(request, "application_id", "项目")
    return respond(request, form, use_case, _me(request), application_id, *args, done=done,
                   to=url_for(request, "grants_project", application_id=application_id))


@action
def milestone_accept(request: Request, form: Form) -> Response:
    """An official records the signing, passes the mid-term evaluation or accepts the final report."""
    milestone = request.path_params["milestone"]
    if milestone not in policies.MILESTONES:
        raise NotFoundError("找不到该节点")
    return _on_project(request, form, _grants(request).accept_milestone, milestone, form.get("note", ""),
                       done="已结项" if milestone == policies.FINAL else "节点已验收")


@action
def midterm_fail(request: Request, form: Form) -> Response:
    """An official fails the mid-term evaluation (later tranches stop; a clawback may be recorded)."""
    return _on_project(request, form, _grants(request).fail_midterm, form.get("reason", ""),
                       form.get("clawback", ""), done="中期评估未通过：后续拨付已停止")


@action
def tranche_release(request: Request, form: Form) -> Response:
    """An official other than the milestone's acceptor releases a tranche."""
    return _on_project(request, form, _grants(request).release_tranche, request.path_params["index"],
                       done="款项已拨付")


@action
def clawback(request: Request, form: Form) -> Response:
    """An official records money a stopped project must return."""
    return _on_project(request, form, _grants(request).record_clawback, form.get("amount", ""),
                       form.get("reason", ""), done="已记录追回资金")


@action
def report(request: Request, form: Form) -> Response:
    """A member submits the mid-term or final report."""
    kind = request.path_params["kind"]
    if kind not in policies.REPORTED:
        raise NotFoundError("找不到该报告")
    return _on_project(request, form, _grants(request).submit_report, kind, form.get("text", ""), done="报告已提交")


@page
def dossier(request: Request) -> Response:
    """Every event, review and decision of a project, printable."""
    row = pages.application_or_404(request, request.path_params["application_id"])
    return _render(request, "grants/dossier.html", page=pages.dossier_page(request, row))


@page
def dossier_csv(request: Request) -> Response:
    """The dossier as CSV (formula-safe)."""
    row = pages.application_or_404(request, request.path_params["application_id"])
    return exports.dossier_csv(request, pages.dossier_page(request, row))


APPLICATION = "/grants/applications/{application_id}"
PROJECT = "/grants/projects/{application_id}"
ORG = "/grants/organisations/{org_id}"
CALL = "/grants/calls/{call_id}"
routes = [
    Route("/grants", index, name="grants_index"),
    Route("/grants/mine", mine, name="grants_mine"),
    Route("/grants/reviews", reviews, name="grants_reviews"),
    Route("/grants/organisations", organisations, methods=["GET"], name="grants_organisations"),
    Route("/grants/organisations/new", org_new, methods=["GET"], name="grants_org_new"),
    Route("/grants/organisations", org_register, methods=["POST"], name="grants_org_register"),
    Route(ORG, org, methods=["GET"], name="grants_org"),
    Route(ORG + "/approve", org_approve, methods=["POST"], name="grants_org_approve"),
    Route(ORG + "/reject", org_reject, methods=["POST"], name="grants_org_reject"),
    Route(ORG + "/hub", org_hub, methods=["POST"], name="grants_org_hub"),
    Route(ORG + "/members", member_add, methods=["POST"], name="grants_member_add"),
    Route(ORG + "/members/{account_id}/remove", member_remove, methods=["POST"], name="grants_member_remove"),
    Route(ORG + "/contact", contact_change, methods=["POST"], name="grants_contact_change"),
    Route(ORG + "/contact/erase", contact_erase, methods=["POST"], name="grants_contact_erase"),
    Route("/grants/calls/new", call_new, methods=["GET"], name="grants_call_new"),
    Route("/grants/calls", call_open, methods=["POST"], name="grants_call_open"),
    Route(CALL, call, methods=["GET"], name="grants_call"),
    Route(CALL + "/disclosure", disclosure, methods=["GET"], name="grants_disclosure"),
    Route(CALL + "/ranking", ranking, methods=["GET"], name="grants_ranking"),
    Route(CALL + "/lines", lines, methods=["GET"], name="grants_lines"),
    Route(CALL + "/reviewers", reviewer_assign, methods=["POST"], name="grants_reviewer_assign"),
    Route(CALL + "/reviewers/{account_id}/remove", reviewer_remove, methods=["POST"], name="grants_reviewer_remove"),
    Route(CALL + "/apply", apply_form, methods=["GET"], name="grants_apply_form"),
    Route(CALL + "/apply", apply, methods=["POST"], name="grants_apply"),
    Route(APPLICATION, application, methods=["GET"], name="grants_application"),
    Route(APPLICATION + "/draft", draft_save, methods=["POST"], name="grants_draft_save"),
    Route(APPLICATION + "/submit", submit, methods=["POST"], name="grants_submit"),
    Route(APPLICATION + "/score", score, methods=["POST"], name="grants_score"),
    Route(APPLICATION + "/team/erase", team_erase, methods=["POST"], name="grants_team_erase"),
    Route(APPLICATION + "/award", award_propose, methods=["POST"], name="grants_award_propose"),
    Route(APPLICATION + "/award/approve", award_approve, methods=["POST"], name="grants_award_approve"),
    Route(APPLICATION + "/award/reject", award_reject, methods=["POST"], name="grants_award_reject"),
    Route(APPLICATION + "/award/withdraw", award_withdraw, methods=["POST"], name="grants_award_withdraw"),
    Route(PROJECT, project, methods=["GET"], name="grants_project"),
    Route(PROJECT + "/milestones/{milestone}", milestone_accept, methods=["POST"], name="grants_milestone_accept"),
    Route(PROJECT + "/midterm/fail", midterm_fail, methods=["POST"], name="grants_midterm_fail"),
    Route(PROJECT + "/tranches/{index:int}/release", tranche_release, methods=["POST"], name="grants_tranche_release"),
    Route(PROJECT + "/clawback", clawback, methods=["POST"], name="grants_clawback"),
    Route(PROJECT + "/reports/{kind}", report, methods=["POST"], name="grants_report"),
    Route(PROJECT + "/dossier", dossier, methods=["GET"], name="grants_dossier"),
    Route(PROJECT + "/dossier.csv", dossier_csv, methods=["GET"], name="grants_dossier_csv"),
    Route("/c/{community_id}/grants", community, methods=["GET"], name="grants_community"),
]
