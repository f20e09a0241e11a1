"""Published pages say which point of the record they were drawn from (记录位置 N · 摘要 …): the fund's disclosure,
a volunteer certificate and its public check, a grant award. The digest is the place's chain there, so an export
verifies against it; the certificate says how its hours came about, the reasons only to its holder."""
from __future__ import annotations

import re
from datetime import timedelta

from domain.kernel import roles
from projections import chain as chain_views
from tests.builders import web_person
from tests.domain.builders import YEAR, make_resolution
from tests.domain.grants.builders import grants_case
from tests.projections.builders import DAY, START
from tests.web.builders import as_user

STAMP = re.compile(r"记录位置 (\d+) · 摘要 ([0-9a-f]{16})…")


def stamp_on(html: str) -> tuple[int, str]:
    found = STAMP.search(html)
    assert found, "no stamp on the page"
    assert "verify_linli.py" in html and "--expect" in html
    return int(found.group(1)), found.group(2)


def test_the_fund_disclosure_names_the_record_its_figures_follow_from(web, places):
    app = web.services.app
    maker = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")[0]
    checker = web_person(web, roles.FUND_MANAGER, places.community, "钱出纳")[0]
    project = app.fund.allocate(maker, places.community, YEAR, make_resolution(app, places.community), "楼道扶手",
                                "elderly", "10,000")
    payment = app.fund.record_payment(maker, places.community, YEAR, project, None, "1,000", "organisation", "某公司",
                                      "2026-05-01", "材料", "FP-1")
    app.fund.approve_payment(checker, places.community, YEAR, payment)
    web.services.runner.catch_up()
    position, short = stamp_on(web.get(f"/c/{places.community}/fund/{YEAR}/disclosure").text)
    latest = chain_views.stamp(web.services.views, str(places.community))
    assert (position, short) == (latest.position, latest.short)   # the approval is the community's latest event


def test_a_certificate_shows_how_its_hours_came_about_and_the_public_check_never_the_reason(web, places, worker,
                                                                                             clock):
    app = web.services.app
    day = app.volunteer.create_action_day(worker[0], places.community, None, "社区清洁日", "打扫楼道", DAY)
    shift = app.volunteer.add_shift(worker[0], day, "清扫楼道", "3 号楼", START, START + timedelta(hours=2), 3)
    resident = web_person(web, None, places.community, "王小明")
    app.volunteer.sign_up_for_shift(resident[0], day, shift)
    clock.now = START
    app.volunteer.check_in(worker[0], day, shift, resident[0])
    clock.now = START + timedelta(hours=2)
    app.volunteer.correct_hours(worker[0], day, shift, resident[0], 90, "忘记签退，按实际离开时间补记")
    issued = app.volunteer.issue_certificate(resident[0], places.community, "2026")
    web.services.runner.catch_up()
    as_user(web, resident)
    page = web.get(f"/c/{places.community}/volunteer/certificates/{issued['serial']}").text
    assert "经工作人员更正" in page and "未签退" in page and "忘记签退，按实际离开时间补记" in page
    assert "依据签到签退记录和工作人员的更正计算" in page
    position, short = stamp_on(page)
    web.logout()
    check = web.get(f"/verify/{issued['code']}").text
    assert "验证通过" in check and "经工作人员更正" in check and "签到签退 0.0 小时 · 经工作人员更正 1.5 小时" in check
    assert "忘记签退" not in check
    assert stamp_on(check) == (position, short)
    issue = chain_views.stamp_of_event(web.services.views, issued["certificate_id"], 2)
    assert (issue.position, issue.short) == (position, short)


def test_a_grant_award_names_the_record_of_its_call(web, places):
    case = grants_case(web.services.app, places)
    application = case.awarded()
    web.services.runner.catch_up()
    position, short = stamp_on(web.get(f"/grants/projects/{application}").text)
    call = chain_views.stamp_of_aggregate(web.services.views, case.call)
    assert (position, short) == (call.position, call.short) and call.place_id == str(places.street)
