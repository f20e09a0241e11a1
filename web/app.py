"""The composition root: `create_app(env=None)` reads settings once and wires everything."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from types import SimpleNamespace

from domain.kernel import people
from domain.kernel.actor import Actor
from domain.kernel.money import format_fen
from domain.kernel.text import mask_name, mask_phone
from web import contexts, ops
from web.auth import principal_for
from web.http import behind_url, current_csrf_token, current_gettext, current_url, is_htmx, new_command_id, render
from web.i18n import LANGUAGES, load_catalogs
from web.localtime import local_if_timestamp, local_input, local_time
from web.logs import AccessLogMiddleware
from web.security import SecurityMiddleware
from web.codes import OneTimeCodes
from web.ratelimit import Throttle
from web.asof import History
from web.replays import Replays
from web.sessions import Sessions
from web.startup import check_store
from web.sms import GatewaySmsSender, OutboxSmsSender, SmsSender
from web.settings import Settings
from web.wiring import Services, build

HERE = Path(__file__).parent
log = logging.getLogger("linli.web")

ERROR_TEXT = {400: "请求有误", 401: "请先登录", 403: "您没有权限访问此页面", 404: "找不到该页面",
              405: "不支持这种请求方式", 413: "请求内容过大", 422: "输入有误", 429: "尝试次数过多，请稍后再试",
              500: "服务器出错了，我们已记录，请稍后再试", 503: "系统繁忙，请稍后重试"}


def templates_env() -> Environment:
    """Jinja2 with autoescape; templates ask the contexts' policies (`rules.<context>.may_…`, `people.is_…`) and
    build every link with `url(name, …)` over the named routes."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["yuan"] = format_fen
    env.filters["mask_phone"] = mask_phone
    env.filters["mask_name"] = mask_name
    env.filters["beijing"] = local_if_timestamp
    env.globals.update(
        LANGUAGES=LANGUAGES, current_csrf_token=current_csrf_token, _=current_gettext, new_command_id=new_command_id,
        url=current_url, behind=behind_url, rules=SimpleNamespace(**contexts.policies()), people=people,
        community_tabs=community_tabs, local_time=local_time, local_input=local_input)
    return env


def community_tabs(actor: Actor, community: object) -> list[contexts.Tab]:
    """The community pages' tabs this person sees."""
    return [t for t in contexts.tabs() if t.shown is None or t.shown(actor, community)]


def create_app(env: Mapping[str, str] | None = None, services: Services | None = None) -> Starlette:
    """Build the Starlette app; tests pass `env` (or ready-made `services`)."""
    settings = Settings.from_env(env)
    svc = services or build(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        if settings.embedded_projections:
            svc.runner.start()
        try:
            yield
        finally:
            svc.runner.stop()

    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) and exc.detail not in ("Not Found", "Method Not Allowed") \
            else ERROR_TEXT.get(exc.status_code, "请求有误")
        return await run_in_threadpool(_error_page, request, exc.status_code, message)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s: %r", request.method, request.url.path.replace("\n", " "), exc)
        return await run_in_threadpool(_error_page, request, 500, ERROR_TEXT[500])

    app = Starlette(
        routes=[*contexts.routes(), *ops.routes, Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.services = svc
    app.state.templates = templates_env()
    app.state.catalogs = load_catalogs()
    app.state.sessions = Sessions(svc.views, settings.session_idle_minutes, settings.session_max_hours,
                                  secret=svc.settings.secret)
    app.state.throttle = Throttle(svc.views, lambda: svc.app.clock())
    app.state.codes = OneTimeCodes(svc.views, svc.settings.secret, lambda: svc.app.clock())
    app.state.sms = sms_sender(svc)
    app.state.replays = Replays()
    app.state.history = History(svc)
    app.state.metrics = ops.Metrics(svc)
    app.state.principal_for = lambda account_id: principal_for(svc.views, account_id)
    app.add_middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes,
                       secure_cookies=settings.secure_cookies)
    app.add_middleware(AccessLogMiddleware, as_json=settings.log_json)
    return app


def sms_sender(svc: Services) -> SmsSender:
    """The deployment's gateway when configured, else the outbox file in the data folder."""
    settings = svc.settings
    if settings.sms_gateway_url:
        return GatewaySmsSender(settings.sms_gateway_url, settings.sms_gateway_token)
    return OutboxSmsSender(settings.sms_outbox or settings.data_dir / "sms-outbox.log", svc.app.phone_key)


def _error_page(request: Request, status: int, message: str) -> Response:
    if status == 405 or request.url.path.startswith("/static/"):
        return PlainTextResponse(message, status_code=status)
    template = "errors/_message.html" if is_htmx(request) else "errors/error.html"
    return render(request, template, status_code=status, message=message)


def app_factory() -> Starlette:
    """For `uvicorn --factory web.app:app_factory`: refuses to serve on the published development secret, or a
    store it must not serve (web/startup.py)."""
    svc = build(Settings.from_env().with_served_secret())
    check_store(svc)
    return create_app(services=svc)
