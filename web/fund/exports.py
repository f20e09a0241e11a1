"""The ledger as CSV for auditors: totals, projects, payments, requests and every event line, as of a day."""
from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response

from domain.fund.model import (CATEGORIES, PAYEE_KINDS, PAYMENT_STATUS_NAMES, REQUEST_KIND_NAMES,
                               REQUEST_STATUS_NAMES)
from domain.kernel.money import format_fen
from projections import fund as views
from web.exports import csv_response
from web.fund.pages import FIGURE_NAMES, FIGURES, LINE_TYPE_NAMES
from web.http import services
from web.localtime import local_time
from web.places import Place


def ledger_csv(request: Request, community: Place, year: int, fund: dict, as_of: str | None,
               today: str) -> Response:
    """The year's ledger (as of a day) as a download; every cell formula-safe, amounts still numbers."""
    name = f"fund-{year}" + (f"-as-of-{as_of}" if as_of else "") + ".csv"
    return csv_response(ledger_rows(request, community, year, fund, as_of, today), name,
                        f"{community.name}专项资金台账-{year}.csv")


def ledger_rows(request: Request, community: Place, year: int, fund: dict, as_of: str | None,
                today: str) -> Iterator[tuple[object, ...]]:
    """The rows of the ledger CSV: its head, totals, projects, payments, requests, then every event line."""
    db = services(request).views
    ledger = views.ledger(db, community.id, year, as_of)
    yield "社区", community.name, "年度", year, "截至", as_of or today
    yield tuple(FIGURE_NAMES[f] for f in FIGURES)
    yield tuple(format_fen(ledger["totals"][f]) for f in FIGURES)
    yield ()
    yield "项目", "类别", "依据决议", "已分配", "已预留", "待审核", "已支付", "项目可用"
    for p in ledger["projects"]:
        yield (p["title"], CATEGORIES.get(p["category"], p["category"]), p["resolution_title"],
               *[format_fen(p[f]) for f in ("allocated", "committed", "pending", "paid", "free")])
    yield ()
    yield "支付日期", "项目", "收款方", "收款方类型", "金额", "已退款", "状态", "用途", "票据编号", "录入人", "审核人"
    for p in views.payments_as_of(db, fund["id"], as_of):
        yield (p["paid_on"], p["project_title"], p["payee"], PAYEE_KINDS.get(p["payee_kind"], ""),
               format_fen(p["amount"]), format_fen(p["refunded"]), PAYMENT_STATUS_NAMES.get(p["status"], p["status"]),
               p["description"], p["receipt_ref"], p["maker_name"], p["checker_name"])
    yield ()
    yield "申请日期", "申请", "项目", "支付票据编号", "金额", "理由", "状态", "申请人", "审核人", "驳回理由"
    for r in views.requests_as_of(db, fund["id"], as_of):
        yield (r["requested_day"], REQUEST_KIND_NAMES.get(r["kind"], r["kind"]), r["project_title"],
               r["receipt_ref"] or "", format_fen(r["amount"]), r["reason"],
               REQUEST_STATUS_NAMES.get(r["status"], r["status"]), r["requester_name"], r["checker_name"],
               r["decision_reason"])
    yield ()
    yield ("序号", "日志位置", "时间", "事件", "项目", "金额", "预算变化", "分配变化", "预留变化", "待审核变化", "支付变化",
           "经办人", "理由")
    for line in views.lines(db, fund["id"], as_of=as_of, limit=100_000):
        yield (line["version"], line["position"], local_time(line["at"]), LINE_TYPE_NAMES.get(line["type"], line["type"]),
               line["project_title"], format_fen(line["amount"]),
               *[format_fen(line[f"d_{f}"]) for f in ("budget", "allocated", "committed", "pending", "paid")],
               line["actor_name"], line["reason"])
