"""The community fund tab (为民服务专项资金): the public disclosure, the staff ledger with drill-down and "as of",
one route per maker/checker action (payments; refunds, allocation increases and payee erasures asked for by one fund
manager and approved or rejected by another), the CSV export and the street's side-by-side view.

The acting person always comes from the session, never from the form; the use cases check the fund manager role
and maker ≠ checker again."""
from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.fund import policies
from web import asof
from web.fund import exports, pages
from web.http import Form, action, me, page, parse_uuid, render, require, respond, services, url_for
from web.localtime import local_today
from web.places import Place, community_or_404, street_or_404

MANAGERS_ONLY = "只有本社区的资金管理员可以进行此操作"
READ_MODELS = ("fund",)   # what the fund's pages as of a moment are drawn from


def _render(request: Request, template: str, **context) -> Response:
    return render(request, template, tab="fund", **pages.NAMES, **context)


def _readable_fund(request: Request, allowed=policies.may_read_ledger,
                   message: str = "您没有权限访问此页面") -> tuple[Place, int, dict]:
    """The community, year and fund a page names, once `allowed(me, community)` says the reader may see it."""
    community = community_or_404(request)
    require(allowed(me(request), community), message)
    year = pages.year_param(request)
    return community, year, pages.fund_or_404(request, community, year)


def _managed(request: Request) -> tuple[Place, int]:
    """The community and year of a fund manager's action."""
    community = community_or_404(request)
    require(policies.may_manage_fund(me(request), community), MANAGERS_ONLY)
    return community, pages.year_param(request)


def _who(request: Request, community: Place) -> tuple[UUID, UUID]:
    """Who acts (from the session) and for which community: the first arguments of every fund use case."""
    return parse_uuid(me(request).account_id), parse_uuid(community.id)


def _ledger_url(request: Request, community: Place, year: int) -> str:
    return url_for(request, "fund_index", query={"year": year}, community_id=community.id)


def _project_url(request: Request, community: Place, year: int, project_id: object) -> str:
    return url_for(request, "fund_project", community_id=community.id, year=year, project_id=project_id)


def _form_project(form: Form) -> UUID | None:
    """The project page a form was sent from (only a well-formed id; none: the ledger)."""
    raw = form.get("project_id")
    return parse_uuid(raw, "项目") if raw else None


def _back(request: Request, community: Place, year: int, project_id: UUID | None) -> str:
    return _project_url(request, community, year, project_id) if project_id else _ledger_url(request, community, year)


def _refusal(request: Request, message: str) -> Response:
    """The alert an htmx form shows instead of the card (`respond` gives it the refusal's own status)."""
    return render(request, "errors/_message.html", message=message)


# --- pages ---------------------------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    """The ledger for staff; everyone else sees the public disclosure. With `?as_of=` (a day, or a minute) as it
    stood then; an `?as_of=` that is neither shows it now, as it always did."""
    community = community_or_404(request)
    year = pages.year_param(request)

    def draw() -> Response:
        if not policies.may_read_ledger(me(request), community):
            return _render(request, "fund/disclosure.html", community=community,
                           page=pages.disclosure_page(request, community, year))
        return _render(request, "fund/index.html", community=community,
                       page=pages.ledger_page(request, community, year))
    return asof.rendered(request, community, READ_MODELS, draw, strict=False)


@page(public=True)
def disclosure(request: Request) -> Response:
    """公示: projects, the resolution behind each, payments by month and the charts; no login needed. Now, or
    (`?as_of=`) as it stood then."""
    community = community_or_404(request)
    year = pages.year_param(request)
    return asof.rendered(request, community, READ_MODELS, lambda: _render(
        request, "fund/disclosure.html", community=community, page=pages.disclosure_page(request, community, year)))


@page
def lines(request: Request) -> Response:
    """The events behind one figure (of one project), as of a day."""
    community, year, fund = _readable_fund(request)
    raw_project = request.query_params.get("project") or None
    project_id = parse_uuid(raw_project, "项目") if raw_project else None
    return _render(request, "fund/lines.html", community=community, page=pages.lines_page(
        request, community, year, fund, request.query_params.get("figure"), project_id))


@page
def project(request: Request) -> Response:
    """One project: its figures, commitments and payments, and the forms to act on them."""
    community, year, fund = _readable_fund(request)
    project_id = parse_uuid(request.path_params["project_id"], "项目")
    return _render(request, "fund/project.html", community=community,
                   page=pages.project_page(request, community, year, fund, project_id))


@page
def available(request: Request) -> Response:
    """A fragment for the payment form: what the project (or the chosen commitment) can still pay, and what an
    amount being typed would leave."""
    community, year, fund = _readable_fund(request, policies.may_manage_fund, MANAGERS_ONLY)
    project_id = parse_uuid(request.path_params["project_id"], "项目")
    raw_commitment = request.query_params.get("commitment_id")
    commitment_id = parse_uuid(raw_commitment, "预留") if raw_commitment else None
    return _render(request, "fund/_available.html", available=pages.available(
        request, fund, project_id, commitment_id, request.query_params.get("amount", "")))


@page
def ledger_csv(request: Request) -> Response:
    """The ledger as CSV (UTF-8 with BOM for Excel): totals, projects, payments and every event."""
    community, year, fund = _readable_fund(request)
    return exports.ledger_csv(request, community, year, fund, pages.as_of_param(request),
                              local_today(request).isoformat())


@page
def street(request: Request) -> Response:
    """All communities of a street, their funds side by side."""
    place = street_or_404(request)
    require(policies.may_see_street_funds(me(request), place))
    return _render(request, "fund/street.html", page=pages.street_page(request, place, pages.year_param(request)))


# --- the year ------------------------------------------------------------------------------------------
@action
def open_fund(request: Request, form: Form) -> Response:
    """Open the year's fund."""
    community, year = _managed(request)
    return respond(request, form, services(request).app.fund.open_fund, *_who(request, community), year,
                   done="年度资金已开启", to=_ledger_url(request, community, year))


@action
def allocate(request: Request, form: Form) -> Response:
    """Allocate to a new project against a passed resolution; then its page."""
    community, year = _managed(request)
    return respond(request, form, services(request).app.fund.allocate, *_who(request, community), year,
                   parse_uuid(form.get("resolution_id"), "决议"), form.get("title", ""), form.get("category", ""),
                   form.get("amount", ""), done="已分配资金",
                   to=lambda project_id: _project_url(request, community, year, project_id))


@action
def close_year(request: Request, form: Form) -> Response:
    """Close the year: the ledger becomes read-only."""
    community, year = _managed(request)
    return respond(request, form, services(request).app.fund.close_year, *_who(request, community), year,
                   done="年度已结账，资金台账已转为只读", to=_ledger_url(request, community, year))


# --- a project ------------------------------------------------------------------------------------------
def _on_project(request: Request, form: Form, use_case, *args: object, done: str) -> Response:
    """Run a use case on the project in the path, then back to its page."""
    project_id = parse_uuid(request.path_params["project_id"], "项目")
    community, year = _managed(request)
    return respond(request, form, use_case, *_who(request, community), year, project_id, *args, done=done,
                   to=_project_url(request, community, year, project_id))


@action
def commit(request: Request, form: Form) -> Response:
    """Reserve project money for a contract or purchase."""
    return _on_project(request, form, services(request).app.fund.commit, form.get("amount", ""),
                       form.get("description", ""), done="已预留资金")


@action
def pay(request: Request, form: Form) -> Response:
    """Record a payment (the maker); it waits for another fund manager."""
    project_id = parse_uuid(request.path_params["project_id"], "项目")
    community, year = _managed(request)
    raw_commitment = form.get("commitment_id") or None
    return respond(request, form, services(request).app.fund.record_payment, *_who(request, community), year,
                   project_id, parse_uuid(raw_commitment, "预留") if raw_commitment else None, form.get("amount", ""),
                   form.get("payee_kind", ""), form.get("payee", ""), form.get("paid_on", ""),
                   form.get("description", ""), form.get("receipt_ref", ""),
                   done="支付已录入，等待另一位资金管理员审核", to=_project_url(request, community, year, project_id))


@action
def increase(request: Request, form: Form) -> Response:
    """Ask to add to the project's allocation, saying why; another fund manager decides."""
    return _on_project(request, form, services(request).app.fund.request_increase, form.get("amount", ""),
                       form.get("reason", ""), done="追加分配申请已提交，等待另一位资金管理员审核")


@action
def reduce(request: Request, form: Form) -> Response:
    """Return part of the project's free money to the budget, saying why."""
    return _on_project(request, form, services(request).app.fund.reduce_allocation, form.get("amount", ""),
                       form.get("reason", ""), done="已更正分配金额")


# --- a commitment -----------------------------------------------------------------------------------------
def _on_commitment(request: Request, form: Form, use_case, done: str) -> Response:
    """Run a use case on the commitment in the path (with the form's reason), then back where the form was."""
    commitment_id = parse_uuid(request.path_params["commitment_id"], "预留")
    back_to = _form_project(form)
    community, year = _managed(request)
    return respond(request, form, use_case, *_who(request, community), year, commitment_id, form.get("reason", ""),
                   done=done, to=_back(request, community, year, back_to))


@action
def release(request: Request, form: Form) -> Response:
    """Close a commitment, giving what is left of it back to its project."""
    return _on_commitment(request, form, services(request).app.fund.release_commitment, done="预留已释放")


@action
def cancel(request: Request, form: Form) -> Response:
    """Cancel a commitment nothing was paid against."""
    return _on_commitment(request, form, services(request).app.fund.cancel_commitment, done="预留已取消")


# --- a payment: without JS POST → 303; with htmx the payment's card again (and the page's figures) ---------
def _on_payment(request: Request, form: Form, use_case, *args: object, done: str) -> Response:
    """Run a use case on the payment in the path; answer with its card (htmx) or a 303 to where the form was."""
    payment_id = parse_uuid(request.path_params["payment_id"], "支付")
    back_to = _form_project(form)
    community, year = _managed(request)

    def card(message: str, failed: bool) -> Response:
        if failed:
            return _refusal(request, message)
        return _render(request, "fund/_payment_swap.html", community=community,
                       card=pages.payment_card(request, community, year, payment_id, back_to is not None))
    return respond(request, form, use_case, *_who(request, community), year, payment_id, *args, done=done,
                   to=_back(request, community, year, back_to), fragment=card, refusal_status=True)


@action
def approve(request: Request, form: Form) -> Response:
    """A second fund manager approves a pending payment (the checker)."""
    return _on_payment(request, form, services(request).app.fund.approve_payment, done="支付已审核通过")


@action
def reject(request: Request, form: Form) -> Response:
    """A second fund manager sends a pending payment back, saying why."""
    return _on_payment(request, form, services(request).app.fund.reject_payment, form.get("reason", ""),
                       done="支付已退回")


@action
def void(request: Request, form: Form) -> Response:
    """The maker withdraws their own pending payment, saying why."""
    return _on_payment(request, form, services(request).app.fund.void_payment, form.get("reason", ""),
                       done="支付已撤回")


@action
def refund(request: Request, form: Form) -> Response:
    """Ask for money to come back from a paid payment, saying why; another fund manager decides."""
    return _on_payment(request, form, services(request).app.fund.request_refund, form.get("amount", ""),
                       form.get("reason", ""), done="退款申请已提交，等待另一位资金管理员审核")


@action
def erase(request: Request, form: Form) -> Response:
    """Erase the individual payee of a payment that never paid, for good; the amounts stay."""
    return _on_payment(request, form, services(request).app.fund.erase_payee, form.get("reason", ""),
                       done="收款人个人信息已删除")


@action
def request_erasure(request: Request, form: Form) -> Response:
    """Ask to erase the individual payee of a paid payment, saying why; another fund manager decides."""
    return _on_payment(request, form, services(request).app.fund.request_payee_erasure, form.get("reason", ""),
                       done="删除申请已提交，等待另一位资金管理员审核")


# --- a request (refund, increase, erasure): decided by a fund manager other than who asked -------------------
def _on_request(request: Request, form: Form, param: str, use_case, *args: object, done: str) -> Response:
    """Decide the request in the path; answer with its card (htmx) or a 303 to where the form was."""
    request_id = parse_uuid(request.path_params[param], "申请")
    back_to = _form_project(form)
    community, year = _managed(request)

    def card(message: str, failed: bool) -> Response:
        if failed:
            return _refusal(request, message)
        return _render(request, "fund/_request_swap.html", community=community,
                       card=pages.request_card(request, community, year, request_id, back_to is not None))
    return respond(request, form, use_case, *_who(request, community), year, request_id, *args, done=done,
                   to=_back(request, community, year, back_to), fragment=card, refusal_status=True)


@action
def approve_refund(request: Request, form: Form) -> Response:
    """Another fund manager approves a refund: only now does the money come back."""
    return _on_request(request, form, "refund_id", services(request).app.fund.approve_refund, done="退款已审核通过")


@action
def reject_refund(request: Request, form: Form) -> Response:
    """Another fund manager turns a refund down, saying why."""
    return _on_request(request, form, "refund_id", services(request).app.fund.reject_refund, form.get("reason", ""),
                       done="退款申请已驳回")


@action
def approve_increase(request: Request, form: Form) -> Response:
    """Another fund manager approves an allocation increase: only now is it allocated."""
    return _on_request(request, form, "increase_id", services(request).app.fund.approve_increase,
                       done="追加分配已审核通过")


@action
def reject_increase(request: Request, form: Form) -> Response:
    """Another fund manager turns an allocation increase down, saying why."""
    return _on_request(request, form, "increase_id", services(request).app.fund.reject_increase,
                       form.get("reason", ""), done="追加分配申请已驳回")


@action
def approve_erasure(request: Request, form: Form) -> Response:
    """Another fund manager approves erasing a paid payment's payee: the name is gone for good."""
    return _on_request(request, form, "erasure_id", services(request).app.fund.approve_payee_erasure,
                       done="收款人个人信息已删除")


@action
def reject_erasure(request: Request, form: Form) -> Response:
    """Another fund manager turns an erasure down, saying why."""
    return _on_request(request, form, "erasure_id", services(request).app.fund.reject_payee_erasure,
                       form.get("reason", ""), done="删除申请已驳回")


YEAR = "/c/{community_id}/fund/{year:int}"
PROJECT = YEAR + "/projects/{project_id}"
routes = [
    Route("/c/{community_id}/fund", index, name="fund_index"),
    Route(YEAR + "/disclosure", disclosure, name="fund_disclosure"),
    Route(YEAR + "/lines", lines, name="fund_lines"),
    Route(YEAR + "/ledger.csv", ledger_csv, name="fund_ledger_csv"),
    Route(PROJECT, project, methods=["GET"], name="fund_project"),
    Route(PROJECT + "/available", available, methods=["GET"], name="fund_available"),
    Route(YEAR + "/open", open_fund, methods=["POST"], name="fund_open"),
    Route(YEAR + "/allocate", allocate, methods=["POST"], name="fund_allocate"),
    Route(PROJECT + "/commit", commit, methods=["POST"], name="fund_commit"),
    Route(PROJECT + "/pay", pay, methods=["POST"], name="fund_pay"),
    Route(PROJECT + "/increase", increase, methods=["POST"], name="fund_increase"),
    Route(PROJECT + "/reduce", reduce, methods=["POST"], name="fund_reduce"),
    Route(YEAR + "/commitments/{commitment_id}/release", release, methods=["POST"], name="fund_release"),
    Route(YEAR + "/commitments/{commitment_id}/cancel", cancel, methods=["POST"], name="fund_cancel"),
    Route(YEAR + "/payments/{payment_id}/approve", approve, methods=["POST"], name="fund_approve"),
    Route(YEAR + "/payments/{payment_id}/reject", reject, methods=["POST"], name="fund_reject"),
    Route(YEAR + "/payments/{payment_id}/void", void, methods=["POST"], name="fund_void"),
    Route(YEAR + "/payments/{payment_id}/refund", refund, methods=["POST"], name="fund_refund"),
    Route(YEAR + "/payments/{payment_id}/erase", erase, methods=["POST"], name="fund_erase"),
    Route(YEAR + "/payments/{payment_id}/erasure", request_erasure, methods=["POST"], name="fund_request_erasure"),
    Route(YEAR + "/refunds/{refund_id}/approve", approve_refund, methods=["POST"], name="fund_approve_refund"),
    Route(YEAR + "/refunds/{refund_id}/reject", reject_refund, methods=["POST"], name="fund_reject_refund"),
    Route(YEAR + "/increases/{increase_id}/approve", approve_increase, methods=["POST"], name="fund_approve_increase"),
    Route(YEAR + "/increases/{increase_id}/reject", reject_increase, methods=["POST"], name="fund_reject_increase"),
    Route(YEAR + "/erasures/{erasure_id}/approve", approve_erasure, methods=["POST"], name="fund_approve_erasure"),
    Route(YEAR + "/erasures/{erasure_id}/reject", reject_erasure, methods=["POST"], name="fund_reject_erasure"),
    Route(YEAR + "/close", close_year, methods=["POST"], name="fund_close"),
    Route("/s/{street_id}/funds", street, name="fund_street"),
]
