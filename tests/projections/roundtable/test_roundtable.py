"""The roundtable views on SQLite and PostgreSQL: rows from events, replay-twice equality, queries, "as of"."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from projections import accounts as directory
from projections import roundtable as views
from tests.builders import make_resident, make_worker

TABLES = list(views.projection.tables)


def snapshot(db) -> dict[str, list]:
    """Every rt_ row, sorted, so that two builds can be compared."""
    out = {}
    for table in TABLES:
        rows = db.all(f"SELECT * FROM {table}")
        out[table] = sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)
    return out


class Scene:
    """A meeting taken through its whole life on a real store, with the views caught up at each step."""

    def __init__(self, svc, clock) -> None:
        self.svc, self.app, self.clock = svc, svc.app, clock
        app = self.app
        district = app.accounts.found_district("320106", "鼓楼区")
        street = app.accounts.found_street("320106001", "宁海路街道", district)
        self.community = app.accounts.found_community("320106001001", "江苏路社区", street)
        self.other = app.accounts.found_community("320106001002", "颐和路社区", street)
        self.worker = make_worker(app, self.community)
        self.residents = [make_resident(app, self.community, self.worker, name=f"居民{i}") for i in range(5)]
        self.starts = clock() + timedelta(days=1, hours=10)
        self.meeting_id = app.roundtable.schedule_meeting(
            self.worker, self.community, "<b>加装电梯</b>议事会", "讨论加装电梯", self.starts,
            self.starts + timedelta(hours=2), "社区活动室", "hybrid", 2, self.starts - timedelta(hours=2),
            "simple", 50)

    def catch_up(self) -> None:
        self.svc.runner.catch_up()

    def run(self, stop_after: str | None = None) -> None:
        app, m, w, r = self.app, self.meeting_id, self.worker, self.residents
        for x in r[:4]:
            app.roundtable.register_for_meeting(x, m)
        self.catch_up()
        app.roundtable.cancel_registration(r[0], m)                       # r[2] promoted, r[3] still waiting
        app.roundtable.reschedule_meeting(w, m, self.starts, self.starts + timedelta(hours=3), "社区大礼堂",
                               self.starts - timedelta(hours=2), "人多，换大场地")
        self.item = app.roundtable.propose_agenda_item(r[1], m, "3 号楼加装电梯", "<script>alert(1)</script>")
        self.declined = app.roundtable.propose_agenda_item(r[2], m, "停车", "")
        self.second = app.roundtable.propose_agenda_item(w, m, "垃圾分类", "")
        app.roundtable.support_agenda_item(r[2], m, self.item)
        app.roundtable.support_agenda_item(r[3], m, self.item)
        app.roundtable.accept_agenda_item(w, m, self.item, 30)
        app.roundtable.accept_agenda_item(w, m, self.second, 10, position=1)
        app.roundtable.decline_agenda_item(w, m, self.declined, "属于物业职责")
        self.catch_up()
        self.before_meeting = self.clock()
        self.clock.now = self.starts - timedelta(minutes=20)
        for x in r[1:4]:
            app.roundtable.check_in(w, m, x)
        app.roundtable.open_meeting(w, m)
        app.roundtable.check_out(w, m, r[3])
        self.motion = app.roundtable.open_motion(w, m, self.item)
        app.roundtable.cast_vote(r[1], m, self.motion, "for")
        app.roundtable.cast_vote(r[2], m, self.motion, "against")
        self.catch_up()
        if stop_after == "voting":
            return
        self.clock.advance(minutes=5)
        app.roundtable.check_in(w, m, r[3])
        app.roundtable.cast_vote(r[3], m, self.motion, "for")
        self.closed = app.roundtable.close_motion(w, m, self.motion)
        self.clock.advance(minutes=30)
        app.roundtable.adjourn_meeting(w, m)
        app.roundtable.publish_minutes(w, m, "会议纪要：<img src=x onerror=alert(1)>", {self.motion: (2, 1, 0)})
        self.catch_up()
        rid = self.closed["resolution_id"]
        from uuid import UUID
        self.resolution_id = UUID(rid)
        app.roundtable.assign_resolution_owner(w, self.resolution_id, "物业公司")
        app.roundtable.note_resolution_progress(w, self.resolution_id, "已联系厂家", "2026-05-10")
        app.roundtable.advance_resolution(w, self.resolution_id, "in_progress")
        app.roundtable.advance_resolution(w, self.resolution_id, "done")
        app.roundtable.rate_resolution(r[1], self.resolution_id, 5)
        app.roundtable.rate_resolution(r[2], self.resolution_id, 2)
        self.catch_up()


@pytest.fixture
def scene(services, clock):
    return Scene(services, clock)


def test_replaying_the_events_twice_gives_the_same_rows(scene):
    scene.run()
    built = snapshot(scene.svc.views)
    assert built["rt_meetings"] and built["rt_votes"] and built["rt_progress"] and built["rt_reschedules"]
    scene.svc.runner.rebuild()
    assert snapshot(scene.svc.views) == built
    scene.svc.runner.rebuild()
    assert snapshot(scene.svc.views) == built


def test_the_meeting_row_counts_registrations_attendance_and_the_quorum(scene):
    scene.run()
    db, m = scene.svc.views, str(scene.meeting_id)
    row = views.meeting(db, m)
    assert (row["status"], row["registered_count"], row["waitlist_count"]) == ("closed", 2, 1)
    assert (row["roll_size"], row["quorum_required"], row["present_count"], row["present_on_roll"]) == (5, 3, 3, 3)
    assert row["title"] == "<b>加装电梯</b>议事会" and row["minutes_revision"] == 1


def test_the_waitlist_is_kept_in_order_and_promotion_is_shown(scene):
    scene.run()
    db, m, r = scene.svc.views, str(scene.meeting_id), scene.residents
    regs = views.registrations(db, m)
    assert [(x["account_id"], x["status"], x["promoted"]) for x in regs] == [
        (str(r[1]), "registered", 0), (str(r[2]), "registered", 1), (str(r[3]), "waitlisted", 0)]
    assert views.my_registration(db, m, str(r[3]))["waitlist_place"] == 1
    assert views.my_registration(db, m, str(r[0])) is None
    assert regs[0]["name"] == "居民1"


def test_the_agenda_is_ordered_and_declined_items_keep_their_reason(scene):
    scene.run()
    db, m = scene.svc.views, str(scene.meeting_id)
    agenda = views.agenda(db, m)
    assert [(a["item_id"], a["position"], a["planned_minutes"]) for a in agenda["accepted"]] == [
        (scene.second, 1, 10), (scene.item, 2, 30)]
    assert agenda["accepted"][1]["supports"] == 2
    assert [(a["item_id"], a["reason"]) for a in agenda["declined"]] == [(scene.declined, "属于物业职责")]
    assert views.my_supports(db, m, str(scene.residents[2])) == {scene.item}


def test_running_totals_are_not_in_the_views_until_the_motion_closes(scene):
    scene.run(stop_after="voting")
    db, m = scene.svc.views, str(scene.meeting_id)
    motion = views.open_motion(db, m)
    assert motion["votes_cast"] == 2
    assert (motion["votes_for"], motion["votes_against"], motion["outcome"]) == (None, None, None)
    assert views.meeting(db, m)["present_on_roll"] == 2
    assert views.my_votes(db, m, str(scene.residents[1])) == {scene.motion: "for"}


def test_closed_motions_carry_the_tally_and_the_minutes_agree_with_the_vote_record(scene):
    scene.run()
    db, m = scene.svc.views, str(scene.meeting_id)
    [motion] = views.motions(db, m)
    assert (motion["votes_for"], motion["votes_against"], motion["abstentions"], motion["outcome"]) == \
        (2, 1, 0, "passed")
    assert motion["resolution_id"] == str(scene.resolution_id)
    [check] = views.minutes_check(db, m)
    assert check["matches_vote_record"] and (check["votes_for"], check["counted_for"]) == (2, 2)


def test_the_minutes_check_notices_a_tally_that_disagrees_with_the_votes(scene):
    scene.run()
    with scene.svc.views.transaction() as tx:
        tx.execute("DELETE FROM rt_votes WHERE account_id = ?", (str(scene.residents[1]),))
    [check] = views.minutes_check(scene.svc.views, str(scene.meeting_id))
    assert not check["matches_vote_record"]


def test_the_resolutions_board_shows_follow_up_and_ratings(scene):
    scene.run()
    db = scene.svc.views
    [row] = views.resolutions(db, str(scene.community))
    assert (row["title"], row["owner"], row["status"], row["rating_count"], row["rating_sum"]) == \
        ("3 号楼加装电梯", "物业公司", "done", 2, 7)
    assert row["meeting_title"] == "<b>加装电梯</b>议事会"
    log = views.progress(db, str(scene.resolution_id))
    assert [(x["kind"], x["note"]) for x in log] == [("owner", "物业公司"), ("note", "已联系厂家"),
                                                     ("status", "in_progress"), ("status", "done")]
    assert log[1]["noted_on"] == "2026-05-10"
    assert views.my_rating(db, str(scene.resolution_id), str(scene.residents[2])) == 2
    assert views.count_resolutions(db, str(scene.other)) == 0


def test_closed_meetings_never_show_as_upcoming(scene):
    db, c = scene.svc.views, str(scene.community)
    scene.catch_up()
    upcoming, past = views.meetings(db, c, scene.clock())
    assert [u["id"] for u in upcoming] == [str(scene.meeting_id)] and past == []
    scene.run()
    upcoming, past = views.meetings(db, c, scene.starts - timedelta(days=1))
    assert upcoming == [] and [p["id"] for p in past] == [str(scene.meeting_id)]


def test_the_meeting_as_of_a_past_moment_is_rebuilt_from_its_events(scene):
    scene.run()
    history = scene.app.roundtable.meeting_history(scene.meeting_id)
    m = str(scene.meeting_id)
    with views.as_of_database(history, scene.before_meeting, scene.svc.views) as then:
        row = views.meeting(then, m)
        assert (row["status"], row["registered_count"], row["present_count"]) == ("scheduled", 2, 0)
        assert [a["item_id"] for a in views.agenda(then, m)["accepted"]] == [scene.second, scene.item]
        assert views.motions(then, m) == []
        assert views.registrations(then, m)[0]["name"] == "居民1"
    with views.as_of_database(history, scene.starts - timedelta(minutes=20), scene.svc.views) as then:
        assert views.meeting(then, m)["status"] == "open"
        assert views.motions(then, m)[0]["votes_for"] is None
    with views.as_of_database(history, scene.clock(), scene.svc.views) as now:
        live = snapshot(now)
    current = snapshot(scene.svc.views)
    for table in ("rt_meetings", "rt_agenda", "rt_votes", "rt_motions", "rt_registrations"):
        assert live[table] == current[table], table


def test_twenty_parallel_identical_votes_record_one_vote(scene):
    scene.run(stop_after="voting")
    voter = scene.residents[3]
    scene.app.roundtable.check_in(scene.worker, scene.meeting_id, voter)
    results, errors = [], []

    def vote() -> None:
        try:
            results.append(scene.app.roundtable.cast_vote(voter, scene.meeting_id, scene.motion, "for", command_id="same-click"))
        except Exception as e:  # noqa: BLE001 - the test reports any failure
            errors.append(e)
    threads = [threading.Thread(target=vote) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == ["for"] * 20
    assert scene.app.roundtable.meeting(scene.meeting_id).motions[scene.motion]["votes"][str(voter)] == "for"
    scene.catch_up()
    assert views.open_motion(scene.svc.views, str(scene.meeting_id))["votes_cast"] == 3


def test_twenty_parallel_votes_with_different_command_ids_record_one_and_refuse_the_rest(scene):
    from domain.roundtable.model import AlreadyVotedError
    scene.run(stop_after="voting")
    voter = scene.residents[3]
    scene.app.roundtable.check_in(scene.worker, scene.meeting_id, voter)
    outcomes: list[str] = []

    def vote(i: int) -> None:
        try:
            scene.app.roundtable.cast_vote(voter, scene.meeting_id, scene.motion, "against", command_id=f"click-{i}")
            outcomes.append("ok")
        except AlreadyVotedError:
            outcomes.append("refused")
    threads = [threading.Thread(target=vote, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 19
    scene.catch_up()
    assert views.open_motion(scene.svc.views, str(scene.meeting_id))["votes_cast"] == 3


def test_a_reschedule_updates_the_meeting_and_keeps_its_history(scene):
    scene.run(stop_after="voting")
    db, m = scene.svc.views, str(scene.meeting_id)
    row = views.meeting(db, m)
    assert (row["place"], row["sequence"]) == ("社区大礼堂", 1)
    assert row["ends_at"] == views.iso(scene.starts + timedelta(hours=3))
    [change] = views.reschedules(db, m)
    assert (change["previous_place"], change["place"], change["reason"]) == ("社区活动室", "社区大礼堂", "人多，换大场地")
    assert [r["sequence"] for r in views.calendar_meetings(db, str(scene.community))] == [1]


def test_the_check_in_search_finds_residents_by_name_or_phone_digits_on_both_stores(scene):
    scene.run(stop_after="voting")
    db, m, c = scene.svc.views, str(scene.meeting_id), str(scene.community)
    expected = [r["name"] for r in views.check_in_search(db, c, m, "")]
    assert expected == ["居民1", "居民2", "居民3"]          # registered, or checked in, registered first
    assert [r["name"] for r in views.check_in_search(db, c, m, "居民4")] == ["居民4"]
    assert views.check_in_search(db, c, m, "%") == [] and views.check_in_search(db, c, m, "_") == []
    row = views.check_in_person(db, c, m, str(scene.residents[1]))
    assert row["present"] == 1 and "****" in row["phone"]
    phone = directory.person(db, str(scene.residents[4]))["phone"]
    assert [r["name"] for r in views.check_in_search(db, c, m, phone[-4:])] == ["居民4"]


def test_the_check_in_search_finds_a_phone_by_exactly_its_last_four_digits_and_never_by_more(scene):
    scene.run(stop_after="voting")
    db, m, c = scene.svc.views, str(scene.meeting_id), str(scene.community)
    phone = directory.person(db, str(scene.residents[4]))["phone"]
    [row] = views.check_in_search(db, c, m, phone[-4:])
    assert row["phone"] == f"{phone[:3]}****{phone[-4:]}"
    for n in range(5, 12):
        assert views.check_in_search(db, c, m, phone[-n:]) == [], n
    assert views.check_in_search(db, c, m, phone[-3:]) == []


def test_follow_up_steps_are_dated_by_the_day_in_asia_shanghai(scene):
    scene.run(stop_after="voting")
    app, m, w = scene.app, scene.meeting_id, scene.worker
    app.roundtable.check_in(w, m, scene.residents[3])
    app.roundtable.cast_vote(scene.residents[3], m, scene.motion, "for")
    rid = app.roundtable.close_motion(w, m, scene.motion)["resolution_id"]
    from uuid import UUID
    scene.clock.now = scene.clock.now.replace(year=2026, month=5, day=9, hour=23, minute=30)   # 05-10 07:30 there
    app.roundtable.assign_resolution_owner(w, UUID(rid), "物业公司")
    app.roundtable.advance_resolution(w, UUID(rid), "in_progress")
    scene.catch_up()
    assert [(x["kind"], x["noted_on"]) for x in views.progress(scene.svc.views, rid)] == [
        ("owner", "2026-05-10"), ("status", "2026-05-10")]
