"""A tranche is released only after its milestone is accepted, by an official other than the one who accepted it;
milestones come in order (signing, mid-term evaluation, final report), the last two after the organisation reported;
a failed mid-term evaluation stops the project: later tranches are cancelled (their money returns to the pool) and a
clawback may be recorded, as new events. The final report closes the project."""
from __future__ import annotations

import pytest

from domain.grants.model import (ClawbackTooLargeError, MilestoneNotAcceptedError, MilestoneOrderError,
                                 ProjectStoppedError, ReleaseCheckError)
from domain.kernel.errors import ConflictError, NotAllowedError, NotFoundError


def test_a_tranche_waits_for_its_milestone(linli, places, case):
    application = case.awarded()
    before = linli.recorder.max_notification_id()
    with pytest.raises(MilestoneNotAcceptedError) as refused:
        linli.grants.release_tranche(case.district_official, application, 0)
    assert "签订资助协议" in refused.value.text()
    assert linli.recorder.max_notification_id() == before
    linli.grants.accept_milestone(case.street_official, application, "signing", "协议已签")
    with pytest.raises(MilestoneNotAcceptedError):
        linli.grants.release_tranche(case.district_official, application, 1)     # the mid-term's tranche
    assert linli.grants.release_tranche(case.district_official, application, 0) == 1_600_000
    with pytest.raises(ConflictError):
        linli.grants.release_tranche(case.district_official, application, 0)     # paid once
    with pytest.raises(NotFoundError):
        linli.grants.release_tranche(case.district_official, application, 3)
    assert case.call_state.released == 1_600_000


def test_who_accepted_a_milestone_does_not_release_its_tranche(linli, places, case):
    application = case.awarded()
    linli.grants.accept_milestone(case.district_official, application, "signing")
    with pytest.raises(ReleaseCheckError):
        linli.grants.release_tranche(case.district_official, application, 0)
    linli.grants.release_tranche(case.street_official, application, 0)


def test_milestones_come_in_order_after_their_reports(linli, places, case):
    application = case.awarded()
    with pytest.raises(MilestoneOrderError):
        linli.grants.accept_milestone(case.street_official, application, "midterm")
    linli.grants.accept_milestone(case.street_official, application, "signing")
    with pytest.raises(MilestoneOrderError):                       # no mid-term report yet
        linli.grants.accept_milestone(case.street_official, application, "midterm")
    with pytest.raises(ConflictError):                             # the final report comes after the mid-term
        linli.grants.submit_report(case.member, application, "final", "结项")
    linli.grants.submit_report(case.member, application, "midterm", "中期进展")
    with pytest.raises(ConflictError):
        linli.grants.submit_report(case.member2, application, "midterm", "再交一次")
    linli.grants.accept_milestone(case.street_official, application, "midterm")
    with pytest.raises(NotAllowedError):
        linli.grants.submit_report(case.other_member, application, "final", "不是本组织")
    linli.grants.submit_report(case.member2, application, "final", "结项报告")
    linli.grants.accept_milestone(case.street_official, application, "final")
    award = case.call_state.award(application)
    assert award["project"] == "closed"
    for i in range(3):
        linli.grants.release_tranche(case.district_official, application, i)   # closed: what is due is still paid
    assert case.call_state.released == 4_000_000 and case.call_state.unreleased == 0
    with pytest.raises(ConflictError):
        linli.grants.accept_milestone(case.street_official, application, "final")


def test_a_failed_midterm_stops_later_tranches_and_records_a_clawback(linli, places, case):
    application = case.signed()
    linli.grants.submit_report(case.member, application, "midterm", "进展缓慢")
    remaining_before = case.call_state.remaining
    cancelled = linli.grants.fail_midterm(case.street_official, application, "未按计划开展活动", "1,000")
    call = case.call_state
    award = call.award(application)
    assert cancelled == 2_400_000 and award["project"] == "stopped"
    assert call.awarded == 1_600_000 and call.released == 1_600_000 and call.clawed_back == 100_000
    assert call.remaining == remaining_before + 2_400_000
    assert [t["cancelled"] for t in award["tranches"]] == [False, True, True]
    with pytest.raises(ProjectStoppedError):
        linli.grants.release_tranche(case.district_official, application, 1)
    with pytest.raises(ProjectStoppedError):
        linli.grants.accept_milestone(case.street_official, application, "midterm")
    with pytest.raises(ConflictError):
        linli.grants.submit_report(case.member, application, "final", "结项")
    linli.grants.record_clawback(case.district_official, application, "15,000", "追回全部已拨付资金")
    with pytest.raises(ClawbackTooLargeError):
        linli.grants.record_clawback(case.district_official, application, "0.01", "超过已拨付")
    assert case.call_state.clawed_back == 1_600_000
    assert case.call_state.invariant_violations() == []


def test_a_clawback_larger_than_what_was_paid_is_refused_with_the_failure(linli, places, case):
    application = case.signed()
    linli.grants.submit_report(case.member, application, "midterm", "进展缓慢")
    before = linli.recorder.max_notification_id()
    with pytest.raises(ClawbackTooLargeError):
        linli.grants.fail_midterm(case.street_official, application, "未开展", "16,000.01")
    assert linli.recorder.max_notification_id() == before          # one append: the failure is not recorded either
    assert case.call_state.award(application)["project"] == "running"


def test_the_midterm_fails_only_once_signed_and_reported(linli, places, case):
    application = case.awarded()
    with pytest.raises(MilestoneOrderError):
        linli.grants.fail_midterm(case.street_official, application, "未开展")
    linli.grants.accept_milestone(case.street_official, application, "signing")
    with pytest.raises(MilestoneOrderError):
        linli.grants.fail_midterm(case.street_official, application, "未开展")
    with pytest.raises(ConflictError):
        linli.grants.record_clawback(case.street_official, application, "1", "项目未终止")


def test_only_the_calls_officials_accept_release_and_fail(linli, places, case):
    application = case.awarded()
    for outsider in (case.member, case.worker, case.reviewers[0][0]):
        with pytest.raises(NotAllowedError):
            linli.grants.accept_milestone(outsider, application, "signing")
    linli.grants.accept_milestone(case.street_official, application, "signing")
    for outsider in (case.member, case.worker):
        with pytest.raises(NotAllowedError):
            linli.grants.release_tranche(outsider, application, 0)
