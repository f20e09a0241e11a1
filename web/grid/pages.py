"""Page contexts of grid service (网格化服务管理): a resident's requests and ratings, the request page with its
timeline, the grid worker's queue and grid (households, visit diary), the community's set-up and all its requests
with the 三率, the public board, the street's escalated requests and the assessment with its drill-downs; and what
the context adds to other pages (overview card, notices, street columns, audit labels, my data). Which buttons a
page shows is asked of `domain.grid.policies` in the templates (`rules.grid.…`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from domain.grid import policies
from domain.grid.model import (LEVEL_NAMES, RATINGS, STATUS_NAMES, check_period, period_of, previous_period,
                               route)
from domain.kernel import roles
from domain.kernel.errors import NotFoundError
from domain.kernel.text import mask_name
from projections import grid as views
from projections.grid import FIGURES, Figure
from web.http import Pager, command, me, parse_uuid, render, services, url_for
from web.localtime import local_time, now
from web.panels import Column, Panel, Task
from web.places import Place

FIGURE_NAMES = {"response": "响应率（按时受理）", "on_time": "按时办结率", "satisfaction": "满意率",
                "within_community": "社区内解决率（未上报街道）"}
FIGURE_RULES = {
    "response": "期限内受理的诉求 ÷ 已受理或受理期限已过的诉求",
    "on_time": "期限内首次办结的诉求 ÷ 已办结或办理期限已过的诉求",
    "satisfaction": "评价“满意”或“基本满意”的诉求 ÷ 已关闭的诉求（逾期未评价的计入分母，从不计为满意）",
    "within_community": "在网格或社区办结、未上报街道的诉求 ÷ 已办结的诉求",
}
EVENT_NAMES = {"Submitted": "提交诉求", "Accepted": "受理", "Escalated": "上报", "Resolved": "办结",
               "Rated": "确认并评价", "Reopened": "反映未解决，重新办理", "ClosedUnrated": "7 天未评价，关闭（未评价）",
               "MergedInto": "作为重复诉求合并", "DuplicateMerged": "合并了一条重复诉求"}
GRIDS_EVENTS = {"Started": "建立网格台账", "GridDefined": "划分网格", "AreaAssigned": "楼栋单元划入网格",
                "AreaReleased": "楼栋单元移出网格", "CategoryAdded": "增加诉求类别", "ResolveHoursSet": "修改办理时限",
                "CategoryRetired": "停用诉求类别", "AcceptHoursSet": "修改受理时限"}
PLACE_KIND_NAMES = {policies.COMMUNITY: "社区", policies.STREET: "街道"}
# What every grid template names things by (msgids, translated in the templates).
NAMES = {"status_names": STATUS_NAMES, "level_names": LEVEL_NAMES, "rating_names": RATINGS,
         "event_names": EVENT_NAMES, "figure_names": FIGURE_NAMES, "figure_rules": FIGURE_RULES,
         "place_kind_names": PLACE_KIND_NAMES, "figures": FIGURES}


def render_page(request: Request, template: str, status_code: int = 200, **context) -> Response:
    """A grid template with its names, display helpers and the application's `now` (the overdue flags ask
    `rules.grid.acceptance_overdue(…, now)` with it)."""
    return render(request, template, status_code=status_code, now=now(request), percent=percent, score=score,
                  **NAMES, **context)


def percent(figure: Figure | float | None) -> str:
    """A rate as shown: `87.5%`, or — when nothing could be measured."""
    value = figure.rate if isinstance(figure, Figure) else figure
    return "—" if value is None else f"{value:.1f}%"


def score(value: float | None) -> str:
    """A score out of 100 as shown."""
    return "—" if value is None else f"{value:.1f}"


def period_param(request: Request) -> str:
    """`?period=` (a quarter such as 2026Q2), else this quarter by the application's clock."""
    raw = request.query_params.get("period")
    return check_period(raw[:10]) if raw else period_of(now(request))


# --- what the path names --------------------------------------------------------------------------------------------
def request_or_404(request: Request, community: Place) -> dict:
    """The request the path names, if it is the community's."""
    request_id = parse_uuid(request.path_params["request_id"], "诉求")
    row = views.request(services(request).views, str(request_id))
    if row is None or row["community_id"] != community.id:
        raise NotFoundError("找不到该诉求")
    return row


def grid_or_404(request: Request, community: Place, grid_id: str | None = None) -> dict:
    """The grid the path (or a form) names, if it is the community's."""
    gid = parse_uuid(grid_id or request.path_params["grid_id"], "网格")
    row = views.grid(services(request).views, str(gid))
    if row is None or row["community_id"] != community.id:
        raise NotFoundError("找不到该网格")
    return row


def visit_or_404(request: Request, community: Place) -> dict:
    """The visit the path names, if it is of the community."""
    vid = parse_uuid(request.path_params["visit_id"], "走访记录")
    row = views.visit(services(request).views, str(vid))
    if row is None or row["community_id"] != community.id:
        raise NotFoundError("找不到该走访记录")
    return row


def close_lapsed(request: Request, community_id: str | None = None) -> None:
    """Before a page shows requests: any resolved one its reporter left unanswered for 7 days is closed as "not
    rated" (an event, recorded once however many pages ask)."""
    svc = services(request)
    for request_id in views.lapsed(svc.views, now(request), community_id):
        command(request, svc.app.grid.close_unanswered, UUID(request_id))


# --- a resident's requests ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexPage:
    """The community's 网格诉求 tab: the person's requests with their timelines, this quarter's ratings to give, and
    the way to their grids or the community's requests."""

    mine: list
    timelines: dict
    period: str
    rated: set
    my_grids: list
    street: Any


def index_page(request: Request, community: Place) -> IndexPage:
    """What the person asking does here."""
    principal, db = me(request), services(request).views
    if not principal.authenticated:
        return IndexPage([], {}, period_of(now(request)), set(), [], _street_of(community))
    close_lapsed(request, community.id)
    mine = views.my_requests(db, principal.account_id, community.id)
    period = period_of(now(request))
    my_grids = [g for g in views.grids(db, community.id) if policies.is_grid_worker(principal, g["id"])]
    return IndexPage(mine=mine, timelines=views.timeline(db, [r["id"] for r in mine]), period=period,
                     rated=views.rated_places(db, principal.account_id, period), my_grids=my_grids,
                     street=_street_of(community))


def _street_of(community: Place) -> SimpleNamespace:
    """The community's street as the policies read it (id, district) and the page names it."""
    return SimpleNamespace(id=community.street_id, district_id=community.district_id, name=community.street_name)


@dataclass(frozen=True)
class NewRequestPage:
    """The form reporting a request, with what was typed (the person's home to start with) and why it was refused."""

    categories: list
    values: dict = field(default_factory=dict)
    error: str | None = None
    on_behalf: dict | None = None


def new_request_page(request: Request, community: Place, values: dict | None = None, error: str | None = None,
                     on_behalf: dict | None = None) -> NewRequestPage:
    """The categories the community keeps; the building and unit the person gave when they joined."""
    db = services(request).views
    if values is None:
        home = views.home(db, on_behalf["household_id"] if on_behalf else me(request).account_id, community.id) or {}
        values = {"building": home.get("building", ""), "unit": home.get("unit", "")}
    return NewRequestPage(categories=views.categories(db, community.id), values=values, error=error,
                          on_behalf=on_behalf)


@dataclass(frozen=True)
class RequestPage:
    """One request: what, where, its photo, its timeline, and the steps the person asking may take now."""

    req: dict
    followers: list
    events: list
    merge_targets: list
    error: str | None = None


def request_page(request: Request, community: Place, req: dict, error: str | None = None) -> RequestPage:
    """The request as those allowed to see it see it."""
    db = services(request).views
    targets = [r for r in views.open_requests(db, community_id=community.id) if r["id"] != req["id"]] \
        if policies.may_merge(me(request), community, req["status"], req["level"], req["grid_id"]) else []
    return RequestPage(req=req, followers=views.followers(db, req["id"]),
                       events=views.timeline(db, [req["id"]])[req["id"]], merge_targets=targets, error=error)


# --- the grid worker ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueuePage:
    """A grid worker's queue: open requests of their grids (grid level) by due time."""

    grids: list
    rows: list


def queue_page(request: Request, community: Place) -> QueuePage:
    """The grids of the community the person works, and their open requests, soonest due first."""
    db, principal = services(request).views, me(request)
    close_lapsed(request, community.id)
    mine = [g for g in views.grids(db, community.id) if policies.may_work_grid(principal, community, g["id"])]
    return QueuePage(grids=mine, rows=views.open_requests(db, grid_ids=[g["id"] for g in mine]))


@dataclass(frozen=True)
class GridPage:
    """One grid: its households (names and phones masked), its open requests and its visit diary."""

    grid: dict
    households: list
    rows: list
    visits: list
    categories: list
    values: dict = field(default_factory=dict)
    error: str | None = None


def households_in(request: Request, community: Place, grid_id: str) -> list[dict]:
    """The community's verified residents whose building and unit the grid covers (routed as requests are)."""
    db = services(request).views
    areas = views.area_map(db, community.id)
    rows = [h for h in views.households(db, community.id) if h["building"] and
            route(areas, h["building"], h["unit"]) == grid_id]
    return [{**h, "name": mask_name(h["name"])} for h in rows]


def grid_page(request: Request, community: Place, grid: dict, values: dict | None = None,
              error: str | None = None) -> GridPage:
    """Everything a grid worker keeps an eye on in their grid."""
    db = services(request).views
    return GridPage(grid=grid, households=households_in(request, community, grid["id"]),
                    rows=views.open_requests(db, grid_ids=[grid["id"]]), visits=views.visits(db, grid["id"]),
                    categories=views.categories(db, community.id), values=values or {}, error=error)


# --- the community ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SetupPage:
    """The community's grids (buildings, units, grid workers), categories with their limits, and the homes no grid
    covers yet."""

    grids: list
    categories: list
    accept_hours: int
    uncovered: list
    error: str | None = None


def setup_page(request: Request, community: Place, error: str | None = None) -> SetupPage:
    """What a worker sets up."""
    db = services(request).views
    areas = views.area_map(db, community.id)
    uncovered = sorted({(h["building"], h["unit"]) for h in views.households(db, community.id)
                        if h["building"] and route(areas, h["building"], h["unit"]) is None})
    return SetupPage(grids=views.grids(db, community.id), categories=views.categories(db, community.id, True),
                     accept_hours=views.accept_hours(db, community.id), uncovered=uncovered, error=error)


STATUS_FILTERS = {"open": (policies.SUBMITTED, policies.IN_PROGRESS), "resolved": (policies.RESOLVED,),
                  "closed": (policies.CLOSED,), "merged": (policies.MERGED,), "all": ()}


@dataclass(frozen=True)
class DashboardPage:
    """All of a community's requests (filtered, paged), those overdue, counts by category and grid, and the 三率 of
    this quarter, each linking to the requests and events behind it."""

    rows: list
    pager: Pager
    status: str
    category: str
    grid_id: str
    overdue: list
    breakdown: dict
    figures: dict
    period: str
    grids: list
    categories: list


def dashboard_page(request: Request, community: Place) -> DashboardPage:
    """The community's requests as its workers and officials see them."""
    db, moment = services(request).views, now(request)
    close_lapsed(request, community.id)
    status = request.query_params.get("status", "open")
    status = status if status in STATUS_FILTERS else "open"
    grid_list = views.grids(db, community.id)
    category_list = views.categories(db, community.id, True)
    category = request.query_params.get("category", "")
    category = category if any(c["category_id"] == category for c in category_list) else ""
    grid_id = request.query_params.get("grid", "")
    grid_id = grid_id if any(g["id"] == grid_id for g in grid_list) else ""
    filters = {"statuses": STATUS_FILTERS[status], "category": category, "grid_id": grid_id}
    pager = Pager.from_request(request, views.count_requests(db, community.id, **filters), per_page=30)
    period = period_param(request)
    return DashboardPage(rows=views.community_requests(db, community.id, limit=pager.per_page, offset=pager.offset,
                                                       **filters),
                         pager=pager, status=status, category=category, grid_id=grid_id,
                         overdue=views.overdue(db, community.id, moment), breakdown=views.breakdown(db, community.id,
                                                                                                    moment),
                         figures=views.measures(db, [community.id], period, moment)[community.id], period=period,
                         grids=grid_list, categories=category_list)


@dataclass(frozen=True)
class FigurePage:
    """The requests behind one figure of one period, each with the events that decide whether it counts."""

    figure: str
    period: str
    place_name: str
    rows: list
    total: Figure


def figure_page(request: Request, community_ids: list[str], place_name: str) -> FigurePage:
    """`?figure=` and `?period=` for the given communities."""
    figure = request.query_params.get("figure", "")
    if figure not in FIGURES:
        raise NotFoundError("找不到该指标")
    period = period_param(request)
    rows = views.figure_rows(services(request).views, community_ids, period, figure, now(request))
    return FigurePage(figure=figure, period=period, place_name=place_name, rows=rows,
                      total=Figure(sum(1 for r in rows if r["counts"]), len(rows)))


@dataclass(frozen=True)
class BoardPage:
    """The public board: resolved requests the reporters allowed to be shown — category, building, days taken."""

    rows: list


def board_page(request: Request, community: Place) -> BoardPage:
    return BoardPage(rows=views.board(services(request).views, community.id))


# --- the street and the assessment -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assessed:
    """One community's (or the street's) assessment: residents' ratings, the measured figures, the weights, the score."""

    place_id: str
    name: str
    kind: str
    ratings: dict
    figures: dict
    share: int
    residents: float | None
    performance: float | None
    score: float | None
    open: int = 0
    overdue: int = 0


def assess(place_id: str, name: str, kind: str, ratings: dict, figures: dict[str, Figure], share: int,
           counts: tuple[int, int] = (0, 0)) -> Assessed:
    """Combine as `policies.combined_score` says."""
    rates = [figures[f].rate for f in FIGURES]
    return Assessed(place_id=place_id, name=name, kind=kind, ratings=ratings, figures=figures, share=share,
                    residents=policies.residents_part(ratings["mean"]), performance=policies.performance_part(rates),
                    score=policies.combined_score(ratings["mean"], rates, share), open=counts[0], overdue=counts[1])


@dataclass(frozen=True)
class AssessmentPage:
    """A street's assessment for a period: each community and the street, every input and weight shown."""

    street: Place
    period: str
    previous: str
    communities: list
    street_row: Assessed
    weights: dict
    escalated: list = field(default_factory=list)


def assessment_page(request: Request, street: Place, communities: list[Place], period: str | None = None) -> AssessmentPage:
    """Scores of the street's communities and of the street, for `?period=` (this quarter by default)."""
    db, moment = services(request).views, now(request)
    period = period or period_param(request)
    ids = [c.id for c in communities]
    figures = views.measures(db, ids, period, moment)
    ratings = views.rating_summary(db, [*ids, street.id], period)
    weights = views.weights(db, street.id, period)
    counts = views.open_counts(db, ids, moment)
    rows = [assess(c.id, c.name, policies.COMMUNITY, ratings[c.id], figures[c.id],
                   weights[policies.COMMUNITY]["share"], counts[c.id]) for c in communities]
    total = (sum(n for n, _ in counts.values()), sum(late for _, late in counts.values()))
    street_row = assess(street.id, street.name, policies.STREET, ratings[street.id], figures["all"],
                        weights[policies.STREET]["share"], total)
    return AssessmentPage(street=street, period=period, previous=previous_period(period), communities=rows,
                          street_row=street_row, weights=weights,
                          escalated=views.open_requests(db, street_level_of=street.id))


@dataclass(frozen=True)
class RatingsPage:
    """The residents' ratings behind a place's mean, in log order (never who gave them)."""

    period: str
    place_name: str
    rows: list


def ratings_page(request: Request, place_id: str, place_name: str) -> RatingsPage:
    """Every rating of the place in `?period=`."""
    period = period_param(request)
    return RatingsPage(period=period, place_name=place_name,
                       rows=views.ratings(services(request).views, place_id, period))


# --- hooks: what grid service adds to other pages --------------------------------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel:
    """The community's open requests and the public board."""
    counts = views.open_counts(services(request).views, [community.id], now(request))[community.id]
    return Panel("grid/_overview_card.html", {"community": community, "open": counts[0], "overdue": counts[1]})


def tasks(request: Request, community_id: str) -> list[Task]:
    """Report a problem to the community, one tap from home."""
    return [Task("我要反映问题", url_for(request, "grid_new", community_id=community_id), 40)]


def notices(request: Request) -> list[Panel]:
    """The person's resolved requests waiting for their answer, and for street officials the street's page."""
    db, principal = services(request).views, me(request)
    panels = [Panel("grid/_notice.html", {"req": r}) for r in views.awaiting_answer(db, principal.account_id)]
    for role, scope in sorted(principal.grants):
        if role == roles.STREET_OFFICIAL:
            place = views.street(db, scope)
            if place is not None:
                panels.append(Panel("grid/_street_notice.html", {"street": place, "escalated": len(
                    views.open_requests(db, street_level_of=scope))}))
    return panels


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """Each community's open (and overdue) requests, and this quarter's assessment score."""
    page = assessment_page(request, street, communities, period_of(now(request)))
    return [Column("诉求：未办结 / 超时", {a.place_id: f"{a.open} / {a.overdue}" for a in page.communities}),
            Column("本季度满意度得分", {a.place_id: score(a.score) for a in page.communities})]


def audit_labels() -> dict[str, str]:
    """The name (msgid) of every grid event in the audit trail."""
    return {**{f"Request.{k}": v for k, v in EVENT_NAMES.items()},
            **{f"Grids.{k}": v for k, v in GRIDS_EVENTS.items()},
            "Visit.Recorded": "记录民情日记", "Visit.TurnedIntoRequest": "代办诉求",
            "PlaceRating.Given": "评价社区或街道", "AssessmentWeights.Started": "建立考核权重",
            "AssessmentWeights.ShareSet": "设置居民评价权重"}


def my_data(request: Request) -> dict:
    """What grid service holds about the person asking: their requests, their ratings, visits to their household."""
    db, account_id = services(request).views, str(me(request).account_id)
    return {
        "诉求": [{"社区": r["community_name"] or "", "类别": r["category"], "楼栋": r["building"], "单元": r["unit"],
                "具体位置": r["place"], "内容": r["description"], "状态": STATUS_NAMES.get(r["status"], r["status"]),
                "评价": RATINGS.get(r["rating"] or "", ""), "评价意见": r["rating_comment"],
                "提交时间": local_time(r["submitted_at"]), "公开展示": "是" if r["public"] else "否"}
               for r in views.my_requests(db, account_id) if r["reporter_id"] == account_id],
        "满意度评价": [{"周期": r["period"], "对象": r["place_name"] or "", "评分": r["score"], "意见": r["comment"]}
                  for r in views.my_ratings(db, account_id)],
        "民情日记中关于您家的记录": [{"日期": v["visited_on"], "事项": v["raised"], "已转为诉求": "是" if v["request_id"] else "否"}
                         for v in views.visits_about(db, account_id)],
    }

