"""The volunteer view after organisers change plans (SQLite and PostgreSQL): called-off shifts and days, changed
places, walk-ins, cancellation notices, and a rebuild that gives the same rows."""
from __future__ import annotations

from datetime import timedelta

from domain.kernel import roles
from projections import accounts as directory
from projections import volunteer as views
from tests.builders import Places, make_resident, make_worker
from tests.projections.builders import snapshot
from tests.projections.builders import DAY, START, VOLUNTEER_TABLES


def populate(app, clock):
    places = Places(app)
    worker = make_worker(app, places.community, name="李社工")
    day = app.volunteer.create_action_day(worker, places.community, None, "社区清洁日", "", DAY)
    small = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", START, START + timedelta(hours=2), 1)
    late = app.volunteer.add_shift(worker, day, "分发物资", "活动室", START + timedelta(hours=3), START + timedelta(hours=5), 5)
    people = [make_resident(app, places.community, worker, name=f"志愿者{i}") for i in range(4)]
    app.volunteer.sign_up_for_shift(people[0], day, small)
    app.volunteer.sign_up_for_shift(people[1], day, small, waitlist=True)
    app.volunteer.sign_up_for_shift(people[2], day, small, waitlist=True)
    app.volunteer.change_shift_places(worker, day, small, 2)  # people[1] is promoted
    app.volunteer.sign_up_for_shift(people[3], day, late)
    app.volunteer.sign_up_for_shift(people[2], day, late)  # no overlap: the late shift starts after the small one ends
    walker_phone = "13911110000"
    walker = app.accounts.sign_up(walker_phone, "现场来", "x", places.community)
    app.accounts.verify_residency(worker, walker, places.community)
    clock.now = START
    app.volunteer.walk_in(worker, day, small, walker_phone, beyond_places=True)
    app.volunteer.cancel_whole_shift(worker, day, late, "物资未到")
    official = make_worker(app, places.street, role=roles.STREET_OFFICIAL)
    clock.now = START - timedelta(days=1)
    street_day = app.volunteer.create_action_day(official, None, places.street, "街道服务日", "", DAY)
    app.volunteer.add_shift(official, street_day, "交通引导", "路口", START + timedelta(hours=6), START + timedelta(hours=7), 3)
    app.volunteer.cancel_action_day(official, street_day, "上级通知")
    return places, day, small, late, people, walker, street_day


def test_called_off_shifts_have_no_open_places_and_each_volunteer_gets_a_notice_with_the_reason(services, clock):
    places, day, small, late, people, walker, street_day = populate(services.app, clock)
    services.runner.catch_up()
    db = services.views
    rows = {r["task"]: r for r in views.shifts(db, str(day))}
    assert (rows["清扫楼道"]["places"], rows["清扫楼道"]["taken"], rows["清扫楼道"]["open_places"]) == (2, 3, 0)
    assert (rows["分发物资"]["open_places"], rows["分发物资"]["cancel_reason"]) == (0, "物资未到")
    days = views.upcoming_days(db, directory.place(services.views, str(places.community)), "2026-05-01")
    assert [(d["title"], d["open_places"], d["cancel_reason"]) for d in days] == [
        ("社区清洁日", 0, None), ("街道服务日", 0, "上级通知")]
    notices = views.unseen_notices(db, str(people[2]), views.NOTICE_KINDS)
    assert [(n["kind"], n["task"], n["reason"]) for n in notices] == [("cancelled", "分发物资", "物资未到")]
    assert views.unseen_notices(db, str(people[2])) == []  # the default (the home page's) is promotions only
    assert [n["kind"] for n in views.unseen_notices(db, str(people[1]), views.NOTICE_KINDS)] == ["promoted"]
    checkin = {r["name"]: (r["walk_in"], r["walk_in_beyond"]) for r in views.check_in_rows(db, str(small))}
    assert checkin == {"志愿者0": (0, None), "志愿者1": (0, None), "现场来": (1, 1)}
    assert [m["cancel_reason"] for m in views.my_shifts(db, str(people[3]))] == ["物资未到"]


def test_rebuilding_after_plans_change_gives_the_same_rows(services, clock):
    populate(services.app, clock)
    services.runner.catch_up()
    before = snapshot(services, VOLUNTEER_TABLES)
    assert before["vol_cancellations"] and before["vol_day_cancellations"] and before["vol_walk_ins"]
    services.runner.rebuild()
    services.runner.rebuild()
    assert snapshot(services, VOLUNTEER_TABLES) == before


def test_the_check_in_search_ignores_nul_and_control_characters_on_both_databases(services, clock):
    places, day, small, late, people, walker, street_day = populate(services.app, clock)
    services.runner.catch_up()
    names = {r["name"] for r in views.check_in_rows(services.views, str(small), "现场\x00\u202e")}
    assert names == {"现场来"}
    assert len(views.check_in_rows(services.views, str(small), "\x00")) == 3
