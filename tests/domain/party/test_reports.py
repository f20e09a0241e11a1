"""The two-way feedback report: figures from a replay of the log, a keyed code, a public check showing only what
the member agreed to disclose, revisions, and what a withdrawal leaves."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from uuid import UUID

import pytest

from domain.kernel.errors import InvalidInputError, NotAllowedError
from domain.party.model import FeedbackReport, RatingError, Registration
from tests.builders import make_worker
from tests.domain.party.builders import START, consent, meeting, register, serve, shift_day, submit


@pytest.fixture
def served(linli, places, clock, worker, resident):
    """A confirmed member who served a 90-minute shift and attended a meeting."""
    stint = register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, resident, day, shift, minutes=90)
    m = meeting(linli, clock, worker, places.community, START + timedelta(hours=10))
    clock.now = START + timedelta(hours=9, minutes=30)
    linli.roundtable.check_in(worker, m, resident)
    return stint, day, shift


def issue(linli, places, worker, resident, stint, rating="good", comment="积极参加楼道清洁，王党员表现突出"):
    return linli.party.issue_report(worker, places.community, Registration.id_for(resident), stint, "2026", rating,
                                    comment)


def test_a_report_states_what_the_events_say_and_verifies(linli, places, worker, resident, served):
    issued = issue(linli, places, worker, resident, served[0])
    assert re.fullmatch(r"DYBD-320106001001-2026-[0-9A-F]{8}-01", issued["serial"])
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", issued["code"])
    report = linli.repository.get(UUID(issued["report_id"]))
    event = report.issues[0]
    assert event["figures"]["shift_minutes"] == 90 and event["figures"]["meetings"] == 1
    assert event["registered_on"] == "2026-05-01"
    assert "王党员" not in json.dumps(event["evaluation"], ensure_ascii=False)
    check = linli.party.verify_report(report.id, issued["code"])
    assert check.found and check.matches_events and check.revision == check.latest_revision == 1
    assert check.masked_name == "王**" and check.unit == "" and check.rating is None   # not disclosed
    assert check.figures["minutes"] == 90
    assert not linli.party.verify_report(report.id, "AAAA-BBBB-CCCC").found


def test_a_later_correction_makes_the_check_say_the_record_changed(linli, places, worker, resident, served):
    stint, day, shift = served
    issued = issue(linli, places, worker, resident, stint)
    linli.volunteer.correct_hours(worker, day, shift, resident, 120, "核实后更正")
    check = linli.party.verify_report(UUID(issued["report_id"]), issued["code"])
    assert check.found and not check.matches_events and check.current_figures["shift_minutes"] == 120


def test_a_reissue_is_a_new_revision_and_the_old_code_says_superseded(linli, places, worker, resident, served):
    first = issue(linli, places, worker, resident, served[0])
    second = issue(linli, places, worker, resident, served[0], rating="excellent")
    assert second["serial"].endswith("-02") and second["code"] != first["code"]
    old = linli.party.verify_report(UUID(first["report_id"]), first["code"])
    assert old.found and old.revision == 1 and old.latest_revision == 2


def test_after_withdrawal_the_serial_still_verifies_without_personal_details(linli, places, worker, resident, served):
    issued = issue(linli, places, worker, resident, served[0])
    linli.party.withdraw(resident, places.community)
    check = linli.party.verify_report(UUID(issued["report_id"]), issued["code"])
    assert check.found and check.matches_events and not check.readable
    assert check.masked_name == "" and check.figures["minutes"] == 90


def test_the_member_chooses_what_the_check_discloses(linli, places, clock, worker, resident):
    stint = consent(linli, resident, places.community)
    submit(linli, resident, places.community, stint, disclose=["unit", "evaluation"])
    linli.party.confirm_registration(worker, places.community, Registration.id_for(resident), stint)
    issued = issue(linli, places, worker, resident, stint, rating="excellent")
    check = linli.party.verify_report(UUID(issued["report_id"]), issued["code"])
    assert (check.masked_name, check.unit, check.rating, check.figures) == ("", "南京某某科技有限公司", "excellent", {})


@pytest.mark.parametrize("year, rating, error", [("2027", None, InvalidInputError), ("2025", None, InvalidInputError),
                                                 ("26", None, InvalidInputError), ("2026", "great", RatingError)])
def test_bad_years_and_ratings_are_refused(linli, places, worker, resident, served, year, rating, error):
    with pytest.raises(error):
        linli.party.issue_report(worker, places.community, Registration.id_for(resident), served[0], year, rating, "")
    assert linli.find(FeedbackReport, FeedbackReport.id_for(resident, places.community, year)) is None


def test_only_the_communitys_worker_issues_and_only_for_a_confirmed_member(linli, places, worker, resident):
    stint = register(linli, resident, places.community, worker, confirm=False)
    registration_id = Registration.id_for(resident)
    with pytest.raises(NotAllowedError):
        linli.party.issue_report(worker, places.community, registration_id, stint, "2026", None, "")
    linli.party.confirm_registration(worker, places.community, registration_id, stint)
    for outsider in (make_worker(linli, places.other_community), resident):
        with pytest.raises(NotAllowedError):
            linli.party.issue_report(outsider, places.community, registration_id, stint, "2026", None, "")
