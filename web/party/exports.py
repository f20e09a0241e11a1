"""The feedback report as a CSV for the workplace Party organisation, through the one formula-safe CSV writer."""
from __future__ import annotations

from starlette.responses import Response

from web.exports import csv_response
from web.localtime import local_time
from web.party.pages import ITEM_NAMES, RATING_NAMES, ReportPage, hours


def report_csv(page: ReportPage) -> Response:
    """The report's fields, then one row per counted item (UTF-8 with BOM, every cell formula-safe)."""
    r, d, f = page.report, page.details, page.report["figures"]
    rows = [
        ["在职党员到社区报到 · 双向反馈报告", ""],
        ["报告编号", r["serial"]], ["验证码", r["code"]], ["社区", r["community_name"]], ["年度", r["year"]],
        ["党员姓名", page.name], ["工作单位", d.get("unit", "")], ["所在单位党组织", d.get("org_name", "")],
        ["联系人", d.get("org_contact", "")], ["联系电话", d.get("org_phone", "")], ["报到确认日期", r["registered_on"]],
        ["志愿服务班次", f["shifts"]], ["志愿服务时长（小时）", hours(f["shift_minutes"])], ["其中时长经更正的班次", f["corrected"]],
        ["参加议事会（次）", f["meetings"]], ["提出议题（个）", f["agenda_items"]], ["社区服务（次）", f["tasks"]],
        ["社区服务时长（小时）", hours(f["task_minutes"])], ["服务时长合计（小时）", hours(f["minutes"])],
        ["社区评价", RATING_NAMES.get(r["rating"] or "", "")], ["评价意见", r["comment"]],
        ["出具日期", local_time(r["issued_at"], "%Y-%m-%d")], [],
        ["日期", "类别", "内容", "时长（小时）", "备注"],
    ]
    rows += [[i["date"], ITEM_NAMES.get(i["kind"], i["kind"]), i["title"],
              hours(i["minutes"]) if i["kind"] in ("shift", "task") else "", "时长经更正" if i["corrected"] else ""]
             for i in r["items"]]
    return csv_response(rows, f"party-report-{r['serial']}.csv", f"双向反馈报告-{r['serial']}.csv")
