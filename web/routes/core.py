"""Home, sign-up, login/logout, language, the community page and the worker's pending-residents page."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel import roles
from projections import accounts as directory, fund, roundtable, volunteer
from web import auth
from domain.kernel.text import normalise_phone
from web.localtime import SHANGHAI, local_time
from web.http import (LANG_COOKIE, SESSION_COOKIE, Form, Pager, action, command, error_text, me, page,
                      parse_uuid, redirect, render, safe_next, services)
from web.passwords import hash_password, verify_password
from web.ratelimit import FailureLimiter

_per_phone = FailureLimiter(limit=5, window_seconds=15 * 60)
_per_client = FailureLimiter(limit=30, window_seconds=15 * 60)


def community_or_404(request: Request, community_id: str | None = None) -> dict:
    """The community named in the path, from the directory view."""
    cid = parse_uuid(community_id or request.path_params.get("community_id"), "社区")
    community = directory.place(services(request).views, str(cid))
    if community is None or community["kind"] != "community":
        raise NotFoundError("找不到该社区")
    return community


def require(allowed: bool, message: str = "您没有权限访问此页面") -> None:
    """Deny unless the named predicate said yes."""
    if not allowed:
        raise NotAllowedError(message)


@page(public=True)
def home(request: Request) -> Response:
    svc = services(request)
    communities = directory.communities(svc.views)
    mine = directory.residencies(svc.views, me(request).account_id) if me(request).authenticated else []
    staff_of = [c for c in communities if auth.is_staff(me(request), c)]
    notices = volunteer.unseen_notices(svc.views, me(request).account_id, volunteer.NOTICE_KINDS) if me(request).authenticated else []
    streets = [directory.place(svc.views, scope) for role, scope in me(request).grants
               if role in (roles.STREET_OFFICIAL,)]
    return render(request, "core/home.html", communities=communities, mine=mine, staff_of=staff_of,
                  notices=notices, streets=[s for s in streets if s], agenda=_my_agenda(request, mine))


def _my_agenda(request: Request, mine: list[dict]) -> list[dict]:
    """The person's coming meetings (registered or waitlisted) and shifts, soonest first."""
    svc, account_id = services(request), me(request).account_id
    verified = [r["community_id"] for r in mine if r["status"] == "verified"]
    if not account_id or not verified:
        return []
    now = svc.app.clock()
    items = []
    for community_id in verified:
        registered = roundtable.viewer_registrations(svc.views, community_id, account_id)
        for m in roundtable.upcoming_meetings(svc.views, community_id, now):
            if m["id"] in registered:
                items.append({"kind": "meeting", "title": m["title"], "starts_at": m["starts_at"],
                              "when": local_time(m["starts_at"]), "place": m["place"], "status": registered[m["id"]],
                              "url": f"/c/{community_id}/roundtable/{m['id']}",
                              "rescheduled": bool(roundtable.reschedules(svc.views, m["id"]))})
    today = now.astimezone(SHANGHAI).date().isoformat()
    for shift in volunteer.my_shifts(svc.views, account_id, since=today):
        if shift["cancel_reason"] or shift["ends_at"] < now.isoformat():
            continue
        community_id = shift["community_id"] or verified[0]
        items.append({"kind": "shift", "title": f"{shift['title']} · {shift['task']}", "starts_at": shift["starts_at"],
                      "when": local_time(shift["starts_at"]), "place": shift["place"], "status": shift["status"],
                      "url": f"/c/{community_id}/volunteer/days/{shift['day_id']}"})
    return sorted(items, key=lambda i: i["starts_at"])[:10]


@page(public=True)
def signup_form(request: Request) -> Response:
    return render(request, "core/signup.html", communities=directory.communities(services(request).views),
                  values={}, error=None)


@action(public=True)
def signup(request: Request, form: Form) -> Response:
    svc = services(request)
    communities = directory.communities(svc.views)
    values = {k: form.get(k, "") for k in ("phone", "name", "community_id")}
    try:
        if form.get("password", "") != form.get("password2", ""):
            raise InvalidInputError("两次输入的密码不一致")
        community = community_or_404(request, form.get("community_id")) if form.get("community_id") else None
        account_id = command(request, svc.app.accounts.sign_up, form.get("phone", ""), form.get("name", ""),
                             hash_password(form.get("password", "")),
                             parse_uuid(community["id"]) if community else None,
                             command_id=form.get("command_id") or None)
    except (InvalidInputError, NotFoundError) as e:
        return render(request, "core/signup.html", status_code=e.status, communities=communities, values=values,
                      error=error_text(request, e))
    return _logged_in(request, str(account_id), "/", "注册成功。社区工作者核实您的居住信息后，您就可以参与议事和志愿服务。")


@page(public=True)
def login_form(request: Request) -> Response:
    return render(request, "core/login.html", next=safe_next(request.query_params.get("next")), error=None, phone="")


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
        return render(request, "core/login.html", status_code=429, next=next_url, phone=phone_text,
                      error="尝试次数过多，请 15 分钟后再试")
    record = svc.app.accounts.login_record(phone) if phone else None
    if not verify_password(record.password_hash if record else None, form.get("password", "")):
        _per_phone.fail(key)
        _per_client.fail(client)
        return render(request, "core/login.html", status_code=401, next=next_url, phone=phone_text,
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
def community_page(request: Request) -> Response:
    community = community_or_404(request)
    svc = services(request)
    pending = directory.count_residents(svc.views, community["id"], "pending") \
        if auth.may_review_residents(me(request), community) else 0
    verified = directory.count_residents(svc.views, community["id"], "verified")
    now = svc.app.clock()
    today = now.astimezone(SHANGHAI).date()
    next_meeting = next(iter(roundtable.upcoming_meetings(svc.views, community["id"], now)), None)
    next_day = next(iter(volunteer.upcoming_days(svc.views, community, today.isoformat(), limit=1)), None)
    ledger = fund.ledger(svc.views, community["id"], today.year)
    return render(request, "community/page.html", community=community, tab="overview", pending=pending,
                  verified=verified, next_meeting=next_meeting, next_day=next_day,
                  fund_totals=ledger["totals"] if ledger else None, year=today.year,
                  starts_at=local_time(next_meeting["starts_at"]) if next_meeting else "")



@action
def join(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(auth.may_join(me(request), community), "您已申请或已是该社区居民")
    command(request, services(request).app.accounts.request_residency, parse_uuid(me(request).account_id),
            parse_uuid(community["id"]), command_id=form.get("command_id") or None)
    return redirect(request, f"/c/{community['id']}", "已提交申请，请等待社区工作者核实")


@page
def residents(request: Request) -> Response:
    community = community_or_404(request)
    require(auth.may_review_residents(me(request), community))
    svc = services(request)
    status = request.query_params.get("status", "pending")
    status = status if status in ("pending", "verified", "rejected") else "pending"
    pager = Pager.from_request(request, directory.count_residents(svc.views, community["id"], status))
    rows = directory.residents(svc.views, community["id"], status, pager.per_page, pager.offset)
    return render(request, "community/residents.html", community=community, tab="residents", status=status,
                  rows=rows, pager=pager)


@action
def decide_resident(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(auth.may_review_residents(me(request), community))
    svc = services(request)
    account_id = parse_uuid(request.path_params["account_id"], "居民")
    worker_id = parse_uuid(me(request).account_id)
    decision = request.path_params["decision"]
    if decision not in ("verify", "reject"):
        raise NotFoundError("找不到该页面")
    if decision == "verify":
        command(request, svc.app.accounts.verify_residency, worker_id, account_id, parse_uuid(community["id"]),
                command_id=form.get("command_id") or None)
        message = "已核实该居民"
    else:
        command(request, svc.app.accounts.reject_residency, worker_id, account_id, parse_uuid(community["id"]),
                form.get("reason", ""), command_id=form.get("command_id") or None)
        message = "已拒绝该申请"
    return redirect(request, f"/c/{community['id']}/residents", message)


@page
def street_page(request: Request) -> Response:
    """All communities of a street at a glance, for its street officials and the district's officials."""
    svc = services(request)
    street = directory.place(svc.views, str(parse_uuid(request.path_params["street_id"], "街道")))
    if street is None or street["kind"] != "street":
        raise NotFoundError("找不到该街道")
    require(auth.is_street_official(me(request), {"street_id": street["id"]})
            or auth.is_district_official(me(request), {"district_id": street["district_id"]}))
    now = svc.app.clock()
    today = now.astimezone(SHANGHAI).date()
    rows = []
    for community in directory.communities(svc.views):
        if community["street_id"] != street["id"]:
            continue
        ledger = fund.ledger(svc.views, community["id"], today.year)
        rows.append({
            "community": community,
            "verified": directory.count_residents(svc.views, community["id"], "verified"),
            "pending": directory.count_residents(svc.views, community["id"], "pending"),
            "meetings": len(roundtable.upcoming_meetings(svc.views, community["id"], now)),
            "days": len(volunteer.upcoming_days(svc.views, {**community, "id": community["id"]}, today.isoformat())),
            "fund": ledger["totals"] if ledger else None,
        })
    return render(request, "core/street.html", street=street, rows=rows, year=today.year)


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
    Route("/s/{street_id}", street_page, name="street"),
    Route("/c/{community_id}", community_page, name="community"),
    Route("/c/{community_id}/join", join, methods=["POST"], name="join"),
    Route("/c/{community_id}/residents", residents, name="residents"),
    Route("/c/{community_id}/residents/{account_id}/{decision:str}", decide_resident, methods=["POST"],
          name="decide_resident"),
]
