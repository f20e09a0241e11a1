"""Who may do what, as a role × state matrix of the named predicates the service and the pages both ask."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.kernel import roles
from domain.kernel.actor import Actor
from domain.party import policies

C, OTHER, STREET, DISTRICT = "c1", "c2", "s1", "d1"


@dataclass(frozen=True)
class Place:
    id: str
    street_id: str | None = STREET
    district_id: str = DISTRICT


COMMUNITY, STREET_PLACE = Place(C), Place(STREET, None)
STREETS = {C: STREET, OTHER: STREET}
ACTORS = {
    "anonymous": Actor(),
    "resident": Actor("r", residencies={C: roles.VERIFIED}, streets=STREETS),
    "pending": Actor("p", residencies={C: roles.PENDING}, streets=STREETS),
    "other resident": Actor("o", residencies={OTHER: roles.VERIFIED}, streets=STREETS),
    "worker": Actor("w", grants=frozenset({(roles.WORKER, C)}), streets=STREETS),
    "other worker": Actor("ow", grants=frozenset({(roles.WORKER, OTHER)}), streets=STREETS),
    "fund manager": Actor("f", grants=frozenset({(roles.FUND_MANAGER, C)}), streets=STREETS),
    "street official": Actor("s", grants=frozenset({(roles.STREET_OFFICIAL, STREET)})),
    "district official": Actor("d", grants=frozenset({(roles.DISTRICT_OFFICIAL, DISTRICT)})),
}
MATRIX = {   # rule: the actors it admits for COMMUNITY (or its street)
    "may_register": {"resident"},
    "may_review": {"worker"},
    "may_read_counts": {"worker", "street official", "district official"},
    "may_see_tab": {"resident", "worker", "fund manager", "street official", "district official"},
}


@pytest.mark.parametrize("rule", sorted(MATRIX))
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_who_is_admitted_in_the_community(rule, who):
    assert getattr(policies, rule)(ACTORS[who], COMMUNITY) == (who in MATRIX[rule])


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_only_the_streets_and_districts_officials_oversee_the_street(who):
    assert policies.may_oversee_street(ACTORS[who], STREET_PLACE) == (who in {"street official", "district official"})


@pytest.mark.parametrize("who", sorted(ACTORS))
def test_a_report_is_read_by_its_member_and_the_issuing_communitys_workers(who):
    assert policies.may_read_report(ACTORS[who], "r", COMMUNITY) == (who in {"resident", "worker"})


STATES = (None, *policies.ACTIVE, policies.WITHDRAWN, policies.ENDED, policies.ERASED)
STEPS = {   # step: the states that allow it
    "may_submit": {policies.CONSENTED, policies.SUBMITTED, policies.RETURNED},
    "may_decide": {policies.SUBMITTED},
    "may_withdraw": set(policies.ACTIVE),
    "may_log_service": {policies.CONFIRMED},
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("state", STATES)
def test_each_step_is_allowed_in_its_states_only(step, state):
    assert getattr(policies, step)(state) == (state in STEPS[step])


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_starting_needs_a_resident_without_an_active_registration_here(who, state):
    expected = who == "resident" and state not in policies.ACTIVE
    assert policies.may_start(ACTORS[who], COMMUNITY, state) == expected


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", sorted(ACTORS))
def test_reports_are_issued_by_the_worker_for_confirmed_members(who, state):
    assert policies.may_issue_report(ACTORS[who], COMMUNITY, state) == (who == "worker" and state == policies.CONFIRMED)
