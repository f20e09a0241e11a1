"""A member of an approved organisation drafts (saved as often as needed) and submits an application: project,
community served, budget lines, requested amount (never above the maximum), plan and team (sealed). Submission closes
at the deadline, Asia/Shanghai."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.grants.model import (Application, ApplicationIncompleteError, ApplicationStateError,
                                 OrganisationNotApprovedError, RequestTooLargeError, WindowClosedError)
from domain.kernel.errors import InvalidInputError, NotAllowedError
from tests.domain.grants.builders import CODE_C, person


def test_a_draft_saves_again_and_again_then_submits(linli, places, case):
    application = linli.grants.save_draft(case.member, case.call, case.org, places.community, "长者助餐")
    assert linli.grants.application(application).status == "draft"
    case.app.grants.save_draft(case.member2, case.call, case.org, places.other_community, "长者助餐（修改）",
                               "送餐", "30,000", (["餐费"], ["30,000"]), (["启动"], ["2026-06-01"]),
                               (["钱干事"], ["负责人"]), application_id=application)
    a = linli.grants.application(application)
    assert (a.title, a.requested, a.community_id, a.team_size) == ("长者助餐（修改）", 3_000_000,
                                                                  places.other_community, 1)
    linli.grants.submit_application(case.member, application)
    assert linli.grants.application(application).status == "submitted"
    with pytest.raises(ApplicationStateError):
        linli.grants.save_draft(case.member, case.call, case.org, places.community, "再改", application_id=application)


def test_the_team_is_sealed_under_the_applications_own_key(linli, places, case):
    application = case.draft()
    drafted = next(e for e in linli.repository.event_store.get(application) if isinstance(e, Application.Drafted))
    assert "郑会长" not in drafted.team
    assert linli.grants.team(application) == [{"name": "郑会长", "role": "负责人"}, {"name": "王社工", "role": "执行"}]
    linli.grants.erase_team(case.member, application, "成员要求删除")
    assert linli.grants.team(application) is None and linli.sealer.keys.get(application) is None
    with pytest.raises(ApplicationIncompleteError):   # the team is gone: give it again before submitting
        linli.grants.submit_application(case.member, application)


def test_requests_above_the_maximum_are_refused_also_in_a_draft(linli, places, case):
    with pytest.raises(RequestTooLargeError):
        linli.grants.save_draft(case.member, case.call, case.org, places.community, "太多", requested="50,000.01")
    application = case.draft(requested="50,000")
    assert linli.grants.application(application).requested == 5_000_000


def test_the_request_may_not_exceed_the_budget(linli, places, case):
    application = linli.grants.save_draft(case.member, case.call, case.org, places.community, "长者助餐", "送餐",
                                          "40,000", (["餐费"], ["30,000"]), (["启动"], ["2026-06-01"]),
                                          (["郑会长"], ["负责人"]))
    with pytest.raises(InvalidInputError) as refused:
        linli.grants.submit_application(case.member, application)
    assert "预算合计" in refused.value.text()


def test_an_incomplete_draft_does_not_submit(linli, places, case):
    application = linli.grants.save_draft(case.member, case.call, case.org, places.community, "只有名称")
    with pytest.raises(ApplicationIncompleteError) as refused:
        linli.grants.submit_application(case.member, application)
    assert "项目简介" in refused.value.text() and "预算" in refused.value.text()


@pytest.mark.parametrize("when, accepted", [
    (datetime(2026, 5, 31, 8, 59, 59, tzinfo=timezone.utc), True),    # 16:59:59 in Shanghai
    (datetime(2026, 5, 31, 9, 0, tzinfo=timezone.utc), False),        # 17:00 in Shanghai: closed
    (datetime(2026, 6, 2, 0, 0, tzinfo=timezone.utc), False),
])
def test_submission_closes_at_the_deadline_shanghai_time(linli, places, clock, case, when, accepted):
    application = case.draft()
    clock.now = when
    if accepted:
        linli.grants.submit_application(case.member, application)
        assert linli.grants.application(application).status == "submitted"
    else:
        before = linli.recorder.max_notification_id()
        with pytest.raises(WindowClosedError) as refused:
            linli.grants.submit_application(case.member, application)
        assert "2026-05-31 17:00" in refused.value.text()
        assert linli.recorder.max_notification_id() == before


def test_after_the_deadline_no_draft_is_saved_either(linli, places, clock, case):
    clock.now = datetime(2026, 6, 1, 0, 0, tzinfo=timezone.utc)
    with pytest.raises(WindowClosedError):
        case.draft()


def test_before_the_window_opens_drafts_save_but_nothing_submits(linli, places, clock, case):
    call = linli.grants.open_call(case.district_official, places.street, None, "下半年", "儿童", "100,000", "20,000",
                                  "2026-07-01 08:00", "2026-07-31 17:00", (["设计"], ["100"]), (["final"], ["100"]))
    application = linli.grants.save_draft(case.member, call, case.org, places.community, "四点半课堂", "课后托管",
                                          "20,000", (["教材"], ["20,000"]), (["开班"], ["2026-09-01"]),
                                          (["郑会长"], ["负责人"]))
    with pytest.raises(WindowClosedError):
        linli.grants.submit_application(case.member, application)


def test_only_members_of_an_approved_organisation_apply(linli, places, case):
    with pytest.raises(NotAllowedError):
        case.draft(by=case.other_member)            # a member of another organisation
    with pytest.raises(NotAllowedError):
        case.draft(by=case.street_official)
    founder, _ = person(linli, "新组织")
    pending = linli.grants.register_organisation(founder, "待审组织", CODE_C, "foundation", places.street, "王联系",
                                                 "13911112222")
    with pytest.raises(OrganisationNotApprovedError):
        case.draft(org=pending, by=founder)
    application = case.draft()
    with pytest.raises(NotAllowedError):
        linli.grants.submit_application(case.other_member, application)


def test_the_community_served_is_in_the_calls_scope(linli, places, case):
    other_street = linli.accounts.found_street("320106002", "湖南路街道", places.district)
    elsewhere = linli.accounts.found_community("320106002001", "马台街社区", other_street)
    with pytest.raises(InvalidInputError):
        case.draft(community=elsewhere)
