"""Page contexts of the fund pages (ledger, disclosure, drill-down, project, payment and request cards, street view),
and what the fund adds to other pages: this year's fund on the community overview and on the street's table, the
names of its events in the audit trail, and what it holds about the person asking."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from starlette.requests import Request

from domain.fund import policies
from domain.fund.inputs import check_year
from domain.fund.model import (CATEGORIES, PAYEE_KINDS, PAYMENT_STATUS_NAMES, REQUEST_KIND_NAMES,
                               REQUEST_STATUS_NAMES)
from domain.kernel.errors import DomainError, NotFoundError
from domain.kernel.money import format_fen, parse_fen
from domain.kernel.privacy import ERASED
from projections import chain as chain_views
from projections import fund as views
from web import asof
from web.fund.charts import Chart, category_chart, monthly_chart
from web.http import error_text, me, services
from web.localtime import local_today
from web.panels import Column, Panel
from web.places import Place

FIGURES = ("budget", "allocated", "committed", "pending", "paid", "available")
FIGURE_NAMES = {"budget": "年度预算", "allocated": "已分配", "committed": "已预留", "pending": "待审核",
                "paid": "已支付", "available": "可用余额"}
COMMITMENT_STATUS_NAMES = {"open": "进行中", "released": "已释放", "cancelled": "已取消"}
LINE_TYPE_NAMES = {
    "Opened": "开启年度资金", "Allocated": "分配", "AllocationIncreased": "追加分配", "AllocationReduced": "核减分配",
    "Committed": "预留", "CommitmentReleased": "释放预留", "CommitmentCancelled": "取消预留",
    "PaymentRecorded": "录入支付", "PaymentApproved": "审核通过", "PaymentRejected": "退回支付",
    "PaymentVoided": "撤回支付", "PaymentRefunded": "退款", "PayeeErased": "已删除收款人信息", "Closed": "年度结账",
    "AllocationIncreaseRequested": "申请追加分配", "AllocationIncreaseRejected": "驳回追加分配",
    "RefundRequested": "申请退款", "RefundRejected": "驳回退款",
    "PayeeErasureRequested": "申请删除收款人信息", "PayeeErasureRejected": "驳回删除收款人信息",
}
# What every fund template names things by (msgids, translated in the templates).
NAMES = {"categories": CATEGORIES, "payee_kinds": PAYEE_KINDS, "figure_names": FIGURE_NAMES,
         "line_type_names": LINE_TYPE_NAMES, "payment_status_names": PAYMENT_STATUS_NAMES,
         "commitment_status_names": COMMITMENT_STATUS_NAMES, "request_kind_names": REQUEST_KIND_NAMES,
         "request_status_names": REQUEST_STATUS_NAMES, "erased_marker": ERASED}


# --- what a fund page names ------------------------------------------------------------------------
def this_year(request: Request) -> int:
    return local_today(request).year


def year_param(request: Request) -> int:
    """The year in the path, else `?year=`, else this year; a bad one is refused, never read as another year."""
    raw = request.path_params.get("year")
    if raw is None:  # (a path year of 0 is refused, not taken as "no year")
        raw = request.query_params.get("year")
    return check_year(raw) if raw is not None else this_year(request)


def as_of_param(request: Request) -> str | None:
    """`?as_of=` as a day, or None (anything else shows today's ledger)."""
    return views.parse_as_of(request.query_params.get("as_of"))


def fund_or_404(request: Request, community: Place, year: int) -> dict:
    """The community's fund of that year, or a 404 when it was never opened."""
    row = views.fund_row(services(request).views, community.id, year)
    if row is None:
        raise NotFoundError("该年度资金尚未开启")
    return row


def project_or_404(request: Request, fund: dict, project_id: UUID) -> dict:
    """A project of this fund (another fund's id finds nothing)."""
    project = views.project(services(request).views, fund["id"], str(project_id))
    if project is None:
        raise NotFoundError("找不到该项目")
    return project


# --- the staff ledger ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerPage:
    """The year's ledger (as of a day) for staff: figures, projects, pending payments and the managers' forms."""

    community: Place
    year: int
    as_of: str | None
    ledger: dict | None
    years: list[int]
    pending: list[dict]
    requests: list[dict]   # refunds, increases and erasures waiting for a checker (today's ledger only)
    resolutions: list[dict]   # passed resolutions: the amount each authorises, allocated under it (every year), left
    may_open: bool       # open the year (a fund manager; this year or next)
    manage: bool         # change money now: a fund manager, the year not closed, today's ledger (not "as of")
    may_close: bool      # close the year (a fund manager, once the year is over)

    @property
    def allocatable(self) -> list[dict]:
        """The resolutions money may still be allocated under (the fund checks again, from their events)."""
        return [r for r in self.resolutions if r["left"] > 0]

    @property
    def authorised(self) -> list[dict]:
        """The resolutions the ledger accounts for: those stating an amount, and any with money allocated under it."""
        return [r for r in self.resolutions if r["authorised"] is not None or r["allocated"]]


def ledger_page(request: Request, community: Place, year: int) -> LedgerPage:
    """The ledger of a year, as of `?as_of=`."""
    db, principal = services(request).views, me(request)
    as_of = as_of_param(request)
    ledger = views.ledger(db, community.id, year, as_of)
    now = not as_of and asof.moment_of(request) is None   # today's ledger, not one as of a day or a moment
    manage = ledger is not None and now and policies.may_change_money(principal, community, ledger["closed"])
    may_open = policies.may_manage_fund(principal, community) and policies.year_is_openable(year, local_today(request))
    return LedgerPage(
        community=community, year=year, as_of=as_of, ledger=ledger,
        years=sorted(set(views.years(db, community.id)) | {year, this_year(request)}, reverse=True),
        pending=views.payments(db, ledger["fund"]["id"], policies.PENDING) if ledger and now else [],
        requests=views.requests(db, ledger["fund"]["id"], policies.REQUESTED) if ledger and now else [],
        resolutions=views.resolution_money(db, community.id),
        may_open=may_open, manage=manage,
        may_close=manage and policies.may_close_year(principal, community, year, local_today(request)))


# --- the public disclosure --------------------------------------------------------------------------
@dataclass(frozen=True)
class DisclosurePage:
    """公示: projects and their resolutions, approved payments by month (individuals masked), the charts."""

    community: Place
    year: int
    ledger: dict | None
    payments_by_month: dict[str, list[dict]]
    monthly: Chart | None
    by_category: Chart | None
    category_rows: list[dict]
    staff: bool          # may open the ledger
    stamp: chain_views.Stamp | None = None   # the record the figures follow from: the fund's latest event


def disclosure_page(request: Request, community: Place, year: int) -> DisclosurePage:
    """What anyone may read of a year's fund."""
    db = services(request).views
    ledger = views.ledger(db, community.id, year)
    months, payments_by_month, categories = [], {}, []
    if ledger:
        fund_id = ledger["fund"]["id"]
        months = views.monthly_spending(db, fund_id, year)
        for p in views.public_payments(db, fund_id):
            payments_by_month.setdefault(p["month"], []).append(p)
        categories = views.by_category(db, fund_id)
    return DisclosurePage(community=community, year=year, ledger=ledger, payments_by_month=payments_by_month,
                          monthly=monthly_chart(months) if months else None,
                          by_category=category_chart(categories) if categories else None, category_rows=categories,
                          staff=policies.may_read_ledger(me(request), community),
                          stamp=chain_views.stamp_of_aggregate(db, ledger["fund"]["id"]) if ledger else None)


# --- the drill-down ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LinesPage:
    """The events behind one figure (of one project), as of a day."""

    community: Place
    year: int
    rows: list[dict]
    figure: str | None
    project: dict | None
    as_of: str | None


def lines_page(request: Request, community: Place, year: int, fund: dict, figure: str | None,
               project_id: UUID | None) -> LinesPage:
    """The lines of a figure (all lines for an unknown one), of a project when one is named."""
    figure = figure if figure in FIGURE_NAMES else None
    project = project_or_404(request, fund, project_id) if project_id else None
    as_of = as_of_param(request)
    rows = views.lines(services(request).views, fund["id"], figure, project["id"] if project else None, as_of,
                       limit=1000)
    return LinesPage(community=community, year=year, rows=rows, figure=figure, project=project, as_of=as_of)


# --- one project and its payment form ---------------------------------------------------------------
@dataclass(frozen=True)
class Available:
    """What the payment form may still take (the project's free money or what is left of the chosen commitment)
    and, once an amount is typed, what it would leave. Read-only: the use case checks again."""

    left: int
    source: str                      # "project" or "commitment"
    amount_fen: int | None = None
    amount_error: str | None = None

    @property
    def over(self) -> bool:
        return self.amount_fen is not None and self.amount_fen > self.left


def available(request: Request, fund: dict, project_id: UUID, commitment_id: UUID | None, amount: str) -> Available:
    """What the project (or one of its commitments) can still pay, and what `amount` would leave."""
    project = project_or_404(request, fund, project_id)
    left, source = project["free"], "project"
    if commitment_id is not None:
        commitment = views.commitment(services(request).views, fund["id"], str(commitment_id))
        if commitment is None or commitment["project_id"] != project["id"]:
            raise NotFoundError("找不到该预留")
        source = "commitment"
        left = int(commitment["remaining"]) if policies.commitment_is_open(commitment["status"]) else 0
    amount_fen, amount_error = None, None
    if amount.strip():
        try:
            amount_fen = parse_fen(amount[:40])
        except DomainError as e:
            amount_error = error_text(request, e)
    return Available(left=left, source=source, amount_fen=amount_fen, amount_error=amount_error)


@dataclass(frozen=True)
class ProjectPage:
    """One project: its figures, commitments and payments, and the fund managers' forms."""

    community: Place
    year: int
    project: dict
    commitments: list[dict]
    payments: list[dict]
    requests: list[dict]           # every refund, increase and erasure of the project, newest first
    increase_request: str | None   # the increase of this project waiting for a checker
    manage: bool         # change money now: a fund manager, the year not closed
    closed: bool
    today: str
    available: Available


def project_page(request: Request, community: Place, year: int, fund: dict, project_id: UUID) -> ProjectPage:
    """A project of the fund."""
    db = services(request).views
    project = project_or_404(request, fund, project_id)
    requests = views.requests(db, fund["id"], project_id=project["id"])
    return ProjectPage(
        community=community, year=year, project=project,
        commitments=views.commitments(db, fund["id"], project["id"]),
        payments=views.payments(db, fund["id"], project_id=project["id"]), requests=requests,
        increase_request=next((r["id"] for r in requests if r["kind"] == policies.INCREASE
                               and policies.request_is_open(r["status"])), None),
        manage=policies.may_change_money(me(request), community, fund["closed"]), closed=bool(fund["closed"]),
        today=local_today(request).isoformat(), available=Available(left=project["free"], source="project"))


# --- the htmx answer to a payment action ------------------------------------------------------------
@dataclass(frozen=True)
class PaymentCard:
    """A payment's card again, with the figures of the page it sits on (the ledger's, or its project's)."""

    community: Place
    year: int
    payment: dict
    manage: bool
    project_id: str | None     # the card sits on this project's page (else on the ledger)
    ledger: dict | None
    project: dict | None


def payment_card(request: Request, community: Place, year: int, payment_id: UUID, on_project_page: bool) -> PaymentCard:
    """The card of a payment of the year's fund, after an action on it."""
    db = services(request).views
    fund = fund_or_404(request, community, year)
    payment = views.payment(db, fund["id"], str(payment_id))
    if payment is None:
        raise NotFoundError("找不到该支付")
    return PaymentCard(
        community=community, year=year, payment=payment,
        manage=policies.may_change_money(me(request), community, fund["closed"]),
        project_id=payment["project_id"] if on_project_page else None,
        ledger=None if on_project_page else views.ledger(db, community.id, year),
        project=views.project(db, fund["id"], payment["project_id"]) if on_project_page else None)


# --- the htmx answer to a decision on a request ------------------------------------------------------
@dataclass(frozen=True)
class RequestCard:
    """A request's card again, with the figures of the page it sits on and, on a project page, the card of the
    payment it concerns (its refunded amount or its payee changed)."""

    community: Place
    year: int
    request: dict
    closed: bool
    manage: bool
    project_id: str | None     # the card sits on this project's page (else on the ledger)
    ledger: dict | None
    project: dict | None
    payment: dict | None


def request_card(request: Request, community: Place, year: int, request_id: UUID, on_project_page: bool) -> RequestCard:
    """The card of a request of the year's fund, after a decision on it."""
    db = services(request).views
    fund = fund_or_404(request, community, year)
    row = views.request(db, fund["id"], str(request_id))
    if row is None:
        raise NotFoundError("找不到该申请")
    return RequestCard(
        community=community, year=year, request=row, closed=bool(fund["closed"]),
        manage=policies.may_change_money(me(request), community, fund["closed"]),
        project_id=row["project_id"] if on_project_page else None,
        ledger=None if on_project_page else views.ledger(db, community.id, year),
        project=views.project(db, fund["id"], row["project_id"]) if on_project_page else None,
        payment=views.payment(db, fund["id"], row["payment_id"]) if on_project_page and row["payment_id"] else None)


# --- the street's side-by-side view -----------------------------------------------------------------
@dataclass(frozen=True)
class StreetPage:
    """Every community of a street with its fund's figures for a year, and the street's totals."""

    street: Place
    year: int
    rows: list[dict]
    totals: dict[str, int]
    years: list[int]


def street_page(request: Request, street: Place, year: int) -> StreetPage:
    """The street's communities' funds of a year."""
    rows = views.street_funds(services(request).views, street.id, year)
    return StreetPage(street=street, year=year, rows=rows, totals={k: sum(r[k] for r in rows) for k in FIGURES},
                      years=[year + 1, year, year - 1])


# --- what the fund adds to other pages ---------------------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel:
    """This year's fund: paid and still available."""
    year = local_today(request).year
    ledger = views.ledger(services(request).views, community.id, year)
    return Panel("fund/_overview_card.html", {"community": community, "year": year,
                                               "totals": ledger["totals"] if ledger else None})


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """Each community's fund this year: paid and still available."""
    db, year = services(request).views, local_today(request).year
    cells = {}
    for c in communities:
        ledger = views.ledger(db, c.id, year)
        if ledger:
            cells[c.id] = f"¥{format_fen(ledger['totals']['paid'])} / ¥{format_fen(ledger['totals']['available'])}"
    return [Column("{year} 年已支付 / 尚可使用", cells, "本年度专项资金尚未开立", {"year": year})]


def audit_labels() -> dict[str, str]:
    """The name (msgid) of every fund event in the audit trail."""
    return {f"Fund.{name}": label for name, label in LINE_TYPE_NAMES.items()}


def my_data(request: Request) -> dict:
    """What the fund holds about the person asking: the payments they recorded or checked and the requests they made
    or decided as a fund manager (individual payees masked: they are other people)."""
    db, account_id = services(request).views, str(me(request).account_id)
    payments = [{
        "社区": p["community_name"] or "", "年度": p["year"], "项目": p["project_title"], "金额（元）": format_fen(p["amount"]),
        "收款方": p["payee_public"], "支付日期": p["paid_on"], "状态": PAYMENT_STATUS_NAMES.get(p["status"], p["status"]),
        "您的角色": "录入" if p["recorded_by"] == account_id else "审核",
    } for p in views.payments_by(db, account_id)]
    requests = [{
        "社区": r["community_name"] or "", "年度": r["year"], "申请": REQUEST_KIND_NAMES.get(r["kind"], r["kind"]),
        "项目": r["project_title"], "金额（元）": format_fen(r["amount"]), "理由": r["reason"],
        "状态": REQUEST_STATUS_NAMES.get(r["status"], r["status"]),
        "您的角色": "申请" if r["requested_by"] == account_id else "审核",
    } for r in views.requests_by(db, account_id)]
    return {"作为资金管理员经手的支付": payments, "作为资金管理员提出或审核的申请": requests,
            "备注": "个人收款方不与任何账号关联：专项资金不保存收款人是哪位居民，个人收款方的姓名按支付单独加密，可依法删除。"}
