"""Home, sign-up, login/logout, language, the community overview, the worker's residents page and the street's
table of communities."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.accounts import policies
from domain.kernel import roles
from domain.kernel.errors import InvalidInputError, NotFoundError
from domain.kernel.text import normalise_phone
from projections import accounts as directory
from web.accounts import pages
from web.http import (LANG_COOKIE, SESSION_COOKIE, Form, Pager, action, command, error_text, me, page, parse_uuid,
                      redirect, render, require, respond, safe_next, services, url_for)
from web.passwords import hash_password, verify_password
from web.places import community_or_404, street_or_404
from web.ratelimit import FailureLimiter

_per_phone = FailureLimiter(limit=5, window_seconds=15 * 60)
_per_client = FailureLimiter(limit=30, window_seconds=15 * 60)
STATUSES = (roles.PENDING, roles.VERIFIED, roles.REJECTED)


@page(public=True)
def home(request: Request) -> Response:
    return render(request, "accounts/home.html", page=pages.home_page(request))


@page(public=True)
def signup_form(request: Request) -> Response:
    return render(request, "accounts/signup.html", communities=directory.communities(services(request).views),
                  values={}, error=None)


@action(public=True)
def signup(request: Request, form: Form) -> Response:
    svc = services(request)
    values = {k: form.get(k, "") for k in ("phone", "name", "community_id")}
    try:
        if form.get("password", "") != form.get("password2", ""):
            raise InvalidInputError("两次输入的密码不一致")
        community = community_or_404(request, form.get("community_id")) if form.get("community_id") else None
        account_id = command(request, svc.app.accounts.sign_up, form.get("phone", ""), form.get("name", ""),
                             hash_password(form.get("password", "")), parse_uuid(community.id) if community else None,
                             command_id=form.get("command_id") or None)
    except (InvalidInputError, NotFoundError) as e:
        return render(request, "accounts/signup.html", status_code=e.status,
                      communities=directory.communities(svc.views), values=values, error=error_text(request, e))
    return _logged_in(request, str(account_id), "/", "注册成功。社区工作者核实您的居住信息后，您就可以参与议事和志愿服务。")


@page(public=True)
def login_form(request: Request) -> Response:
    return render(request, "accounts/login.html", next=safe_next(request.query_params.get("next")), error=None,
                  phone="")


@action(public=True)
def login(request: Request, form: Form) -> Response:
    svc = services(request)
    next_url = safe_next(form.get("next"))
    phone_text = form.get("phone", "")[:40]
    client = request.client.host if request.client else "?"
    try:
        phone = normalise_phone(phone_text)
    except InvalidInputError:
        phone = None
    key = svc.app.phone_key(phone) if phone else "invalid"
    if _per_phone.blocked(key) or _per_client.blocked(client):
        return render(request, "accounts/login.html", status_code=429, next=next_url, phone=phone_text,
                      error="尝试次数过多，请 15 分钟后再试")
    record = svc.app.accounts.login_record(phone) if phone else None
    if not verify_password(record.password_hash if record else None, form.get("password", "")):
        _per_phone.fail(key)
        _per_client.fail(client)
        return render(request, "accounts/login.html", status_code=401, next=next_url, phone=phone_text,
                      error="手机号或密码不正确")
    _per_phone.clear(key)
    return _logged_in(request, str(record.account_id), next_url, "登录成功")


def _logged_in(request: Request, account_id: str, next_url: str, flash: str) -> Response:
    sessions = request.app.state.sessions
    sessions.end(request.cookies.get(SESSION_COOKIE))
    token = sessions.start(account_id)
    response = redirect(request, next_url, flash)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=services(request).settings.secure_cookies)
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
    response.set_cookie(LANG_COOKIE, choice, max_age=365 * 86400, samesite="lax", path="/")
    return response


@page(public=True)
def community(request: Request) -> Response:
    place = community_or_404(request)
    return render(request, "accounts/community.html", community=place, tab="overview",
                  page=pages.community_page(request, place))


@action
def join(request: Request, form: Form) -> Response:
    place = community_or_404(request)
    require(policies.may_join(me(request), place), "您已申请或已是该社区居民")
    return respond(request, form, services(request).app.accounts.request_residency,
                   parse_uuid(me(request).account_id), parse_uuid(place.id),
                   done="已提交申请，请等待社区工作者核实", to=url_for(request, "community", community_id=place.id))


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
    return respond(request, form, services(request).app.accounts.verify_residency, parse_uuid(me(request).account_id),
                   parse_uuid(request.path_params["account_id"], "居民"), parse_uuid(place.id),
                   done="已核实该居民", to=url_for(request, "residents", community_id=place.id))


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


@page(public=True)
def health(request: Request) -> Response:
    svc = services(request)
    failure = svc.runner.failure
    body = {"status": "failed" if failure else "ok", "events": svc.runner.head(),
            "views": svc.runner.position(), "projection_error": repr(failure) if failure else None}
    return JSONResponse(body, status_code=500 if failure else 200)


routes = [
    Route("/", home, name="home"),
    Route("/signup", signup_form, methods=["GET"], name="signup_form"),
    Route("/signup", signup, methods=["POST"], name="signup"),
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/lang", set_language, methods=["POST"], name="set_language"),
    Route("/healthz", health, name="health"),
    Route("/s/{street_id}", street, name="street"),
    Route("/c/{community_id}", community, name="community"),
    Route("/c/{community_id}/join", join, methods=["POST"], name="join"),
    Route("/c/{community_id}/residents", residents, name="residents"),
    Route("/c/{community_id}/residents/{account_id}/verify", verify_resident, methods=["POST"],
          name="verify_resident"),
    Route("/c/{community_id}/residents/{account_id}/reject", reject_resident, methods=["POST"],
          name="reject_resident"),
]
