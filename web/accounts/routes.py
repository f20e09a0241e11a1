"""Home, sign-up, login/logout, language, the community overview, the worker's residents page and the street's
table of communities."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.accounts import policies
from domain.accounts.service import clean_home
from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from domain.kernel.text import clean_name, normalise_phone
from projections import accounts as directory
from web import asof
from web.accounts import pages, phones
from web.accounts import me as my_account
from web.http import (ELDER_COOKIE, LANG_COOKIE, SESSION_COOKIE, Form, Pager, action, client_address, command,
                      error_text, gettext_for, log_in, me, page, parse_uuid, redirect, render, require, respond,
                      safe_next, secure_cookies, services, url_for)
from web.passwords import check_password, hash_password, verify_password
from web.places import community_or_404, place_by_id, street_or_404

LOGIN_TRIES = 5                        # per number and client address, then growing delays
CLIENT_LOGIN_TRIES = 30                # per client address (any numbers) in LOGIN_WINDOW
LOGIN_WINDOW = timedelta(minutes=15)
STATUSES = (roles.PENDING, roles.VERIFIED, roles.REJECTED)


@page(public=True)
def home(request: Request) -> Response:
    return render(request, "accounts/home.html", page=pages.home_page(request))


SIGNUP_FIELDS = ("phone", "name", "community_id", "building", "unit")


def _signup_page(request: Request, form: Form | None = None, *, status_code: int = 200, error: str | None = None,
                 sent_to: str | None = None, error_field: str | None = None) -> Response:
    """The sign-up form; an error is said at the top and, when it is about one field, again right under it."""
    values = {k: (form or {}).get(k, "") for k in SIGNUP_FIELDS}
    return render(request, "accounts/signup.html", status_code=status_code, values=values, error=error,
                  error_field=error_field, sent_to=sent_to, communities=directory.communities(services(request).views))


@page(public=True)
def signup_form(request: Request) -> Response:
    return _signup_page(request)


@action(public=True)
def signup_code(request: Request, form: Form) -> Response:
    """Send the sign-up code to the number typed (the same answer whether or not it has an account)."""
    try:
        sent_to = phones.send_code(request, form.get("phone", ""), "signup")
    except InvalidInputError as e:
        return _signup_page(request, form, status_code=e.status, error=error_text(request, e), error_field="phone")
    return _signup_page(request, form, sent_to=sent_to)


@action(public=True)
def signup(request: Request, form: Form) -> Response:
    """Open the account once the code proves the number is the person's; every cheap check comes first, the
    password hash (bounded, slow on purpose) last."""
    svc = services(request)
    field = "phone"   # which field the check under way reads: its error is said beside it
    try:
        phone = normalise_phone(form.get("phone", "")[:40])
        field = "name"
        name = clean_name(form.get("name", ""))
        field = "password2"
        if form.get("password", "") != form.get("password2", ""):
            raise InvalidInputError("两次输入的密码不一致")
        field = "password"
        password = check_password(form.get("password", ""))
        field = "community_id"
        community = community_or_404(request, form.get("community_id")) if form.get("community_id") else None
        field = "code"
        if not phones.code_ok(request, phone, "signup", form.get("code", "")):
            raise InvalidInputError("验证码不正确或已过期，请重新获取")
        field = "building"
        home = clean_home(form.get("building", ""), form.get("unit", "")) if community else {}
        field = None
        account_id = command(request, svc.app.accounts.sign_up, phone, name, hash_password(password),
                             parse_uuid(community.id) if community else None,
                             command_id=form.get("command_id") or None, fresh_only=True, **home)
    except (InvalidInputError, NotFoundError, ConflictError) as e:
        return _signup_page(request, form, status_code=e.status, error=error_text(request, e), error_field=field)
    return log_in(request, str(account_id), "/", "注册成功。社区工作者核实您的居住信息后，您就可以参与议事和志愿服务。")


@page(public=True)
def login_form(request: Request) -> Response:
    return render(request, "accounts/login.html", next=safe_next(request.query_params.get("next")), error=None,
                  phone="")


@action(public=True)
def login(request: Request, form: Form) -> Response:
    """Failures count per (number, client address): a stranger elsewhere can never lock the owner out; per
    address too, against one client trying many numbers."""
    svc, throttle = services(request), request.app.state.throttle
    next_url = safe_next(form.get("next"))
    phone_text = form.get("phone", "")[:40]
    client = client_address(request)
    try:
        phone = normalise_phone(phone_text)
    except InvalidInputError:
        phone = None
    key = f"login:{svc.app.phone_key(phone) if phone else 'invalid'}:{client}"
    wait = max(throttle.wait(key), throttle.wait(f"login-client:{client}"))
    if wait:
        return _too_many(request, next_url, phone_text, wait)
    record = svc.app.accounts.login_record(phone) if phone else None
    if not verify_password(record.password_hash if record else None, form.get("password", "")):
        throttle.hit(key, LOGIN_TRIES, LOGIN_WINDOW, growing=True)
        throttle.hit(f"login-client:{client}", CLIENT_LOGIN_TRIES, LOGIN_WINDOW)
        return render(request, "accounts/login.html", status_code=401, next=next_url, phone=phone_text,
                      error="手机号或密码不正确")
    throttle.clear(key)
    return log_in(request, str(record.account_id), next_url, "登录成功")


def _too_many(request: Request, next_url: str, phone_text: str, seconds: int) -> Response:
    minutes = max(1, -(-seconds // 60))
    response = render(request, "accounts/login.html", status_code=429, next=next_url, phone=phone_text,
                      error=gettext_for(request)("尝试次数过多，请 {minutes} 分钟后再试", minutes=minutes))
    response.headers["Retry-After"] = str(seconds)
    return response


@action(public=True)
def logout(request: Request, form: Form) -> Response:
    request.app.state.sessions.end(request.cookies.get(SESSION_COOKIE))
    response = redirect(request, "/", "您已退出登录")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@action(public=True)
def set_language(request: Request, form: Form) -> Response:
    choice = form.get("lang") if form.get("lang") in ("zh", "en") else "zh"
    response = redirect(request, safe_next(form.get("next")))
    response.set_cookie(LANG_COOKIE, choice, max_age=365 * 86400, samesite="lax", path="/",
                        secure=secure_cookies(request))
    return response


@action(public=True)
def set_elder(request: Request, form: Form) -> Response:
    """Elder mode (长辈版) on or off, remembered in a cookie for a year; back to the page the switch was on."""
    response = redirect(request, safe_next(form.get("next")))
    if form.get("elder") == "on":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 86400, httponly=True, samesite="lax", path="/",
                            secure=secure_cookies(request))
    else:
        response.delete_cookie(ELDER_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@page(public=True)
def community(request: Request) -> Response:
    """The community at a glance, now or (`?as_of=`) as it stood then."""
    place = community_or_404(request)
    return asof.rendered(request, place, asof.EVERY_CONTEXT, lambda: render(
        request, "accounts/community.html", community=place, tab="overview", page=pages.community_page(request, place)))


@action
def join(request: Request, form: Form) -> Response:
    place = community_or_404(request)
    require(policies.may_join(me(request), place), "您已申请或已是该社区居民")
    home = clean_home(form.get("building", ""), form.get("unit", ""))
    return respond(request, form, services(request).app.accounts.request_residency, parse_uuid(me(request).account_id),
                   parse_uuid(place.id), done="已提交申请，请等待社区工作者核实",
                   to=url_for(request, "community", community_id=place.id), **home)


@page
def residents(request: Request) -> Response:
    place = community_or_404(request)
    require(policies.may_review_residents(me(request), place))
    db = services(request).views
    status = request.query_params.get("status", roles.PENDING)
    status = status if status in STATUSES else roles.PENDING
    pager = Pager.from_request(request, directory.count_residents(db, place.id, status))
    rows = directory.residents(db, place.id, status, pager.per_page, pager.offset)
    return render(request, "accounts/residents.html", community=place, tab="residents", status=status, rows=rows,
                  pager=pager)


@action
def verify_resident(request: Request, form: Form) -> Response:
    place = community_or_404(request)
    require(policies.may_review_residents(me(request), place))
    home = clean_home(form.get("building", ""), form.get("unit", ""))
    return respond(request, form, services(request).app.accounts.verify_residency, parse_uuid(me(request).account_id),
                   parse_uuid(request.path_params["account_id"], "居民"), parse_uuid(place.id),
                   done="已核实该居民", to=url_for(request, "residents", community_id=place.id), **home)


@action
def reject_resident(request: Request, form: Form) -> Response:
    place = community_or_404(request)
    require(policies.may_review_residents(me(request), place))
    return respond(request, form, services(request).app.accounts.reject_residency, parse_uuid(me(request).account_id),
                   parse_uuid(request.path_params["account_id"], "居民"), parse_uuid(place.id), form.get("reason", ""),
                   done="已拒绝该申请", to=url_for(request, "residents", community_id=place.id))


@page
def street(request: Request) -> Response:
    """All communities of a street at a glance, for its street officials and the district's officials."""
    place = street_or_404(request)
    require(policies.may_oversee_street(me(request), place))
    return render(request, "accounts/street.html", page=pages.street_page(request, place))


@page
def community_audit(request: Request) -> Response:
    """The community's audit trail, for those who work on its behalf."""
    place = community_or_404(request)
    require(policies.may_read_audit_trail(me(request), place))
    return render(request, "accounts/audit.html", community=place, tab="audit",
                  page=pages.audit_page(request, community=place), event_labels=pages.event_labels(),
                  base=url_for(request, "community_audit", community_id=place.id))


@page
def street_audit(request: Request) -> Response:
    """Every community's trail of a street, for its officials and the district's."""
    place = street_or_404(request)
    require(policies.may_oversee_street(me(request), place))
    return render(request, "accounts/street_audit.html", street=place, page=pages.audit_page(request, street=place),
                  event_labels=pages.event_labels(), base=url_for(request, "street_audit", street_id=place.id))


@page(public=True)
def record(request: Request) -> Response:
    """The events of a place (community, street or district) behind a figure — a tally, hours, a ledger, a pool —
    with each one's chain digest: one page for every figure, narrowed by its query."""
    place = place_by_id(request, str(parse_uuid(request.path_params["place_id"], "地点")))
    if place is None:
        raise NotFoundError("找不到该社区")
    return render(request, "accounts/record.html", place=place, page=pages.record_page(request, place),
                  event_labels=pages.event_labels())


@page(public=True)
def verify_how(request: Request) -> Response:
    """如何核验: what a stamp (记录位置 · 摘要) means and how anyone checks it with tools/verify_linli.py."""
    return render(request, "accounts/verify_how.html")


VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_linli.py"


@page(public=True)
def verify_script(request: Request) -> Response:
    """The standalone verifier itself, to download (one file, the standard library only)."""
    return Response(VERIFIER.read_bytes(), media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="verify_linli.py"'})


routes = [
    *my_account.routes,
    Route("/", home, name="home"),
    Route("/signup", signup_form, methods=["GET"], name="signup_form"),
    Route("/signup", signup, methods=["POST"], name="signup"),
    Route("/signup/code", signup_code, methods=["POST"], name="signup_code"),
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/lang", set_language, methods=["POST"], name="set_language"),
    Route("/elder", set_elder, methods=["POST"], name="set_elder"),
    Route("/s/{street_id}", street, name="street"),
    Route("/s/{street_id}/audit", street_audit, name="street_audit"),
    Route("/c/{community_id}", community, name="community"),
    Route("/c/{community_id}/join", join, methods=["POST"], name="join"),
    Route("/c/{community_id}/residents", residents, name="residents"),
    Route("/c/{community_id}/audit", community_audit, name="community_audit"),
    Route("/record/{place_id}", record, name="record"),
    Route("/how-to-verify", verify_how, name="verify_how"),
    Route("/how-to-verify/verify_linli.py", verify_script, name="verify_script"),
    Route("/c/{community_id}/residents/{account_id}/verify", verify_resident, methods=["POST"],
          name="verify_resident"),
    Route("/c/{community_id}/residents/{account_id}/reject", reject_resident, methods=["POST"],
          name="reject_resident"),
]
