"""The meeting in the room (issue 14): proxies and household representatives, votes recorded by the worker, show
of hands, speakers, minutes checked against the vote record, promotion notices. Every refusal records nothing."""
from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.roundtable.model import (AlreadyVotedError, CountedByHandsError, HandsCountError, Meeting,
                                     MeetingScheduleError, MinutesMismatchError, MotionClosedError,
                                     NotCheckedInError, NotOnRollError, ProxyError, ProxyHolderAbsentError,
                                     SpeakerError, VotedByProxyError)
from tests.builders import make_resident
from tests.domain.builders import Roundtable


@pytest.fixture
def rt(linli, places, clock) -> Roundtable:
    return Roundtable(linli, places, clock, capacity=10)


def phone_of(rt, account_id) -> str:
    """The phone number an account holds (the builders make them; the directory is not needed)."""
    return rt.app.sealer.unseal(account_id, rt.app.accounts.account(account_id).personal)["phone"]


def refused(rt, error, command, *args, **kwargs):
    """`command` raises `error` and the meeting's stream is unchanged."""
    before = rt.app.repository.get(rt.meeting_id).version
    with pytest.raises(error) as raised:
        command(*args, **kwargs)
    assert rt.app.repository.get(rt.meeting_id).version == before
    return raised.value


def events_of(rt, cls) -> list:
    return [e for e in rt.app.roundtable.meeting_history(rt.meeting_id) if isinstance(e, cls)]


# --- the proxy limit, set when scheduling ------------------------------------------------------------
def test_scheduling_records_the_proxy_limit_default_one(rt):
    [limit] = events_of(rt, Meeting.ProxyLimitSet)
    assert limit.limit == 1 and rt.meeting.proxy_limit == 1


def test_a_worker_may_allow_more_proxies_or_none_but_not_absurdly_many(rt):
    args = (rt.worker, rt.community, "t", "p", rt.starts, rt.starts + timedelta(hours=1), "x", "in_person", 10,
            rt.starts, "simple", 50)
    assert rt.app.roundtable.meeting(rt.app.roundtable.schedule_meeting(*args, proxy_limit=3)).proxy_limit == 3
    assert rt.app.roundtable.meeting(rt.app.roundtable.schedule_meeting(*args, proxy_limit=0)).proxy_limit == 0
    for bad in (-1, 6, True, "2"):
        with pytest.raises(MeetingScheduleError):
            rt.app.roundtable.schedule_meeting(*args, proxy_limit=bad)


def test_a_meeting_stored_before_proxy_limits_loads_with_a_limit_of_one(linli, places, clock, rt):
    """A `Meeting.Scheduled` stored without a `ProxyLimitSet` (every meeting before issue 14) still loads and
    takes proxies; so does a snapshot taken before the new parts of the state existed."""
    old = Meeting(id=uuid4(), community_id=rt.community, title="旧会议",
                  purpose="p", starts_at=rt.starts, ends_at=rt.starts + timedelta(hours=1), place="x",
                  mode="in_person", capacity=10, registration_deadline=rt.starts, voting_rule="simple",
                  quorum_percent=50, scheduled_by=rt.worker, at=clock())
    for part in ("max_proxies", "proxies", "floor", "speakers", "notices_seen"):
        del old.__dict__[part]            # as a snapshot from before issue 14 restores it
    assert old.proxy_limit == 1 and old.active_proxies == {} and old.speaking() is None
    old.give_proxy(rt.residents[0], rt.residents[1], "proxy", rt.residents[0], clock())
    assert old.active_proxies == {str(rt.residents[0]): str(rt.residents[1])}
    linli.save(old)
    assert linli.roundtable.meeting(old.id).proxy_limit == 1


# --- giving and withdrawing proxies -----------------------------------------------------------------
def test_a_resident_authorises_another_by_phone_before_the_meeting_opens(rt):
    giver, holder = rt.residents[:2]
    assert rt.app.roundtable.give_proxy(giver, rt.meeting_id, phone_of(rt, holder)) == str(holder)
    assert rt.meeting.active_proxies == {str(giver): str(holder)}
    [given] = events_of(rt, Meeting.ProxyGiven)
    assert (given.giver, given.holder, given.kind, given.by) == (giver, holder, "proxy", giver)
    rt.app.roundtable.withdraw_proxy(giver, rt.meeting_id)
    assert rt.meeting.active_proxies == {}
    rt.app.roundtable.give_proxy(giver, rt.meeting_id, phone_of(rt, rt.residents[2]), "household")
    assert rt.meeting.proxy_of(giver) == {"holder": str(rt.residents[2]), "kind": "household"}


def test_the_worker_records_a_signed_paper_authorisation(rt):
    giver, holder = rt.residents[:2]
    assert rt.app.roundtable.record_proxy(rt.worker, rt.meeting_id, phone_of(rt, giver),
                                          phone_of(rt, holder)) == str(giver)
    [given] = events_of(rt, Meeting.ProxyGiven)
    assert given.by == rt.worker
    refused(rt, NotAllowedError, rt.app.roundtable.record_proxy, rt.residents[2], rt.meeting_id,
            phone_of(rt, rt.residents[3]), phone_of(rt, rt.residents[4]))


@pytest.mark.parametrize("case,error,message", [
    ("self", ProxyError, "不能委托给自己"),
    ("twice", ProxyError, "请先撤回原委托"),
    ("holder_gave", ProxyError, "受托人本人已委托他人投票"),
    ("giver_holds", ProxyError, "您已接受他人委托"),
    ("too_many", ProxyError, "上限"),
    ("outsider", NotFoundError, "本社区已核实居民"),
    ("unverified", NotFoundError, "本社区已核实居民"),
    ("unknown", NotFoundError, "本社区已核实居民"),
])
def test_impossible_proxies_are_refused_with_a_clear_message(rt, case, error, message):
    r = rt.residents
    if case == "twice":
        rt.app.roundtable.give_proxy(r[0], rt.meeting_id, phone_of(rt, r[1]))
    if case == "holder_gave":
        rt.app.roundtable.give_proxy(r[1], rt.meeting_id, phone_of(rt, r[2]))
    if case == "giver_holds":
        rt.app.roundtable.give_proxy(r[2], rt.meeting_id, phone_of(rt, r[0]))
    if case == "too_many":                      # the holder already carries the one proxy allowed
        rt.app.roundtable.give_proxy(r[2], rt.meeting_id, phone_of(rt, r[1]))
    holder = {"self": r[0], "twice": r[3], "outsider": rt.outsider, "unverified": rt.unverified}.get(case, r[1])
    phone = "13999999999" if case == "unknown" else phone_of(rt, holder)
    raised = refused(rt, error, rt.app.roundtable.give_proxy, r[0], rt.meeting_id, phone)
    assert message in raised.text()


@pytest.mark.parametrize("who", ["outsider", "unverified", "worker"])
def test_only_a_verified_resident_of_the_community_gives_a_proxy(rt, who):
    refused(rt, NotAllowedError, rt.app.roundtable.give_proxy, getattr(rt, who), rt.meeting_id,
            phone_of(rt, rt.residents[1]))


def test_a_meeting_allowing_two_proxies_per_holder_refuses_the_third(linli, places, clock):
    rt = Roundtable(linli, places, clock)
    meeting = rt.app.roundtable.schedule_meeting(
        rt.worker, rt.community, "两份委托", "p", rt.starts, rt.starts + timedelta(hours=1), "x", "in_person", 10,
        rt.starts, "simple", 50, proxy_limit=2)
    holder = phone_of(rt, rt.residents[0])
    for giver in rt.residents[1:3]:
        rt.app.roundtable.give_proxy(giver, meeting, holder)
    with pytest.raises(ProxyError) as raised:
        rt.app.roundtable.give_proxy(rt.residents[3], meeting, holder)
    assert "上限" in raised.value.text()
    assert len(rt.app.roundtable.meeting(meeting).active_proxies) == 2


def test_a_meeting_without_proxies_refuses_them(linli, places, clock):
    rt = Roundtable(linli, places, clock)
    meeting = rt.app.roundtable.schedule_meeting(
        rt.worker, rt.community, "不接受委托", "p", rt.starts, rt.starts + timedelta(hours=1), "x", "in_person",
        10, rt.starts, "simple", 50, proxy_limit=0)
    with pytest.raises(ProxyError):
        rt.app.roundtable.give_proxy(rt.residents[0], meeting, phone_of(rt, rt.residents[1]))


def test_proxies_are_given_and_withdrawn_only_before_the_meeting_opens(rt):
    rt.app.roundtable.give_proxy(rt.residents[0], rt.meeting_id, phone_of(rt, rt.residents[1]))
    rt.open_with([rt.residents[1]])
    refused(rt, ProxyError, rt.app.roundtable.give_proxy, rt.residents[2], rt.meeting_id,
            phone_of(rt, rt.residents[3]))
    refused(rt, ProxyError, rt.app.roundtable.withdraw_proxy, rt.residents[0], rt.meeting_id)
    refused(rt, ProxyError, rt.app.roundtable.withdraw_proxy, rt.residents[4], rt.meeting_id)


# --- voting by proxy --------------------------------------------------------------------------------
def with_proxy(rt, present) -> str:
    """residents[0] authorised residents[1]; `present` checked in; the meeting open with a motion; its id."""
    rt.app.roundtable.give_proxy(rt.residents[0], rt.meeting_id, phone_of(rt, rt.residents[1]))
    return rt.open_with(present)


def test_a_checked_in_holder_casts_the_absent_givers_vote_on_their_phone(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [holder])
    rt.app.roundtable.cast_vote(holder, rt.meeting_id, motion, "for")
    rt.app.roundtable.cast_proxy_vote(holder, rt.meeting_id, motion, giver, "against")
    m = rt.meeting
    assert m.motions[motion]["votes"] == {str(holder): "for", str(giver): "against"}
    assert m.methods(motion) == {"online": 1, "worker": 0, "proxy": 1, "hands": None, "hands_eligible": 0}
    [cast] = events_of(rt, Meeting.ProxyVoteCast)
    assert (cast.voter, cast.holder, cast.choice) == (giver, holder, "against")
    assert m.tally(motion)["present"] == 2             # the holder and the giver they represent, once each


def test_a_proxy_whose_holder_is_absent_is_refused_and_records_nothing(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [rt.residents[2]])
    raised = refused(rt, ProxyHolderAbsentError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion,
                     giver, "for")
    assert "受托人尚未签到" in raised.text()
    refused(rt, ProxyHolderAbsentError, rt.app.roundtable.cast_proxy_vote, holder, rt.meeting_id, motion, giver, "for")
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, holder)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, holder)          # came and left: the proxy lapses again
    refused(rt, ProxyHolderAbsentError, rt.app.roundtable.cast_proxy_vote, holder, rt.meeting_id, motion, giver, "for")


def test_only_the_named_holder_votes_for_the_giver_and_only_while_the_giver_is_away(rt):
    giver, holder, other = rt.residents[:3]
    motion = with_proxy(rt, [holder, other])
    refused(rt, ProxyError, rt.app.roundtable.cast_proxy_vote, other, rt.meeting_id, motion, giver, "for")
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, giver)
    raised = refused(rt, ProxyError, rt.app.roundtable.cast_proxy_vote, holder, rt.meeting_id, motion, giver, "for")
    assert "本人已到会" in raised.text()


def test_a_giver_who_votes_in_person_revokes_the_proxy(rt):
    giver, holder = rt.residents[:2]
    item2 = rt.accepted_item("第二项")
    motion = with_proxy(rt, [holder, giver])
    rt.app.roundtable.cast_vote(giver, rt.meeting_id, motion, "for")
    [revoked] = events_of(rt, Meeting.ProxyRevoked)
    assert (revoked.giver, revoked.holder, revoked.motion_id) == (giver, holder, motion)
    assert rt.meeting.active_proxies == {}
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, giver)
    second = rt.app.roundtable.open_motion(rt.worker, rt.meeting_id, item2)
    refused(rt, ProxyError, rt.app.roundtable.cast_proxy_vote, holder, rt.meeting_id, second, giver, "for")


def test_a_giver_whose_holder_already_voted_for_them_cannot_vote_again(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [holder])
    rt.app.roundtable.cast_proxy_vote(holder, rt.meeting_id, motion, giver, "for")
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, giver)
    raised = refused(rt, VotedByProxyError, rt.app.roundtable.cast_vote, giver, rt.meeting_id, motion, "against")
    assert "受托人已代您投了这一票" in raised.text()
    refused(rt, AlreadyVotedError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion, giver, "against")
    assert rt.meeting.tally(motion)["votes_for"] == 1


# --- votes recorded by the worker -------------------------------------------------------------------
def test_the_worker_records_a_present_residents_vote_marked_with_the_worker(rt):
    motion = rt.open_with(rt.residents[:2])
    assert rt.app.roundtable.record_vote(rt.worker, rt.meeting_id, motion, rt.residents[0], "for") == "worker"
    [recorded] = events_of(rt, Meeting.VoteRecorded)
    assert (recorded.voter, recorded.choice, recorded.holder, recorded.by) == (rt.residents[0], "for", None, rt.worker)
    assert rt.meeting.motions[motion]["channels"][str(rt.residents[0])] == {
        "channel": "worker", "holder": None, "by": str(rt.worker)}


def test_the_worker_records_an_absent_givers_vote_through_their_checked_in_holder(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [holder])
    assert rt.app.roundtable.record_vote(rt.worker, rt.meeting_id, motion, giver, "abstain") == "proxy"
    [recorded] = events_of(rt, Meeting.VoteRecorded)
    assert (recorded.holder, recorded.by) == (holder, rt.worker)


def test_a_double_vote_across_channels_is_refused(rt):
    motion = rt.open_with(rt.residents[:3])
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    refused(rt, AlreadyVotedError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion,
            rt.residents[0], "against")
    rt.app.roundtable.record_vote(rt.worker, rt.meeting_id, motion, rt.residents[1], "for")
    refused(rt, AlreadyVotedError, rt.app.roundtable.cast_vote, rt.residents[1], rt.meeting_id, motion, "against")
    assert rt.meeting.tally(motion)["votes_for"] == 2


def test_the_worker_records_votes_only_of_present_residents_on_the_roll_on_an_open_motion(rt):
    motion = rt.open_with(rt.residents[:2])
    refused(rt, NotCheckedInError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion,
            rt.residents[4], "for")
    late = make_resident(rt.app, rt.community, rt.worker)
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, late)
    refused(rt, NotOnRollError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion, late, "for")
    refused(rt, InvalidInputError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion,
            rt.residents[0], "maybe")
    for who in (rt.residents[1], rt.other_worker, rt.fund_manager):
        refused(rt, NotAllowedError, rt.app.roundtable.record_vote, who, rt.meeting_id, motion, rt.residents[0],
                "for")
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    refused(rt, MotionClosedError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion,
            rt.residents[0], "for")


# --- show of hands ----------------------------------------------------------------------------------
def test_hands_count_the_present_who_did_not_vote_individually_never_more(rt):
    motion = rt.open_with(rt.residents[:4])
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    raised = refused(rt, HandsCountError, rt.app.roundtable.count_hands, rt.worker, rt.meeting_id, motion, 2, 1, 1)
    assert raised.text() == "举手人数（4）超过在场且尚未投票的人数（3），未予记录"
    assert rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 2, 0, 1) == 3
    t = rt.meeting.tally(motion)
    assert (t["votes_for"], t["votes_against"], t["abstentions"], t["present"]) == (3, 0, 1, 4)
    assert rt.meeting.methods(motion) == {"online": 1, "worker": 0, "proxy": 0, "hands": [2, 0, 1],
                                          "hands_eligible": 3}


def test_hands_include_the_absent_represented_by_a_checked_in_holder(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [holder, rt.residents[2]])
    refused(rt, HandsCountError, rt.app.roundtable.count_hands, rt.worker, rt.meeting_id, motion, 4, 0, 0)
    assert rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 3, 0, 0) == 3


@pytest.mark.parametrize("counts", [(-1, 0, 0), (0, 10_001, 0), (True, 0, 0), (1.5, 0, 0)])
def test_impossible_hand_counts_are_refused(rt, counts):
    motion = rt.open_with(rt.residents[:2])
    refused(rt, InvalidInputError, rt.app.roundtable.count_hands, rt.worker, rt.meeting_id, motion, *counts)


def test_nobody_counted_by_hands_votes_again_individually_but_a_later_arrival_may(rt):
    giver, holder = rt.residents[:2]
    motion = with_proxy(rt, [holder, rt.residents[2]])
    rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 2, 1, 0)
    raised = refused(rt, CountedByHandsError, rt.app.roundtable.cast_vote, rt.residents[2], rt.meeting_id, motion,
                     "for")
    assert "举手" in raised.text()
    refused(rt, CountedByHandsError, rt.app.roundtable.cast_proxy_vote, holder, rt.meeting_id, motion, giver, "for")
    refused(rt, CountedByHandsError, rt.app.roundtable.record_vote, rt.worker, rt.meeting_id, motion, giver, "for")
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, rt.residents[3])
    rt.app.roundtable.cast_vote(rt.residents[3], rt.meeting_id, motion, "against")
    rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 3, 0, 0)   # a recount replaces the count
    t = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    assert (t["votes_for"], t["votes_against"], t["present"], t["outcome"]) == (3, 1, 4, "passed")


def test_only_the_worker_counts_hands_and_only_while_the_motion_is_open(rt):
    motion = rt.open_with(rt.residents[:2])
    refused(rt, NotAllowedError, rt.app.roundtable.count_hands, rt.residents[0], rt.meeting_id, motion, 1, 0, 0)
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    refused(rt, MotionClosedError, rt.app.roundtable.count_hands, rt.worker, rt.meeting_id, motion, 1, 0, 0)


# --- quorum counts each person once ---------------------------------------------------------------
def test_quorum_counts_a_represented_giver_once_and_never_twice(linli, places, clock):
    rt = Roundtable(linli, places, clock, residents=4, quorum_percent=75)       # 3 of 4 needed
    giver, holder = rt.residents[:2]
    rt.app.roundtable.give_proxy(giver, rt.meeting_id, phone_of(rt, holder))
    motion = rt.open_with([holder, rt.residents[2]])
    assert rt.meeting.voices() == {str(giver), str(holder), str(rt.residents[2])}
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, giver)                  # in person now: still one voice
    assert len(rt.meeting.voices()) == 3 and rt.meeting.represented_now() == {}
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, giver)
    rt.app.roundtable.check_out(rt.worker, rt.meeting_id, holder)                # the holder left: the proxy lapses
    assert rt.meeting.voices() == {str(rt.residents[2])}
    rt.app.roundtable.check_in(rt.worker, rt.meeting_id, holder)
    for voter, channel in ((holder, "self"), (giver, "proxy"), (rt.residents[2], "self")):
        if channel == "proxy":
            rt.app.roundtable.cast_proxy_vote(holder, rt.meeting_id, motion, voter, "for")
        else:
            rt.app.roundtable.cast_vote(voter, rt.meeting_id, motion, "for")
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    assert (result["present"], result["required"], result["outcome"]) == (3, 3, "passed")


# --- speakers ---------------------------------------------------------------------------------------
def test_residents_ask_to_speak_the_worker_calls_them_in_order_and_times_them(rt):
    item = rt.accepted_item()
    rt.open_with(rt.residents[:3], item)
    rt.app.roundtable.take_up_item(rt.worker, rt.meeting_id, item, 3)
    rt.app.roundtable.ask_to_speak(rt.residents[0], rt.meeting_id, item)
    rt.app.roundtable.add_speaker(rt.worker, rt.meeting_id, item, rt.residents[1])
    rt.app.roundtable.ask_to_speak(rt.residents[2], rt.meeting_id, item)
    rt.app.roundtable.withdraw_speaker(rt.residents[2], rt.meeting_id, item, rt.residents[2])
    assert rt.app.roundtable.start_speaker(rt.worker, rt.meeting_id, item) == str(rt.residents[0])
    rt.clock.advance(seconds=200)
    assert rt.app.roundtable.finish_speaker(rt.worker, rt.meeting_id) == 200
    rt.app.roundtable.start_speaker(rt.worker, rt.meeting_id, item)
    rt.clock.advance(seconds=95)
    rt.app.roundtable.finish_speaker(rt.worker, rt.meeting_id)
    m = rt.meeting
    assert [(s["speaker"], s["status"], s["seconds"]) for s in m.speaker_list(item)] == [
        (str(rt.residents[0]), "done", 200), (str(rt.residents[1]), "done", 95),
        (str(rt.residents[2]), "withdrawn", 0)]
    [first, second] = events_of(rt, Meeting.SpeakerFinished)
    assert (first.seconds, first.limit_seconds, second.seconds) == (200, 180, 95)


def test_speaker_refusals(rt):
    item = rt.accepted_item()
    other = rt.accepted_item("第二项")
    rt.open_with(rt.residents[:2], item)
    refused(rt, SpeakerError, rt.app.roundtable.ask_to_speak, rt.residents[3], rt.meeting_id, item)   # not here
    rt.app.roundtable.ask_to_speak(rt.residents[0], rt.meeting_id, item)
    refused(rt, SpeakerError, rt.app.roundtable.ask_to_speak, rt.residents[0], rt.meeting_id, item)   # already
    refused(rt, SpeakerError, rt.app.roundtable.start_speaker, rt.worker, rt.meeting_id, item)        # not taken up
    refused(rt, NotAllowedError, rt.app.roundtable.take_up_item, rt.residents[0], rt.meeting_id, item, 0)
    refused(rt, InvalidInputError, rt.app.roundtable.take_up_item, rt.worker, rt.meeting_id, item, 61)
    rt.app.roundtable.take_up_item(rt.worker, rt.meeting_id, item, 0)
    refused(rt, NotAllowedError, rt.app.roundtable.start_speaker, rt.residents[1], rt.meeting_id, item)
    refused(rt, NotAllowedError, rt.app.roundtable.withdraw_speaker, rt.residents[1], rt.meeting_id, item,
            rt.residents[0])
    rt.app.roundtable.start_speaker(rt.worker, rt.meeting_id, item)
    refused(rt, SpeakerError, rt.app.roundtable.take_up_item, rt.worker, rt.meeting_id, other, 0)    # still speaking
    refused(rt, SpeakerError, rt.app.roundtable.start_speaker, rt.worker, rt.meeting_id, item)
    rt.app.roundtable.finish_speaker(rt.worker, rt.meeting_id)
    refused(rt, SpeakerError, rt.app.roundtable.finish_speaker, rt.worker, rt.meeting_id)
    refused(rt, SpeakerError, rt.app.roundtable.start_speaker, rt.worker, rt.meeting_id, item)        # nobody waits


def test_adjourning_ends_the_current_speech(rt):
    item = rt.accepted_item()
    motion = rt.open_with(rt.residents[:1], item)
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    rt.app.roundtable.take_up_item(rt.worker, rt.meeting_id, item, 0)
    rt.app.roundtable.add_speaker(rt.worker, rt.meeting_id, item, rt.residents[0])
    rt.app.roundtable.start_speaker(rt.worker, rt.meeting_id, item)
    rt.app.roundtable.adjourn_meeting(rt.worker, rt.meeting_id)
    assert rt.meeting.speaking() is None and len(events_of(rt, Meeting.SpeakerFinished)) == 1


# --- minutes checked against the vote record ----------------------------------------------------------
def closed_meeting(rt) -> str:
    motion = rt.open_with(rt.residents[:4])
    rt.app.roundtable.cast_vote(rt.residents[0], rt.meeting_id, motion, "for")
    rt.app.roundtable.record_vote(rt.worker, rt.meeting_id, motion, rt.residents[1], "against")
    rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 1, 0, 1)
    rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    rt.app.roundtable.adjourn_meeting(rt.worker, rt.meeting_id)
    return motion


@pytest.mark.parametrize("tallies", [None, {}, {"1": (2, 1, 0)}, {"1": (2, 0, 1)}, {"9": (2, 1, 1)}])
def test_minutes_whose_tallies_differ_from_the_record_are_not_published(rt, tallies):
    closed_meeting(rt)
    raised = refused(rt, MinutesMismatchError, rt.app.roundtable.publish_minutes, rt.worker, rt.meeting_id, "纪要",
                     tallies)
    assert raised.motions == ["1"] and "1 项" in raised.text()


def test_minutes_stating_the_record_are_published_with_how_each_vote_was_taken(rt):
    motion = closed_meeting(rt)
    rt.app.roundtable.publish_minutes(rt.worker, rt.meeting_id, "纪要", {motion: (2, 1, 1)})
    [published] = events_of(rt, Meeting.MinutesPublished)
    assert published.results == [{"motion_id": motion, "title": "3 号楼加装电梯", "outcome": "passed",
                                  "votes_for": 2, "votes_against": 1, "abstentions": 1, "stated": [2, 1, 1],
                                  "methods": {"online": 1, "worker": 1, "proxy": 0, "hands": [1, 0, 1],
                                              "hands_eligible": 2}}]


# --- notices ----------------------------------------------------------------------------------------
def test_a_promoted_resident_dismisses_the_notice_once(linli, places, clock):
    rt = Roundtable(linli, places, clock, capacity=1)
    first, second = rt.residents[:2]
    for r in (first, second):
        rt.app.roundtable.register_for_meeting(r, rt.meeting_id)
    assert rt.app.roundtable.dismiss_promotion_notice(second, rt.meeting_id) is False   # nothing to read yet
    rt.app.roundtable.cancel_registration(first, rt.meeting_id)
    assert rt.app.roundtable.dismiss_promotion_notice(second, rt.meeting_id) is True
    assert rt.app.roundtable.dismiss_promotion_notice(second, rt.meeting_id) is False
    assert len(events_of(rt, Meeting.PromotionNoticeSeen)) == 1


def test_a_snapshot_of_a_meeting_in_the_room_loads_to_the_same_state(rt):
    giver, holder = rt.residents[:2]
    item = rt.accepted_item()
    rt.app.roundtable.give_proxy(giver, rt.meeting_id, phone_of(rt, holder))
    motion = rt.open_with([holder, rt.residents[2]], item)
    rt.app.roundtable.take_up_item(rt.worker, rt.meeting_id, item, 2)
    rt.app.roundtable.ask_to_speak(holder, rt.meeting_id, item)
    rt.app.roundtable.start_speaker(rt.worker, rt.meeting_id, item)
    rt.app.roundtable.record_vote(rt.worker, rt.meeting_id, motion, giver, "for")
    rt.app.roundtable.count_hands(rt.worker, rt.meeting_id, motion, 1, 0, 0)
    rt.app.take_snapshot(rt.meeting_id)
    [snapshot] = list(rt.app.snapshots.get(rt.meeting_id))
    restored = snapshot.mutate(None)
    assert restored.speaking()["started_at"] == rt.clock() and restored.active_proxies == {str(giver): str(holder)}
    assert restored.motions[motion]["hand_pool"] == sorted([str(holder), str(rt.residents[2])])
    rt.clock.advance(seconds=42)
    assert rt.app.roundtable.finish_speaker(rt.worker, rt.meeting_id) == 42     # started_at survived the snapshot
    loaded = rt.meeting
    state = None
    for e in rt.app.repository.event_store.get(rt.meeting_id):
        state = e.mutate(state)
    for part in ("proxies", "floor", "speakers", "motions", "present", "max_proxies"):
        assert getattr(loaded, part) == getattr(state, part), part
