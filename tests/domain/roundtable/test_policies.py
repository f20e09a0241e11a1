"""The roundtable's policies: a role × phase matrix for each rule a page asks, and for each phase and moment the
policy says yes exactly when the meeting accepts the command (the pages hide what the domain would refuse)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.kernel.actor import Actor
from domain.kernel.errors import DomainError
from domain.roundtable import policies as p
from tests.domain.builders import Roundtable


class Community:
    id, street_id, district_id = "c1", "s1", "d1"


C = Community()
RESIDENT = Actor("r1", residencies={"c1": "verified"})
PENDING = Actor("r2", residencies={"c1": "pending"})
OUTSIDER = Actor("r3", residencies={"c2": "verified"})
WORKER = Actor("w1", grants=frozenset({("worker", "c1")}))
OTHER_WORKER = Actor("w2", grants=frozenset({("worker", "c2")}))
ANONYMOUS = Actor()
PEOPLE = {"resident": RESIDENT, "pending": PENDING, "outsider": OUTSIDER, "worker": WORKER,
          "other_worker": OTHER_WORKER, "anonymous": ANONYMOUS}
PHASES = (p.SCHEDULED, p.OPEN, p.CLOSED, p.CANCELLED)
START, DEADLINE = "2026-05-02T11:00:00+00:00", "2026-05-02T09:00:00+00:00"
EARLY, DOORS, LATE = "2026-05-01T01:00:00+00:00", "2026-05-02T10:00:00+00:00", "2026-05-02T11:30:00+00:00"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("phase", PHASES)
def test_who_may_do_what_in_each_phase(who, phase):
    actor = PEOPLE[who]
    resident, worker = who == "resident", who == "worker"
    assert p.may_register(actor, C, None, phase, DEADLINE, EARLY) == (resident and phase == p.SCHEDULED)
    assert p.may_register(actor, C, p.REGISTERED, phase, DEADLINE, EARLY) is False
    assert p.may_propose(actor, C, phase, START, EARLY) == ((resident or worker) and phase == p.SCHEDULED)
    assert p.may_support(actor, C, "someone-else", "proposed", phase) == (resident and phase in (p.SCHEDULED, p.OPEN))
    assert p.may_support(actor, C, actor.account_id, "proposed", phase) is False
    assert p.may_support(actor, C, "someone-else", "declined", phase) is False
    assert p.may_decide_items(actor, C, phase) == (worker and phase in (p.SCHEDULED, p.OPEN))
    assert p.may_open_meeting(actor, C, phase, START, DOORS) == (worker and phase == p.SCHEDULED)
    assert p.may_vote(actor, C, phase, "open", None, True, True) == (resident and phase == p.OPEN)
    assert p.may_follow_up(actor, C, True) == worker and p.may_follow_up(actor, C, False) is False
    assert p.may_rate(actor, C, p.DONE) == resident and p.may_rate(actor, C, p.IN_PROGRESS) is False


@pytest.mark.parametrize("voted,on_roll,present,motion", [
    ("for", True, True, "open"), (None, False, True, "open"), (None, True, False, "open"), (None, True, True, "closed"),
])
def test_a_resident_votes_only_once_on_the_roll_checked_in_on_an_open_motion(voted, on_roll, present, motion):
    assert p.may_vote(RESIDENT, C, p.OPEN, motion, voted, on_roll, present) is False
    assert p.may_vote(RESIDENT, C, p.OPEN, "open", None, True, True) is True


def test_the_time_windows_of_a_meeting():
    assert p.registration_open(p.SCHEDULED, DEADLINE, DEADLINE) and not p.registration_open(p.SCHEDULED, DEADLINE, DOORS)
    assert p.proposals_open(p.SCHEDULED, START, DOORS) and not p.proposals_open(p.SCHEDULED, START, START)
    assert not p.doors_open(START, EARLY) and p.doors_open(START, DEADLINE) and p.doors_open(START, LATE)
    assert p.check_in_open(p.OPEN, START, LATE) and not p.check_in_open(p.CLOSED, START, LATE)
    assert not p.may_open_meeting(WORKER, C, p.SCHEDULED, START, EARLY)
    assert p.reschedulable(p.SCHEDULED, 0) and not p.reschedulable(p.SCHEDULED, 1) and not p.reschedulable(p.OPEN, 0)
    assert p.may_withdraw(p.WAITLISTED, p.SCHEDULED) and not p.may_withdraw(None, p.SCHEDULED)
    assert not p.may_withdraw(p.REGISTERED, p.OPEN)


def test_the_follow_up_moves_one_step_at_a_time_once_it_has_an_owner():
    assert p.next_follow_up_step("", p.PLANNED) is None
    assert p.next_follow_up_step("物业", p.PLANNED) == p.IN_PROGRESS
    assert p.next_follow_up_step("物业", p.IN_PROGRESS) == p.DONE
    assert p.next_follow_up_step("物业", p.DONE) is None
    assert p.owner_assignable(p.IN_PROGRESS) and not p.owner_assignable(p.DONE)


# --- the policy and the meeting agree --------------------------------------------------------------
MOMENTS = {"the day before": timedelta(days=-1), "doors open": timedelta(hours=-1), "started": timedelta(minutes=5)}


def _in_phase(linli, places, clock, phase: str, moment: str) -> Roundtable:
    """A meeting in `phase` (opened at the doors when open or closed), one resident registered, then at `moment`."""
    s = Roundtable(linli, places, clock, capacity=10)
    s.app.roundtable.register_for_meeting(s.residents[0], s.meeting_id)
    if phase in (p.OPEN, p.CLOSED):
        clock.now = s.starts - timedelta(hours=1)
        s.app.roundtable.open_meeting(s.worker, s.meeting_id)
        if phase == p.CLOSED:
            s.app.roundtable.adjourn_meeting(s.worker, s.meeting_id)
    if phase == p.CANCELLED:
        s.app.roundtable.cancel_meeting(s.worker, s.meeting_id, "台风")
    clock.now = max(clock.now, s.starts + MOMENTS[moment])
    return s


def _accepted(command) -> bool:
    try:
        command()
    except DomainError:
        return False
    return True


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("phase", PHASES)
def test_each_policy_says_yes_exactly_when_the_meeting_accepts(linli, places, clock, phase, moment):
    s = _in_phase(linli, places, clock, phase, moment)
    rt, m, now = s.app.roundtable, s.meeting_id, clock()

    def state():
        return s.meeting

    def registration(who):
        return state().registration_of(who)

    actor = s.app.accounts.actor
    community = s.app.accounts.community(s.community)
    cases = {
        "register": (lambda: p.may_register(actor(s.residents[1]), community, registration(s.residents[1]),
                                            state().status, state().registration_deadline, now),
                     lambda: rt.register_for_meeting(s.residents[1], m)),
        "withdraw": (lambda: p.may_withdraw(registration(s.residents[0]), state().status),
                     lambda: rt.cancel_registration(s.residents[0], m)),
        "propose": (lambda: p.may_propose(actor(s.residents[2]), community, state().status, state().starts_at, now),
                    lambda: rt.propose_agenda_item(s.residents[2], m, "新议题", "")),
        "check in": (lambda: p.check_in_open(state().status, state().starts_at, now),
                     lambda: rt.check_in(s.worker, m, s.residents[3])),
        "open": (lambda: p.may_open_meeting(actor(s.worker), community, state().status, state().starts_at, now),
                 lambda: rt.open_meeting(s.worker, m)),
    }
    for name, (policy, command) in cases.items():
        said = policy()
        assert _accepted(command) == said, (phase, moment, name, said)


# --- the meeting in the room (issue 14) ------------------------------------------------------------
@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("phase", PHASES)
def test_who_may_give_record_and_chair_in_each_phase(who, phase):
    actor = PEOPLE[who]
    resident, worker = who == "resident", who == "worker"
    assert p.may_give_proxy(actor, C, phase, None, 0, 1) == (resident and phase == p.SCHEDULED)
    assert p.may_give_proxy(actor, C, phase, None, 0, 0) is False            # a meeting without proxies
    assert p.may_give_proxy(actor, C, phase, {"holder_id": "x"}, 0, 1) is False
    assert p.may_give_proxy(actor, C, phase, None, 1, 1) is False            # holders give none
    assert p.may_withdraw_proxy({"holder_id": "x"}, phase) == (phase == p.SCHEDULED)
    assert p.may_record_proxies(actor, C, phase, 1) == (worker and phase == p.SCHEDULED)
    assert p.may_record_votes(actor, C, phase, "open") == (worker and phase == p.OPEN)
    assert p.may_record_votes(actor, C, phase, "closed") is False
    assert p.may_chair(actor, C, phase) == (worker and phase == p.OPEN)
    assert p.may_ask_to_speak(actor, C, phase, True, False) == (resident and phase == p.OPEN)
    assert p.may_vote_by_proxy(actor, C, phase, "open", True, True, None) == (resident and phase == p.OPEN)
    assert p.may_vote(actor, C, phase, "open", None, True, True, counted_by_hands=True) is False


@pytest.mark.parametrize("holder_present,represented,voted,hands", [
    (False, True, None, False), (True, False, None, False), (True, True, "for", False), (True, True, None, True)])
def test_a_proxy_vote_needs_the_holder_here_the_giver_represented_and_not_yet_counted(holder_present, represented,
                                                                                        voted, hands):
    assert p.may_vote_by_proxy(RESIDENT, C, p.OPEN, "open", holder_present, represented, voted, hands) is False


def test_each_person_counts_once_among_the_voices_present():
    roll, present = {"a", "b", "c", "d"}, {"b", "c", "x"}
    proxies = {"a": "b", "d": "x", "c": "b"}       # d's holder is not on the roll; c is here in person
    assert p.represented(roll, present, proxies) == {"a": "b"}
    assert p.voices_present(roll, present, proxies) == {"a", "b", "c"}
    assert p.hands_room(p.voices_present(roll, present, proxies), {"b"}) == 2
    assert p.hands_fit(1, 0, 1, 2) and not p.hands_fit(2, 0, 1, 2)
    assert p.hands_valid(0, 0, 10_000) and not p.hands_valid(-1, 0, 0) and not p.hands_valid(True, 0, 0)


@pytest.mark.parametrize("giver,holder,proxies,limit,refused", [
    ("a", "a", {}, 1, "不能委托给自己"), ("a", "b", {"a": "c"}, 1, "请先撤回原委托"),
    ("a", "b", {"b": "c"}, 1, "受托人本人已委托他人投票"), ("a", "b", {"c": "a"}, 1, "您已接受他人委托"),
    ("a", "b", {}, 0, "本次会议不接受委托投票"), ("a", "b", {"c": "b"}, 1, "上限"), ("a", "b", {"c": "b"}, 2, None)])
def test_proxy_refusals_name_their_reason(giver, holder, proxies, limit, refused):
    reason = p.proxy_refusal(giver, holder, proxies, limit)
    assert (reason is None) if refused is None else (refused in reason)


def test_why_someone_may_not_take_part():
    assert p.participation_gap(RESIDENT, C) is None and p.participation_gap(WORKER, C) is None
    assert p.participation_gap(PENDING, C) == "pending" and p.participation_gap(ANONYMOUS, C) == "anonymous"
    assert p.participation_gap(OUTSIDER, C) == "not_joined"
    assert p.participation_gap(Actor("r4", residencies={"c1": "rejected"}), C) == "rejected"


def test_the_minutes_must_state_every_closed_motion_as_recorded():
    record = {"1": (3, 1, 0), "2": (4, 1, 1)}
    assert p.minutes_mismatches({"1": (3, 1, 0), "2": [4, 1, 1]}, record) == []
    assert p.minutes_mismatches({"1": (3, 1, 0)}, record) == ["2"]
    assert p.minutes_mismatches({"1": (3, 0, 1), "2": (4, 1, 1), "9": (0, 0, 0)}, record) == ["1"]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("phase", PHASES)
def test_each_room_policy_says_yes_exactly_when_the_meeting_accepts(linli, places, clock, phase, moment):
    s = _in_phase(linli, places, clock, phase, moment)
    rt, m = s.app.roundtable, s.meeting_id
    actor, community = s.app.accounts.actor, s.app.accounts.community(s.community)
    phone = {r: s.app.sealer.unseal(r, s.app.accounts.account(r).personal)["phone"] for r in s.residents}
    state = lambda: s.meeting      # noqa: E731

    def gave(r):
        return state().proxy_of(r)

    def holds(r):
        return sum(1 for h in state().active_proxies.values() if h == str(r))
    cases = {
        "give proxy": (lambda: p.may_give_proxy(actor(s.residents[4]), community, state().status, gave(s.residents[4]),
                                                holds(s.residents[4]), state().proxy_limit),
                       lambda: rt.give_proxy(s.residents[4], m, phone[s.residents[5]])),
        "record proxy": (lambda: p.may_record_proxies(actor(s.worker), community, state().status, state().proxy_limit),
                         lambda: rt.record_proxy(s.worker, m, phone[s.residents[2]], phone[s.residents[3]])),
        "withdraw proxy": (lambda: p.may_withdraw_proxy(gave(s.residents[4]), state().status),
                           lambda: rt.withdraw_proxy(s.residents[4], m)),
    }
    for name, (policy, command) in cases.items():
        said = policy()
        assert _accepted(command) == said, (phase, moment, name, said)
