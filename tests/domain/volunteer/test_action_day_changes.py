"""The organiser changes plans: calling off a shift or a whole day, changing places, and walk-in volunteers."""
from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from domain.kernel import roles
from domain.volunteer.model import (AlreadySignedUpError, CheckInClosedError, DayCancelledError,
                               OverlappingShiftError, PlacesBelowSignedUpError, PlacesError, ShiftCancelledError,
                               ShiftOverError, Volunteer, WalkInFullError)
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_resident, make_worker
from tests.domain.builders import DAY, START, add_shift, version

_phones = count(1)


def resident_with_phone(linli, community, worker):
    phone = f"1390000{next(_phones):04d}"
    account = linli.accounts.sign_up(phone, "现场居民", "x", community)
    linli.accounts.verify_residency(worker, account, community)
    return account, phone


def bookings(linli, account):
    volunteer = linli.find(Volunteer, Volunteer.id_for(account))
    return set(volunteer.bookings) if volunteer else set()


# --- calling a shift off -------------------------------------------------------------------------------------
def test_calling_a_shift_off_tells_everyone_frees_their_time_and_keeps_recorded_hours(linli, places, worker, day,
                                                                                      clock):
    shift = add_shift(linli, worker, day, places=2, hours=4)
    a, b, waiting = (make_resident(linli, places.community, worker) for _ in range(3))
    linli.volunteer.sign_up_for_shift(a, day, shift)
    linli.volunteer.sign_up_for_shift(b, day, shift)
    linli.volunteer.sign_up_for_shift(waiting, day, shift, waitlist=True)
    clock.now = START
    linli.volunteer.check_in(worker, day, shift, a)
    clock.now = START + timedelta(hours=1)
    linli.volunteer.check_out(worker, day, shift, a)
    told = linli.volunteer.cancel_whole_shift(worker, day, shift, "暴雨预警")
    assert sorted(told) == sorted([str(a), str(b), str(waiting)])
    state = linli.volunteer.action_day(day)
    assert state.is_cancelled(shift) and state.shifts[str(shift)]["cancelled"]["reason"] == "暴雨预警"
    assert state.credited_minutes(shift, a) == 60  # hours already recorded are untouched
    assert all(str(shift) not in bookings(linli, p) for p in (a, b, waiting))
    # the freed time can be booked again elsewhere
    other_day = linli.volunteer.create_action_day(worker, places.community, None, "改期", "", DAY)
    clock.now = START - timedelta(hours=12)
    other = add_shift(linli, worker, other_day, places=5, hours=4)
    assert linli.volunteer.sign_up_for_shift(b, other_day, other) == "confirmed"


def test_a_called_off_shift_refuses_sign_up_cancel_check_in_and_resizing_and_changes_nothing(linli, places, worker,
                                                                                           day, clock):
    shift = add_shift(linli, worker, day)
    holder = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(holder, day, shift)
    linli.volunteer.cancel_whole_shift(worker, day, shift, "场地不可用")
    newcomer, phone = resident_with_phone(linli, places.community, worker)
    before = version(linli, day)
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.sign_up_for_shift(newcomer, day, shift)
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.cancel_shift(holder, day, shift)
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.change_shift_places(worker, day, shift, 5)
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.cancel_whole_shift(worker, day, shift, "again")
    clock.now = START
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.check_in(worker, day, shift, holder)
    with pytest.raises(ShiftCancelledError):
        linli.volunteer.walk_in(worker, day, shift, phone)
    assert version(linli, day) == before


def test_a_called_off_shift_no_longer_blocks_an_overlapping_shift_of_the_same_day(linli, places, worker, day):
    first = add_shift(linli, worker, day, task="清扫")
    second = add_shift(linli, worker, day, task="搬运")
    person = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(person, day, first)
    with pytest.raises(OverlappingShiftError):
        linli.volunteer.sign_up_for_shift(person, day, second)
    linli.volunteer.cancel_whole_shift(worker, day, first, "人手调整")
    assert linli.volunteer.sign_up_for_shift(person, day, second) == "confirmed"


@pytest.mark.parametrize("reason", ["", "   "])
def test_calling_a_shift_off_needs_a_reason(linli, worker, day, reason):
    shift = add_shift(linli, worker, day)
    before = version(linli, day)
    with pytest.raises(InvalidInputError):
        linli.volunteer.cancel_whole_shift(worker, day, shift, reason)
    assert version(linli, day) == before


def test_a_shift_that_has_ended_cannot_be_called_off_or_resized(linli, worker, day, clock):
    shift = add_shift(linli, worker, day)
    clock.now = START + timedelta(hours=3)
    with pytest.raises(ShiftOverError):
        linli.volunteer.cancel_whole_shift(worker, day, shift, "太晚了")
    with pytest.raises(ShiftOverError):
        linli.volunteer.change_shift_places(worker, day, shift, 5)


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager", "street_official"])
def test_only_the_days_own_workers_call_off_resize_or_walk_in_on_a_community_day(linli, places, worker, day, who):
    shift = add_shift(linli, worker, day)
    actor = {
        "resident": lambda: make_resident(linli, places.community, worker),
        "other_worker": lambda: make_worker(linli, places.other_community),
        "fund_manager": lambda: make_worker(linli, places.community, role=roles.FUND_MANAGER),
        "street_official": lambda: make_worker(linli, places.street, role=roles.STREET_OFFICIAL),
    }[who]()
    _, phone = resident_with_phone(linli, places.community, worker)
    before = version(linli, day)
    with pytest.raises(NotAllowedError):
        linli.volunteer.cancel_whole_shift(actor, day, shift, "x")
    with pytest.raises(NotAllowedError):
        linli.volunteer.cancel_action_day(actor, day, "x")
    with pytest.raises(NotAllowedError):
        linli.volunteer.change_shift_places(actor, day, shift, 9)
    with pytest.raises(NotAllowedError):
        linli.volunteer.walk_in(actor, day, shift, phone)
    assert version(linli, day) == before


def test_on_a_street_wide_day_a_communitys_worker_checks_in_but_only_the_street_calls_off(linli, places):
    official = make_worker(linli, places.street, role=roles.STREET_OFFICIAL)
    day = linli.volunteer.create_action_day(official, None, places.street, "街道服务日", "", DAY)
    shift = add_shift(linli, official, day)
    worker = make_worker(linli, places.community)
    with pytest.raises(NotAllowedError):
        linli.volunteer.cancel_whole_shift(worker, day, shift, "x")
    with pytest.raises(NotAllowedError):
        linli.volunteer.change_shift_places(worker, day, shift, 9)
    assert linli.volunteer.change_shift_places(official, day, shift, 9) == []
    assert linli.volunteer.cancel_action_day(official, day, "上级通知") == 0


# --- calling a whole day off ---------------------------------------------------------------------------------
def test_calling_the_day_off_cancels_every_shift_not_yet_over_and_tells_each_person_once(linli, places, worker,
                                                                                          day, clock):
    morning = add_shift(linli, worker, day, task="早班")
    afternoon = add_shift(linli, worker, day, start=START + timedelta(hours=5), task="午班")
    both = make_resident(linli, places.community, worker)
    only = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(both, day, morning)
    linli.volunteer.sign_up_for_shift(both, day, afternoon)
    linli.volunteer.sign_up_for_shift(only, day, afternoon)
    clock.now = START + timedelta(hours=3)  # the morning shift is over
    assert linli.volunteer.cancel_action_day(worker, day, "台风") == 2
    state = linli.volunteer.action_day(day)
    assert not state.is_cancelled(morning) and state.is_cancelled(afternoon)
    assert state.cancelled["reason"] == "台风"
    assert str(afternoon) not in bookings(linli, both) and str(morning) in bookings(linli, both)
    with pytest.raises(DayCancelledError):
        linli.volunteer.cancel_action_day(worker, day, "again")
    clock.now = START - timedelta(hours=20)
    with pytest.raises(DayCancelledError):
        add_shift(linli, worker, day, start=START + timedelta(hours=8))


def test_calling_off_twice_with_the_same_command_id_has_one_effect(linli, places, worker, day):
    shift = add_shift(linli, worker, day)
    linli.volunteer.sign_up_for_shift(make_resident(linli, places.community, worker), day, shift)
    assert linli.volunteer.cancel_action_day(worker, day, "台风", command_id="off") == 1
    assert linli.volunteer.cancel_action_day(worker, day, "台风", command_id="off") == 1
    names = [type(e).__name__ for e in linli.repository.event_store.get(day)]
    assert names.count("DayCancelled") == 1 and names.count("ShiftCancelled") == 1


# --- changing places -----------------------------------------------------------------------------------------
def test_raising_places_promotes_the_waitlist_in_order(linli, places, worker, day):
    shift = add_shift(linli, worker, day, places=1)
    first, a, b, c = (make_resident(linli, places.community, worker) for _ in range(4))
    linli.volunteer.sign_up_for_shift(first, day, shift)
    for person in (a, b, c):
        linli.volunteer.sign_up_for_shift(person, day, shift, waitlist=True)
    assert linli.volunteer.change_shift_places(worker, day, shift, 3) == [a, b]
    state = linli.volunteer.action_day(day).shifts[str(shift)]
    assert state["places"] == 3 and state["confirmed"] == [str(first), str(a), str(b)]
    assert state["waitlist"] == [str(c)]
    assert linli.volunteer.change_shift_places(worker, day, shift, 3) == []  # no change, no event


def test_places_never_drop_below_those_signed_up(linli, places, worker, day):
    shift = add_shift(linli, worker, day, places=5)
    for _ in range(3):
        linli.volunteer.sign_up_for_shift(make_resident(linli, places.community, worker), day, shift)
    before = version(linli, day)
    with pytest.raises(PlacesBelowSignedUpError) as refused:
        linli.volunteer.change_shift_places(worker, day, shift, 2)
    assert "3" in str(refused.value)
    for bad in (0, -1, 1001, True):
        with pytest.raises(PlacesError):
            linli.volunteer.change_shift_places(worker, day, shift, bad)
    assert version(linli, day) == before
    linli.volunteer.change_shift_places(worker, day, shift, 3)
    assert linli.volunteer.action_day(day).open_places(shift) == 0


# --- walk-ins ------------------------------------------------------------------------------------------------
def test_a_walk_in_resident_takes_a_free_place_is_checked_in_and_their_hours_reach_the_certificate(
        linli, places, worker, day, clock):
    shift = add_shift(linli, worker, day, places=2)
    person, phone = resident_with_phone(linli, places.community, worker)
    clock.now = START
    assert linli.volunteer.walk_in(worker, day, shift, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}") == person
    state = linli.volunteer.action_day(day)
    assert state.status_of(shift, person) == "confirmed" and state.open_places(shift) == 1
    with pytest.raises(AlreadySignedUpError):
        linli.volunteer.walk_in(worker, day, shift, phone)
    clock.now = START + timedelta(hours=2)
    assert linli.volunteer.check_out(worker, day, shift, person) == 120
    issued = linli.volunteer.issue_certificate(person, places.community, "2026")
    assert issued["serial"].startswith("ZYFW-")


def test_a_walk_in_beyond_places_must_be_asked_for_and_never_takes_a_waiting_persons_place(
        linli, places, worker, day, clock):
    shift = add_shift(linli, worker, day, places=1)
    holder = make_resident(linli, places.community, worker)
    waiting = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(holder, day, shift)
    linli.volunteer.sign_up_for_shift(waiting, day, shift, waitlist=True)
    person, phone = resident_with_phone(linli, places.community, worker)
    clock.now = START
    before = version(linli, day)
    with pytest.raises(WalkInFullError):
        linli.volunteer.walk_in(worker, day, shift, phone)
    assert version(linli, day) == before
    linli.volunteer.walk_in(worker, day, shift, phone, beyond_places=True)
    state = linli.volunteer.action_day(day).shifts[str(shift)]
    assert state["confirmed"] == [str(holder), str(person)] and state["waitlist"] == [str(waiting)]
    events = [e for e in linli.repository.event_store.get(day) if type(e).__name__ == "WalkedIn"]
    assert events[-1].beyond_places is True


def test_a_waitlisted_volunteer_who_turns_up_walks_in_off_the_waitlist(linli, places, worker, day, clock):
    shift = add_shift(linli, worker, day, places=1)
    linli.volunteer.sign_up_for_shift(make_resident(linli, places.community, worker), day, shift)
    person, phone = resident_with_phone(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(person, day, shift, waitlist=True)
    clock.now = START
    linli.volunteer.walk_in(worker, day, shift, phone, beyond_places=True)
    state = linli.volunteer.action_day(day).shifts[str(shift)]
    assert str(person) in state["confirmed"] and state["waitlist"] == []
    assert str(person) in state["attendance"]


def test_walk_ins_are_only_verified_residents_of_the_days_community_at_check_in_time(
        linli, places, worker, day, clock):
    shift = add_shift(linli, worker, day)
    stranger, stranger_phone = resident_with_phone(linli, places.other_community,
                                                   make_worker(linli, places.other_community))
    pending_phone = "13988887777"
    linli.accounts.sign_up(pending_phone, "待核实", "x", places.community)
    _, phone = resident_with_phone(linli, places.community, worker)
    before = version(linli, day)
    with pytest.raises(CheckInClosedError):
        linli.volunteer.walk_in(worker, day, shift, phone)  # two days early
    clock.now = START
    for unknown in (stranger_phone, pending_phone, "13700000000"):
        with pytest.raises(NotFoundError):
            linli.volunteer.walk_in(worker, day, shift, unknown)
    with pytest.raises(InvalidInputError):
        linli.volunteer.walk_in(worker, day, shift, "12345")
    assert version(linli, day) == before


def test_a_walk_in_booked_for_an_overlapping_shift_elsewhere_is_refused(linli, places, worker, day, clock):
    first = add_shift(linli, worker, day, task="清扫")
    second = add_shift(linli, worker, day, task="搬运")
    person, phone = resident_with_phone(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(person, day, first)
    clock.now = START
    with pytest.raises(OverlappingShiftError):
        linli.volunteer.walk_in(worker, day, second, phone)
