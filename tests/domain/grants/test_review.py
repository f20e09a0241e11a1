"""Reviewers the officials named score every criterion of a submitted application once, each with a comment; nobody
reviews an application of an organisation they belong to (or belonged to); the weighted mean ranks."""
from __future__ import annotations

import pytest

from domain.grants.model import AlreadyScoredError, ApplicationStateError, NotReviewerError, SelfReviewError
from domain.grants.policies import weighted_total
from domain.kernel.errors import InvalidInputError
from tests.domain.grants.builders import GOOD, NOTES, person


def test_each_reviewer_scores_each_application_once(linli, places, case):
    application = case.submitted()
    reviewer = case.reviewers[0][0]
    linli.grants.score(reviewer, application, GOOD, NOTES)
    before = linli.recorder.max_notification_id()
    with pytest.raises(AlreadyScoredError):
        linli.grants.score(reviewer, application, {"c1": "100", "c2": "100", "c3": "100"}, NOTES)
    assert linli.recorder.max_notification_id() == before
    assert linli.grants.application(application).scores == {str(reviewer): {"c1": 80, "c2": 70, "c3": 90}}


def test_the_weighted_total_is_in_hundredths_of_a_point():
    assert weighted_total({"c1": 40, "c2": 30, "c3": 30}, {"c1": 80, "c2": 70, "c3": 90}) == 8000


def test_a_member_of_the_applying_organisation_may_not_review_it(linli, places, case):
    reviewer, phone = person(linli, "既是成员又是评审")
    linli.grants.assign_reviewer(case.street_official, case.call, phone)
    linli.grants.add_member(case.member, case.org, phone)
    application = case.submitted()
    with pytest.raises(SelfReviewError):
        linli.grants.score(reviewer, application, GOOD, NOTES)
    # Taken off the organisation's members, they still may not judge it.
    linli.grants.remove_member(case.member, case.org, reviewer)
    with pytest.raises(SelfReviewError):
        linli.grants.score(reviewer, application, GOOD, NOTES)
    # Another organisation's application they may review.
    other = case.submitted(org=case.other_org, title="邻里守望")
    linli.grants.score(reviewer, other, GOOD, NOTES)


def test_only_the_calls_reviewers_score(linli, places, case):
    application = case.submitted()
    for outsider in (case.street_official, case.worker, person(linli, "路人")[0]):
        with pytest.raises(NotReviewerError):
            linli.grants.score(outsider, application, GOOD, NOTES)


def test_a_draft_is_not_scored(linli, places, case):
    application = case.draft()
    with pytest.raises(ApplicationStateError):
        linli.grants.score(case.reviewers[0][0], application, GOOD, NOTES)


@pytest.mark.parametrize("scores, notes", [
    ({"c1": "101", "c2": "70", "c3": "90"}, NOTES), ({"c1": "80", "c2": "70"}, NOTES),
    ({"c1": "80", "c2": "70", "c3": "9.5"}, NOTES), ({"c1": "80", "c2": "70", "c3": "-1"}, NOTES),
    (GOOD, {"c1": "好", "c2": "好", "c3": ""}), (GOOD, {"c1": "好", "c2": "好", "c3": "x" * 501}),
    (GOOD, {"c1": "好", "c2": "好", "c3": "\u202e"}),
])
def test_bad_scores_are_refused(linli, places, case, scores, notes):
    application = case.submitted()
    with pytest.raises(InvalidInputError):
        linli.grants.score(case.reviewers[0][0], application, scores, notes)
