"""The grants rules as a role × state matrix: who opens and runs a call (street or district level), who applies, who
scores, who proposes, checks and withdraws an award, who accepts milestones and releases tranches, who reports."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.grants import policies as p
from domain.kernel import roles
from domain.kernel.actor import Actor

STREET, OTHER_STREET, DISTRICT, OTHER_DISTRICT, ORG, OTHER_ORG = "s1", "s2", "d1", "d2", "o1", "o2"


def actor(account: str, *grants: tuple[str, str]) -> Actor:
    return Actor(account_id=account, grants=frozenset(grants))


STREET_OFFICIAL = actor("so", (roles.STREET_OFFICIAL, STREET))
OTHER_STREET_OFFICIAL = actor("so2", (roles.STREET_OFFICIAL, OTHER_STREET))
DISTRICT_OFFICIAL = actor("do", (roles.DISTRICT_OFFICIAL, DISTRICT))
OTHER_DISTRICT_OFFICIAL = actor("do2", (roles.DISTRICT_OFFICIAL, OTHER_DISTRICT))
MEMBER = actor("m", (roles.ORG_MEMBER, ORG))
OTHER_MEMBER = actor("m2", (roles.ORG_MEMBER, OTHER_ORG))
WORKER = actor("w", (roles.WORKER, "c1"))
ANYONE = actor("r")
NOBODY = Actor()
EVERYONE = [STREET_OFFICIAL, OTHER_STREET_OFFICIAL, DISTRICT_OFFICIAL, OTHER_DISTRICT_OFFICIAL, MEMBER, OTHER_MEMBER,
            WORKER, ANYONE, NOBODY]


def allowed(rule, *args) -> set[str]:
    return {a.account_id or "anonymous" for a in EVERYONE if rule(a, *args)}


def test_who_opens_and_runs_a_street_call_and_a_district_call():
    assert allowed(p.may_open_call, STREET, DISTRICT) == {"so", "do"}
    assert allowed(p.may_manage_call, STREET, DISTRICT) == {"so", "do"}
    assert allowed(p.may_open_call, None, DISTRICT) == {"do"}
    assert allowed(p.may_manage_call, None, DISTRICT) == {"do"}


def test_who_decides_an_organisations_registration():
    assert allowed(p.may_decide_organisation, STREET, DISTRICT) == {"so", "do"}
    assert allowed(p.may_read_organisation, ORG, STREET, DISTRICT) == {"so", "do", "m"}


@pytest.mark.parametrize("status, expected", [(p.APPROVED, {"m"}), (p.PENDING, set()), (p.REJECTED, set())])
def test_who_applies_by_the_organisations_state(status, expected):
    assert allowed(p.may_apply, ORG, status) == expected


OPENS, CLOSES = datetime(2026, 5, 1, tzinfo=timezone.utc), datetime(2026, 5, 31, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("now, status, edit, submit", [
    (datetime(2026, 4, 30, tzinfo=timezone.utc), p.DRAFT, {"m"}, set()),        # before the window: drafts only
    (datetime(2026, 5, 10, tzinfo=timezone.utc), p.DRAFT, {"m"}, {"m"}),
    (datetime(2026, 5, 10, tzinfo=timezone.utc), p.SUBMITTED, set(), set()),
    (CLOSES, p.DRAFT, set(), set()),                                            # the deadline itself is closed
])
def test_who_edits_and_submits_by_the_window_and_the_applications_state(now, status, edit, submit):
    assert allowed(p.may_edit_application, ORG, status, CLOSES, now) == edit
    assert allowed(p.may_submit_application, ORG, status, OPENS, CLOSES, now) == submit


def test_who_scores_reviewers_once_never_their_own_organisation():
    reviewers = ["so", "m", "r", "w"]
    assert allowed(p.may_score, reviewers, ORG, ["m"], p.SUBMITTED) == {"so", "r", "w"}
    assert allowed(p.may_score, reviewers, ORG, ["m", "w"], p.SUBMITTED) == {"so", "r"}   # a former member
    assert allowed(p.may_score, reviewers, ORG, [], p.SUBMITTED, ["so"]) == {"r", "w"}    # scored already
    assert allowed(p.may_score, reviewers, ORG, [], p.DRAFT) == set()


def test_maker_is_not_checker_for_awards():
    assert allowed(p.may_propose_award, STREET, DISTRICT, ORG, []) == {"so", "do"}
    assert allowed(p.may_check_award, STREET, DISTRICT, "so", ORG, []) == {"do"}
    assert allowed(p.may_withdraw_award, STREET, DISTRICT, "so") == {"so"}
    assert allowed(p.may_check_award, STREET, DISTRICT, "so", ORG, ["do"]) == set()   # the checker's organisation


@pytest.mark.parametrize("status, accepted, reported, milestone, expected", [
    (p.RUNNING, [], [], p.SIGNING, {"so", "do"}),
    (p.RUNNING, [], [], p.MIDTERM, set()),                            # out of order
    (p.RUNNING, [p.SIGNING], [], p.MIDTERM, set()),                   # no mid-term report yet
    (p.RUNNING, [p.SIGNING], [p.MIDTERM], p.MIDTERM, {"so", "do"}),
    (p.STOPPED, [p.SIGNING], [p.MIDTERM], p.MIDTERM, set()),
    (p.CLOSED, [p.SIGNING, p.MIDTERM, p.FINAL], [p.MIDTERM, p.FINAL], p.FINAL, set()),
])
def test_who_accepts_a_milestone_by_the_projects_state(status, accepted, reported, milestone, expected):
    assert allowed(p.may_accept_milestone, STREET, DISTRICT, status, accepted, milestone, reported) == expected


@pytest.mark.parametrize("status, accepted, released, expected", [
    (p.RUNNING, [], False, set()),                                   # milestone not accepted
    (p.RUNNING, [p.SIGNING], False, {"do"}),                         # not the acceptor ("so")
    (p.RUNNING, [p.SIGNING], True, set()),                           # paid already
    (p.STOPPED, [p.SIGNING], False, set()),                          # stopped: nothing more is paid
    (p.CLOSED, [p.SIGNING], False, {"do"}),                          # closed: what is due is still paid
])
def test_who_releases_a_tranche_by_its_state(status, accepted, released, expected):
    assert allowed(p.may_release_tranche, STREET, DISTRICT, status, p.SIGNING, accepted, released, "so") == expected


def test_who_reports_and_who_claws_back():
    assert allowed(p.may_report, ORG, p.RUNNING, [p.SIGNING], p.MIDTERM, []) == {"m"}
    assert allowed(p.may_report, ORG, p.RUNNING, [], p.MIDTERM, []) == set()
    assert allowed(p.may_report, ORG, p.RUNNING, [p.SIGNING, p.MIDTERM], p.FINAL, [p.MIDTERM]) == {"m"}
    assert allowed(p.may_report, ORG, p.STOPPED, [p.SIGNING], p.FINAL, [p.MIDTERM]) == set()
    assert allowed(p.may_record_clawback, STREET, DISTRICT, p.STOPPED, 100, 0) == {"so", "do"}
    assert allowed(p.may_record_clawback, STREET, DISTRICT, p.STOPPED, 100, 100) == set()
    assert allowed(p.may_record_clawback, STREET, DISTRICT, p.RUNNING, 100, 0) == set()


def test_who_reads_a_projects_dossier_and_the_reviewers_names():
    assert allowed(p.may_read_dossier, STREET, DISTRICT, ORG) == {"so", "do", "m"}
    assert allowed(p.may_see_reviewer_names, STREET, DISTRICT) == {"so", "do"}
