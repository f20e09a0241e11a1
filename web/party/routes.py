"""Party-member registration (在职党员到社区报到): consent, the registration form, the worker's registry and
decisions, the service record and tasks recorded directly, the needs board (shifts of the volunteer station), the
printable two-way feedback report with its CSV and public check, and the street's counts. Who may do what is
`domain.party.policies`, asked with the community in the path; the service asks again of the events."""
from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel.errors import InvalidInputError, NotFoundError
from domain.party import policies
from domain.party.inputs import parse_hours, parse_rating, parse_report_code
from web.http import (Form, action, client_address, command, error_text, is_htmx, me, page, parse_uuid, redirect,
                      require, respond, services, url_for)
from web.party import exports, pages
from web.party.pages import TAB, render_page
from web.places import Place, community_or_404, street_or_404


def _me_id(request: Request) -> UUID:
    return parse_uuid(me(request).account_id)


def _stint(form: Form) -> int:
    """The registration's stint the form was made for (a hidden field): a small whole number or a 404."""
    raw = form.get("stint", "")
    if not re.fullmatch(r"[1-9][0-9]{0,3}", raw):
        raise NotFoundError("找不到该社区的党员报到")
    return int(raw)


def _index_url(request: Request, community: Place) -> str:
    return url_for(request, "party_index", community_id=community.id)


def _worker_of(request: Request) -> Place:
    """The community in the path, once the person is one of its workers."""
    community = community_or_404(request)
    require(policies.may_review(me(request), community), "只有本社区的社区工作者可以查看党员名册")
    return community


# --- the member ------------------------------------------------------------------------------------------------
@page
def index(request: Request) -> Response:
    community = community_or_404(request)
    return render_page(request, "party/index.html", community=community, tab=TAB,
                       page=pages.index_page(request, community))


@page
def consent_form(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_register(me(request), community), "只有经过核实的本社区居民可以在本社区报到")
    if pages.state_here(request, community):
        return redirect(request, _index_url(request, community))
    return render_page(request, "party/consent.html", community=community, tab=TAB,
                       page=pages.consent_page(request, community))


@action
def give_consent(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(policies.may_register(me(request), community), "只有经过核实的本社区居民可以在本社区报到")
    moving = pages.active_elsewhere(request, community)
    try:
        command(request, services(request).app.party.give_consent, _me_id(request), parse_uuid(community.id),
                form.get("version", "")[:40], form.get("agree") == "yes", command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "party/consent.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.consent_page(request, community, error_text(request, e)))
    if moving:
        services(request).scrub()   # the old registration's details: no copy left in the views' or keys' files
    return redirect(request, url_for(request, "party_register_form", community_id=community.id),
                    "已记录您的同意，请填写报到信息")


@page
def register_form(request: Request) -> Response:
    community = community_or_404(request)
    mine = pages.state_here(request, community)
    if mine is None:
        return redirect(request, url_for(request, "party_consent_form", community_id=community.id))
    require(policies.may_submit(mine["state"]), "报到已确认，不能再修改")
    return render_page(request, "party/register.html", community=community, tab=TAB,
                       page=pages.register_page(request, community, mine))


@action
def submit(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(policies.may_register(me(request), community), "只有经过核实的本社区居民可以在本社区报到")
    mine = pages.state_here(request, community)
    if mine is None:
        raise NotFoundError("请先阅读并同意个人信息处理告知")
    kinds, disclose = form.getlist("kinds")[:40], form.getlist("disclose")[:10]
    try:
        command(request, services(request).app.party.submit_registration, _me_id(request), parse_uuid(community.id),
                _stint(form), form.get("unit", ""), form.get("org_name", ""), form.get("org_contact", ""),
                form.get("org_phone", ""), kinds, form.get("other_kinds", ""), form.get("availability", ""),
                disclose, command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "party/register.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.register_page(request, community, mine, dict(form), kinds, disclose,
                                                    error_text(request, e)))
    return redirect(request, _index_url(request, community), "报到信息已提交，请等待社区工作者确认")


@action
def withdraw(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    if form.get("confirm") != "yes":
        raise InvalidInputError("请勾选确认：撤回同意后报到即结束")
    response = respond(request, form, services(request).app.party.withdraw, _me_id(request), parse_uuid(community.id),
                       _stint(form), done="已撤回同意，您的报到已结束，报到信息已删除", to=_index_url(request, community))
    services(request).scrub()   # no copy of the blanked rows or the deleted key stays in the files
    return response


@page
def record(request: Request) -> Response:
    community = community_or_404(request)
    return render_page(request, "party/record.html", community=community, tab=TAB,
                       page=pages.record_page(request, community))


@action
def log_service(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    try:
        command(request, services(request).app.party.log_service, _me_id(request), parse_uuid(community.id),
                form.get("kind", ""), form.get("on", ""), parse_hours(form.get("hours")), form.get("description", ""),
                command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "party/record.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.record_page(request, community, error_text(request, e), dict(form)))
    return redirect(request, url_for(request, "party_record", community_id=community.id),
                    "服务已记录，社区工作者确认后计入服务记录")


# --- the community's workers --------------------------------------------------------------------------------
@page
def registry(request: Request) -> Response:
    community = _worker_of(request)
    registry_page = pages.registry_page(request, community)
    if is_htmx(request) and request.headers.get("hx-target") == "party-registry":
        return render_page(request, "party/_registry_rows.html", community=community, page=registry_page)
    return render_page(request, "party/registry.html", community=community, tab=TAB, page=registry_page)


@page
def registration(request: Request) -> Response:
    community = _worker_of(request)
    row = pages.listed_or_404(request, community)
    return render_page(request, "party/registration.html", community=community, tab=TAB,
                       page=pages.registration_page(request, community, row))


def _registration_url(request: Request, community: Place, row: dict) -> str:
    return url_for(request, "party_registration", community_id=community.id, registration_id=row["registration_id"])


@action
def confirm(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    row = pages.listed_or_404(request, community)
    return respond(request, form, services(request).app.party.confirm_registration, _me_id(request),
                   parse_uuid(community.id), parse_uuid(row["registration_id"]), _stint(form),
                   done="已确认该党员报到", to=_registration_url(request, community, row))


@action
def return_(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    row = pages.listed_or_404(request, community)
    return respond(request, form, services(request).app.party.return_registration, _me_id(request),
                   parse_uuid(community.id), parse_uuid(row["registration_id"]), _stint(form),
                   form.get("reason", ""), done="已退回，党员修改后可重新提交", to=_registration_url(request, community, row))


@action
def issue_report(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    row = pages.listed_or_404(request, community)
    return respond(request, form, services(request).app.party.issue_report, _me_id(request), parse_uuid(community.id),
                   parse_uuid(row["registration_id"]), _stint(form), form.get("year", "")[:10],
                   parse_rating(form.get("rating")), form.get("comment", ""), done="双向反馈报告已出具",
                   to=lambda issued: url_for(request, "party_report", community_id=community.id,
                                             serial=issued["serial"]))


@page
def tasks(request: Request) -> Response:
    community = _worker_of(request)
    return render_page(request, "party/tasks.html", community=community, tab=TAB,
                       page=pages.tasks_page(request, community))


def _tasks_url(request: Request, community: Place) -> str:
    return url_for(request, "party_tasks", community_id=community.id)


@action
def confirm_task(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    return respond(request, form, services(request).app.party.confirm_service, _me_id(request),
                   parse_uuid(community.id), parse_uuid(request.path_params["record_id"], "服务记录"),
                   done="已确认该服务", to=_tasks_url(request, community))


@action
def decline_task(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    return respond(request, form, services(request).app.party.decline_service, _me_id(request),
                   parse_uuid(community.id), parse_uuid(request.path_params["record_id"], "服务记录"),
                   form.get("reason", ""), done="已不予确认该服务", to=_tasks_url(request, community))


@page
def kinds(request: Request) -> Response:
    community = _worker_of(request)
    return render_page(request, "party/kinds.html", community=community, tab=TAB,
                       page=pages.kinds_page(request, community))


def _kinds_action(request: Request, form: Form, use_case, done: str) -> Response:
    community = _worker_of(request)
    try:
        command(request, use_case, _me_id(request), parse_uuid(community.id), form.get("kind", ""),
                command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "party/kinds.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.kinds_page(request, community, error_text(request, e)))
    return redirect(request, url_for(request, "party_kinds", community_id=community.id), done)


@action
def add_kind(request: Request, form: Form) -> Response:
    return _kinds_action(request, form, services(request).app.party.add_service_kind, "服务类别已添加")


@action
def remove_kind(request: Request, form: Form) -> Response:
    return _kinds_action(request, form, services(request).app.party.remove_service_kind, "服务类别已移除")


# --- the needs board -------------------------------------------------------------------------------------------
@page
def needs(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_see_tab(me(request), community))
    return render_page(request, "party/needs.html", community=community, tab=TAB,
                       page=pages.needs_page(request, community))


@action
def post_need(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    day_id, _, shift_id = form.get("shift", "").partition("/")
    return respond(request, form, services(request).app.party.post_need, _me_id(request), parse_uuid(community.id),
                   parse_uuid(day_id, "行动日"), parse_uuid(shift_id, "班次"), form.get("kind", ""),
                   form.get("note", ""), done="已发布到党员服务需求栏",
                   to=url_for(request, "party_needs", community_id=community.id))


@action
def remove_need(request: Request, form: Form) -> Response:
    community = _worker_of(request)
    return respond(request, form, services(request).app.party.remove_need, _me_id(request), parse_uuid(community.id),
                   parse_uuid(request.path_params["need_id"], "服务需求"), done="已撤下该需求",
                   to=url_for(request, "party_needs", community_id=community.id))


# --- the two-way feedback report ----------------------------------------------------------------------------------
def _report_for(request: Request) -> tuple[Place, dict]:
    community = community_or_404(request)
    report = pages.report_or_404(request, community)
    require(policies.may_read_report(me(request), report["account_id"], community), "只有党员本人和本社区的社区工作者可以查看该报告")
    return community, report


@page
def report(request: Request) -> Response:
    community, found = _report_for(request)
    return render_page(request, "party/report.html", community=community, page=pages.report_page(request, found))


@page
def report_csv(request: Request) -> Response:
    _, found = _report_for(request)
    return exports.report_csv(pages.report_page(request, found))


@page(public=True)
def verify_form(request: Request) -> Response:
    raw = request.query_params.get("code", "")[:40]
    if not raw:
        return render_page(request, "party/verify.html", page=pages.VerifyPage())
    code = parse_report_code(raw)
    if code:
        return redirect(request, url_for(request, "party_verify", code=code))
    return render_page(request, "party/verify.html", status_code=404, page=pages.VerifyPage(code=raw, searched=True))


VERIFY_LIMIT, VERIFY_WINDOW = 60, timedelta(minutes=10)   # a check replays the log: bounded per address


@page(public=True)
def verify(request: Request) -> Response:
    throttle, key = request.app.state.throttle, f"party-verify:{client_address(request)}"
    if throttle.wait(key):
        return render_page(request, "party/verify.html", status_code=429,
                           page=pages.VerifyPage(code=request.path_params["code"][:40], searched=True, busy=True))
    throttle.hit(key, VERIFY_LIMIT, VERIFY_WINDOW)
    found = pages.verify_page(request, parse_report_code(request.path_params["code"]))
    if found is None:
        return render_page(request, "party/verify.html", status_code=404,
                           page=pages.VerifyPage(code=request.path_params["code"][:40], searched=True))
    return render_page(request, "party/verify.html", page=found)


# --- the street -----------------------------------------------------------------------------------------------------
@page
def street(request: Request) -> Response:
    place = street_or_404(request)
    require(policies.may_oversee_street(me(request), place))
    return render_page(request, "party/street.html", page=pages.street_page(request, place))


BASE = "/c/{community_id}/party"
REGISTRATION = BASE + "/registry/{registration_id}"
REPORT = BASE + "/reports/{serial}"

routes = [
    Route(BASE, index, methods=["GET"], name="party_index"),
    Route(BASE + "/consent", consent_form, methods=["GET"], name="party_consent_form"),
    Route(BASE + "/consent", give_consent, methods=["POST"], name="party_consent"),
    Route(BASE + "/register", register_form, methods=["GET"], name="party_register_form"),
    Route(BASE + "/register", submit, methods=["POST"], name="party_register"),
    Route(BASE + "/withdraw", withdraw, methods=["POST"], name="party_withdraw"),
    Route(BASE + "/record", record, methods=["GET"], name="party_record"),
    Route(BASE + "/record", log_service, methods=["POST"], name="party_log_service"),
    Route(BASE + "/registry", registry, methods=["GET"], name="party_registry"),
    Route(REGISTRATION, registration, methods=["GET"], name="party_registration"),
    Route(REGISTRATION + "/confirm", confirm, methods=["POST"], name="party_confirm"),
    Route(REGISTRATION + "/return", return_, methods=["POST"], name="party_return"),
    Route(REGISTRATION + "/reports", issue_report, methods=["POST"], name="party_issue_report"),
    Route(BASE + "/tasks", tasks, methods=["GET"], name="party_tasks"),
    Route(BASE + "/tasks/{record_id}/confirm", confirm_task, methods=["POST"], name="party_confirm_task"),
    Route(BASE + "/tasks/{record_id}/decline", decline_task, methods=["POST"], name="party_decline_task"),
    Route(BASE + "/kinds", kinds, methods=["GET"], name="party_kinds"),
    Route(BASE + "/kinds", add_kind, methods=["POST"], name="party_add_kind"),
    Route(BASE + "/kinds/remove", remove_kind, methods=["POST"], name="party_remove_kind"),
    Route(BASE + "/needs", needs, methods=["GET"], name="party_needs"),
    Route(BASE + "/needs", post_need, methods=["POST"], name="party_post_need"),
    Route(BASE + "/needs/{need_id}/remove", remove_need, methods=["POST"], name="party_remove_need"),
    Route(REPORT, report, methods=["GET"], name="party_report"),
    Route(REPORT + "/report.csv", report_csv, methods=["GET"], name="party_report_csv"),
    Route("/party/verify", verify_form, methods=["GET"], name="party_verify_form"),
    Route("/party/verify/{code}", verify, methods=["GET"], name="party_verify"),
    Route("/s/{street_id}/party", street, methods=["GET"], name="party_street"),
]
