"""The volunteer station (志愿服务站): action days, two-tap sign-up, waitlist, check-in screen, hours, certificates and
their public verification. Who may do what is `domain.volunteer.policies`, asked with the day's own community and
street; the service asks the same and refuses what a page would not have offered."""
from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel.errors import InvalidInputError
from domain.kernel.time import parse_local_datetime
from domain.volunteer import policies
from domain.volunteer.inputs import (parse_certificate_code, parse_cutoff_hours, parse_hours, parse_min_age,
                                     parse_places)
from web.http import (Form, action, command, error_text, is_htmx, me, page, parse_uuid, redirect, require, respond,
                      services, url_for)
from web import asof
from web.places import Place, community_or_404
from web.volunteer import exports, pages
from web.volunteer.pages import day_or_404, render_page, shift_or_404

TAB = "volunteer"
READ_MODELS = ("volunteer",)   # what the station's pages as of a moment are drawn from


# --- what the path names, once the person passes a policy of the day -------------------------------------------------
def _day_for(request: Request, may: Callable[..., bool]) -> tuple[Place, dict]:
    """The community and action day the path names, once `may` (e.g. `policies.may_organise`) admits the person
    for that day."""
    community = community_or_404(request)
    day = day_or_404(request, community)
    require(may(me(request), day["community_id"], day["street_id"]))
    return community, day


def _shift_for(request: Request, may: Callable[..., bool]) -> tuple[Place, dict, dict]:
    """As `_day_for`, and the shift the path names."""
    community, day = _day_for(request, may)
    return community, day, shift_or_404(request, day)


def _me_id(request: Request):
    return parse_uuid(me(request).account_id)


def _ids(day: dict, shift: dict | None = None) -> tuple:
    return (parse_uuid(day["id"]),) + ((parse_uuid(shift["id"]),) if shift else ())


def _day_url(request: Request, community: Place, day: dict) -> str:
    return url_for(request, "volunteer_day", community_id=community.id, day_id=day["id"])


def _check_in_url(request: Request, community: Place, day: dict, shift: dict) -> str:
    return url_for(request, "volunteer_check_in", community_id=community.id, day_id=day["id"], shift_id=shift["id"])


def _shift_card(request: Request, community: Place, day: dict) -> Callable[[str, bool], Response]:
    """htmx gets the shift's card back, with the message in it."""
    def fragment(message: str, failed: bool) -> Response:
        return render_page(request, "volunteer/_shift.html", community=community, day=day,
                           shift=shift_or_404(request, day, me(request).account_id), message=message, failed=failed)
    return fragment


def _check_in_row(request: Request, community: Place, day: dict, shift: dict,
                  account_id: str) -> Callable[[str, bool], Response]:
    """htmx gets the volunteer's check-in row back, with the message in it."""
    def fragment(message: str, failed: bool) -> Response:
        return render_page(request, "volunteer/_checkin_row.html", community=community, day=day, shift=shift,
                           row=pages.check_in_row(request, shift, account_id), message=message, failed=failed)
    return fragment


# --- the station and its days ------------------------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    return render_page(request, "volunteer/index.html", community=community, tab=TAB,
                       page=pages.index_page(request, community))


@page
def new_day_form(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_plan_days(me(request), community.id, community.street_id))
    return render_page(request, "volunteer/new_day.html", community=community, tab=TAB, page=pages.NewDayPage())


@action
def create_day(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    principal = me(request)
    require(policies.may_plan_days(principal, community.id, community.street_id))
    street_wide = form.get("scope") == "street"
    if street_wide:
        require(policies.may_create_street_day(principal, community.street_id), "只有街道工作人员可以创建全街道行动日")
    try:
        day_id = command(request, services(request).app.volunteer.create_action_day, _me_id(request),
                         None if street_wide else parse_uuid(community.id),
                         parse_uuid(community.street_id) if street_wide else None,
                         form.get("title", ""), form.get("description", ""), form.get("date", "").strip(),
                         parse_cutoff_hours(form.get("cutoff_hours")), command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "volunteer/new_day.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.NewDayPage(values=dict(form), error=error_text(request, e)))
    return redirect(request, url_for(request, "volunteer_day", community_id=community.id, day_id=day_id),
                    "行动日已创建，请添加班次")


@page(public=True)
def day_page(request: Request) -> Response:
    """An action day now, or (`?as_of=`) as it stood then."""
    community = community_or_404(request)
    day_or_404(request, community)   # a day unknown now was never there: no rebuild for it

    def draw() -> Response:
        day = day_or_404(request, community)
        return render_page(request, "volunteer/day.html", community=community, tab=TAB,
                           page=pages.day_page(request, community, day))
    return asof.rendered(request, community, READ_MODELS, draw)


@action
def add_shift(request: Request, form: Form) -> Response:
    community, day = _day_for(request, policies.may_organise)
    try:
        command(request, services(request).app.volunteer.add_shift, _me_id(request), *_ids(day),
                form.get("task", ""), form.get("place", ""),
                parse_local_datetime(form.get("starts_at"), "开始时间"),
                parse_local_datetime(form.get("ends_at"), "结束时间"),
                parse_places(form.get("places")), parse_min_age(form.get("min_age")),
                command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render_page(request, "volunteer/day.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.day_page(request, community, day, dict(form), error_text(request, e)))
    return redirect(request, _day_url(request, community, day), "班次已添加")


# --- volunteers sign up and cancel -------------------------------------------------------------------------------------
@action
def sign_up(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    day = day_or_404(request, community)
    shift = shift_or_404(request, day)
    return respond(request, form, services(request).app.volunteer.sign_up_for_shift, _me_id(request),
                   *_ids(day, shift), form.get("waitlist") == "1",
                   done=lambda status: "报名成功，感谢您的参与！" if status == "confirmed"
                   else "已加入候补名单，有名额空出时会自动为您递补",
                   to=_day_url(request, community, day), fragment=_shift_card(request, community, day))


@action
def cancel(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    day = day_or_404(request, community)
    shift = shift_or_404(request, day)
    back = url_for(request, "volunteer_me", community_id=community.id) if form.get("back") == "me" \
        else _day_url(request, community, day)
    return respond(request, form, services(request).app.volunteer.cancel_shift, _me_id(request), *_ids(day, shift),
                   done="已取消报名", to=back, fragment=_shift_card(request, community, day))


@action
def dismiss_notices(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    return respond(request, form, services(request).app.volunteer.dismiss_notices, _me_id(request), done="",
                   to=url_for(request, "volunteer_index", community_id=community.id))


# --- the organiser changes plans -----------------------------------------------------------------------------------------
@action
def call_off_shift(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, policies.may_manage)
    return respond(request, form, services(request).app.volunteer.cancel_whole_shift, _me_id(request),
                   *_ids(day, shift), form.get("reason", ""),
                   done="班次已取消，已通知报名和候补的志愿者", to=_day_url(request, community, day))


@action
def call_off_day(request: Request, form: Form) -> Response:
    community, day = _day_for(request, policies.may_manage)
    return respond(request, form, services(request).app.volunteer.cancel_action_day, _me_id(request), *_ids(day),
                   form.get("reason", ""),
                   done="行动日已取消，已通知报名和候补的志愿者", to=_day_url(request, community, day))


@action
def change_places(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, policies.may_manage)
    return respond(request, form, services(request).app.volunteer.change_shift_places, _me_id(request),
                   *_ids(day, shift), parse_places(form.get("places")),
                   done=lambda promoted: "名额已调整，候补志愿者已按顺序递补" if promoted else "名额已调整",
                   to=_day_url(request, community, day))


@action
def walk_in(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, policies.may_organise)
    return respond(request, form, services(request).app.volunteer.walk_in, _me_id(request), *_ids(day, shift),
                   form.get("phone", "")[:40], form.get("beyond_places") == "1",
                   done="已现场加入并签到", to=_check_in_url(request, community, day, shift))


# --- the check-in screen ---------------------------------------------------------------------------------------------------
@page
def check_in_screen(request: Request) -> Response:
    community, day, shift = _shift_for(request, policies.may_organise)
    screen = pages.check_in_page(request, day, shift)
    if is_htmx(request) and request.headers.get("hx-target") == "checkin-rows":
        return render_page(request, "volunteer/_checkin_rows.html", community=community, day=day, shift=shift,
                           rows=screen.rows)
    return render_page(request, "volunteer/checkin.html", community=community, tab=TAB, page=screen)


def _attendance(request: Request, form: Form, use_case: Callable[..., object], done: str) -> Response:
    community, day, shift = _shift_for(request, policies.may_organise)
    account_id = parse_uuid(request.path_params["account_id"], "志愿者")
    return respond(request, form, use_case, _me_id(request), *_ids(day, shift), account_id, done=done,
                   to=_check_in_url(request, community, day, shift),
                   fragment=_check_in_row(request, community, day, shift, str(account_id)))


@action
def check_in(request: Request, form: Form) -> Response:
    return _attendance(request, form, services(request).app.volunteer.check_in, "已签到")


@action
def check_out(request: Request, form: Form) -> Response:
    return _attendance(request, form, services(request).app.volunteer.check_out, "已签退")


@action
def correct(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, policies.may_organise)
    account_id = parse_uuid(request.path_params["account_id"], "志愿者")
    return respond(request, form, services(request).app.volunteer.correct_hours, _me_id(request), *_ids(day, shift),
                   account_id, parse_hours(form.get("hours")), form.get("reason", ""),
                   done="服务时长已更正", to=_check_in_url(request, community, day, shift))


# --- my volunteering, identity, certificates ----------------------------------------------------------------------------
@page
def my_page(request: Request) -> Response:
    return render_page(request, "volunteer/me.html", community=community_or_404(request), tab=TAB,
                       page=pages.my_page(request))


@action
def register_identity(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    return respond(request, form, services(request).app.volunteer.register_identity, _me_id(request),
                   form.get("id_number", ""), done="身份证号已登记（仅显示部分号码）",
                   to=url_for(request, "volunteer_me", community_id=community.id))


@action
def issue_certificate(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    return respond(request, form, services(request).app.volunteer.issue_certificate, _me_id(request),
                   parse_uuid(form.get("org_id"), "社区"), form.get("year", ""), done="证明已开具",
                   to=lambda issued: url_for(request, "volunteer_certificate", community_id=community.id,
                                             serial=issued["serial"]))


@page
def certificate_page(request: Request) -> Response:
    community = community_or_404(request)
    cert = pages.certificate_or_404(request)
    require(policies.may_see_certificate(me(request), cert["account_id"], cert["org_id"]))
    return render_page(request, "volunteer/certificate.html", community=community,
                       page=pages.certificate_page(request, cert))


# --- public verification ---------------------------------------------------------------------------------------------------
@page(public=True)
def verify_form(request: Request) -> Response:
    raw = request.query_params.get("code", "")[:40]
    if not raw:
        return render_page(request, "volunteer/verify.html", page=pages.VerifyPage())
    code = parse_certificate_code(raw)
    if code:
        return redirect(request, url_for(request, "volunteer_verify", code=code))
    return render_page(request, "volunteer/verify.html", status_code=404,
                       page=pages.VerifyPage(code=raw, searched=True))


@page(public=True)
def verify(request: Request) -> Response:
    found = pages.verify_page(request, parse_certificate_code(request.path_params["code"]))
    if found is None:
        return render_page(request, "volunteer/verify.html", status_code=404,
                           page=pages.VerifyPage(code=request.path_params["code"][:40], searched=True))
    return render_page(request, "volunteer/verify.html", page=found)


# --- hours table and export ------------------------------------------------------------------------------------------------
def _hours_report(request: Request) -> tuple[Place, pages.HoursReport]:
    """The community and the hours its workers (or, with `?scope=street`, its street's officials) may read."""
    community = community_or_404(request)
    street_wide = request.query_params.get("scope") == "street"
    require(policies.may_read_street_hours(me(request), community.street_id) if street_wide
            else policies.may_read_hours(me(request), community.id))
    return community, pages.hours_report(request, community, street_wide)


@page
def hours_table(request: Request) -> Response:
    """Hours per volunteer in a period, now or (`?as_of=`) as they stood then."""
    community, _ = _hours_report(request)   # who may read them, before anything is rebuilt

    def draw() -> Response:
        _, report = _hours_report(request)
        return render_page(request, "volunteer/hours.html", community=community, tab=TAB, page=report)
    return asof.rendered(request, community, READ_MODELS, draw)


@page
def hours_csv(request: Request) -> Response:
    _, report = _hours_report(request)
    return exports.hours_csv(report)


BASE = "/c/{community_id}/volunteer"
DAY = BASE + "/days/{day_id}"
SHIFT = DAY + "/shifts/{shift_id}"

routes = [
    Route(BASE, index, name="volunteer_index"),
    Route(BASE + "/days/new", new_day_form, methods=["GET"], name="volunteer_new_day"),
    Route(BASE + "/days", create_day, methods=["POST"], name="volunteer_create_day"),
    Route(DAY, day_page, methods=["GET"], name="volunteer_day"),
    Route(DAY + "/shifts", add_shift, methods=["POST"], name="volunteer_add_shift"),
    Route(SHIFT + "/signup", sign_up, methods=["POST"], name="volunteer_sign_up"),
    Route(SHIFT + "/cancel", cancel, methods=["POST"], name="volunteer_cancel"),
    Route(SHIFT + "/call-off", call_off_shift, methods=["POST"], name="volunteer_call_off_shift"),
    Route(DAY + "/call-off", call_off_day, methods=["POST"], name="volunteer_call_off_day"),
    Route(SHIFT + "/places", change_places, methods=["POST"], name="volunteer_change_places"),
    Route(SHIFT + "/walk-in", walk_in, methods=["POST"], name="volunteer_walk_in"),
    Route(SHIFT + "/checkin", check_in_screen, methods=["GET"], name="volunteer_check_in"),
    Route(SHIFT + "/attendance/{account_id}/in", check_in, methods=["POST"], name="volunteer_attendance_in"),
    Route(SHIFT + "/attendance/{account_id}/out", check_out, methods=["POST"], name="volunteer_attendance_out"),
    Route(SHIFT + "/correct/{account_id}", correct, methods=["POST"], name="volunteer_correct"),
    Route(BASE + "/notices/seen", dismiss_notices, methods=["POST"], name="volunteer_notices_seen"),
    Route(BASE + "/me", my_page, methods=["GET"], name="volunteer_me"),
    Route(BASE + "/identity", register_identity, methods=["POST"], name="volunteer_identity"),
    Route(BASE + "/certificates", issue_certificate, methods=["POST"], name="volunteer_issue_certificate"),
    Route(BASE + "/certificates/{serial}", certificate_page, methods=["GET"], name="volunteer_certificate"),
    Route(BASE + "/hours", hours_table, methods=["GET"], name="volunteer_hours"),
    Route(BASE + "/hours.csv", hours_csv, methods=["GET"], name="volunteer_hours_csv"),
    Route("/verify", verify_form, methods=["GET"], name="volunteer_verify_form"),
    Route("/verify/{code}", verify, methods=["GET"], name="volunteer_verify"),
]
