"""Grid service (网格化服务管理): residents report requests (诉求) with a photo, grid workers take them on and keep a
visit diary, the community coordinates, the street handles what is escalated to it; residents rate the outcome and,
each quarter, their community and street; the street's assessment weighs those ratings against measured handling.
Who may do what is `domain.grid.policies`, asked here, in the templates and again by the service."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.grid import policies
from domain.grid.inputs import parse_flag, parse_hours, parse_percent, parse_rating, parse_score
from domain.grid.model import MAX_RESOLVE_HOURS
from domain.kernel.errors import DomainError, NotFoundError
from projections import grid as views
from web.grid import pages, photos
from web.grid.pages import grid_or_404, render_page, request_or_404, visit_or_404
from web.http import Form, action, command, error_text, me, page, parse_uuid, redirect, require, respond, services, url_for
from web.places import Place, community_or_404, street_or_404

TAB = "grid"


def _me_id(request: Request):
    return parse_uuid(me(request).account_id)


def _request_url(request: Request, community: Place, req: dict | Any) -> str:
    request_id = req["id"] if isinstance(req, dict) else req
    return url_for(request, "grid_request", community_id=community.id, request_id=request_id)


def _seen_request(request: Request) -> tuple[Place, dict]:
    """The community and request the path names, for those allowed to see it."""
    community = community_or_404(request)
    req = request_or_404(request, community)
    followers = views.followers(services(request).views, req["id"])
    require(policies.may_see_request(me(request), community, followers, req["grid_id"]))
    return community, req


# --- a resident reports ---------------------------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    return render_page(request, "grid/index.html", community=community, tab=TAB,
                       page=pages.index_page(request, community))


@page
def new_request(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_submit(me(request), community), "只有经过核实的本社区居民可以反映诉求")
    return render_page(request, "grid/new.html", community=community, tab=TAB,
                       page=pages.new_request_page(request, community))


@photos.upload_action
def submit(request: Request, form: Form, photo: bytes | None) -> Response:
    community = community_or_404(request)
    require(policies.may_submit(me(request), community), "只有经过核实的本社区居民可以反映诉求")
    svc = services(request)
    try:
        jpeg = photos.clean_photo(photo)
        request_id = command(request, svc.app.grid.submit_request, _me_id(request), parse_uuid(community.id),
                             form.get("category_id", "")[:8], form.get("description", ""), form.get("building", ""),
                             form.get("unit", ""), form.get("place", ""), parse_flag(form.get("public")),
                             photos.digest(jpeg) if jpeg else "", command_id=form.get("command_id") or None)
    except DomainError as e:
        if e.status >= 500:
            raise
        return render_page(request, "grid/new.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.new_request_page(request, community, dict(form), error_text(request, e)))
    if jpeg:
        views.save_photo(svc.views, str(request_id), photos.digest(jpeg),
                         photos.seal(svc.app.sealer, _me_id(request), jpeg), me(request).account_id)
    return redirect(request, _request_url(request, community, request_id), "诉求已提交，我们会尽快处理")


# --- one request ------------------------------------------------------------------------------------------------------
@page
def request_detail(request: Request) -> Response:
    community, req = _seen_request(request)
    pages.close_lapsed(request, community.id)
    req = request_or_404(request, community)
    return render_page(request, "grid/request.html", community=community, tab=TAB,
                       page=pages.request_page(request, community, req))


@page
def request_photo(request: Request) -> Response:
    """The request's photo, for those who may see the request."""
    _, req = _seen_request(request)
    svc = services(request)
    row = views.photo(svc.views, req["id"])
    jpeg = photos.unseal(svc.app.sealer, parse_uuid(row["reporter_id"]), row["sealed"]) \
        if row and row["digest"] == req["photo"] else None
    if jpeg is None:
        raise NotFoundError("照片已不可用")
    return photos.photo_response(jpeg)


def _step(request: Request, form: Form, use_case: Callable[..., Any], *args: Any, done: str) -> Response:
    community, req = _seen_request(request)
    return respond(request, form, use_case, _me_id(request), parse_uuid(req["id"]), *args, done=done,
                   to=_request_url(request, community, req))


@action
def accept(request: Request, form: Form) -> Response:
    return _step(request, form, services(request).app.grid.accept, done="已受理")


@action
def escalate(request: Request, form: Form) -> Response:
    return _step(request, form, services(request).app.grid.escalate, form.get("reason", ""), done="已上报")


@action
def resolve(request: Request, form: Form) -> Response:
    return _step(request, form, services(request).app.grid.resolve, form.get("note", ""),
                 done="已办结，等待居民确认和评价")


@action
def rate(request: Request, form: Form) -> Response:
    return _step(request, form, services(request).app.grid.rate, parse_rating(form.get("rating")),
                 form.get("comment", ""), done="感谢您的评价")


@action
def reopen(request: Request, form: Form) -> Response:
    return _step(request, form, services(request).app.grid.reopen, form.get("reason", ""),
                 done="已退回重新办理")


@action
def merge(request: Request, form: Form) -> Response:
    community, req = _seen_request(request)
    primary = parse_uuid(form.get("primary_id"), "诉求")
    return respond(request, form, services(request).app.grid.merge, _me_id(request), parse_uuid(req["id"]), primary,
                   done="已合并为同一诉求，反映人会一并收到进展", to=_request_url(request, community, primary))


# --- the grid worker --------------------------------------------------------------------------------------------------
@page
def queue(request: Request) -> Response:
    community = community_or_404(request)
    grids = views.grids(services(request).views, community.id)
    require(policies.may_open_queue(me(request), community, [g["id"] for g in grids]))
    return render_page(request, "grid/queue.html", community=community, tab=TAB,
                       page=pages.queue_page(request, community))


@page
def grid_detail(request: Request) -> Response:
    community = community_or_404(request)
    grid = grid_or_404(request, community)
    require(policies.may_work_grid(me(request), community, grid["id"]))
    return render_page(request, "grid/grid.html", community=community, tab=TAB,
                       page=pages.grid_page(request, community, grid))


@action
def record_visit(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    grid = grid_or_404(request, community)
    require(policies.may_keep_diary(me(request), grid["id"]), "只有该网格的网格员可以记录民情日记")
    household = form.get("household_id") or None
    try:
        command(request, services(request).app.grid.record_visit, _me_id(request), parse_uuid(community.id),
                parse_uuid(grid["id"]), form.get("visited_on", ""),
                parse_uuid(household, "住户") if household else None, form.get("place", ""), form.get("raised", ""),
                command_id=form.get("command_id") or None)
    except DomainError as e:
        if e.status >= 500:
            raise
        return render_page(request, "grid/grid.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.grid_page(request, community, grid, dict(form), error_text(request, e)))
    return redirect(request, url_for(request, "grid_grid", community_id=community.id, grid_id=grid["id"]),
                    "民情日记已记录")


def _visit_for(request: Request) -> tuple[Place, dict]:
    community = community_or_404(request)
    visit = visit_or_404(request, community)
    require(policies.may_turn_into_request(me(request), visit["grid_id"], visit["household_id"], visit["request_id"]),
            "只有该网格的网格员可以把走访住户时反映的事项代办为诉求")
    return community, visit


@page
def visit_request_form(request: Request) -> Response:
    community, visit = _visit_for(request)
    page_ = pages.new_request_page(request, community, on_behalf=visit)
    page_.values.setdefault("description", visit["raised"])
    return render_page(request, "grid/new.html", community=community, tab=TAB, page=page_)


@action
def visit_request(request: Request, form: Form) -> Response:
    community, visit = _visit_for(request)
    try:
        request_id = command(request, services(request).app.grid.submit_for_household, _me_id(request),
                             parse_uuid(visit["id"]), form.get("category_id", "")[:8], form.get("description", ""),
                             form.get("building", ""), form.get("unit", ""), form.get("place", ""),
                             parse_flag(form.get("public")), command_id=form.get("command_id") or None)
    except DomainError as e:
        if e.status >= 500:
            raise
        return render_page(request, "grid/new.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.new_request_page(request, community, dict(form), error_text(request, e), visit))
    return redirect(request, _request_url(request, community, request_id), "已代办为诉求")


# --- the community sets up ----------------------------------------------------------------------------------------------
def _manager(request: Request) -> Place:
    community = community_or_404(request)
    require(policies.may_manage_grids(me(request), community), "只有本社区的社区工作者可以设置网格")
    return community


@page
def setup(request: Request) -> Response:
    community = _manager(request)
    return render_page(request, "grid/setup.html", community=community, tab=TAB,
                       page=pages.setup_page(request, community))


def _set_up(request: Request, form: Form, community: Place, use_case: Callable[..., Any], *args: Any,
            done: str) -> Response:
    """Run a set-up command (with the form's command id); a refusal shows the set-up page again with the reason."""
    return _on_setup_page(request, community, done, lambda: command(
        request, use_case, _me_id(request), parse_uuid(community.id), *args, command_id=form.get("command_id") or None))


def _on_setup_page(request: Request, community: Place, done: str, run: Callable[[], Any]) -> Response:
    """`run()` a set-up command: back to the set-up page with `done`, or on a refusal the page again with the reason."""
    try:
        run()
    except DomainError as e:
        if e.status >= 500:
            raise
        return render_page(request, "grid/setup.html", status_code=e.status, community=community, tab=TAB,
                           page=pages.setup_page(request, community, error_text(request, e)))
    return redirect(request, url_for(request, "grid_setup", community_id=community.id), done)


@action
def define_grid(request: Request, form: Form) -> Response:
    community = _manager(request)
    return _set_up(request, form, community, services(request).app.grid.define_grid, form.get("name", ""),
                   done="网格已添加")


@action
def assign_area(request: Request, form: Form) -> Response:
    community = _manager(request)
    grid = grid_or_404(request, community)
    return _set_up(request, form, community, services(request).app.grid.assign_area, parse_uuid(grid["id"]),
                   form.get("building", ""), form.get("unit", ""), done="楼栋单元已划入网格")


@action
def release_area(request: Request, form: Form) -> Response:
    community = _manager(request)
    grid = grid_or_404(request, community)
    return _set_up(request, form, community, services(request).app.grid.release_area, parse_uuid(grid["id"]),
                   form.get("building", "")[:40], form.get("unit", "")[:40], done="楼栋单元已移出网格")


def _worker_step(request: Request, form: Form, use_case: Callable[..., Any], *args: Any, done: str) -> Response:
    community = _manager(request)
    grid = grid_or_404(request, community)
    return _on_setup_page(request, community, done, lambda: command(
        request, use_case, _me_id(request), parse_uuid(community.id), parse_uuid(grid["id"]), *args))


@action
def assign_worker(request: Request, form: Form) -> Response:
    return _worker_step(request, form, services(request).app.grid.assign_grid_worker, form.get("phone", "")[:40],
                        done="已指定网格员")


@action
def remove_worker(request: Request, form: Form) -> Response:
    return _worker_step(request, form, services(request).app.grid.remove_grid_worker,
                        parse_uuid(request.path_params["account_id"], "网格员"), done="已取消该网格员")


@action
def add_category(request: Request, form: Form) -> Response:
    community = _manager(request)
    return _set_up(request, form, community, services(request).app.grid.add_category, form.get("name", ""),
                   parse_hours(form.get("resolve_hours"), MAX_RESOLVE_HOURS), done="诉求类别已添加")


@action
def category_hours(request: Request, form: Form) -> Response:
    community = _manager(request)
    return _set_up(request, form, community, services(request).app.grid.set_resolve_hours,
                   request.path_params["category_id"][:8], parse_hours(form.get("resolve_hours"), MAX_RESOLVE_HOURS),
                   done="办理时限已修改")


@action
def retire_category(request: Request, form: Form) -> Response:
    community = _manager(request)
    return _set_up(request, form, community, services(request).app.grid.retire_category,
                   request.path_params["category_id"][:8], done="诉求类别已停用")


@action
def accept_hours(request: Request, form: Form) -> Response:
    community = _manager(request)
    return _set_up(request, form, community, services(request).app.grid.set_accept_hours,
                   parse_hours(form.get("accept_hours")), done="受理时限已修改")


# --- the community's requests and figures -----------------------------------------------------------------------------
def _overseen(request: Request) -> Place:
    community = community_or_404(request)
    require(policies.oversees_requests(me(request), community))
    return community


@page
def dashboard(request: Request) -> Response:
    community = _overseen(request)
    return render_page(request, "grid/requests.html", community=community, tab=TAB,
                       page=pages.dashboard_page(request, community))


@page
def figures(request: Request) -> Response:
    community = _overseen(request)
    return render_page(request, "grid/figure.html", community=community, tab=TAB,
                       page=pages.figure_page(request, [community.id], community.name),
                       back=url_for(request, "grid_requests", community_id=community.id))


@page(public=True)
def board(request: Request) -> Response:
    community = community_or_404(request)
    return render_page(request, "grid/board.html", community=community, tab=TAB,
                       page=pages.board_page(request, community))


@action
def rate_place(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(policies.may_rate_places(me(request), community), "只有经过核实的本社区居民可以评价")
    kind = form.get("kind") if form.get("kind") in policies.RESIDENT_SHARE_FLOOR else policies.COMMUNITY
    return respond(request, form, services(request).app.grid.rate_place, _me_id(request), parse_uuid(community.id),
                   kind, parse_score(form.get("score")), form.get("comment", ""), done="感谢您的评价",
                   to=url_for(request, "grid_index", community_id=community.id))


# --- the street ----------------------------------------------------------------------------------------------------------
def _assessed_street(request: Request) -> tuple[Place, list[Place]]:
    street = street_or_404(request)
    require(policies.may_read_assessment(me(request), street))
    return street, views.communities_of(services(request).views, street.id)


@page
def street_page(request: Request) -> Response:
    street, communities = _assessed_street(request)
    return render_page(request, "grid/street.html", page=pages.assessment_page(request, street, communities))


@page
def assessment(request: Request) -> Response:
    street, communities = _assessed_street(request)
    return render_page(request, "grid/assessment.html", page=pages.assessment_page(request, street, communities))


@action
def set_weight(request: Request, form: Form) -> Response:
    street = street_or_404(request)
    kind = form.get("kind") if form.get("kind") in policies.RESIDENT_SHARE_FLOOR else policies.COMMUNITY
    require(policies.may_set_weight(me(request), street, kind))
    period = form.get("period", "")[:10]
    return respond(request, form, services(request).app.grid.set_weight, _me_id(request), parse_uuid(street.id),
                   period, kind, parse_percent(form.get("percent"), policies.RESIDENT_SHARE_FLOOR[kind]),
                   done="权重已设置", to=url_for(request, "grid_assessment", street_id=street.id,
                                               query={"period": period}))


@page
def street_figures(request: Request) -> Response:
    street, communities = _assessed_street(request)
    place_id = request.query_params.get("place", street.id)
    names = {c.id: c.name for c in communities}
    if place_id != street.id and place_id not in names:
        raise NotFoundError("找不到该社区")
    name = names.get(place_id, street.name)
    back = url_for(request, "grid_assessment", street_id=street.id,
                   query={"period": request.query_params.get("period", "")[:10]})
    if request.query_params.get("figure") == "ratings":
        return render_page(request, "grid/ratings.html", street=street, back=back,
                           page=pages.ratings_page(request, place_id, name))
    ids = list(names) if place_id == street.id else [place_id]
    return render_page(request, "grid/figure.html", street=street, back=back,
                       page=pages.figure_page(request, ids, name))


BASE = "/c/{community_id}/grid"
REQUEST = BASE + "/requests/{request_id}"
SETUP = BASE + "/setup"
STREET = "/s/{street_id}/grid"

routes = [
    Route(BASE, index, methods=["GET"], name="grid_index"),
    Route(BASE + "/new", new_request, methods=["GET"], name="grid_new"),
    Route(BASE + "/requests", submit, methods=["POST"], name="grid_submit"),
    Route(BASE + "/requests", dashboard, methods=["GET"], name="grid_requests"),
    Route(REQUEST, request_detail, methods=["GET"], name="grid_request"),
    Route(REQUEST + "/photo", request_photo, methods=["GET"], name="grid_photo"),
    Route(REQUEST + "/accept", accept, methods=["POST"], name="grid_accept"),
    Route(REQUEST + "/escalate", escalate, methods=["POST"], name="grid_escalate"),
    Route(REQUEST + "/resolve", resolve, methods=["POST"], name="grid_resolve"),
    Route(REQUEST + "/rate", rate, methods=["POST"], name="grid_rate"),
    Route(REQUEST + "/reopen", reopen, methods=["POST"], name="grid_reopen"),
    Route(REQUEST + "/merge", merge, methods=["POST"], name="grid_merge"),
    Route(BASE + "/queue", queue, methods=["GET"], name="grid_queue"),
    Route(BASE + "/grids/{grid_id}", grid_detail, methods=["GET"], name="grid_grid"),
    Route(BASE + "/grids/{grid_id}/visits", record_visit, methods=["POST"], name="grid_record_visit"),
    Route(BASE + "/visits/{visit_id}/request", visit_request_form, methods=["GET"], name="grid_visit_request_form"),
    Route(BASE + "/visits/{visit_id}/request", visit_request, methods=["POST"], name="grid_visit_request"),
    Route(SETUP, setup, methods=["GET"], name="grid_setup"),
    Route(SETUP + "/grids", define_grid, methods=["POST"], name="grid_define"),
    Route(SETUP + "/grids/{grid_id}/areas", assign_area, methods=["POST"], name="grid_assign_area"),
    Route(SETUP + "/grids/{grid_id}/areas/release", release_area, methods=["POST"], name="grid_release_area"),
    Route(SETUP + "/grids/{grid_id}/workers", assign_worker, methods=["POST"], name="grid_assign_worker"),
    Route(SETUP + "/grids/{grid_id}/workers/{account_id}/remove", remove_worker, methods=["POST"],
          name="grid_remove_worker"),
    Route(SETUP + "/categories", add_category, methods=["POST"], name="grid_add_category"),
    Route(SETUP + "/categories/{category_id}/hours", category_hours, methods=["POST"], name="grid_category_hours"),
    Route(SETUP + "/categories/{category_id}/retire", retire_category, methods=["POST"],
          name="grid_retire_category"),
    Route(SETUP + "/limits", accept_hours, methods=["POST"], name="grid_accept_hours"),
    Route(BASE + "/figures", figures, methods=["GET"], name="grid_figures"),
    Route(BASE + "/board", board, methods=["GET"], name="grid_board"),
    Route(BASE + "/ratings", rate_place, methods=["POST"], name="grid_rate_place"),
    Route(STREET, street_page, methods=["GET"], name="grid_street"),
    Route(STREET + "/assessment", assessment, methods=["GET"], name="grid_assessment"),
    Route(STREET + "/weights", set_weight, methods=["POST"], name="grid_weights"),
    Route(STREET + "/figures", street_figures, methods=["GET"], name="grid_street_figures"),
]
