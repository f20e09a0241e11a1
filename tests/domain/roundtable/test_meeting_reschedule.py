"""Rescheduling a roundtable meeting: who may, when, and what registered residents keep."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.kernel.errors import NotAllowedError
from domain.roundtable.model import MeetingPhaseError, MeetingScheduleError, RegistrationClosedError
from tests.domain.builders import Roundtable


@pytest.fixture
def rt(linli, places, clock) -> Roundtable:
    return Roundtable(linli, places, clock)


def _later(rt: Roundtable, days: int = 7, place: str = "社区大礼堂", **kw):
    starts = rt.starts + timedelta(days=days)
    return rt.app.roundtable.reschedule_meeting(kw.pop("by", rt.worker), rt.meeting_id, starts, starts + timedelta(hours=2),
                                     place, starts - timedelta(hours=3), "场地冲突", **kw)


def test_a_reschedule_moves_time_and_place_and_registered_residents_keep_their_places(rt):
    for r in rt.residents[:5]:
        rt.app.roundtable.register_for_meeting(r, rt.meeting_id)
    before = rt.meeting
    assert _later(rt) == 1
    m = rt.meeting
    assert m.starts_at == rt.starts + timedelta(days=7) and m.place == "社区大礼堂"
    assert m.registration_deadline == rt.starts + timedelta(days=7, hours=-3)
    assert (m.registered, m.waitlist) == (before.registered, before.waitlist)
    assert _later(rt, days=8) == 2 and rt.meeting.sequence == 2


def test_a_reschedule_reopens_registration_until_the_new_deadline(rt):
    rt.clock.now = rt.starts - timedelta(hours=1)          # past the first deadline
    with pytest.raises(RegistrationClosedError):
        rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id)
    _later(rt)
    assert rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id) == "registered"


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager", "outsider"])
def test_only_the_communitys_worker_may_reschedule(rt, who):
    person = rt.residents[0] if who == "resident" else getattr(rt, who)
    with pytest.raises(NotAllowedError):
        _later(rt, by=person)
    assert rt.meeting.sequence == 0


@pytest.mark.parametrize("change", ["past", "end_before_start", "deadline_after_start", "same"])
def test_impossible_or_unchanged_new_times_are_refused(rt, change):
    starts = rt.starts + timedelta(days=1)
    ends, deadline, place = starts + timedelta(hours=2), starts - timedelta(hours=1), "社区大礼堂"
    if change == "past":
        starts = rt.clock() - timedelta(hours=1)
    elif change == "end_before_start":
        ends = starts - timedelta(minutes=1)
    elif change == "deadline_after_start":
        deadline = starts + timedelta(minutes=1)
    else:
        m = rt.meeting
        starts, ends, deadline, place = m.starts_at, m.ends_at, m.registration_deadline, m.place
    with pytest.raises(MeetingScheduleError):
        rt.app.roundtable.reschedule_meeting(rt.worker, rt.meeting_id, starts, ends, place, deadline)


def test_an_open_closed_or_cancelled_meeting_cannot_be_rescheduled(rt, places, clock):
    rt.app.roundtable.cancel_meeting(rt.worker, rt.meeting_id, "台风")
    with pytest.raises(MeetingPhaseError):
        _later(rt)
    opened = Roundtable(rt.app, places, clock)
    opened.open_with([])
    with pytest.raises(MeetingPhaseError):
        _later(opened)


def test_a_meeting_with_residents_checked_in_cannot_be_rescheduled(rt):
    rt.to_meeting_time()
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[0])
    with pytest.raises(MeetingPhaseError):
        _later(rt)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[0])
    assert _later(rt) == 1


def test_a_repeated_reschedule_command_changes_the_meeting_once(rt):
    assert _later(rt, command_id="same") == 1
    assert _later(rt, command_id="same") == 1
    assert rt.meeting.sequence == 1
