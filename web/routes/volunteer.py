"""The volunteer station (志愿服务站): action days, two-tap sign-up, waitlist, check-in screen, hours, certificates."""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import quote
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel.time import SHANGHAI
from domain.volunteer.model import HoursError, PlacesError
from domain.kernel.errors import DomainError, InvalidInputError, NotFoundError
from domain.kernel.text import mask_phone
from projections import accounts as directory
from projections import volunteer as views
from web.routes._legacy import auth
from web.auth import Principal
from web.localtime import local_time, local_today, now
from web.http import (Form, action, command, error_text, is_htmx, me, page, parse_uuid, redirect, render,
                      services)
from web.routes._legacy import community_or_404, require

BASE = "/c/{community_id}/volunteer"


# --- predicates (the domain checks again) -----------------------------------------------------------
def may_create_day(principal: Principal, community: dict) -> bool:
    """Community workers create community days; street officials also street-wide ones."""
    return auth.is_worker(principal, community) or auth.is_street_official(principal, community)


def may_organise(principal: Principal, community: dict, day: dict) -> bool:
    """Runs the day: the community's workers; for a street-wide day also the street's officials."""
    if day["community_id"]:
        return auth.is_worker(principal, community)
    return auth.is_worker(principal, community) or auth.is_street_official(principal, community)


def may_manage(principal: Principal, community: dict, day: dict) -> bool:
    """Calls off or resizes: the community's workers; for a street-wide day only the street's officials."""
    if day["community_id"]:
        return day["community_id"] == community["id"] and auth.is_worker(principal, community)
    return auth.is_street_official(principal, community)


def may_volunteer(principal: Principal, community: dict) -> bool:
    """Verified residents sign up."""
    return auth.is_resident(principal, community)


# --- parsing what people type ------------------------------------------------------------------------
def parse_local_datetime(value: str | None, message: str) -> datetime:
    """`2026-05-03T09:00` (a datetime-local field, Shanghai time) as an aware UTC datetime."""
    text = unicodedata.normalize("NFKC", value or "").strip().replace(" ", "T")
    try:
        moment = datetime.fromisoformat(text)
        if not 2000 <= moment.year <= 2100:  # also keeps year 1 and 9999 away from time-zone overflow
            raise ValueError(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise InvalidInputError(message) from None


def parse_places(value: str | None) -> int:
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text):
        raise PlacesError()
    return int(text)


def parse_min_age(value: str | None) -> int | None:
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInputError("年龄要求应在 1 到 100 周岁之间")
    return int(text)


def parse_hours(value: str | None) -> int:
    """Hours as typed (`2`, `2.5`, `１.５`) to whole minutes."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"[0-9]{1,2}(\.[0-9]{1,2})?", text):
        raise HoursError()
    try:
        return int((Decimal(text) * 60).to_integral_value())
    except InvalidOperation:
        raise HoursError() from None


def parse_date(value: str | None, default: str) -> str:
    text = (value or "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInputError("日期格式不正确") from None


def parse_cutoff_hours(value: str | None) -> int:
    text = unicodedata.normalize("NFKC", value or "").strip() or "2"
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInputError("截止时间应在班次开始前 0 到 168 小时之间")
    return int(text) * 60


# --- display helpers (passed to templates) ---------------------------------------------------------------
def local(iso: str | None, fmt: str = "%m-%d %H:%M") -> str:
    """An ISO timestamp shown in Shanghai time (month-day by default: the day's date is on the page)."""
    return local_time(iso, fmt)


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal: 90 → 1.5."""
    value = Decimal(minutes or 0) / 60
    return f"{value.quantize(Decimal('0.1'))}"


def mask_name(name: str) -> str:
    """王*民: enough to recognise, not to identify, on a public page."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def today(request: Request) -> str:
    return local_today(request).isoformat()


def page_render(request: Request, template: str, status_code: int = 200, **context) -> Response:
    moment = now(request)

    def closed(shift: dict, day: dict) -> bool:
        """Sign-up and cancel are closed for the shift (its cut-off has passed)."""
        return moment >= datetime.fromisoformat(shift["starts_at"]) - timedelta(minutes=day["cutoff_minutes"])
    return render(request, template, status_code=status_code, local=local, hours=hours, closed=closed,
                  now_iso=moment.isoformat(), **context)


# --- loading what the path names --------------------------------------------------------------------------
def day_or_404(request: Request, community: dict) -> dict:
    day_id = parse_uuid(request.path_params["day_id"], "行动日")
    day = views.day_in_scope(services(request).views, str(day_id), community)
    if day is None:
        raise NotFoundError("找不到该行动日")
    return day


def shift_or_404(request: Request, day: dict, account_id: str | None = None) -> dict:
    shift_id = parse_uuid(request.path_params["shift_id"], "班次")
    shift = views.shift(services(request).views, day["id"], str(shift_id), account_id)
    if shift is None:
        raise NotFoundError("找不到该班次")
    return shift


def _day_for(request: Request, may) -> tuple[dict, dict]:
    """The community and action day the path names, once the person passes `may` (e.g. may_organise) for the day."""
    community = community_or_404(request)
    day = day_or_404(request, community)
    require(may(me(request), community, day))
    return community, day


def _shift_for(request: Request, may) -> tuple[dict, dict, dict]:
    """The community, action day and shift the path names, once the person passes `may` for the day."""
    community, day = _day_for(request, may)
    return community, day, shift_or_404(request, day)


def _me_id(request: Request) -> UUID:
    return parse_uuid(me(request).account_id)


def _day_url(community: dict, day: dict) -> str:
    return f"/c/{community['id']}/volunteer/days/{day['id']}"


def _cid(form: Form) -> str | None:
    return form.get("command_id") or None


@dataclass(frozen=True)
class IndexPage:
    """The volunteer station of one community."""

    days: list
    my_shifts: list
    notices: list
    total_minutes: int


# --- pages -------------------------------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    svc, principal = services(request), me(request)
    mine = principal.account_id if principal.authenticated else None
    ctx = IndexPage(
        days=views.upcoming_days(svc.views, community, today(request)),
        my_shifts=views.my_shifts(svc.views, mine, today(request)) if mine else [],
        notices=views.unseen_notices(svc.views, mine, views.NOTICE_KINDS) if mine else [],
        total_minutes=views.total_minutes(svc.views, mine) if mine else 0)
    return page_render(request, "volunteer/index.html", community=community, tab="volunteer", page=ctx,
                       may_create=may_create_day(principal, community),
                       may_volunteer=may_volunteer(principal, community),
                       is_worker=auth.is_worker(principal, community),
                       is_street_official=auth.is_street_official(principal, community))


@page
def new_day_form(request: Request) -> Response:
    community = community_or_404(request)
    require(may_create_day(me(request), community))
    return page_render(request, "volunteer/new_day.html", community=community, tab="volunteer", values={},
                       error=None, street_official=auth.is_street_official(me(request), community),
                       worker=auth.is_worker(me(request), community))


@action
def create_day(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    principal = me(request)
    require(may_create_day(principal, community))
    street_wide = form.get("scope") == "street"
    try:
        if street_wide:
            require(auth.is_street_official(principal, community), "只有街道工作人员可以创建全街道行动日")
        day_id = command(request, services(request).app.volunteer.create_action_day, parse_uuid(principal.account_id),
                         None if street_wide else parse_uuid(community["id"]),
                         parse_uuid(community["street_id"]) if street_wide else None,
                         form.get("title", ""), form.get("description", ""), form.get("date", "").strip(),
                         parse_cutoff_hours(form.get("cutoff_hours")), command_id=_cid(form))
    except InvalidInputError as e:
        return page_render(request, "volunteer/new_day.html", status_code=e.status, community=community,
                           tab="volunteer", values=dict(form), error=error_text(request, e),
                           street_official=auth.is_street_official(principal, community),
                           worker=auth.is_worker(principal, community))
    return redirect(request, f"/c/{community['id']}/volunteer/days/{day_id}", "行动日已创建，请添加班次")


def _day_context(request: Request, community: dict, day: dict) -> dict:
    principal = me(request)
    svc = services(request)
    mine = principal.account_id if principal.authenticated else None
    return dict(community=community, tab="volunteer", day=day,
                shifts=views.shifts(svc.views, day["id"], mine),
                may_organise=may_organise(principal, community, day),
                may_manage=may_manage(principal, community, day),
                may_volunteer=may_volunteer(principal, community),
                street_name=getattr(directory.place(svc.views, day["street_id"]), "name", ""))


@page(public=True)
def day_page(request: Request) -> Response:
    community = community_or_404(request)
    day = day_or_404(request, community)
    return page_render(request, "volunteer/day.html", values={}, error=None, **_day_context(request, community, day))


@action
def add_shift(request: Request, form: Form) -> Response:
    community, day = _day_for(request, may_organise)
    try:
        command(request, services(request).app.volunteer.add_shift, _me_id(request), parse_uuid(day["id"]),
                form.get("task", ""), form.get("place", ""),
                parse_local_datetime(form.get("starts_at"), "开始时间格式不正确，例如 2026-05-03 09:00"),
                parse_local_datetime(form.get("ends_at"), "结束时间格式不正确，例如 2026-05-03 11:00"),
                parse_places(form.get("places")), parse_min_age(form.get("min_age")), command_id=_cid(form))
    except InvalidInputError as e:
        return page_render(request, "volunteer/day.html", status_code=e.status, values=dict(form),
                           error=error_text(request, e), **_day_context(request, community, day))
    return redirect(request, _day_url(community, day), "班次已添加")


def _shift_response(request: Request, community: dict, day: dict, message: str | None, failed: bool) -> Response:
    """htmx gets the shift's card back (with the message in it); a plain form gets a redirect."""
    shift = shift_or_404(request, day, me(request).account_id)
    return page_render(request, "volunteer/_shift.html", community=community, day=day, shift=shift,
                       may_volunteer=may_volunteer(me(request), community),
                       may_organise=may_organise(me(request), community, day),
                       may_manage=may_manage(me(request), community, day), message=message, failed=failed)


@action
def sign_up(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    day = day_or_404(request, community)
    shift = shift_or_404(request, day)
    svc = services(request)
    try:
        status = command(request, svc.app.volunteer.sign_up_for_shift, _me_id(request),
                         parse_uuid(day["id"]), parse_uuid(shift["id"]), form.get("waitlist") == "1",
                         command_id=_cid(form))
    except DomainError as e:
        if is_htmx(request) and e.status < 500:
            return _shift_response(request, community, day, error_text(request, e), True)
        raise
    message = "报名成功，感谢您的参与！" if status == "confirmed" else "已加入候补名单，有名额空出时会自动为您递补"
    if is_htmx(request):
        return _shift_response(request, community, day, message, False)
    return redirect(request, _day_url(community, day), message)


@action
def cancel(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    day = day_or_404(request, community)
    shift = shift_or_404(request, day)
    try:
        command(request, services(request).app.volunteer.cancel_shift, _me_id(request),
                parse_uuid(day["id"]), parse_uuid(shift["id"]), command_id=_cid(form))
    except DomainError as e:
        if is_htmx(request) and e.status < 500:
            return _shift_response(request, community, day, error_text(request, e), True)
        raise
    if is_htmx(request):
        return _shift_response(request, community, day, "已取消报名", False)
    back = f"/c/{community['id']}/volunteer/me" if form.get("back") == "me" else _day_url(community, day)
    return redirect(request, back, "已取消报名")


@action
def dismiss_notices(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    command(request, services(request).app.volunteer.dismiss_notices, _me_id(request),
            command_id=_cid(form))
    return redirect(request, f"/c/{community['id']}/volunteer")


# --- the organiser changes plans ----------------------------------------------------------------------------
@action
def call_off_shift(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, may_manage)
    command(request, services(request).app.volunteer.cancel_whole_shift, _me_id(request),
            parse_uuid(day["id"]), parse_uuid(shift["id"]), form.get("reason", ""), command_id=_cid(form))
    return redirect(request, _day_url(community, day), "班次已取消，已通知报名和候补的志愿者")


@action
def call_off_day(request: Request, form: Form) -> Response:
    community, day = _day_for(request, may_manage)
    command(request, services(request).app.volunteer.cancel_action_day, _me_id(request),
            parse_uuid(day["id"]), form.get("reason", ""), command_id=_cid(form))
    return redirect(request, _day_url(community, day), "行动日已取消，已通知报名和候补的志愿者")


@action
def change_places(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, may_manage)
    promoted = command(request, services(request).app.volunteer.change_shift_places, _me_id(request),
                       parse_uuid(day["id"]), parse_uuid(shift["id"]), parse_places(form.get("places")),
                       command_id=_cid(form))
    message = "名额已调整，候补志愿者已按顺序递补" if promoted else "名额已调整"
    return redirect(request, _day_url(community, day), message)


@action
def walk_in(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, may_organise)
    command(request, services(request).app.volunteer.walk_in, _me_id(request),
            parse_uuid(day["id"]), parse_uuid(shift["id"]), form.get("phone", "")[:40],
            form.get("beyond_places") == "1", command_id=_cid(form))
    return redirect(request, f"{_day_url(community, day)}/shifts/{shift['id']}/checkin", "已现场加入并签到")


# --- the check-in screen ------------------------------------------------------------------------------------
@page
def check_in_screen(request: Request) -> Response:
    community, day, shift = _shift_for(request, may_organise)
    query = request.query_params.get("q", "")[:40]
    svc = services(request)
    rows = views.check_in_rows(svc.views, shift["id"], query)
    context = dict(community=community, tab="volunteer", day=day, shift=shift, rows=rows, q=query,
                   waitlist=views.waitlist(svc.views, shift["id"]),
                   corrections=views.corrections(svc.views, shift["id"]), mask_phone=mask_phone)
    if is_htmx(request) and request.headers.get("hx-target") == "checkin-rows":
        return page_render(request, "volunteer/_checkin_rows.html", **context)
    return page_render(request, "volunteer/checkin.html", **context)


def _row_response(request: Request, community: dict, day: dict, shift: dict, account_id: str,
                  message: str | None, failed: bool) -> Response:
    row = views.check_in_row(services(request).views, shift["id"], account_id)
    if row is None:
        raise NotFoundError("找不到该志愿者")
    return page_render(request, "volunteer/_checkin_row.html", community=community, day=day, shift=shift, row=row,
                       message=message, failed=failed, mask_phone=mask_phone)


@action
def attendance(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, may_organise)
    account_id = parse_uuid(request.path_params["account_id"], "志愿者")
    what = request.path_params["what"]
    app = services(request).app
    use_case = {"in": app.volunteer.check_in, "out": app.volunteer.check_out}.get(what)
    if use_case is None:
        raise NotFoundError("找不到该页面")
    url = f"{_day_url(community, day)}/shifts/{shift['id']}/checkin"
    try:
        command(request, use_case, _me_id(request), parse_uuid(day["id"]),
                parse_uuid(shift["id"]), account_id, command_id=_cid(form))
    except DomainError as e:
        if is_htmx(request) and e.status < 500:
            return _row_response(request, community, day, shift, str(account_id), error_text(request, e), True)
        raise
    message = "已签到" if what == "in" else "已签退"
    if is_htmx(request):
        return _row_response(request, community, day, shift, str(account_id), message, False)
    return redirect(request, url, message)


@action
def correct(request: Request, form: Form) -> Response:
    community, day, shift = _shift_for(request, may_organise)
    account_id = parse_uuid(request.path_params["account_id"], "志愿者")
    command(request, services(request).app.volunteer.correct_hours, _me_id(request),
            parse_uuid(day["id"]), parse_uuid(shift["id"]), account_id, parse_hours(form.get("hours")),
            form.get("reason", ""), command_id=_cid(form))
    return redirect(request, f"{_day_url(community, day)}/shifts/{shift['id']}/checkin", "服务时长已更正")


# --- my volunteering, identity, certificates -------------------------------------------------------------------
def _org_names(request: Request, rows: list[dict]) -> dict[str, str]:
    db = services(request).views
    return {r["org_id"]: getattr(directory.place(db, r["org_id"]), "name", "") for r in rows}


@page
def my_page(request: Request) -> Response:
    community = community_or_404(request)
    svc, principal = services(request), me(request)
    mine = principal.account_id
    hour_rows = views.my_hours(svc.views, mine)
    return page_render(request, "volunteer/me.html", community=community, tab="volunteer",
                       shifts=views.my_shifts(svc.views, mine), hour_rows=hour_rows, org_names=_org_names(request,
                                                                                                          hour_rows),
                       total=views.total_minutes(svc.views, mine), certificates=views.certificates(svc.views, mine),
                       masked_id=views.masked_id(svc.views, mine),
                       error=None)


@action
def register_identity(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    command(request, services(request).app.volunteer.register_identity, _me_id(request),
            form.get("id_number", ""), command_id=_cid(form))
    return redirect(request, f"/c/{community['id']}/volunteer/me", "身份证号已登记（仅显示部分号码）")


@action
def issue_certificate(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    org_id = parse_uuid(form.get("org_id"), "社区")
    issued = command(request, services(request).app.volunteer.issue_certificate, _me_id(request), org_id,
                     form.get("year", ""), command_id=_cid(form))
    return redirect(request, f"/c/{community['id']}/volunteer/certificates/{issued['serial']}", "证明已开具")


@page
def certificate_page(request: Request) -> Response:
    community = community_or_404(request)
    svc, principal = services(request), me(request)
    serial = request.path_params["serial"]
    cert = views.certificate_by_serial(svc.views, serial) if re.fullmatch(r"[A-Za-z0-9-]{1,80}", serial) else None
    if cert is None:
        raise NotFoundError("找不到该证明")
    require(cert["account_id"] == principal.account_id or (
        cert["org_id"] == community["id"] and auth.is_worker(principal, community)))
    person = directory.person(svc.views, cert["account_id"]) or {"name": "", "phone": ""}
    return page_render(request, "volunteer/certificate.html", community=community, cert=cert,
                       items=json.loads(cert["items"]), person=person,
                       identity=views.masked_id(svc.views, cert["account_id"]) or mask_phone(person["phone"]),
                       identity_kind="id" if views.masked_id(svc.views, cert["account_id"]) else "phone",
                       verify_path=f"/verify/{cert['code']}")


# --- public verification ---------------------------------------------------------------------------------------
def _normalise_code(text: str) -> str:
    code = re.sub(r"[^A-Z2-7]", "", unicodedata.normalize("NFKC", text or "").upper())
    return f"{code[:4]}-{code[4:8]}-{code[8:12]}" if len(code) == 12 else ""


@page(public=True)
def verify_form(request: Request) -> Response:
    raw = request.query_params.get("code", "")
    if raw:
        code = _normalise_code(raw[:40])
        if code:
            return redirect(request, f"/verify/{code}")
        return page_render(request, "volunteer/verify.html", status_code=404, result=None, code=raw[:40],
                           searched=True)
    return page_render(request, "volunteer/verify.html", result=None, code="", searched=False)


@page(public=True)
def verify(request: Request) -> Response:
    code = _normalise_code(request.path_params["code"][:40])
    svc = services(request)
    row = views.certificate_by_code(svc.views, code) if code else None
    result = svc.app.volunteer.verify_certificate(UUID(row["certificate_id"]), code) if row else None
    if result is None or not result.found:
        return page_render(request, "volunteer/verify.html", status_code=404, result=None,
                           code=request.path_params["code"][:40], searched=True)
    person = directory.person(svc.views, str(result.account_id)) or {"name": ""}
    return page_render(request, "volunteer/verify.html", result=result, code=code, searched=True,
                       masked_name=mask_name(person["name"]))


# --- hours table and export ----------------------------------------------------------------------------------
def _period(request: Request) -> tuple[str, str]:
    year = today(request)[:4]
    start = parse_date(request.query_params.get("from"), f"{year}-01-01")
    end = parse_date(request.query_params.get("to"), f"{year}-12-31")
    if end < start:
        raise InvalidInputError("结束日期不能早于开始日期")
    return start, end


def _org(request: Request, community: dict) -> tuple[str, str]:
    if request.query_params.get("scope") == "street":
        require(auth.is_street_official(me(request), community))
        return community["street_id"], "street"
    require(auth.is_worker(me(request), community))
    return community["id"], "community"


def _hours_report(request: Request) -> tuple[dict, str, str, str, list[dict]]:
    """The community, the scope (community or street), the period and each volunteer's hours the query asks for."""
    community = community_or_404(request)
    org_id, org_kind = _org(request, community)
    start, end = _period(request)
    rows = views.hours_per_volunteer(services(request).views, org_id, org_kind, start, end)
    return community, org_kind, start, end, rows


@page
def hours_table(request: Request) -> Response:
    community, org_kind, start, end, rows = _hours_report(request)
    return page_render(request, "volunteer/hours.html", community=community, tab="volunteer", rows=rows,
                       start=start, end=end, scope=org_kind, mask_phone=mask_phone,
                       total=sum(r["minutes"] or 0 for r in rows))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A spreadsheet cannot run it: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@page
def hours_csv(request: Request) -> Response:
    _, _, start, end, rows = _hours_report(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["姓名", "手机号", "班次数", "服务时长（小时）", "开始日期", "结束日期"])
    for r in rows:
        writer.writerow([csv_cell(v) for v in (r["name"], mask_phone(r["phone"] or ""), r["shifts"],
                                               hours(r["minutes"]), start, end)])
    filename = f"volunteer-hours-{start}-{end}.csv"
    return Response("\ufeff" + buffer.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


SHIFT = BASE + "/days/{day_id}/shifts/{shift_id}"

routes = [
    Route(BASE, index, name="volunteer_index"),
    Route(BASE + "/days/new", new_day_form, methods=["GET"], name="volunteer_new_day"),
    Route(BASE + "/days", create_day, methods=["POST"], name="volunteer_create_day"),
    Route(BASE + "/days/{day_id}", day_page, methods=["GET"], name="volunteer_day"),
    Route(BASE + "/days/{day_id}/shifts", add_shift, methods=["POST"], name="volunteer_add_shift"),
    Route(SHIFT + "/signup", sign_up, methods=["POST"], name="volunteer_sign_up"),
    Route(SHIFT + "/cancel", cancel, methods=["POST"], name="volunteer_cancel"),
    Route(SHIFT + "/call-off", call_off_shift, methods=["POST"], name="volunteer_call_off_shift"),
    Route(BASE + "/days/{day_id}/call-off", call_off_day, methods=["POST"], name="volunteer_call_off_day"),
    Route(SHIFT + "/places", change_places, methods=["POST"], name="volunteer_change_places"),
    Route(SHIFT + "/walk-in", walk_in, methods=["POST"], name="volunteer_walk_in"),
    Route(SHIFT + "/checkin", check_in_screen, methods=["GET"], name="volunteer_check_in"),
    Route(SHIFT + "/attendance/{account_id}/{what}", attendance, methods=["POST"], name="volunteer_attendance"),
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
