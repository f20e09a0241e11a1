"""Action days: who may do what in which state, the waitlist, the cut-off, hours and certificates."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from domain.kernel import roles
from domain.volunteer import policies
from domain.volunteer.model import (ActionDay, AgeRequirementError, AlreadyCheckedError, AlreadySignedUpError,
                               CheckInClosedError, IdentityRequiredError, NotSignedUpError,
                               OverlappingShiftError, PlacesError, ShiftDateError, ShiftFullError,
                               ShiftInPastError, ShiftNotFoundError, ShiftTimesError, SignUpClosedError,
                               Volunteer)
from domain.kernel.errors import ConflictError, DomainError, InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_resident, make_worker
from tests.domain.builders import DAY, START, add_shift, version



# --- creating days and shifts ----------------------------------------------------------------------------
@pytest.mark.parametrize("who, allowed", [("worker", True), ("fund_manager", False), ("other_worker", False),
                                          ("resident", False), ("street_official", False)])
def test_only_the_communitys_workers_create_a_community_day(linli, places, who, allowed):
    actor = {
        "worker": lambda: make_worker(linli, places.community),
        "fund_manager": lambda: make_worker(linli, places.community, role=roles.FUND_MANAGER),
        "other_worker": lambda: make_worker(linli, places.other_community),
        "resident": lambda: make_resident(linli, places.community),
        "street_official": lambda: make_worker(linli, places.street, role=roles.STREET_OFFICIAL),
    }[who]()
    if allowed:
        day_id = linli.volunteer.create_action_day(actor, places.community, None, "清洁日", "", DAY)
        assert linli.volunteer.action_day(day_id).community_id == places.community
    else:
        with pytest.raises(NotAllowedError):
            linli.volunteer.create_action_day(actor, places.community, None, "清洁日", "", DAY)


def test_a_street_official_creates_a_street_wide_day_and_a_worker_cannot(linli, places):
    official = make_worker(linli, places.street, role=roles.STREET_OFFICIAL)
    day_id = linli.volunteer.create_action_day(official, None, places.street, "街道志愿服务日", "", DAY)
    day = linli.volunteer.action_day(day_id)
    assert day.community_id is None and day.street_id == places.street
    with pytest.raises(NotAllowedError):
        linli.volunteer.create_action_day(make_worker(linli, places.community), None, places.street, "x", "", DAY)


def test_residents_of_every_community_of_the_street_may_join_a_street_wide_day(linli, places):
    official = make_worker(linli, places.street, role=roles.STREET_OFFICIAL)
    day_id = linli.volunteer.create_action_day(official, None, places.street, "街道志愿服务日", "", DAY)
    shift = add_shift(linli, official, day_id, places=5)
    for community in (places.community, places.other_community):
        assert linli.volunteer.sign_up_for_shift(make_resident(linli, community), day_id, shift) == "confirmed"
    worker = make_worker(linli, places.other_community)
    day = linli.volunteer.action_day(day_id)
    assert policies.may_organise(linli.accounts.actor(worker), day.community_id, day.street_id)
    pending = linli.accounts.sign_up("13911112222", "待核实", "x", places.community)
    with pytest.raises(NotAllowedError):
        linli.volunteer.sign_up_for_shift(pending, day_id, shift)


def test_a_day_in_the_past_is_refused(linli, places, worker):
    with pytest.raises(InvalidInputError):
        linli.volunteer.create_action_day(worker, places.community, None, "清洁日", "", "2026-04-30")
    with pytest.raises(InvalidInputError):
        linli.volunteer.create_action_day(worker, places.community, None, "清洁日", "", "2026-13-01")


@pytest.mark.parametrize("change, error", [
    (dict(start=datetime(2026, 5, 1, 0, 0, tzinfo=timezone.utc)), (ShiftInPastError, ShiftDateError)),
    (dict(places=-1), PlacesError),
    (dict(places=0), PlacesError),
    (dict(places=1001), PlacesError),
    (dict(hours=-1), ShiftTimesError),
    (dict(hours=0), ShiftTimesError),
    (dict(hours=25), ShiftTimesError),
    (dict(start=START + timedelta(days=1)), ShiftDateError),
    (dict(min_age=0), InvalidInputError),
])
def test_bad_shifts_are_refused_and_change_nothing(linli, worker, day, change, error):
    before = version(linli, day)
    with pytest.raises(error):
        add_shift(linli, worker, day, **change)
    assert version(linli, day) == before


def test_a_shift_in_the_past_is_refused_even_on_the_day(linli, worker, day, clock):
    clock.now = START + timedelta(hours=1)
    with pytest.raises(ShiftInPastError):
        add_shift(linli, worker, day)


def test_another_days_shift_id_is_not_found(linli, places, worker, day):
    other_day = linli.volunteer.create_action_day(worker, places.community, None, "另一天", "", DAY)
    other_shift = add_shift(linli, worker, other_day)
    resident = make_resident(linli, places.community, worker)
    before = version(linli, day)
    with pytest.raises(ShiftNotFoundError):
        linli.volunteer.sign_up_for_shift(resident, day, other_shift)
    with pytest.raises(ShiftNotFoundError):
        linli.volunteer.check_in(worker, day, other_shift, resident)
    assert version(linli, day) == before


def test_another_communitys_worker_cannot_add_shifts_or_check_in(linli, places, worker, day):
    shift = add_shift(linli, worker, day)
    outsider = make_worker(linli, places.other_community)
    with pytest.raises(NotAllowedError):
        add_shift(linli, outsider, day)
    resident = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    with pytest.raises(NotAllowedError):
        linli.volunteer.check_in(outsider, day, shift, resident)


# --- sign-up: role × shift state -------------------------------------------------------------------------
ROLES = ["verified_resident", "pending_resident", "other_community_resident", "worker_not_resident"]
STATES = ["open", "full", "closed"]
EXPECTED = {
    ("verified_resident", "open"): "confirmed",
    ("verified_resident", "full"): ShiftFullError,
    ("verified_resident", "closed"): SignUpClosedError,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_sign_up_rule_matrix(linli, places, worker, day, clock, role, state):
    shift = add_shift(linli, worker, day, places=1)
    if state == "full":
        linli.volunteer.sign_up_for_shift(make_resident(linli, places.community, worker), day, shift)
    if state == "closed":
        clock.now = START - timedelta(hours=2)  # the default cut-off: two hours before
    actor = {
        "verified_resident": lambda: make_resident(linli, places.community, worker),
        "pending_resident": lambda: linli.accounts.sign_up("13922223333", "待核实", "x", places.community),
        "other_community_resident": lambda: make_resident(linli, places.other_community),
        "worker_not_resident": lambda: worker,
    }[role]()
    expected = EXPECTED.get((role, state), NotAllowedError)
    before = version(linli, day)
    if isinstance(expected, str):
        assert linli.volunteer.sign_up_for_shift(actor, day, shift) == expected
        assert version(linli, day) == before + 1
    else:
        with pytest.raises(expected):
            linli.volunteer.sign_up_for_shift(actor, day, shift)
        assert version(linli, day) == before


def test_a_full_shift_offers_its_waitlist_and_promotes_in_order(linli, places, worker, day):
    shift = add_shift(linli, worker, day, places=1)
    first, a, b, c = (make_resident(linli, places.community, worker) for _ in range(4))
    assert linli.volunteer.sign_up_for_shift(first, day, shift) == "confirmed"
    for person in (a, b, c):
        assert linli.volunteer.sign_up_for_shift(person, day, shift, waitlist=True) == "waitlisted"
    linli.volunteer.cancel_shift(b, day, shift)  # leaving the waitlist promotes nobody
    assert linli.volunteer.action_day(day).shifts[str(shift)]["confirmed"] == [str(first)]
    linli.volunteer.cancel_shift(first, day, shift)
    state = linli.volunteer.action_day(day).shifts[str(shift)]
    assert state["confirmed"] == [str(a)] and state["waitlist"] == [str(c)]
    linli.volunteer.cancel_shift(a, day, shift)
    state = linli.volunteer.action_day(day).shifts[str(shift)]
    assert state["confirmed"] == [str(c)] and state["waitlist"] == []
    events = [type(e).__name__ for e in linli.repository.event_store.get(day)]
    assert events.count("Promoted") == 2


def test_signing_up_twice_is_refused_and_a_repeated_command_has_one_effect(linli, places, worker, day):
    shift = add_shift(linli, worker, day)
    resident = make_resident(linli, places.community, worker)
    assert linli.volunteer.sign_up_for_shift(resident, day, shift, command_id="tap-1") == "confirmed"
    assert linli.volunteer.sign_up_for_shift(resident, day, shift, command_id="tap-1") == "confirmed"
    with pytest.raises(AlreadySignedUpError):
        linli.volunteer.sign_up_for_shift(resident, day, shift, command_id="tap-2")
    assert linli.volunteer.action_day(day).shifts[str(shift)]["confirmed"] == [str(resident)]


def test_cancel_and_sign_up_close_at_the_configured_cut_off(linli, places, worker, clock):
    day = linli.volunteer.create_action_day(worker, places.community, None, "清洁日", "", DAY, cutoff_minutes=30)
    shift = add_shift(linli, worker, day)
    resident = make_resident(linli, places.community, worker)
    clock.now = START - timedelta(minutes=31)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = START - timedelta(minutes=30)
    with pytest.raises(SignUpClosedError):
        linli.volunteer.cancel_shift(resident, day, shift)
    with pytest.raises(InvalidInputError):
        linli.volunteer.create_action_day(worker, places.community, None, "清洁日", "", DAY, cutoff_minutes=-5)


def test_cancelling_a_shift_one_does_not_hold_is_refused(linli, places, worker, day):
    shift = add_shift(linli, worker, day)
    with pytest.raises(NotSignedUpError):
        linli.volunteer.cancel_shift(make_resident(linli, places.community, worker), day, shift)


def test_overlapping_shifts_are_refused_within_a_day_and_across_days(linli, places, worker, day):
    morning = add_shift(linli, worker, day, hours=3)
    overlapping = add_shift(linli, worker, day, start=START + timedelta(hours=2), task="分发物资")
    later = add_shift(linli, worker, day, start=START + timedelta(hours=3), task="整理")
    other_day = linli.volunteer.create_action_day(worker, places.community, None, "敬老日", "", DAY)
    across = add_shift(linli, worker, other_day, start=START + timedelta(hours=1), task="陪伴老人")
    resident = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(resident, day, morning)
    with pytest.raises(OverlappingShiftError):
        linli.volunteer.sign_up_for_shift(resident, day, overlapping)
    with pytest.raises(OverlappingShiftError):
        linli.volunteer.sign_up_for_shift(resident, other_day, across)
    assert linli.volunteer.sign_up_for_shift(resident, day, later) == "confirmed"  # back to back is fine
    linli.volunteer.cancel_shift(resident, day, morning)
    assert linli.volunteer.sign_up_for_shift(resident, other_day, across) == "confirmed"


def test_a_waitlist_place_also_holds_the_time(linli, places, worker, day):
    full = add_shift(linli, worker, day, places=1)
    other_day = linli.volunteer.create_action_day(worker, places.community, None, "敬老日", "", DAY)
    same_time = add_shift(linli, worker, other_day)
    linli.volunteer.sign_up_for_shift(make_resident(linli, places.community, worker), day, full)
    resident = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(resident, day, full, waitlist=True)
    with pytest.raises(OverlappingShiftError):
        linli.volunteer.sign_up_for_shift(resident, other_day, same_time)


def test_an_age_requirement_needs_a_registered_id_number_of_someone_old_enough(linli, places, worker, day):
    shift = add_shift(linli, worker, day, min_age=18)
    adult, minor = make_resident(linli, places.community, worker), make_resident(linli, places.community, worker)
    with pytest.raises(IdentityRequiredError):
        linli.volunteer.sign_up_for_shift(adult, day, shift)
    linli.volunteer.register_identity(adult, "11010519491231002X")
    linli.volunteer.register_identity(minor, "110105201001010010")
    with pytest.raises(AgeRequirementError):
        linli.volunteer.sign_up_for_shift(minor, day, shift)
    assert linli.volunteer.sign_up_for_shift(adult, day, shift) == "confirmed"
    with pytest.raises(InvalidInputError):
        linli.volunteer.register_identity(minor, "110105201001010011")
    volunteer = linli.repository.get(Volunteer.id_for(adult))
    assert "11010519491231002X" not in volunteer.personal  # sealed, not plain


# --- check-in, check-out, corrections --------------------------------------------------------------------
@pytest.fixture
def attended(linli, places, worker, day, clock):
    shift = add_shift(linli, worker, day)
    resident = make_resident(linli, places.community, worker)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    return shift, resident


def test_hours_come_from_check_in_and_out_not_from_the_schedule(linli, worker, day, attended, clock):
    shift, resident = attended
    clock.now = START + timedelta(minutes=20)
    linli.volunteer.check_in(worker, day, shift, resident)
    clock.advance(hours=3, minutes=10)
    assert linli.volunteer.check_out(worker, day, shift, resident) == 190
    assert linli.volunteer.action_day(day).credited_minutes(shift, resident) == 190


@pytest.mark.parametrize("moment, ok", [(START - timedelta(hours=2), False), (START - timedelta(minutes=59), True),
                                        (START + timedelta(hours=14, minutes=1), False)])
def test_check_in_is_open_from_an_hour_before_until_twelve_hours_after(linli, worker, day, attended, clock,
                                                                       moment, ok):
    shift, resident = attended
    clock.now = moment
    if ok:
        linli.volunteer.check_in(worker, day, shift, resident)
    else:
        with pytest.raises(CheckInClosedError):
            linli.volunteer.check_in(worker, day, shift, resident)


def test_check_in_rules(linli, places, worker, day, attended, clock):
    shift, resident = attended
    clock.now = START
    with pytest.raises(DomainError):
        linli.volunteer.check_out(worker, day, shift, resident)  # not checked in yet
    with pytest.raises(NotAllowedError):
        linli.volunteer.check_in(resident, day, shift, resident)  # volunteers do not check themselves in
    with pytest.raises(NotSignedUpError):
        linli.volunteer.check_in(worker, day, shift, make_resident(linli, places.community, worker))
    linli.volunteer.check_in(worker, day, shift, resident)
    with pytest.raises(AlreadyCheckedError):
        linli.volunteer.check_in(worker, day, shift, resident)
    linli.volunteer.check_out(worker, day, shift, resident)
    with pytest.raises(AlreadyCheckedError):
        linli.volunteer.check_out(worker, day, shift, resident)


def test_a_correction_is_its_own_event_with_a_reason_and_the_worker(linli, places, worker, day, attended, clock):
    shift, resident = attended
    clock.now = START + timedelta(hours=3)
    with pytest.raises(InvalidInputError):
        linli.volunteer.correct_hours(worker, day, shift, resident, 120, "  ")
    with pytest.raises(InvalidInputError):
        linli.volunteer.correct_hours(worker, day, shift, resident, -5, "忘记签到")
    with pytest.raises(NotAllowedError):
        linli.volunteer.correct_hours(make_worker(linli, places.other_community), day, shift, resident, 120, "x")
    linli.volunteer.correct_hours(worker, day, shift, resident, 120, "忘记签到，现场核实")
    event = list(linli.repository.event_store.get(day))[-1]
    assert type(event).__name__ == "HoursCorrected"
    assert (event.minutes, event.by) == (120, worker)
    assert "忘记签到" not in event.reason   # sealed under the volunteer's key: it may name them
    assert linli.sealer.open_text(resident, event.reason) == "忘记签到，现场核实"
    assert linli.volunteer.action_day(day).credited_minutes(shift, resident) == 120


def test_a_correction_before_the_shift_starts_is_refused(linli, worker, day, attended):
    shift, resident = attended
    with pytest.raises(ConflictError):
        linli.volunteer.correct_hours(worker, day, shift, resident, 60, "提前")


# --- notices ---------------------------------------------------------------------------------------------
def test_dismissing_notices_is_recorded_for_the_volunteer(linli, places, worker, day, attended):
    shift, resident = attended
    linli.volunteer.dismiss_notices(resident)
    events = list(linli.repository.event_store.get(Volunteer.id_for(resident)))
    assert type(events[-1]).__name__ == "NoticesSeen"
    linli.volunteer.dismiss_notices(uuid4())  # someone who never volunteered: nothing to record


# --- certificates ----------------------------------------------------------------------------------------
def test_a_certificate_states_the_credited_hours_with_a_deterministic_serial(linli, places, worker, day,
                                                                             attended, clock):
    shift, resident = attended
    with pytest.raises(ConflictError):
        linli.volunteer.issue_certificate(resident, places.community, "2026")  # no hours yet
    clock.now = START
    linli.volunteer.check_in(worker, day, shift, resident)
    clock.advance(minutes=150)
    linli.volunteer.check_out(worker, day, shift, resident)
    first = linli.volunteer.issue_certificate(resident, places.community, "2026")
    assert first["serial"].startswith("ZYFW-320106001001-2026-") and first["serial"].endswith("-01")
    assert linli.volunteer.issue_certificate(resident, places.community, "2026") == first
    check = linli.volunteer.verify_certificate(UUID(first["certificate_id"]), first["code"])
    assert check.found and check.matches_events and check.minutes == 150
    assert check.items[0]["task"] == "清扫楼道" and check.org_name == "江苏路社区"
    assert not linli.volunteer.verify_certificate(UUID(first["certificate_id"]), "AAAA-BBBB-CCCC").found
    linli.volunteer.correct_hours(worker, day, shift, resident, 180, "实际服务 3 小时")
    stale = linli.volunteer.verify_certificate(UUID(first["certificate_id"]), first["code"])
    assert stale.found and not stale.matches_events and stale.current_minutes == 180
    second = linli.volunteer.issue_certificate(resident, places.community, "2026")
    assert second["serial"].endswith("-02") and second["code"] != first["code"]
    assert linli.volunteer.verify_certificate(UUID(second["certificate_id"]), second["code"]).matches_events


def test_a_certificate_counts_only_the_organisations_days_in_the_year(linli, places, worker, day, attended, clock):
    shift, resident = attended
    clock.now = START
    linli.volunteer.check_in(worker, day, shift, resident)
    clock.advance(hours=1)
    linli.volunteer.check_out(worker, day, shift, resident)
    with pytest.raises(ConflictError):
        linli.volunteer.issue_certificate(resident, places.other_community, "2026")
    with pytest.raises(ConflictError):
        linli.volunteer.issue_certificate(resident, places.community, "2025")
    with pytest.raises(InvalidInputError):
        linli.volunteer.issue_certificate(resident, places.community, "20x6")
    with pytest.raises(NotFoundError):
        linli.volunteer.issue_certificate(resident, uuid4(), "2026")


def test_shift_ids_are_deterministic_per_day():
    day_id = uuid4()
    assert ActionDay.shift_id_for(day_id, 1) == ActionDay.shift_id_for(day_id, 1)
    assert ActionDay.shift_id_for(day_id, 1) != ActionDay.shift_id_for(day_id, 2)
