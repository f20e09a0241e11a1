"""The community fund tab (为民服务专项资金): the public disclosure, the staff ledger with drill-down and
"as of", maker/checker payment forms, the CSV export and the street's side-by-side view."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from urllib.parse import quote, urlencode
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel import roles
from domain.kernel.errors import DomainError, NotFoundError
from domain.fund.model import CATEGORIES, PAYEE_KINDS, PAYMENT_STATUS_NAMES
from domain.kernel.money import format_fen, parse_fen
from domain.kernel.privacy import ERASED
from domain.fund.inputs import check_year
from projections import accounts as directory
from projections import fund as views
from web.routes._legacy import auth
from web.auth import Principal
from web.localtime import local_time, local_today
from web.http import Form, action, command, error_text, is_htmx, me, page, parse_uuid, redirect, render, services
from web.routes._legacy import community_or_404, require

FIGURE_NAMES = {"budget": "年度预算", "allocated": "已分配", "committed": "已预留", "pending": "待审核",
                "paid": "已支付", "available": "可用余额"}
COMMITMENT_STATUS_NAMES = {"open": "进行中", "released": "已释放", "cancelled": "已取消"}
LINE_TYPE_NAMES = {
    "Opened": "开启年度资金", "Allocated": "分配", "AllocationIncreased": "追加分配", "AllocationReduced": "核减分配",
    "Committed": "预留", "CommitmentReleased": "释放预留", "CommitmentCancelled": "取消预留",
    "PaymentRecorded": "录入支付", "PaymentApproved": "审核通过", "PaymentRejected": "退回支付",
    "PaymentVoided": "撤回支付", "PaymentRefunded": "退款", "PayeeErased": "已删除收款人信息", "Closed": "年度结账",
}


# --- predicates (the domain checks the fund manager role again) ----------------------------------
def may_read_ledger(principal: Principal, community: dict) -> bool:
    """The full ledger (pending payments, names, every event): the community's fund managers and workers,
    and the street and district officials above it."""
    return auth.is_staff(principal, community)


def may_manage_fund(principal: Principal, community: dict) -> bool:
    """Allocate, commit, record and approve payments, refund, close: the community's fund managers."""
    return auth.is_fund_manager(principal, community)


def may_see_street(principal: Principal, street: dict) -> bool:
    """All communities' funds side by side: the street's officials and the district's."""
    return principal.has_role(roles.STREET_OFFICIAL, street["id"]) or \
        principal.has_role(roles.DISTRICT_OFFICIAL, street.get("district_id"))


# --- helpers ----------------------------------------------------------------------------------
def this_year(request: Request) -> int:
    return local_today(request).year


def today(request: Request) -> str:
    return local_today(request).isoformat()


def year_param(request: Request) -> int:
    raw = request.path_params.get("year")
    if raw is None:  # (a path year of 0 is refused, not taken as "no year")
        raw = request.query_params.get("year")
    return check_year(raw) if raw is not None else this_year(request)


local = local_time  # a stored UTC timestamp shown in China time


def _base(community: dict, year: int) -> str:
    return f"/c/{community['id']}/fund/{year}"


def _cid(form: Form) -> str | None:
    return form.get("command_id") or None


def _me_id(request: Request) -> UUID:
    return parse_uuid(me(request).account_id)


def fund_or_404(request: Request, community: dict, year: int) -> dict:
    row = views.fund_row(services(request).views, community["id"], year)
    if row is None:
        raise NotFoundError("该年度资金尚未开启")
    return row


def _fund_page(request: Request, allowed, message: str = "您没有权限访问此页面") -> tuple[dict, int, dict]:
    """The community, year and fund a page names, once `allowed(me, community)` says the reader may see it."""
    community = community_or_404(request)
    require(allowed(me(request), community), message)
    year = year_param(request)
    return community, year, fund_or_404(request, community, year)


def _render(request: Request, template: str, **context) -> Response:
    return render(request, template, local=local, categories=CATEGORIES, payee_kinds=PAYEE_KINDS,
                  figure_names=FIGURE_NAMES, line_type_names=LINE_TYPE_NAMES,
                  payment_status_names=PAYMENT_STATUS_NAMES, commitment_status_names=COMMITMENT_STATUS_NAMES,
                  link=as_of_link, yuan=format_fen, erased_marker=ERASED, tab="fund", **context)


# --- charts: server-side SVG geometry (the template draws rects; no JavaScript) -------------------
@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in SVG user units."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    kind: str


@dataclass(frozen=True)
class Chart:
    """A bar chart ready to draw: bars, axis labels and the scale's maximum."""

    width: int
    height: int
    baseline: float
    bars: list[Bar]
    labels: list[tuple[float, str]]
    maximum: str


def monthly_chart(months: list[dict]) -> Chart:
    """Twelve bars of money paid per month (refunds can make a month negative: drawn as zero)."""
    width, height, top, bottom, left = 640, 220, 20, 30, 10
    peak = max([m["paid"] for m in months] + [1])
    slot = (width - 2 * left) / len(months)
    bars, labels = [], []
    for i, m in enumerate(months):
        value = max(m["paid"], 0)
        h = (height - top - bottom) * value / peak
        x = left + i * slot + slot * 0.15
        bars.append(Bar(round(x, 1), round(height - bottom - h, 1), round(slot * 0.7, 1), round(h, 1),
                        m["month"], format_fen(m["paid"]), "paid"))
        labels.append((round(x + slot * 0.35, 1), str(int(m["month"][5:]))))
    return Chart(width, height, height - bottom, bars, labels, format_fen(peak))


def category_chart(rows: list[dict]) -> Chart:
    """Budget (allocated) against actual (paid) per category, two bars each."""
    width, height, top, bottom, left = 640, 220, 20, 30, 10
    peak = max([r["allocated"] for r in rows] + [r["paid"] for r in rows] + [1])
    slot = (width - 2 * left) / max(len(rows), 1)
    bars, labels = [], []
    for i, r in enumerate(rows):
        for j, kind in enumerate(("allocated", "paid")):
            value = max(r[kind], 0)
            h = (height - top - bottom) * value / peak
            x = left + i * slot + slot * (0.1 + 0.4 * j)
            bars.append(Bar(round(x, 1), round(height - bottom - h, 1), round(slot * 0.38, 1), round(h, 1),
                            CATEGORIES.get(r["category"], r["category"]), format_fen(r[kind]), kind))
        labels.append((round(left + i * slot + slot / 2, 1), CATEGORIES.get(r["category"], r["category"])))
    return Chart(width, height, height - bottom, bars, labels, format_fen(peak))


# --- pages --------------------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    """The ledger for staff; everyone else sees the public disclosure."""
    community = community_or_404(request)
    principal = me(request)
    year = year_param(request)
    if not may_read_ledger(principal, community):
        return _disclosure(request, community, year)
    svc = services(request)
    as_of = views.parse_as_of(request.query_params.get("as_of"))
    ledger = views.ledger(svc.views, community["id"], year, as_of)
    fund_id = ledger["fund"]["id"] if ledger else None
    return _render(
        request, "fund/index.html", community=community, year=year, as_of=as_of, ledger=ledger,
        years=sorted(set(views.years(svc.views, community["id"])) | {year, this_year(request)}, reverse=True),
        pending=views.payments(svc.views, fund_id, "pending") if fund_id and not as_of else [],
        resolutions=views.passed_resolutions(svc.views, community["id"]),
        manage=may_manage_fund(principal, community), may_erase=may_manage_fund(principal, community),
        year_over=this_year(request) > year,
        base=_base(community, year), today=today(request), me_id=principal.account_id)


@page(public=True)
def disclosure(request: Request) -> Response:
    """公示: projects, the resolution behind each, payments by month and the charts; no login needed."""
    community = community_or_404(request)
    return _disclosure(request, community, year_param(request))


def _disclosure(request: Request, community: dict, year: int) -> Response:
    svc = services(request)
    ledger = views.ledger(svc.views, community["id"], year)
    months, payments_by_month, categories = [], {}, []
    if ledger:
        fund_id = ledger["fund"]["id"]
        months = views.monthly_spending(svc.views, fund_id, year)
        for p in views.public_payments(svc.views, fund_id):
            payments_by_month.setdefault(p["month"], []).append(p)
        categories = views.by_category(svc.views, fund_id)
    return _render(request, "fund/disclosure.html", community=community, year=year, ledger=ledger,
                   payments_by_month=payments_by_month, monthly=monthly_chart(months) if months else None,
                   by_category=category_chart(categories) if categories else None, category_rows=categories,
                   staff=may_read_ledger(me(request), community), base=_base(community, year))


@page
def lines(request: Request) -> Response:
    """The events behind one figure (of one project), as of a day."""
    community, year, fund = _fund_page(request, may_read_ledger)
    svc = services(request)
    figure = request.query_params.get("figure")
    figure = figure if figure in FIGURE_NAMES else None
    project_id = request.query_params.get("project") or None
    project = views.project(svc.views, fund["id"], str(parse_uuid(project_id, "项目"))) if project_id else None
    if project_id and project is None:
        raise NotFoundError("找不到该项目")
    as_of = views.parse_as_of(request.query_params.get("as_of"))
    rows = views.lines(svc.views, fund["id"], figure, project["id"] if project else None, as_of, limit=1000)
    return _render(request, "fund/lines.html", community=community, year=year, rows=rows, figure=figure,
                   project=project, as_of=as_of, base=_base(community, year))


@page
def project_page(request: Request) -> Response:
    """One project: its figures, commitments and payments, and the forms to act on them."""
    community, year, fund = _fund_page(request, may_read_ledger)
    principal = me(request)
    svc = services(request)
    project = views.project(svc.views, fund["id"], str(parse_uuid(request.path_params["project_id"], "项目")))
    if project is None:
        raise NotFoundError("找不到该项目")
    return _render(request, "fund/project.html", community=community, year=year, fund=fund, project=project,
                   commitments=views.commitments(svc.views, fund["id"], project["id"]),
                   payments=views.payments(svc.views, fund["id"], project_id=project["id"]),
                   manage=may_manage_fund(principal, community) and not fund["closed"],
                   may_erase=may_manage_fund(principal, community),
                   base=_base(community, year), today=today(request), me_id=principal.account_id)


@page
def available(request: Request) -> Response:
    """A fragment for the payment form: what the project (or the chosen commitment) can still pay, and what an
    amount being typed would leave. Read-only; the use case checks again when the form is sent."""
    community, year, fund = _fund_page(request, may_manage_fund, "只有本社区的资金管理员可以进行此操作")
    svc = services(request)
    project = views.project(svc.views, fund["id"], str(_project_id(request)))
    if project is None:
        raise NotFoundError("找不到该项目")
    source, left = "project", project["free"]
    raw_commitment = request.query_params.get("commitment_id")
    if raw_commitment:
        commitment = views.commitment(svc.views, fund["id"], str(parse_uuid(raw_commitment, "预留")))
        if commitment is None or commitment["project_id"] != project["id"]:
            raise NotFoundError("找不到该预留")
        source, left = "commitment", int(commitment["remaining"]) if commitment["status"] == "open" else 0
    amount_fen, amount_error = None, None
    raw_amount = request.query_params.get("amount", "")
    if raw_amount.strip():
        try:
            amount_fen = parse_fen(raw_amount[:40])
        except DomainError as e:
            amount_error = error_text(request, e)
    return _render(request, "fund/_available.html", available=left, source=source, amount_fen=amount_fen,
                   amount_error=amount_error)


_PLAIN_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d{2})?|-?\d+")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will never run as a formula. A plain (negative) amount such as `-1,234.50` stays a
    number an auditor can sum; anything else starting with = + - @ tab or CR is quoted as text."""
    text = "" if value is None else str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


@page
def ledger_csv(request: Request) -> Response:
    """The ledger as CSV (UTF-8 with BOM for Excel): totals, projects, payments and every event."""
    community, year, fund = _fund_page(request, may_read_ledger)
    svc = services(request)
    as_of = views.parse_as_of(request.query_params.get("as_of"))
    ledger = views.ledger(svc.views, community["id"], year, as_of)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")

    def row(*cells: object) -> None:
        w.writerow([csv_cell(c) for c in cells])
    row("社区", community["name"], "年度", year, "截至", as_of or today(request))
    row(*[FIGURE_NAMES[f] for f in ("budget", "allocated", "committed", "pending", "paid", "available")])
    row(*[format_fen(ledger["totals"][f]) for f in ("budget", "allocated", "committed", "pending", "paid",
                                                    "available")])
    row()
    row("项目", "类别", "依据决议", "已分配", "已预留", "待审核", "已支付", "项目可用")
    for p in ledger["projects"]:
        row(p["title"], CATEGORIES.get(p["category"], p["category"]), p["resolution_title"],
            *[format_fen(p[f]) for f in ("allocated", "committed", "pending", "paid", "free")])
    row()
    row("支付日期", "项目", "收款方", "收款方类型", "金额", "已退款", "状态", "用途", "票据编号", "录入人", "审核人")
    for p in views.payments_as_of(svc.views, fund["id"], as_of):
        row(p["paid_on"], p["project_title"], p["payee"], PAYEE_KINDS.get(p["payee_kind"], ""), format_fen(p["amount"]),
            format_fen(p["refunded"]), PAYMENT_STATUS_NAMES.get(p["status"], p["status"]), p["description"],
            p["receipt_ref"], p["maker_name"], p["checker_name"])
    row()
    row("序号", "日志位置", "时间", "事件", "项目", "金额", "预算变化", "分配变化", "预留变化", "待审核变化", "支付变化",
        "经办人", "理由")
    for line in views.lines(svc.views, fund["id"], as_of=as_of, limit=100_000):
        row(line["version"], line["position"], local(line["at"]), LINE_TYPE_NAMES.get(line["type"], line["type"]),
            line["project_title"], format_fen(line["amount"]),
            *[format_fen(line[f"d_{f}"]) for f in ("budget", "allocated", "committed", "pending", "paid")],
            line["actor_name"], line["reason"])
    name = f"fund-{year}" + (f"-as-of-{as_of}" if as_of else "") + ".csv"
    cn_name = quote(f"{community['name']}专项资金台账-{year}.csv")
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{cn_name}",
        "Cache-Control": "no-store"})


@page
def street(request: Request) -> Response:
    """All communities of a street, their funds side by side."""
    street_id = parse_uuid(request.path_params["street_id"], "街道")
    svc = services(request)
    found = directory.place(svc.views, str(street_id), kind="street")
    place = asdict(found) if found else None
    if place is None:
        raise NotFoundError("找不到该街道")
    require(may_see_street(me(request), place))
    year = year_param(request)
    rows = views.street_funds(svc.views, place["id"], year)
    totals = {k: sum(r[k] for r in rows) for k in ("budget", "allocated", "committed", "pending", "paid",
                                                  "available")}
    return _render(request, "fund/street.html", street=place, year=year, rows=rows, totals=totals,
                   years=[year + 1, year, year - 1])


# --- actions (the acting person always comes from the session, never from the form) -----------------
def _act(request: Request, form: Form, run: Callable[[UUID, UUID, int], object], flash: str,
         back: Callable[[str, object], str] | None = None) -> Response:
    community = community_or_404(request)
    require(may_manage_fund(me(request), community), "只有本社区的资金管理员可以进行此操作")
    year = year_param(request)
    result = run(_me_id(request), parse_uuid(community["id"]), year)
    base = _base(community, year)
    return redirect(request, back(base, result) if back else f"/c/{community['id']}/fund?year={year}", flash)


@action
def open_fund(request: Request, form: Form) -> Response:
    app = services(request).app
    return _act(request, form, lambda by, c, y: command(request, app.fund.open_fund, by, c, y, command_id=_cid(form)),
                "年度资金已开启")


@action
def allocate(request: Request, form: Form) -> Response:
    app = services(request).app
    return _act(request, form, lambda by, c, y: command(
        request, app.fund.allocate, by, c, y, parse_uuid(form.get("resolution_id"), "决议"), form.get("title", ""),
        form.get("category", ""), form.get("amount", ""), command_id=_cid(form)),
        "已分配资金", lambda base, project_id: f"{base}/projects/{project_id}")


def _project_id(request: Request) -> UUID:
    return parse_uuid(request.path_params["project_id"], "项目")


@action
def project_action(request: Request, form: Form) -> Response:
    app = services(request).app
    op = request.path_params["op"]
    pid = _project_id(request)
    back = lambda base, _: f"{base}/projects/{pid}"  # noqa: E731
    if op == "commit":
        return _act(request, form, lambda by, c, y: command(
            request, app.fund.commit, by, c, y, pid, form.get("amount", ""), form.get("description", ""),
            command_id=_cid(form)), "已预留资金", back)
    if op == "pay":
        commitment = form.get("commitment_id") or None
        return _act(request, form, lambda by, c, y: command(
            request, app.fund.record_payment, by, c, y, pid, parse_uuid(commitment, "预留") if commitment else None,
            form.get("amount", ""), form.get("payee_kind", ""), form.get("payee", ""), form.get("paid_on", ""),
            form.get("description", ""), form.get("receipt_ref", ""), command_id=_cid(form)),
            "支付已录入，等待另一位资金管理员审核", back)
    if op in ("increase", "reduce"):
        use_case = app.fund.increase_allocation if op == "increase" else app.fund.reduce_allocation
        return _act(request, form, lambda by, c, y: command(
            request, use_case, by, c, y, pid, form.get("amount", ""), form.get("reason", ""), command_id=_cid(form)),
            "已更正分配金额", back)
    raise NotFoundError("找不到该页面")


@action
def commitment_action(request: Request, form: Form) -> Response:
    app = services(request).app
    op = request.path_params["op"]
    commitment_id = parse_uuid(request.path_params["commitment_id"], "预留")
    if op not in ("release", "cancel"):
        raise NotFoundError("找不到该页面")
    use_case = app.fund.release_commitment if op == "release" else app.fund.cancel_commitment
    return _act(request, form, lambda by, c, y: command(
        request, use_case, by, c, y, commitment_id, form.get("reason", ""), command_id=_cid(form)),
        "预留已释放" if op == "release" else "预留已取消", _back_to_project(form))


@action
def payment_action(request: Request, form: Form) -> Response:
    """Approve, reject, void, refund or erase the payee of one payment. Without JS: POST → 303. With htmx: the
    payment's card again (and the page's figures out of band), so the list updates in place."""
    app = services(request).app
    op = request.path_params["op"]
    payment_id = parse_uuid(request.path_params["payment_id"], "支付")
    cid = _cid(form)
    if op == "approve":
        run = lambda by, c, y: command(request, app.fund.approve_payment, by, c, y, payment_id, command_id=cid)  # noqa: E731
        flash = "支付已审核通过"
    elif op in ("reject", "void"):
        use_case = app.fund.reject_payment if op == "reject" else app.fund.void_payment
        run = lambda by, c, y: command(request, use_case, by, c, y, payment_id, form.get("reason", ""),  # noqa: E731
                                       command_id=cid)
        flash = "支付已退回" if op == "reject" else "支付已撤回"
    elif op == "refund":
        run = lambda by, c, y: command(request, app.fund.refund_payment, by, c, y, payment_id,  # noqa: E731
                                       form.get("amount", ""), form.get("reason", ""), command_id=cid)
        flash = "退款已记录"
    elif op == "erase":
        run = lambda by, c, y: command(request, app.fund.erase_payee, by, c, y, payment_id,  # noqa: E731
                                       form.get("reason", ""), command_id=cid)
        flash = "收款人个人信息已删除"
    else:
        raise NotFoundError("找不到该页面")
    back = _back_to_project(form)
    if not is_htmx(request):
        return _act(request, form, run, flash, back)
    community = community_or_404(request)
    require(may_manage_fund(me(request), community), "只有本社区的资金管理员可以进行此操作")
    year = year_param(request)
    run(_me_id(request), parse_uuid(community["id"]), year)
    return _payment_card(request, community, year, str(payment_id), on_project_page=back is not None)


def _payment_card(request: Request, community: dict, year: int, payment_id: str, on_project_page: bool) -> Response:
    svc = services(request)
    principal = me(request)
    fund = fund_or_404(request, community, year)
    payment = views.payment(svc.views, fund["id"], payment_id)
    if payment is None:
        raise NotFoundError("找不到该支付")
    context = {"project": views.project(svc.views, fund["id"], payment["project_id"])} if on_project_page else \
        {"ledger": views.ledger(svc.views, community["id"], year), "as_of": None}
    return _render(request, "fund/_payment_swap.html", p=payment, base=_base(community, year),
                   manage=may_manage_fund(principal, community) and not fund["closed"],
                   may_erase=may_manage_fund(principal, community), me_id=principal.account_id,
                   project_id=payment["project_id"] if on_project_page else None,
                   show_project=not on_project_page, **context)


def _back_to_project(form: Form) -> Callable[[str, object], str] | None:
    """Return to the project page the form came from (only a well-formed id; otherwise the ledger)."""
    raw = form.get("project_id")
    if not raw:
        return None
    pid = parse_uuid(raw, "项目")
    return lambda base, _: f"{base}/projects/{pid}"


@action
def close_year(request: Request, form: Form) -> Response:
    app = services(request).app
    return _act(request, form, lambda by, c, y: command(request, app.fund.close_year, by, c, y, command_id=_cid(form)),
                "年度已结账，资金台账已转为只读")


def as_of_link(base: str, **params: object) -> str:
    """A link with query parameters (empty ones left out)."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base}?{query}" if query else base


BASE = "/c/{community_id}/fund"
routes = [
    Route(BASE, index, name="fund_index"),
    Route(BASE + "/{year:int}/disclosure", disclosure, name="fund_disclosure"),
    Route(BASE + "/{year:int}/lines", lines, name="fund_lines"),
    Route(BASE + "/{year:int}/ledger.csv", ledger_csv, name="fund_ledger_csv"),
    Route(BASE + "/{year:int}/projects/{project_id}", project_page, methods=["GET"], name="fund_project"),
    Route(BASE + "/{year:int}/projects/{project_id}/available", available, methods=["GET"], name="fund_available"),
    Route(BASE + "/{year:int}/open", open_fund, methods=["POST"], name="fund_open"),
    Route(BASE + "/{year:int}/allocate", allocate, methods=["POST"], name="fund_allocate"),
    Route(BASE + "/{year:int}/projects/{project_id}/{op}", project_action, methods=["POST"], name="fund_project_action"),
    Route(BASE + "/{year:int}/commitments/{commitment_id}/{op}", commitment_action, methods=["POST"],
          name="fund_commitment_action"),
    Route(BASE + "/{year:int}/payments/{payment_id}/{op}", payment_action, methods=["POST"],
          name="fund_payment_action"),
    Route(BASE + "/{year:int}/close", close_year, methods=["POST"], name="fund_close"),
    Route("/s/{street_id}/funds", street, name="fund_street"),
]
