"""The volunteer hours download: one row per volunteer, phones masked, through the one CSV writer."""
from __future__ import annotations

from starlette.responses import Response

from domain.kernel.text import mask_phone
from web.exports import csv_response
from web.volunteer.pages import HoursReport, hours


def hours_csv(report: HoursReport) -> Response:
    """The hours table as a spreadsheet (UTF-8 with BOM, formula-safe cells)."""
    rows = [["姓名", "手机号", "班次数", "服务时长（小时）", "开始日期", "结束日期"]]
    rows += [[r["name"], mask_phone(r["phone"]) if r["phone"] else "", r["shifts"], hours(r["minutes"]), report.start, report.end]
             for r in report.rows]
    return csv_response(rows, f"volunteer-hours-{report.start}-{report.end}.csv")
