"""The Party-member read model on SQLite and PostgreSQL: the registry and its filters, the service record agreeing
with a replay of the log, counts that withdrawal, moving and erasure keep right, and rebuilds that give the same
rows with no personal detail left once it is unreadable."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION
from projections import accounts as directory
from projections import party as views
from tests.builders import Places, make_resident, make_worker
from tests.projections.builders import snapshot

TABLES = list(views.projection.tables)
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)
UNIT = "南京某某科技有限公司"


def register(app, resident, community, worker, *, kinds=("邻里互助",), confirm=True, unit=UNIT):
    stint = app.party.give_consent(resident, community, CONSENT_VERSION, True)
    app.party.submit_registration(resident, community, stint, unit, "某某科技党委", "陈书记", "025-83123456",
                                  list(kinds), "", "周末", ["name", "service"])
    if confirm:
        app.party.confirm_registration(worker, community, Registration.id_for(resident), stint)
    return stint


def serve(app, clock, worker, resident, community, start, minutes, task="清扫楼道"):
    day = app.volunteer.create_action_day(worker, community, None, f"{task}日", "", start.date().isoformat())
    shift = app.volunteer.add_shift(worker, day, task, "3 号楼", start, start + timedelta(hours=3), 5)
    app.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = start
    app.volunteer.check_in(worker, day, shift, resident)
    clock.now = start + timedelta(minutes=minutes)
    app.volunteer.check_out(worker, day, shift, resident)
    return day, shift


def populate(app, clock):
    """Three members: one serves, attends, raises an item, records a task, gets a report; one moves away after
    serving; one is only waiting. A non-member serves too."""
    places = Places(app)
    worker = make_worker(app, places.community, name="李社工")
    other_worker = make_worker(app, places.other_community, name="吴社工")
    a = make_resident(app, places.community, worker, name="王党员")
    b = make_resident(app, places.community, worker, name="赵党员")
    c = make_resident(app, places.community, worker, name="钱党员")
    outsider = make_resident(app, places.community, worker, name="普通居民")
    register(app, a, places.community, worker, kinds=("邻里互助", "环境整治"))
    register(app, b, places.community, worker, kinds=("政策宣讲",))
    register(app, c, places.community, worker, confirm=False)
    day, shift = serve(app, clock, worker, a, places.community, START, 90)
    serve(app, clock, worker, b, places.community, START + timedelta(days=1), 60, "分发物资")
    serve(app, clock, worker, outsider, places.community, START + timedelta(days=2), 60, "巡逻")
    app.volunteer.correct_hours(worker, day, shift, a, 100, "核实后更正")
    clock.now = START + timedelta(days=2, hours=5)
    meeting = app.roundtable.schedule_meeting(worker, places.community, "加装电梯议事会", "讨论", clock.now + timedelta(hours=3),
                                              clock.now + timedelta(hours=5), "活动室", "in_person", 30,
                                              clock.now + timedelta(hours=2), "simple", 50)
    app.roundtable.propose_agenda_item(a, meeting, "楼道加装扶手", "")
    clock.now += timedelta(hours=2)
    app.roundtable.check_in(worker, meeting, a)
    record = app.party.log_service(a, places.community, "邻里互助", "2026-05-04", 45, "帮 3 栋王奶奶买菜")
    app.party.confirm_service(worker, places.community, record)
    report = app.party.issue_report(worker, places.community, Registration.id_for(a), 1, "2026", "excellent",
                                    "积极带头")
    app.accounts.request_residency(b, places.other_community)
    app.accounts.verify_residency(other_worker, b, places.other_community)
    register(app, b, places.other_community, other_worker)
    serve(app, clock, other_worker, b, places.other_community, START + timedelta(days=5), 30, "绿化")
    return places, worker, (a, b, c, outsider), report


def test_the_registry_lists_filters_and_masks_nothing_it_should_not(services, clock):
    places, worker, (a, b, c, _), _ = populate(services.app, clock)
    services.runner.catch_up()
    db, community = services.views, str(places.community)
    rows = views.registry(db, community)
    assert [(r["name"], r["state"]) for r in rows] == [("钱党员", "submitted"), ("王党员", "confirmed")]
    assert rows[1]["unit"] == UNIT and rows[1]["kinds"] == ["邻里互助", "环境整治"]
    assert [r["name"] for r in views.registry(db, community, state="submitted")] == ["钱党员"]
    assert [r["name"] for r in views.registry(db, community, kind="环境整治")] == ["王党员"]
    assert views.count_registry(db, community, kind="政策宣讲") == 0        # 赵党员 moved away
    assert [r["name"] for r in views.registry(db, str(places.other_community))] == ["赵党员"]
    assert views.listed(db, community, str(Registration.id_for(b))) is None
    assert views.listed(db, str(places.other_community), str(Registration.id_for(a))) is None
    assert views.registry(db, community, limit=1, offset=1)[0]["name"] == "王党员"


def test_the_service_record_agrees_with_a_replay_of_the_log(services, clock):
    places, _, people, _ = populate(services.app, clock)
    services.runner.catch_up()
    ledger = services.app.party.ledger()
    for person in people:
        for community in (places.community, places.other_community):
            for year in ("2025", "2026"):
                assert views.counted_items(services.views, str(person), str(community), year) == \
                    ledger.items(person, community, year), (person, community, year)
    a = people[0]
    f = views.figures(services.views, str(a), str(places.community), "2026")
    assert (f["shifts"], f["shift_minutes"], f["corrected"], f["meetings"], f["agenda_items"], f["tasks"],
            f["minutes"]) == (1, 100, 1, 1, 1, 1, 145)


def test_counts_per_community_stay_right_through_moving_withdrawal_and_erasure(services, clock):
    places, _, (a, b, c, _), _ = populate(services.app, clock)
    services.runner.catch_up()
    db, here, there = services.views, str(places.community), str(places.other_community)
    before = views.counts(db, here, "2026")
    assert before == {"registered": 1, "waiting": 1, "members": 2, "active": 2, "minutes": 205, "meetings": 1,
                      "reports": 1}
    assert views.counts(db, there, "2026")["minutes"] == 30
    services.app.party.withdraw(a, places.community)
    services.app.accounts.erase_person(b)
    services.runner.catch_up()
    after = views.counts(db, here, "2026")
    assert after == {**before, "registered": 0}
    assert views.counts(db, there, "2026") == {"registered": 0, "waiting": 0, "members": 1, "active": 1,
                                                "minutes": 30, "meetings": 0, "reports": 0}
    assert views.count_registry(db, here) == 1 and views.count_registry(db, there) == 0


def test_withdrawal_moving_and_erasure_leave_no_personal_detail_in_any_row(services, clock):
    places, _, (a, b, c, _), report = populate(services.app, clock)
    services.runner.catch_up()
    assert UNIT in repr(snapshot(services, TABLES))
    services.app.party.withdraw(a, places.community)            # b moved away already; now withdraws there too
    services.app.party.withdraw(b, places.other_community)
    services.app.accounts.erase_person(c)
    services.runner.catch_up()
    text = repr(snapshot(services, TABLES))
    for secret in (UNIT, "某某科技党委", "陈书记", "83123456", "周末", "王奶奶", "积极带头", "excellent"):
        assert secret not in text, secret
    assert [s["state"] for s in views.stints(services.views, str(b))] == ["withdrawn", "ended"]
    assert views.stints(services.views, str(c))[0]["state"] == "erased"
    assert views.report_by_serial(services.views, report["serial"])["figures"]["minutes"] == 145


def test_a_rebuild_gives_the_same_rows_also_after_keys_were_deleted(services, clock):
    places, _, (a, b, c, _), _ = populate(services.app, clock)
    services.app.party.withdraw(a, places.community)
    services.app.accounts.erase_person(c)
    services.runner.catch_up()
    before = snapshot(services, TABLES)
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before


def test_the_needs_board_links_to_the_volunteer_stations_shifts(services, clock):
    places = Places(services.app)
    worker = make_worker(services.app, places.community)
    day = services.app.volunteer.create_action_day(worker, places.community, None, "清洁日", "", "2026-05-03")
    shift = services.app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", START, START + timedelta(hours=2), 4)
    services.runner.catch_up()
    now = clock.now.isoformat()
    assert [s["task"] for s in views.postable_shifts(services.views, str(places.community), now)] == ["清扫楼道"]
    services.app.party.post_need(worker, places.community, day, shift, "环境整治", "欢迎")
    services.runner.catch_up()
    needs = views.needs(services.views, str(places.community), now)
    assert [(n["task"], n["kind"], n["open_places"]) for n in needs] == [("清扫楼道", "环境整治", 4)]
    assert views.postable_shifts(services.views, str(places.community), now) == []
    assert views.needs(services.views, str(places.other_community), now) == []
    community = directory.place(services.views, str(places.community))
    assert community is not None
