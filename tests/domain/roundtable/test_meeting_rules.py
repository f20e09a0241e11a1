"""Quorum and voting-rule arithmetic, checked exhaustively against exact fractions, and at the boundaries."""
from __future__ import annotations

from fractions import Fraction
from math import ceil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.roundtable.model import NO_QUORUM, PASSED, REJECTED, outcome_of, quorum_required
from tests.builders import make_resident
from tests.domain.builders import Roundtable

counts = st.integers(min_value=0, max_value=5000)


@given(votes_for=counts, against=counts)
def test_two_thirds_passes_exactly_when_for_is_at_least_two_thirds_of_for_and_against(votes_for, against):
    cast = votes_for + against
    expected = PASSED if cast and Fraction(votes_for, cast) >= Fraction(2, 3) else REJECTED
    assert outcome_of("two_thirds", votes_for, against, True) == expected


@given(votes_for=counts, against=counts)
def test_a_simple_majority_passes_exactly_when_for_outnumbers_against(votes_for, against):
    assert outcome_of("simple", votes_for, against, True) == (PASSED if votes_for > against else REJECTED)
    assert outcome_of("simple", votes_for, against, False) == NO_QUORUM


@given(roll=st.integers(min_value=0, max_value=100_000), percent=st.integers(min_value=1, max_value=100))
def test_the_quorum_is_the_exact_share_of_the_roll_rounded_up_and_never_zero(roll, percent):
    assert quorum_required(roll, percent) == max(1, ceil(Fraction(roll * percent, 100)))


@pytest.mark.parametrize("votes_for,against,expected", [
    (2, 1, PASSED), (4, 2, PASSED), (200, 100, PASSED), (199, 100, REJECTED), (1, 0, PASSED), (0, 1, REJECTED),
    (666, 334, REJECTED), (667, 333, PASSED),
])
def test_two_thirds_at_its_boundary(votes_for, against, expected):
    assert outcome_of("two_thirds", votes_for, against, True) == expected


def test_exactly_the_quorum_present_is_enough_and_one_fewer_is_not(linli, places, clock):
    rt = Roundtable(linli, places, clock, residents=4)              # roll of 4, quorum 50 % → 2
    second = rt.accepted_item("第二项")
    motion = rt.open_with(rt.residents[:2], rt.accepted_item("第一项"))
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    assert rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)["outcome"] == PASSED
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[1])
    again = rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, second)
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, again, "for")
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, again)
    assert (result["present"], result["required"], result["outcome"]) == (1, 2, NO_QUORUM)


def test_someone_checked_in_but_off_the_frozen_roll_does_not_count_towards_quorum(linli, places, clock):
    rt = Roundtable(linli, places, clock, residents=4)
    motion = rt.open_with(rt.residents[:1])
    late = make_resident(rt.app, rt.community, rt.worker)           # verified after the roll froze
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, late)
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    assert (result["present"], result["roll_size"], result["outcome"]) == (1, 4, NO_QUORUM)
