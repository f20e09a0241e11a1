"""The meeting in the room on SQLite and PostgreSQL (issue 14): every rule of proxies, votes by channel, show of
hands, speakers, the minutes' tallies and promotion notices, through the use cases on a real store; each refusal
records nothing; the views show the same as the meeting, and replaying twice gives the same rows."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.kernel.errors import NotAllowedError, NotFoundError
from domain.roundtable.model import (AlreadyVotedError, CountedByHandsError, HandsCountError, Meeting,
                                     MinutesMismatchError, ProxyError, ProxyHolderAbsentError, SpeakerError,
                                     VotedByProxyError)
from projections import accounts as directory
from projections import roundtable as views
from tests.builders import make_resident, make_worker

TABLES = list(views.projection.tables)


def snapshot(db) -> dict[str, list]:
    """Every rt_ row, sorted, so that two builds can be compared."""
    return {t: sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in db.all(f"SELECT * FROM {t}"))
            for t in TABLES}


class Room:
    """A community, its worker, six residents (居民0…居民5) and a meeting allowing two proxies per holder."""

    def __init__(self, svc, clock) -> None:
        self.svc, self.app, self.clock = svc, svc.app, clock
        app = self.app
        district = app.accounts.found_district("320106", "鼓楼区")
        street = app.accounts.found_street("320106001", "宁海路街道", district)
        self.community = app.accounts.found_community("320106001001", "江苏路社区", street)
        self.worker = make_worker(app, self.community, name="李社工")
        self.r = [make_resident(app, self.community, self.worker, name=f"居民{i}") for i in range(6)]
        self.starts = clock() + timedelta(days=1, hours=10)
        self.m = app.roundtable.schedule_meeting(
            self.worker, self.community, "议事会", "讨论", self.starts, self.starts + timedelta(hours=2), "活动室",
            "in_person", 1, self.starts - timedelta(hours=2), "simple", 50, proxy_limit=2)
        self.svc.runner.catch_up()

    def phone(self, i: int) -> str:
        return directory.person(self.svc.views, str(self.r[i]))["phone"]

    def version(self) -> int:
        return self.app.repository.get(self.m).version

    def refused(self, error, command, *args):
        before = self.version()
        with pytest.raises(error) as raised:
            command(*args)
        assert self.version() == before
        return raised.value

    def open(self, present: list[int]) -> tuple[str, str]:
        rt = self.app.roundtable
        self.item = rt.propose_agenda_item(self.r[0], self.m, "加装电梯", "")
        rt.accept_agenda_item(self.worker, self.m, self.item, 20)
        self.clock.now = self.starts - timedelta(minutes=30)
        for i in present:
            rt.check_in(self.worker, self.m, self.r[i])
        rt.open_meeting(self.worker, self.m)
        return self.item, rt.open_motion(self.worker, self.m, self.item)

    def catch_up(self):
        self.svc.runner.catch_up()
        return self.svc.views


@pytest.fixture
def room(services, clock) -> Room:
    return Room(services, clock)


def test_proxies_their_limit_and_who_counts_on_both_stores(room):
    rt, r = room.app.roundtable, room.r
    rt.give_proxy(r[0], room.m, room.phone(1))                                # 居民0 → 居民1
    rt.record_proxy(room.worker, room.m, room.phone(2), room.phone(1), "household")   # paper: 居民2 → 居民1
    assert "上限" in room.refused(ProxyError, rt.give_proxy, r[3], room.m, room.phone(1)).text()   # a third
    room.refused(ProxyError, rt.give_proxy, r[1], room.m, room.phone(4))      # a holder gives none
    room.refused(NotFoundError, rt.give_proxy, r[3], room.m, "13900000000")
    room.refused(NotAllowedError, rt.record_proxy, r[4], room.m, room.phone(3), room.phone(5))
    rt.give_proxy(r[3], room.m, room.phone(5))
    rt.withdraw_proxy(r[3], room.m)
    db = room.catch_up()
    rows = views.proxies(db, str(room.m))
    assert [(x["giver_name"], x["holder_name"], x["kind"], x["given_by_name"]) for x in rows] == [
        ("居民0", "居民1", "proxy", "居民0"), ("居民2", "居民1", "household", "李社工")]
    assert views.meeting(db, str(room.m))["proxy_limit"] == 2
    room.open([1, 4])
    db = room.catch_up()
    assert views.meeting(db, str(room.m))["represented"] == 2                 # both givers, through 居民1
    room.app.roundtable.check_out(room.worker, room.m, r[1])
    db = room.catch_up()
    assert views.meeting(db, str(room.m))["represented"] == 0                 # the holder left
    sheet = views.sign_in_sheet(db, str(room.community), str(room.m), frozen=True)
    assert [s["name"] for s in sheet] == [f"居民{i}" for i in range(6)]
    assert sheet[1]["holds_for"] == ["居民0", "居民2"] and sheet[2]["gave_to"] == "居民1"


def test_votes_by_every_channel_never_count_anyone_twice_on_both_stores(room):
    rt, r, w = room.app.roundtable, room.r, room.worker
    rt.give_proxy(r[0], room.m, room.phone(1))
    rt.give_proxy(r[5], room.m, room.phone(4))
    item, motion = room.open([1, 2, 3, 4])
    rt.cast_vote(r[1], room.m, motion, "for")                                 # on the phone
    rt.record_vote(w, room.m, motion, r[2], "against")                       # by the worker
    rt.cast_proxy_vote(r[1], room.m, motion, r[0], "for")                     # by proxy, on the phone
    room.refused(AlreadyVotedError, rt.cast_vote, r[2], room.m, motion, "for")
    room.refused(AlreadyVotedError, rt.record_vote, w, room.m, motion, r[1], "for")
    rt.check_in(w, room.m, r[0])
    room.refused(VotedByProxyError, rt.cast_vote, r[0], room.m, motion, "against")
    rt.check_out(w, room.m, r[4])
    room.refused(ProxyHolderAbsentError, rt.record_vote, w, room.m, motion, r[5], "for")
    assert "超过" in room.refused(HandsCountError, rt.count_hands, w, room.m, motion, 1, 1, 0).text()
    assert rt.count_hands(w, room.m, motion, 0, 0, 1) == 1                    # 居民3 only
    room.refused(CountedByHandsError, rt.cast_vote, r[3], room.m, motion, "for")
    db = room.catch_up()
    by = {v["name"]: (v["channel"], v["holder_name"], v["recorded_by_name"])
          for v in views.individual_votes(db, str(room.m), motion)}
    assert by == {"居民1": ("online", None, None), "居民2": ("worker", None, "李社工"),
                  "居民0": ("proxy", "居民1", None)}
    assert views.hand_pool(db, str(room.m), motion) == {str(r[3])}
    assert views.voters_to_record(db, str(room.m), motion) == []
    assert views.my_vote_details(db, str(room.m), str(r[2]))[motion]["recorded_by_name"] == "李社工"
    result = rt.close_motion(w, room.m, motion)
    assert (result["votes_for"], result["votes_against"], result["abstentions"], result["present"]) == (2, 1, 1, 4)
    db = room.catch_up()
    methods = views.vote_methods(db, str(room.m))[motion]
    assert (methods["online"], methods["worker"], methods["proxy"], methods["hands_abstentions"],
            methods["hands_eligible"]) == (1, 1, 1, 1, 1)


def test_the_minutes_state_tallies_checked_against_the_record_on_both_stores(room):
    rt, w = room.app.roundtable, room.worker
    item, motion = room.open([1, 2, 3])
    rt.cast_vote(room.r[1], room.m, motion, "for")
    rt.count_hands(w, room.m, motion, 1, 1, 0)
    rt.close_motion(w, room.m, motion)
    rt.adjourn_meeting(w, room.m)
    room.refused(MinutesMismatchError, rt.publish_minutes, w, room.m, "纪要", {motion: (1, 1, 0)})
    rt.publish_minutes(w, room.m, "纪要", {motion: (2, 1, 0)})
    db = room.catch_up()
    [check] = views.minutes_check(db, str(room.m))
    assert check["matches_vote_record"] and (check["stated_for"], check["counted_for"], check["closed_for"]) == \
        (2, 2, 2)
    assert (check["online"], check["hands_for"], check["hands_against"]) == (1, 1, 1)
    assert views.stated_tallies(db, str(room.m)) == {motion: (2, 1, 0)}
    with db.transaction() as tx:     # a tampered record no longer agrees with what the minutes state
        tx.execute("UPDATE rt_hands SET votes_for = 0 WHERE meeting_id = ?", (str(room.m),))
    assert not views.minutes_check(db, str(room.m))[0]["matches_vote_record"]


def test_speakers_in_order_with_their_times_on_both_stores(room):
    rt, r, w = room.app.roundtable, room.r, room.worker
    item, motion = room.open([0, 1, 2])
    room.refused(SpeakerError, rt.ask_to_speak, r[4], room.m, item)          # not checked in
    rt.take_up_item(w, room.m, item, 2)
    rt.ask_to_speak(r[1], room.m, item)
    rt.add_speaker(w, room.m, item, r[0])
    room.refused(SpeakerError, rt.ask_to_speak, r[1], room.m, item)
    rt.start_speaker(w, room.m, item)
    room.clock.advance(seconds=150)
    db = room.catch_up()
    current = views.floor(db, str(room.m))
    assert (current["title"], current["limit_seconds"], current["speaker"]["name"]) == ("加装电梯", 120, "居民1")
    rt.finish_speaker(w, room.m)
    rt.start_speaker(w, room.m, item)
    room.clock.advance(seconds=30)
    rt.finish_speaker(w, room.m)
    db = room.catch_up()
    assert [(s["name"], s["status"], s["seconds"], s["limit_seconds"], s["added_by_name"])
            for s in views.speakers(db, str(room.m))[item]] == [
        ("居民1", "done", 150, 120, "居民1"), ("居民0", "done", 30, 120, "李社工")]
    assert views.floor(db, str(room.m))["speaker"] is None


def test_a_promotion_notice_shows_until_read_on_both_stores(room):
    rt, r = room.app.roundtable, room.r
    rt.register_for_meeting(r[0], room.m)
    rt.register_for_meeting(r[1], room.m)                                    # capacity 1: waitlisted
    rt.cancel_registration(r[0], room.m)
    db = room.catch_up()
    [notice] = views.unseen_promotions(db, str(r[1]), room.clock())
    assert notice["title"] == "议事会"
    assert views.unseen_promotions(db, str(r[1]), room.starts) == []          # once the meeting starts: old news
    rt.dismiss_promotion_notice(r[1], room.m)
    assert views.unseen_promotions(room.catch_up(), str(r[1]), room.clock()) == []


def test_replaying_the_room_twice_gives_the_same_rows(room):
    rt, r, w = room.app.roundtable, room.r, room.worker
    rt.register_for_meeting(r[0], room.m)
    rt.register_for_meeting(r[3], room.m)
    rt.cancel_registration(r[0], room.m)
    rt.give_proxy(r[0], room.m, room.phone(1))
    item, motion = room.open([1, 2, 3])
    rt.take_up_item(w, room.m, item, 3)
    rt.ask_to_speak(r[2], room.m, item)
    rt.start_speaker(w, room.m, item)
    rt.finish_speaker(w, room.m)
    rt.cast_proxy_vote(r[1], room.m, motion, r[0], "for")
    rt.record_vote(w, room.m, motion, r[2], "for")
    rt.count_hands(w, room.m, motion, 2, 0, 0)
    rt.close_motion(w, room.m, motion)
    rt.adjourn_meeting(w, room.m)
    rt.publish_minutes(w, room.m, "纪要", {motion: (4, 0, 0)})
    built = snapshot(room.catch_up())
    for table in ("rt_proxies", "rt_vote_channels", "rt_hands", "rt_hand_pool", "rt_floor", "rt_speakers",
                  "rt_minutes_tallies", "rt_notices", "rt_proxy_limits"):
        assert built[table], table
    room.svc.runner.rebuild()
    assert snapshot(room.svc.views) == built
    history = room.app.roundtable.meeting_history(room.m)
    assert {type(e).__name__ for e in history} >= {"ProxyLimitSet", "ProxyGiven", "ProxyVoteCast", "VoteRecorded",
                                                    "HandsCounted", "SpeakerAdded", "SpeakerFinished"}
    with views.as_of_database(history, room.clock(), room.svc.views) as now:
        rebuilt = snapshot(now)
    for table in ("rt_proxies", "rt_vote_channels", "rt_hands", "rt_speakers", "rt_minutes_tallies"):
        assert rebuilt[table] == built[table], table
    assert isinstance(history[1], Meeting.ProxyLimitSet)


def test_a_vote_sent_at_once_on_a_phone_through_the_worker_and_by_proxy_counts_once_on_both_stores(room):
    """Twelve simultaneous attempts at one resident's vote across the three channels: exactly one is recorded,
    the others are refused as a second vote (the meeting's stream decides, under optimistic concurrency)."""
    import threading
    rt, r, w = room.app.roundtable, room.r, room.worker
    rt.give_proxy(r[0], room.m, room.phone(1))
    item, motion = room.open([0, 1])
    attempts = [lambda i: rt.cast_vote(r[0], room.m, motion, "for", command_id=f"phone-{i}"),
                lambda i: rt.record_vote(w, room.m, motion, r[0], "against", command_id=f"worker-{i}"),
                lambda i: rt.cast_proxy_vote(r[1], room.m, motion, r[0], "abstain", command_id=f"proxy-{i}")]
    outcomes: list[str] = []
    barrier = threading.Barrier(12)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            attempts[i % 3](i)
            outcomes.append("ok")
        except (AlreadyVotedError, ProxyError):   # the holder may not vote for a giver who is here in person
            outcomes.append("refused")
    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 11
    assert len(room.app.roundtable.meeting(room.m).motions[motion]["votes"]) == 1
    db = room.catch_up()
    assert views.open_motion(db, str(room.m))["votes_cast"] == 1
