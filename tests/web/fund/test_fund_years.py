"""The fund's "open the year" button is shown for this year and next only, and the POST agrees: a past year's fund
is refused with a 409 and nothing is recorded."""
from __future__ import annotations

from domain.kernel import roles
from tests.builders import web_person
from tests.web.builders import as_user


def test_a_fund_manager_opens_this_and_next_year_never_a_past_one(web, places):
    manager = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")
    as_user(web, manager)
    base = f"/c/{places.community}/fund"
    for year, shown in ((2025, False), (2026, True), (2027, True), (2028, False)):
        page = web.get(base, params={"year": year})
        assert (f"开启 {year} 年度资金" in page.text) is shown, year
        before = web.services.app.recorder.max_notification_id()
        answer = web.post_form(f"{base}/{year}/open", {"command_id": f"open-{year}"})
        if shown:
            assert answer.status_code == 303
        else:
            assert answer.status_code == 409 and "只能开启今年或明年的年度资金" in answer.text
            assert web.services.app.recorder.max_notification_id() == before
