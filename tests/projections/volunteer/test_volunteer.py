"""The volunteer station view on SQLite and PostgreSQL: places, waitlists, hours, notices, certificates, rebuilds."""
from __future__ import annotations

import threading
from datetime import timedelta
from uuid import UUID

from domain.kernel import roles
from domain.kernel.errors import ConflictError
from projections import accounts as directory
from projections import volunteer as views
from tests.builders import Places, make_resident, make_worker
from tests.projections.builders import snapshot
from tests.projections.builders import DAY, START, VOLUNTEER_TABLES

def populate(app, clock):
    """A day with two shifts, a full one with a waitlist, a promotion, attendance, a correction, a certificate."""
    places = Places(app)
    worker = make_worker(app, places.community, name="李社工")
    day = app.volunteer.create_action_day(worker, places.community, None, "社区清洁日", "打扫楼道", DAY)
    small = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", START, START + timedelta(hours=2), 2)
    large = app.volunteer.add_shift(worker, day, "分发物资", "活动室", START + timedelta(hours=3),
                          START + timedelta(hours=5), 10)
    people = [make_resident(app, places.community, worker, name=f"志愿者{i}") for i in range(5)]
    app.volunteer.sign_up_for_shift(people[0], day, small)
    app.volunteer.sign_up_for_shift(people[1], day, small)
    app.volunteer.sign_up_for_shift(people[2], day, small, waitlist=True)
    app.volunteer.sign_up_for_shift(people[3], day, small, waitlist=True)
    app.volunteer.sign_up_for_shift(people[4], day, large)
    app.volunteer.cancel_shift(people[0], day, small)  # people[2] is promoted
    official = make_worker(app, places.street, role=roles.STREET_OFFICIAL)
    street_day = app.volunteer.create_action_day(official, None, places.street, "街道服务日", "", DAY)
    app.volunteer.add_shift(official, street_day, "交通引导", "路口", START + timedelta(hours=6), START + timedelta(hours=7), 3)
    return places, worker, day, small, large, people, street_day


def test_the_view_shows_open_places_waitlist_positions_and_promotion_notices(services, clock):
    places, worker, day, small, large, people, street_day = populate(services.app, clock)
    services.runner.catch_up()
    db = services.views
    community = directory.place(services.views, str(places.community))
    days = views.upcoming_days(db, community, "2026-05-01")
    assert [(d["title"], d["places"], d["open_places"]) for d in days] == [("社区清洁日", 12, 9), ("街道服务日", 3, 3)]
    other = directory.place(services.views, str(places.other_community))
    assert [d["title"] for d in views.upcoming_days(db, other, "2026-05-01")] == ["街道服务日"]
    assert views.day_in_scope(db, str(day), other) is None
    rows = views.shifts(db, str(day), str(people[3]))
    assert [(r["task"], r["open_places"], r["my_status"], r["my_position"]) for r in rows] == [
        ("清扫楼道", 0, "waitlisted", 1), ("分发物资", 9, None, None)]
    assert [w["name"] for w in views.waitlist(db, str(small))] == ["志愿者3"]
    notices = views.unseen_notices(db, str(people[2]))
    assert [(n["kind"], n["task"]) for n in notices] == [("promoted", "清扫楼道")]
    services.app.volunteer.dismiss_notices(people[2])
    services.runner.catch_up()
    assert views.unseen_notices(db, str(people[2])) == []
    mine = views.my_shifts(db, str(people[2]))
    assert [(m["task"], m["status"]) for m in mine] == [("清扫楼道", "confirmed")]


def test_check_in_rows_search_by_name_or_last_four_digits_and_hours_add_up(services, clock):
    places, worker, day, small, large, people, _ = populate(services.app, clock)
    app, db = services.app, services.views
    clock.now = START
    app.volunteer.check_in(worker, day, small, people[1])
    clock.advance(minutes=100)
    app.volunteer.check_out(worker, day, small, people[1])
    app.volunteer.correct_hours(worker, day, small, people[2], 90, "忘记签到")
    services.runner.catch_up()
    rows = views.check_in_rows(db, str(small))
    assert {r["name"] for r in rows} == {"志愿者1", "志愿者2"}
    assert [r["name"] for r in views.check_in_rows(db, str(small), "者1")] == ["志愿者1"]
    phone = rows[0]["phone"]
    assert [r["phone"] for r in views.check_in_rows(db, str(small), phone[-4:])] == [phone]
    assert views.check_in_rows(db, str(small), "%") == []
    hours = views.hours_per_volunteer(db, str(places.community), "community", "2026-01-01", "2026-12-31")
    assert [(h["name"], h["minutes"]) for h in hours] == [("志愿者1", 100), ("志愿者2", 90)]
    assert views.hours_per_volunteer(db, str(places.community), "community", "2026-06-01", "2026-12-31") == []
    assert [(c["reason"], c["worker_name"]) for c in views.corrections(db, str(small))] == [("忘记签到", "李社工")]
    assert views.total_minutes(db, str(people[1])) == 100
    assert [(h["org_id"], h["org_name"], h["year"], h["minutes"]) for h in views.my_hours(db, str(people[2]))] == [
        (str(places.community), "江苏路社区", "2026", 90)]
    assert views.volunteer_contact(db, str(people[2]))["name"] == "志愿者2"
    issued = app.volunteer.issue_certificate(people[2], places.community, "2026")
    app.volunteer.register_identity(people[2], "11010519491231002X")
    services.runner.catch_up()
    row = views.certificate_by_code(db, issued["code"])
    assert (row["serial"], row["minutes"], row["org_name"]) == (issued["serial"], 90, "江苏路社区")
    assert [c["serial"] for c in views.certificates(db, str(people[2]))] == [issued["serial"]]
    assert views.masked_id(db, str(people[2])) == "1101**********002X"


def test_rebuilding_from_zero_gives_the_same_rows_as_building_incrementally(services, clock):
    places, worker, day, small, large, people, street_day = populate(services.app, clock)
    services.runner.catch_up()
    app = services.app
    walker = app.accounts.sign_up("13911112345", "现场来", "x", places.community)
    app.accounts.verify_residency(worker, walker, places.community)
    app.volunteer.cancel_action_day(app.volunteer.action_day(street_day).created_by, street_day, "上级通知")
    clock.now = START
    app.volunteer.walk_in(worker, day, small, "13911112345", beyond_places=True)
    app.volunteer.check_in(worker, day, small, people[1])
    services.runner.catch_up()
    clock.advance(hours=2)
    app.volunteer.check_out(worker, day, small, people[1])
    app.volunteer.correct_hours(worker, day, small, people[2], 60, "迟到")
    app.volunteer.issue_certificate(people[1], places.community, "2026")
    app.volunteer.register_identity(people[1], "11010519491231002X")
    app.volunteer.dismiss_notices(people[2])
    services.runner.catch_up()
    before = snapshot(services, VOLUNTEER_TABLES)
    assert all(before[t] for t in VOLUNTEER_TABLES), [t for t in VOLUNTEER_TABLES if not before[t]]
    services.runner.rebuild()
    assert snapshot(services, VOLUNTEER_TABLES) == before


def test_concurrent_sign_ups_on_the_real_store_never_overbook(services, clock):
    app = services.app
    places = Places(app)
    worker = make_worker(app, places.community)
    day = app.volunteer.create_action_day(worker, places.community, None, "清洁日", "", DAY)
    shift = app.volunteer.add_shift(worker, day, "清扫", "楼道", START, START + timedelta(hours=2), 5)
    people = [make_resident(app, places.community, worker) for _ in range(16)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(people))

    def sign_up(person: UUID) -> None:
        barrier.wait()
        try:
            outcomes.append(app.volunteer.sign_up_for_shift(person, day, shift))
        except ConflictError as e:
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=sign_up, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("confirmed") == 5 and outcomes.count("ShiftFullError") == 11
    services.runner.catch_up()
    row = views.shift(services.views, str(day), str(shift))
    assert (row["taken"], row["open_places"]) == (5, 0)
