"""A project's dossier as CSV for auditors: the application, every review, the award, tranches, milestones and every
event, each cell formula-safe (amounts stay numbers)."""
from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response

from domain.kernel.money import format_fen
from web.exports import csv_response
from web.grants.pages import (AWARD_STATUS_NAMES, EVENT_NAMES, MILESTONE_NAMES, PROJECT_STATUS_NAMES,
                              TRANCHE_STATUS_NAMES, DossierPage, score_text)
from web.localtime import local_time


def dossier_csv(request: Request, page: DossierPage) -> Response:
    """The dossier of one project as a download (UTF-8 with BOM)."""
    return csv_response(dossier_rows(page), f"grant-dossier-{page.a['id']}.csv", f"公益创投项目档案-{page.a['title']}.csv")


def _money(fen: int | None) -> str:
    return format_fen(int(fen)) if fen is not None else ""


def dossier_rows(page: DossierPage) -> Iterator[tuple[object, ...]]:
    """The rows: the project's head, budget, plan, reviews, award and tranches, then every event in log order."""
    a, call = page.a, page.call
    yield "项目", a["title"], "申报组织", a["org_name"], "服务社区", a["community_name"] or ""
    yield "项目征集", call["title"], "申请金额", _money(a["requested"]), "状态", a["status"]
    yield "项目简介", a["summary"]
    yield ()
    yield "预算项目", "金额"
    for b in a["budget"]:
        yield b["item"], _money(b["amount"])
    yield ()
    yield "进度节点", "完成日期"
    for p in a["plan"]:
        yield p["title"], p["due"]
    yield ()
    criteria = call["criteria"]
    yield ("评审", *[f"{c['name']}（{c['weight']}%）" for c in criteria], "加权得分",
           *[f"{c['name']} 评语" for c in criteria], "评分时间")
    for i, s in enumerate(page.scores, 1):
        who = (s["reviewer_name"] or "") if page.names else f"评审 {i}"
        yield (who, *[s["scores"].get(c["key"], "") for c in criteria], score_text(s["total"]),
               *[s["comments"].get(c["key"], "") for c in criteria], local_time(s["at"]))
    yield ()
    if page.project:
        w = page.project.award
        yield ("资助金额", _money(w["amount"]), "资助状态", AWARD_STATUS_NAMES.get(w["status"], w["status"]),
               "项目状态", PROJECT_STATUS_NAMES.get(w["project_status"] or "", ""))
        yield "已拨付", _money(w["released"]), "已取消", _money(w["cancelled"]), "已追回", _money(w["clawed_back"])
        yield "批次", "拨付条件", "比例", "金额", "状态", "拨付人", "拨付时间"
        for t in page.project.tranches:
            yield (t["idx"] + 1, MILESTONE_NAMES.get(t["requirement"], t["requirement"]), f"{t['percent']}%",
                   _money(t["amount"]), TRANCHE_STATUS_NAMES.get(t["status"], t["status"]),
                   t["released_by_name"] or "", local_time(t["released_at"]))
        yield ()
    yield "序号", "日志位置", "时间", "事项", "经办人", "金额", "说明", "理由"
    for i, e in enumerate(page.events, 1):
        yield (i, e["position"], local_time(e["at"]), EVENT_NAMES.get(f"{e['aggregate']}.{e['type']}", e["type"]),
               e["actor_name"] or ("评审" if e["type"] == "Scored" else ""), _money(e["amount"]), e["detail"],
               e["reason"])
