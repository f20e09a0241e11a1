"""The two-way feedback report through the pages: served shift and attended meeting in the report, the printable
page and CSV, the public check that shows only what the member disclosed, and what withdrawal leaves."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.web.party.builders import code_of

START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)


def serve_and_attend(site, clock, m):
    """As the worker: an action day's shift the member is checked in and out of, and a meeting they attend."""
    c = site.places.community
    day = site.post(site.worker, f"/c/{c}/volunteer/days", {"title": "清洁日", "date": "2026-05-03", "description": "",
                                                            "cutoff_hours": "2"}).headers["location"].rsplit("/", 1)[1]
    site.post(site.worker, f"/c/{c}/volunteer/days/{day}/shifts",
              {"task": "清扫楼道", "place": "3 号楼", "starts_at": "2026-05-03T09:00", "ends_at": "2026-05-03T11:00",
               "places": "3", "min_age": ""})
    shift = site.web.services.views.scalar("SELECT id FROM vol_shifts WHERE day_id = ?", (day,))
    site.post(m, f"/c/{c}/volunteer/days/{day}/shifts/{shift}/signup")
    clock.now = START
    site.post(site.worker, f"/c/{c}/volunteer/days/{day}/shifts/{shift}/attendance/{m[0]}/in")
    clock.now = START + timedelta(minutes=120)
    site.post(site.worker, f"/c/{c}/volunteer/days/{day}/shifts/{shift}/attendance/{m[0]}/out")
    meeting = site.post(site.worker, f"/c/{c}/roundtable/new", {
        "title": "加装电梯议事会", "purpose": "讨论", "starts_at": "2026-05-03T19:00", "ends_at": "2026-05-03T21:00",
        "place": "活动室", "mode": "in_person", "capacity": "10", "registration_deadline": "2026-05-03T17:00",
        "voting_rule": "simple", "quorum_percent": "50"}).headers["location"].rsplit("/", 1)[1]
    clock.now = datetime(2026, 5, 3, 10, 30, tzinfo=timezone.utc)
    assert site.post(site.worker, f"/c/{c}/roundtable/{meeting}/check-in", {"account_id": str(m[0])}).status_code == 303


def test_the_report_shows_the_shift_and_the_meeting_and_its_code_verifies(site, clock):
    m = site.members[0]
    site.register(m)
    serve_and_attend(site, clock, m)
    issued = site.post(site.worker, site.registration_path(m) + "/reports",
                       {"stint": "1", "year": "2026", "rating": "excellent", "comment": "带头清扫楼道"})
    assert issued.status_code == 303
    report = site.get(m, issued.headers["location"]).text
    for words in ("双向反馈报告", "党员0", "南京某某科技有限公司", "某某科技党委", "清扫楼道", "加装电梯议事会", "2.0 小时",
                  "优秀", "带头清扫楼道", "party.css"):
        assert words in report, words
    code = code_of(report)
    assert "加装电梯议事会" in site.get(m, site.base + "/record").text
    assert "带头清扫楼道" in site.get(m, site.base + "/record").text       # the member sees the evaluation
    public = site.get(None, f"/party/verify?code={code.lower()}")
    assert public.headers["location"].endswith(f"/party/verify/{code}")
    check = site.get(None, f"/party/verify/{code}").text
    assert "验证通过" in check and "党*" in check and "党员0" not in check
    assert "南京某某" not in check and "优秀" not in check and "2.0 小时" in check


def test_after_withdrawal_the_report_keeps_its_figures_and_loses_the_personal_parts(site, clock):
    m = site.members[0]
    site.register(m)
    serve_and_attend(site, clock, m)
    location = site.post(site.worker, site.registration_path(m) + "/reports",
                         {"stint": "1", "year": "2026", "rating": "good", "comment": "很好"}).headers["location"]
    code = code_of(site.get(m, location).text)
    street_before = site.get(site.official, f"/s/{site.places.street}/party?year=2026").text
    site.post(m, site.base + "/withdraw", {"stint": "1", "confirm": "yes"})
    report = site.get(site.worker, location).text
    assert "党员0" not in report and "南京某某" not in report and "很好" not in report and "2.0 小时" in report
    check = site.get(None, f"/party/verify/{code}").text
    assert "验证通过" in check and "党*" not in check and "个人信息不再显示" in check
    street_after = site.get(site.official, f"/s/{site.places.street}/party?year=2026").text
    assert _year_cells(street_before) == _year_cells(street_after)


def _year_cells(html: str) -> list[str]:
    """The street table's cells for the year (members during the year, active, hours, meetings, reports)."""
    row = html.split('data-community="')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    return cells[1:]   # leave out "registered now"
