"""What every route uses: `page`/`action` wrappers, `render`, `command`/`respond`, `url`, redirects and flashes.

Routes are plain functions run in Starlette's threadpool (the eventsourcing application is synchronous).
`page` serves GETs; `action` serves POSTs after checking the CSRF token and cleaning the form. Both are
deny-by-default: a route is for logged-in users unless it says `public=True`."""
from __future__ import annotations

import functools
import logging
import hmac
import math
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import NoMatchFound, Route

from domain.kernel.errors import DomainError, NotAllowedError, NotFoundError
from projections.db import unavailable
from web.auth import ANONYMOUS, Principal
from web.security import CSRF_COOKIE

log = logging.getLogger("linli.web")

SESSION_COOKIE = "linli_session"
FLASH_COOKIE = "linli_flash"
LANG_COOKIE = "linli_lang"
ELDER_COOKIE = "linli_elder"   # elder mode (长辈版): a display preference, not personal data
MAX_FIELDS = 200
URLENCODED = "application/x-www-form-urlencoded"
RETRY_AFTER_SECONDS = 5   # what a "busy, try again" answer suggests


class Form(dict):
    """A submitted form: field name → cleaned string value (the last one when repeated)."""

    def __init__(self, data: dict[str, str], lists: dict[str, list[str]]) -> None:
        super().__init__(data)
        self.lists = lists

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])


def services(request: Request) -> Any:
    return request.app.state.services


def me(request: Request) -> Principal:
    return getattr(request.state, "me", ANONYMOUS)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def client_address(request: Request) -> str:
    """The client's address: the connection's, or, behind a trusted proxy (`LINLI_TRUSTED_PROXIES`), the last
    address that proxy saw in X-Forwarded-For. A header from anyone else is ignored (it could say anything)."""
    peer = request.client.host if request.client else "?"
    if peer not in services(request).settings.trusted_proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    return hops[-1][:64] if hops else peer


def secure_cookies(request: Request) -> bool:
    """Cookies get `Secure` whenever the page is served over TLS (or the deployment says so)."""
    return services(request).settings.secure_cookies or is_tls(request)


def is_tls(request: Request) -> bool:
    """Served over TLS: directly, or behind a trusted proxy that says so (X-Forwarded-Proto)."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else "?"
    return peer in services(request).settings.trusted_proxies and \
        request.headers.get("x-forwarded-proto", "").lower() == "https"


def lang(request: Request) -> str:
    value = request.cookies.get(LANG_COOKIE, "zh")
    return value if value in ("zh", "en") else "zh"


def elder(request: Request) -> bool:
    """Whether the reader chose elder mode (长辈版: large type, large targets, one column)."""
    return request.cookies.get(ELDER_COOKIE) == "1"


def gettext_for(request: Request) -> Callable[..., str]:
    translations = request.app.state.catalogs[lang(request)]

    def _(message: str, **params: Any) -> str:
        text = translations.gettext(message)
        return text.format(**params) if params else text
    return _


def error_text(request: Request, error: DomainError) -> str:
    """A domain error's message in the reader's language, with its parameters filled in."""
    catalog = request.app.state.catalogs[lang(request)]
    translated = catalog.gettext(error.message)
    # Text parameters are msgids too ("开始时间"); an empty one must stay empty (gettext("") is the header).
    params = {k: catalog.gettext(v) if isinstance(v, str) and v else v for k, v in error.params.items()}
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        return translated


# --- rendering ---------------------------------------------------------------------------------
_rendering = threading.local()


def current_gettext(message: str, **params: Any) -> str:
    """Gettext in the language of the request being rendered (a Jinja global, so imported macros can use `_`)."""
    fn = getattr(_rendering, "gettext", None)
    if fn is None:
        return message.format(**params) if params else message
    return fn(message, **params)


def current_csrf_token() -> str:
    """The CSRF token of the request being rendered on this thread (a Jinja global for macros)."""
    return getattr(_rendering, "csrf", "")


def new_command_id() -> str:
    """A fresh id for one form: submitting that form twice has one effect."""
    return uuid.uuid4().hex


def url_for(request: Request, name: str, query: Mapping[str, Any] | None = None, **path_params: Any) -> str:
    """The local path of a named route (never an absolute URL: a poisoned Host header never reaches a link),
    with an optional query string (empty values left out)."""
    return _path(request.app.router, name, query, path_params)


def current_url(name: str, query: Mapping[str, Any] | None = None, **path_params: Any) -> str:
    """`url_for` for templates (a Jinja global `url`, so imported macros can use it too)."""
    return _path(_rendering.router, name, query, path_params)


def behind_url(place_id: object, query: Mapping[str, Any]) -> str:
    """The link from a figure to the events behind it (`/record/…`, a Jinja global `behind`): on a page as of a
    moment, up to that moment's log position."""
    upto = getattr(_rendering, "upto", None)
    return current_url("record", query={**query, "upto": upto} if upto is not None else query, place_id=place_id)


def _path(router: Any, name: str, query: Mapping[str, Any] | None, path_params: Mapping[str, Any]) -> str:
    params = {k: str(v) for k, v in path_params.items()}
    route = _named_routes(router).get(name)   # asking each of hundreds of routes in turn costs a page dearly
    try:
        path = str((route or router).url_path_for(name, **params))
    except NoMatchFound:
        path = str(router.url_path_for(name, **params))
    shown = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{path}?{urlencode(shown)}" if shown else path


def _named_routes(router: Any) -> dict[str, Any]:
    """The router's own named routes by name (a mount, e.g. /static, is left to the router); kept on the router."""
    named = getattr(router, "_linli_named_routes", None)
    if named is None:
        named = router._linli_named_routes = {}
        for route in router.routes:
            if isinstance(route, Route) and route.name:
                named.setdefault(route.name, route)
    return named


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the common context (me, csrf, language, flash, gettext, url)."""
    templates = request.app.state.templates
    csrf = getattr(request.state, "csrf", None) or request.scope.get("state", {}).get("csrf", "")
    _ = gettext_for(request)
    _rendering.csrf, _rendering.gettext, _rendering.router = csrf, _, request.app.router
    bar = getattr(request.state, "history", None)   # a page as of a moment (web.asof): its log position
    _rendering.upto = bar.then.position if bar is not None and bar.then is not None else None
    flash = getattr(request.state, "flash", None)
    html = templates.get_template(template).render(
        request=request, me=me(request), csrf_token=csrf,
        lang=lang(request), elder=elder(request), flash=flash, _=_, gettext=_,
        htmx=is_htmx(request), **context)
    response = HTMLResponse(html, status_code=status_code)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect(request: Request, url: str, flash: str | None = None) -> Response:
    """POST → 303 See Other, with an optional one-time message for the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        signer = URLSafeSerializer(request.app.state.services.settings.secret, salt="flash")
        response.set_cookie(FLASH_COOKIE, signer.dumps(flash), httponly=True, samesite="lax", path="/",
                            secure=secure_cookies(request))
    if is_htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": url, **{
            k: v for k, v in response.headers.items() if k == "set-cookie"}})
    return response


def log_in(request: Request, account_id: str, to: str, flash: str) -> Response:
    """Start a new session for the account (ending the browser's old one) and go on to `to`."""
    sessions = request.app.state.sessions
    sessions.end(request.cookies.get(SESSION_COOKIE))
    response = redirect(request, to, flash)
    response.set_cookie(SESSION_COOKIE, sessions.start(account_id), httponly=True, samesite="lax", path="/",
                        secure=secure_cookies(request))
    return response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only local paths are followed after login: no open redirects."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return default
    return url


def login_url(request: Request) -> str:
    return "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))


# --- commands -----------------------------------------------------------------------------------
def command(request: Request, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one application use case, then wait until the views show it (read-your-writes)."""
    svc = services(request)
    svc.app.saved_position(reset=True)
    result = fn(*args, **kwargs)
    position = svc.app.saved_position()   # this request's own write; a repeat or a no-op waits for the log's head
    svc.runner.wait(position if position is not None else svc.app.recorder.max_notification_id() or 0, timeout=5.0)
    return result


def respond(request: Request, form: Form, use_case: Callable[..., Any], *args: Any, done: str | Callable[[Any], str],
            to: str | Callable[[Any], str], fragment: Callable[[str, bool], Response] | None = None,
            refusal_status: bool = False, **kwargs: Any) -> Response:
    """Run one use case with the form's command id (views updated before answering), then: htmx gets
    `fragment(message, failed)` when there is one, a plain form a 303 to `to` with `done` as its one-time message.
    A refusal goes into the fragment for htmx (with the refusal's own status when `refusal_status`); otherwise it is
    raised, and `page`/`action` answer with its page. Keyword arguments go to the use case."""
    try:
        result = command(request, use_case, *args, command_id=form.get("command_id") or None, **kwargs)
    except DomainError as e:
        if fragment is None or not is_htmx(request) or e.status >= 500:
            raise
        response = fragment(error_text(request, e), True)
        if refusal_status:
            response.status_code = e.status
        return response
    message = done(result) if callable(done) else done
    if fragment is not None and is_htmx(request):
        return fragment(gettext_for(request)(message), False)
    return redirect(request, to(result) if callable(to) else to, message)


def require(allowed: bool, message: str = "您没有权限访问此页面") -> None:
    """Deny unless the named policy said yes."""
    if not allowed:
        raise NotAllowedError(message)


# --- pagination ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pager:
    """One page of a long list: which rows to fetch and how to link to the neighbours."""

    page: int
    per_page: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @classmethod
    def from_request(cls, request: Request, total: int, per_page: int = 20) -> "Pager":
        raw = request.query_params.get("page", "1")
        page = int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1
        return cls(min(max(page, 1), max(1, math.ceil(total / per_page))), per_page, total)


# --- wrappers -----------------------------------------------------------------------------------
def _load_principal(request: Request) -> None:
    """Who asks (from the session), the CSRF token their forms carry, and any one-time message."""
    svc = services(request)
    sessions = request.app.state.sessions
    token = request.cookies.get(SESSION_COOKIE)
    account_id = sessions.account_for(token) if token else None
    request.state.me = request.app.state.principal_for(account_id) if account_id else ANONYMOUS
    # A logged-in person's forms carry their session's own token; before login, the double-submit cookie's.
    request.state.csrf = sessions.csrf_token(token) if request.state.me.authenticated else \
        request.scope.get("state", {}).get("csrf", "")
    raw_flash = request.cookies.get(FLASH_COOKIE)
    request.state.flash = None
    if raw_flash:
        try:
            message = URLSafeSerializer(svc.settings.secret, salt="flash").loads(raw_flash)
            request.state.flash = gettext_for(request)(message)
        except BadSignature:
            pass


def _run(fn: Callable[..., Response], request: Request, public: bool, *args: Any) -> Response:
    try:
        _load_principal(request)
    except Exception as e:
        if not unavailable(e):
            raise
        return _unavailable(request, e)
    if args and isinstance(args[0], Form) and not _csrf_ok(request, args[0]):
        raise HTTPException(403, "页面已过期或来源不明，请刷新页面后重试")
    if not public and not me(request).authenticated:
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": login_url(request)})
        return RedirectResponse(login_url(request), status_code=303)
    try:
        return fn(request, *args)
    except DomainError as e:
        if isinstance(e.status, int) and e.status >= 500:
            response = render(request, "errors/error.html", status_code=e.status, message=error_text(request, e))
            if e.status == 503:
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return render(request, "errors/_message.html" if is_htmx(request) else "errors/error.html",
                      status_code=e.status, message=error_text(request, e))
    except HTTPException:
        raise
    except Exception as e:  # answered here so the 500 page still gets the security headers
        if unavailable(e):
            return _unavailable(request, e)
        log.error("unhandled error on %s %s: %r", request.method, request.url.path.replace("\n", " "), e,
                  exc_info=True)
        return render(request, "errors/error.html", status_code=500, message=gettext_for(request)(
            "服务器出错了，我们已记录，请稍后再试"))


def _unavailable(request: Request, error: BaseException) -> Response:
    """The database is out of reach for a moment (restarting, a connection lost or refused): "busy, try again" (503
    with Retry-After), never a 500. A command saved just before the loss answers as saved when it is sent again with
    its command id."""
    log.warning("database unavailable on %s %s: %r", request.method, request.url.path.replace("\n", " "), error)
    response = render(request, "errors/error.html", status_code=503,
                      message=gettext_for(request)("系统繁忙，请稍后重试"))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page(fn: Callable[..., Response] | None = None, *, public: bool = False) -> Any:
    """A GET endpoint: `fn(request) -> Response`, run in the threadpool."""
    def wrap(f: Callable[..., Response]) -> Callable[[Request], Any]:
        @functools.wraps(f)
        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(_run, f, request, public)
        return endpoint
    return wrap(fn) if fn is not None else wrap


def action(fn: Callable[..., Response] | None = None, *, public: bool = False) -> Any:
    """A POST endpoint: `fn(request, form) -> Response`; the CSRF token is checked and the form cleaned first."""
    def wrap(f: Callable[..., Response]) -> Callable[[Request], Any]:
        @functools.wraps(f)
        async def endpoint(request: Request) -> Response:
            form = await read_form(request)
            return await run_in_threadpool(_run, f, request, public, form)
        return endpoint
    return wrap(fn) if fn is not None else wrap


async def read_form(request: Request) -> Form:
    """Parse the body (bounded field count), refuse NUL bytes and broken text (the CSRF token is checked next,
    once the session is known). A plain form is parsed here (the multipart parser's set-up cost more than the
    rest of a sign-up); a multipart one by Starlette, files refused."""
    try:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() in ("", URLENCODED):
            pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True,
                              max_num_fields=MAX_FIELDS)
        else:
            async with request.form(max_fields=MAX_FIELDS, max_files=0) as raw:
                pairs = list(raw.multi_items())
        data: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        for key, value in pairs:
            if not isinstance(value, str):
                raise HTTPException(400, "不接受文件上传")
            if "\x00" in key or "\x00" in value or "\ufffd" in value or "\ufffd" in key:
                raise HTTPException(400, "提交的内容含有无效字符")
            data[key] = value
            lists.setdefault(key, []).append(value)
    except HTTPException:
        raise
    except Exception:
        raise HTTPException(400, "无法读取提交的表单") from None
    return Form(data, lists)


def _csrf_ok(request: Request, form: Form) -> bool:
    """The form (or htmx's header) carries the token of this session (or, before login, of the cookie)."""
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token", "")
    expected = request.state.csrf if me(request).authenticated else request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def parse_uuid(value: str | None, what: str = "记录") -> uuid.UUID:
    """A UUID from a path or form field, or a 404 in Chinese."""
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        raise NotFoundError("找不到该{what}", what=what) from None
