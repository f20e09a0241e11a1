"""The roundtable meeting: every rule as who × when (role × phase), through the use cases on POPO."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.roundtable.model import (AgendaItemError, AlreadyRegisteredError, AlreadySupportedError, AlreadyVotedError,
                            AttendanceError, Meeting, MeetingPhaseError, MeetingScheduleError, MinutesMismatchError,
                            MotionClosedError, MotionError, NotCheckedInError, NotOnRollError, NotRegisteredError,
                            RegistrationClosedError, outcome_of, quorum_required)
from domain.roundtable.model import Resolution
from tests.builders import make_resident
from tests.domain.builders import Roundtable


@pytest.fixture
def rt(linli, places, clock) -> Roundtable:
    return Roundtable(linli, places, clock)


# --- scheduling ----------------------------------------------------------------------------------
def test_a_worker_schedules_a_meeting_with_its_rules(rt):
    m = rt.meeting
    assert (m.title, m.mode, m.capacity, m.voting_rule, m.quorum_percent, m.status) == \
        ("加装电梯议事会", "in_person", 3, "simple", 50, "scheduled")
    assert m.starts_at.tzinfo is not None and m.community_id == rt.community


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager", "outsider"])
def test_only_a_worker_of_the_community_may_schedule(rt, who):
    person = rt.residents[0] if who == "resident" else getattr(rt, who)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.schedule_meeting(person, rt.community, "t", "p", rt.starts, rt.starts + timedelta(hours=1), "x",
                                "in_person", 10, rt.starts, "simple", 50)


@pytest.mark.parametrize("change", [
    dict(starts_at=lambda s, now: now - timedelta(hours=1)),
    dict(ends_at=lambda s, now: s - timedelta(minutes=1)),
    dict(ends_at=lambda s, now: s + timedelta(hours=13)),
    dict(registration_deadline=lambda s, now: s + timedelta(minutes=1)),
    dict(starts_at=lambda s, now: s.replace(tzinfo=None)),
    dict(capacity=0), dict(capacity=10_001), dict(quorum_percent=0), dict(quorum_percent=101),
    dict(voting_rule="unanimous"), dict(mode="carrier-pigeon"),
])
def test_impossible_schedules_are_refused(rt, change):
    now = rt.clock()
    args = dict(starts_at=rt.starts, ends_at=rt.starts + timedelta(hours=2), place="活动室", mode="online",
                capacity=10, registration_deadline=rt.starts, voting_rule="simple", quorum_percent=50)
    for k, v in change.items():
        args[k] = v(rt.starts, now) if callable(v) else v
    with pytest.raises(MeetingScheduleError):
        rt.app.roundtable.schedule_meeting(rt.worker, rt.community, "t", "p", **args)


def test_an_empty_or_overlong_title_is_refused(rt):
    for title in ("", "   ", "议" * 81):
        with pytest.raises(InvalidInputError):
            rt.app.roundtable.schedule_meeting(rt.worker, rt.community, title, "p", rt.starts, rt.starts + timedelta(hours=1),
                                    "x", "online", 10, rt.starts, "simple", 50)


def test_a_repeated_schedule_command_creates_one_meeting(rt):
    args = (rt.worker, rt.community, "重复", "p", rt.starts, rt.starts + timedelta(hours=1), "x", "online", 10,
            rt.starts, "simple", 50)
    first = rt.app.roundtable.schedule_meeting(*args, command_id="same")
    assert rt.app.roundtable.schedule_meeting(*args, command_id="same") == first


def test_a_worker_cancels_a_scheduled_meeting_but_not_an_open_one(rt):
    rt.app.roundtable.cancel_meeting(rt.worker, rt.meeting_id, "台风")
    assert rt.meeting.status == "cancelled"
    with pytest.raises(RegistrationClosedError):
        rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id)
    other = Roundtable(rt.app, rt.places, rt.clock)
    other.open_with([])
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.cancel_meeting(other.worker, other.meeting_id, "晚了")


# --- registration and waitlist -----------------------------------------------------------------
def test_residents_register_until_full_then_join_the_waitlist(rt):
    results = [rt.app.roundtable.register_for_meeting(r, rt.meeting_id) for r in rt.residents[:5]]
    assert results == ["registered"] * 3 + ["waitlisted"] * 2
    assert rt.meeting.waitlist == [str(r) for r in rt.residents[3:5]]


def test_a_cancelled_place_goes_to_the_waitlist_in_order(rt):
    for r in rt.residents[:5]:
        rt.app.roundtable.register_for_meeting(r, rt.meeting_id)
    assert rt.app.roundtable.cancel_registration(rt.residents[1], rt.meeting_id) == str(rt.residents[3])
    assert rt.app.roundtable.cancel_registration(rt.residents[0], rt.meeting_id) == str(rt.residents[4])
    m = rt.meeting
    assert m.registered == [str(rt.residents[i]) for i in (2, 3, 4)] and m.waitlist == []


def test_leaving_the_waitlist_promotes_nobody(rt):
    for r in rt.residents[:5]:
        rt.app.roundtable.register_for_meeting(r, rt.meeting_id)
    assert rt.app.roundtable.cancel_registration(rt.residents[4], rt.meeting_id) is None
    assert rt.meeting.waitlist == [str(rt.residents[3])]


@pytest.mark.parametrize("who", ["outsider", "unverified", "worker", "fund_manager"])
def test_only_verified_residents_of_the_community_may_register(rt, who):
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.register_for_meeting(getattr(rt, who), rt.meeting_id)


def test_registering_twice_or_cancelling_without_registering_is_refused(rt):
    rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id)
    with pytest.raises(AlreadyRegisteredError):
        rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id)
    with pytest.raises(NotRegisteredError):
        rt.app.roundtable.cancel_registration(rt.residents[1], rt.meeting_id)


def test_registration_closes_at_the_deadline(rt):
    rt.clock.now = rt.starts - timedelta(hours=2)
    assert rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id) == "registered"
    rt.clock.advance(seconds=1)
    with pytest.raises(RegistrationClosedError):
        rt.app.roundtable.register_for_meeting(rt.residents[1], rt.meeting_id)


def test_registrations_cannot_be_cancelled_once_the_meeting_is_open(rt):
    rt.app.roundtable.register_for_meeting(rt.residents[0], rt.meeting_id)
    rt.open_with([])
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.cancel_registration(rt.residents[0], rt.meeting_id)


# --- agenda --------------------------------------------------------------------------------------
def test_residents_propose_and_support_items_and_the_worker_orders_the_agenda(rt):
    a = rt.app.roundtable.propose_agenda_item(rt.residents[0], rt.meeting_id, "电梯", "说明")
    b = rt.app.roundtable.propose_agenda_item(rt.residents[1], rt.meeting_id, "停车", "")
    c = rt.app.roundtable.propose_agenda_item(rt.worker, rt.meeting_id, "垃圾分类", "")
    rt.app.roundtable.support_agenda_item(rt.residents[2], rt.meeting_id, a)
    rt.app.roundtable.support_agenda_item(rt.residents[3], rt.meeting_id, a)
    rt.app.roundtable.accept_agenda_item(rt.worker, rt.meeting_id, a, 30)
    rt.app.roundtable.accept_agenda_item(rt.worker, rt.meeting_id, c, 10, position=1)
    rt.app.roundtable.decline_agenda_item(rt.worker, rt.meeting_id, b, "属于物业职责，已转交物业")
    m = rt.meeting
    assert m.agenda == [c, a]
    assert m.items[a]["supporters"] == [str(rt.residents[2]), str(rt.residents[3])]
    assert m.items[a]["planned_minutes"] == 30
    assert (m.items[b]["status"], m.items[b]["reason"]) == ("declined", "属于物业职责，已转交物业")


def test_support_is_once_each_and_never_for_ones_own_or_a_declined_item(rt):
    a = rt.app.roundtable.propose_agenda_item(rt.residents[0], rt.meeting_id, "电梯", "")
    with pytest.raises(AgendaItemError):
        rt.app.roundtable.support_agenda_item(rt.residents[0], rt.meeting_id, a)
    rt.app.roundtable.support_agenda_item(rt.residents[1], rt.meeting_id, a)
    with pytest.raises(AlreadySupportedError):
        rt.app.roundtable.support_agenda_item(rt.residents[1], rt.meeting_id, a)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.support_agenda_item(rt.outsider, rt.meeting_id, a)
    rt.app.roundtable.decline_agenda_item(rt.worker, rt.meeting_id, a, "重复")
    with pytest.raises(AgendaItemError):
        rt.app.roundtable.support_agenda_item(rt.residents[2], rt.meeting_id, a)
    with pytest.raises(NotFoundError):
        rt.app.roundtable.support_agenda_item(rt.residents[2], rt.meeting_id, "99")


@pytest.mark.parametrize("who", ["outsider", "unverified", "other_worker", "fund_manager"])
def test_outsiders_may_not_propose_items(rt, who):
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.propose_agenda_item(getattr(rt, who), rt.meeting_id, "议题", "")


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager"])
def test_only_the_worker_accepts_or_declines_items(rt, who):
    person = rt.residents[1] if who == "resident" else getattr(rt, who)
    item = rt.app.roundtable.propose_agenda_item(rt.residents[0], rt.meeting_id, "议题", "")
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.accept_agenda_item(person, rt.meeting_id, item, 10)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.decline_agenda_item(person, rt.meeting_id, item, "不行")


def test_an_item_is_decided_once_with_sensible_minutes_and_position(rt):
    item = rt.app.roundtable.propose_agenda_item(rt.residents[0], rt.meeting_id, "议题", "")
    for minutes, position in ((0, None), (241, None), (10, 0), (10, 2)):
        with pytest.raises(InvalidInputError):
            rt.app.roundtable.accept_agenda_item(rt.worker, rt.meeting_id, item, minutes, position)
    rt.app.roundtable.accept_agenda_item(rt.worker, rt.meeting_id, item, 10)
    with pytest.raises(AgendaItemError):
        rt.app.roundtable.decline_agenda_item(rt.worker, rt.meeting_id, item, "反悔")


def test_items_are_proposed_only_before_the_meeting_starts(rt):
    rt.clock.now = rt.starts
    with pytest.raises(AgendaItemError):
        rt.app.roundtable.propose_agenda_item(rt.residents[0], rt.meeting_id, "迟到的议题", "")


# --- attendance and the roll --------------------------------------------------------------------
def test_check_in_opens_two_hours_before_the_start(rt):
    rt.clock.now = rt.starts - timedelta(hours=2, seconds=1)
    with pytest.raises(AttendanceError):
        rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[0])
    rt.clock.advance(seconds=1)
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[0])
    with pytest.raises(AttendanceError):
        rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[0])
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[0])
    with pytest.raises(AttendanceError):
        rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[0])


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager"])
def test_only_the_worker_checks_people_in(rt, who):
    rt.to_meeting_time()
    person = rt.residents[1] if who == "resident" else getattr(rt, who)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.check_in(person, rt.meeting_id, rt.residents[0])


@pytest.mark.parametrize("who", ["outsider", "unverified"])
def test_only_verified_residents_of_the_community_are_checked_in(rt, who):
    rt.to_meeting_time()
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.check_in(rt.worker, rt.meeting_id, getattr(rt, who))


def test_opening_freezes_the_roll_of_verified_residents_and_the_quorum(rt):
    rt.open_with(rt.residents[:2])
    m = rt.meeting
    assert sorted(m.roll) == sorted(str(r) for r in rt.residents)   # the unverified and the outsider left out
    assert m.quorum_required == 3 and m.present_on_roll() == 2
    late = make_resident(rt.app, rt.community, rt.worker)
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, late)
    assert rt.app.roundtable.meeting(rt.meeting_id).present_on_roll() == 2


def test_the_meeting_opens_only_near_its_start_and_only_once(rt):
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.open_meeting(rt.worker, rt.meeting_id)
    rt.to_meeting_time()
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.open_meeting(rt.residents[0], rt.meeting_id)
    rt.app.roundtable.open_meeting(rt.worker, rt.meeting_id)
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.open_meeting(rt.worker, rt.meeting_id)


def test_quorum_is_the_share_of_the_roll_rounded_up():
    assert [quorum_required(n, 50) for n in (0, 1, 2, 3, 25)] == [1, 1, 1, 2, 13]
    assert quorum_required(25, 100) == 25 and quorum_required(3, 67) == 3


# --- motions and votes --------------------------------------------------------------------------
def test_each_checked_in_resident_votes_once_and_a_passed_motion_becomes_a_resolution(rt):
    motion = rt.open_with(rt.residents[:4])
    for r, choice in zip(rt.residents[:4], ["for", "for", "against", "abstain"]):
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, choice)
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    assert result == {"votes_for": 2, "votes_against": 1, "abstentions": 1, "present": 4, "roll_size": 6,
                      "required": 3, "outcome": "passed",
                      "resolution_id": str(Resolution.id_for(rt.meeting_id, motion))}
    resolution = rt.app.roundtable.resolution(Resolution.id_for(rt.meeting_id, motion))
    assert (resolution.passed, resolution.community_id, resolution.meeting_id, resolution.motion_id,
            resolution.title) == (True, rt.community, rt.meeting_id, motion, "3 号楼加装电梯")
    assert (resolution.votes_for, resolution.votes_against, resolution.abstentions) == (2, 1, 1)


def test_a_second_vote_is_refused_even_after_checking_out(rt):
    motion = rt.open_with(rt.residents[:3])
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    with pytest.raises(AlreadyVotedError) as refused:
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "against")
    assert "只能投一次" in str(refused.value)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[0])
    with pytest.raises(AlreadyVotedError):
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    assert rt.meeting.tally(motion)["votes_for"] == 1


def test_a_repeated_vote_command_is_answered_once(rt):
    motion = rt.open_with(rt.residents[:3])
    for _ in range(3):
        assert rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for", command_id="v1") == "for"
    assert rt.meeting.motions[motion]["votes"] == {str(rt.residents[0]): "for"}


def test_a_resident_not_checked_in_may_not_vote(rt):
    motion = rt.open_with(rt.residents[:3])
    with pytest.raises(NotCheckedInError) as refused:
        rt.app.roundtable.cast_vote(rt.residents[4], rt.meeting_id, motion, "for")
    assert "签到" in str(refused.value)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, rt.residents[1])
    with pytest.raises(NotCheckedInError):
        rt.app.roundtable.cast_vote(rt.residents[1], rt.meeting_id, motion, "for")


def test_a_resident_verified_after_the_roll_froze_may_not_vote(rt):
    motion = rt.open_with(rt.residents[:3])
    late = make_resident(rt.app, rt.community, rt.worker)
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, late)
    with pytest.raises(NotOnRollError):
        rt.app.roundtable.cast_vote(late, rt.meeting_id, motion, "for")


@pytest.mark.parametrize("who", ["outsider", "unverified", "worker", "other_worker", "fund_manager"])
def test_nobody_but_the_communitys_residents_votes(rt, who):
    motion = rt.open_with(rt.residents[:3])
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.cast_vote(getattr(rt, who), rt.meeting_id, motion, "for")


def test_a_vote_after_close_is_refused_with_a_clear_message(rt):
    motion = rt.open_with(rt.residents[:3])
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    with pytest.raises(MotionClosedError) as refused:
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    assert refused.value.text() == "该表决已结束，不能再投票"
    with pytest.raises(MotionError):
        rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)


def test_an_unknown_choice_or_motion_is_refused(rt):
    motion = rt.open_with(rt.residents[:3])
    with pytest.raises(InvalidInputError):
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "maybe")
    with pytest.raises(NotFoundError):
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, "42", "for")


def test_without_quorum_a_motion_closes_as_no_quorum_and_may_be_put_again(rt):
    item = rt.accepted_item()
    motion = rt.open_with(rt.residents[:2], item)
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    rt.app.roundtable.cast_vote(rt.residents[1], rt.meeting_id, motion, "for")
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    assert (result["outcome"], result["present"], result["required"]) == ("no_quorum", 2, 3)
    assert "resolution_id" not in result
    assert rt.app.find(Resolution, Resolution.id_for(rt.meeting_id, motion)) is None
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[2])
    again = rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, item)
    assert again != motion


def test_a_rejected_motion_makes_no_resolution_and_is_not_put_again(rt):
    item = rt.accepted_item()
    motion = rt.open_with(rt.residents[:3], item)
    for r in rt.residents[:3]:
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, "against")
    assert rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)["outcome"] == "rejected"
    assert rt.app.find(Resolution, Resolution.id_for(rt.meeting_id, motion)) is None
    with pytest.raises(MotionError):
        rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, item)


def test_motions_need_an_open_meeting_an_accepted_item_and_none_other_open(rt):
    item = rt.accepted_item()
    proposed = rt.app.roundtable.propose_agenda_item(rt.residents[1], rt.meeting_id, "未采纳", "")
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, item)
    second = rt.accepted_item("第二项")
    rt.open_with([], item)
    with pytest.raises(MotionError):
        rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, proposed)
    with pytest.raises(MotionError):
        rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, second)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.open_motion(rt.residents[0], rt.meeting_id, second)


@pytest.mark.parametrize("votes_for,against,rule,expected", [
    (2, 1, "simple", "passed"), (1, 1, "simple", "rejected"), (0, 0, "simple", "rejected"),
    (2, 1, "two_thirds", "passed"), (3, 2, "two_thirds", "rejected"), (0, 0, "two_thirds", "rejected"),
])
def test_the_voting_rule_decides_among_votes_for_and_against(votes_for, against, rule, expected):
    assert outcome_of(rule, votes_for, against, quorum_met=True) == expected
    assert outcome_of(rule, votes_for, against, quorum_met=False) == "no_quorum"


def test_a_two_thirds_meeting_counts_abstentions_as_neither(linli, places, clock):
    rt = Roundtable(linli, places, clock, voting_rule="two_thirds", quorum_percent=100, residents=4)
    motion = rt.open_with(rt.residents)
    for r, c in zip(rt.residents, ["for", "for", "against", "abstain"]):
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, c)
    assert rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)["outcome"] == "passed"


def test_the_meeting_closes_only_when_no_motion_is_open(rt):
    motion = rt.open_with(rt.residents[:3])
    with pytest.raises(MotionError):
        rt.app.roundtable.adjourn_meeting(rt.worker, rt.meeting_id)
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.adjourn_meeting(rt.residents[0], rt.meeting_id)
    rt.app.roundtable.adjourn_meeting(rt.worker, rt.meeting_id)
    with pytest.raises(AttendanceError):
        rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[5])
    with pytest.raises(MotionClosedError):
        rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")


# --- minutes -------------------------------------------------------------------------------------
def test_minutes_are_published_after_the_meeting_with_tallies_from_the_vote_record(rt):
    motion = rt.open_with(rt.residents[:3])
    with pytest.raises(MeetingPhaseError):
        rt.app.roundtable.publish_minutes(rt.worker, rt.meeting_id, "太早")
    for r, c in zip(rt.residents[:3], ["for", "for", "abstain"]):
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, c)
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    rt.app.roundtable.adjourn_meeting(rt.worker, rt.meeting_id)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.publish_minutes(rt.residents[0], rt.meeting_id, "居民不能发布")
    with pytest.raises(MinutesMismatchError):    # the minutes must state each motion's tally (issue 14)
        rt.app.roundtable.publish_minutes(rt.worker, rt.meeting_id, "没有票数")
    tallies = {motion: (2, 0, 1)}
    rt.app.roundtable.publish_minutes(rt.worker, rt.meeting_id, "会议由李社工主持。\n<script>alert(1)</script>", tallies)
    rt.app.roundtable.publish_minutes(rt.worker, rt.meeting_id, "修订版", tallies)
    events = rt.app.roundtable.meeting_history(rt.meeting_id)
    published = [e for e in events if isinstance(e, Meeting.MinutesPublished)]
    assert [e.revision for e in published] == [1, 2]
    assert published[-1].results == [{"motion_id": motion, "title": "3 号楼加装电梯", "outcome": "passed",
                                      "votes_for": 2, "votes_against": 0, "abstentions": 1, "stated": [2, 0, 1],
                                      "methods": {"online": 3, "worker": 0, "proxy": 0, "hands": None,
                                                  "hands_eligible": 0}}]


def test_the_history_holds_the_meetings_and_its_resolutions_events_in_time_order(rt):
    motion = rt.open_with(rt.residents[:3])
    for r in rt.residents[:3]:
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, "for")
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    history = rt.app.roundtable.meeting_history(rt.meeting_id)
    assert isinstance(history[0], Meeting.Scheduled) and isinstance(history[-1], Resolution.Adopted)
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert all(e.at.tzinfo is not None for e in history)


def test_meeting_times_are_stored_as_aware_datetimes(rt):
    assert rt.meeting.starts_at == rt.starts
    assert rt.meeting.starts_at.astimezone(timezone(timedelta(hours=8))).hour == 19
    assert isinstance(rt.meeting.registration_deadline, datetime)


def test_a_long_meeting_is_snapshotted_and_loads_to_the_same_state(rt):
    rt.to_meeting_time()
    resident = rt.residents[0]
    for _ in range(110):   # 220 attendance events: past the snapshot interval
        rt.app.roundtable.check_in(rt.worker, rt.meeting_id, resident)
        rt.app.roundtable.check_out(rt.worker, rt.meeting_id, resident)
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, resident)
    snapshots = list(rt.app.snapshots.get(rt.meeting_id))
    assert snapshots, "expected a snapshot past the interval"
    replayed = rt.meeting
    assert replayed.present == {str(resident): True} and replayed.version == 2 + 221   # Scheduled, ProxyLimitSet
    events = list(rt.app.repository.event_store.get(rt.meeting_id))
    state = None
    for e in events:
        state = e.mutate(state)
    assert state.present == replayed.present and state.registered == replayed.registered
