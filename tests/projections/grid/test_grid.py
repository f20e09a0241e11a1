"""The grid service view on SQLite and PostgreSQL: requests with unsealed texts and timelines, queues by due time,
the 三率 and their drill-downs, the public board, ratings and weights, erasure, and rebuilds giving the same rows."""
from __future__ import annotations

from datetime import datetime, timedelta

from domain.kernel import roles
from domain.kernel.privacy import ERASED
from projections import grid as views
from tests.builders import Places, make_resident, make_worker
from tests.projections.builders import snapshot

GRID_TABLES = list(views.projection.tables)


def populate(app, clock):
    """Two grids; requests closed and rated, escalated to the street, resolved awaiting an answer, overdue, merged,
    filed on a household's behalf; ratings and a weight."""
    places = Places(app)
    worker = make_worker(app, places.community, name="李社工")
    official = make_worker(app, places.street, role=roles.STREET_OFFICIAL, name="孙街道")
    grid = app.grid.define_grid(worker, places.community, "第一网格")
    other = app.grid.define_grid(worker, places.community, "第二网格")
    app.grid.assign_area(worker, places.community, grid, "3号楼")
    app.grid.assign_area(worker, places.community, other, "5号楼", "1单元")
    grid_worker = make_resident(app, places.community, worker, name="张网格员")
    app.accounts.grant_role(grid_worker, roles.GRID_WORKER, grid)
    resident = make_resident(app, places.community, worker, name="王居民")
    neighbour = make_resident(app, places.community, worker, name="李邻居")
    app.accounts.set_home(resident, resident, places.community, "3号楼", "2单元")
    app.accounts.set_home(neighbour, neighbour, places.community, "5号楼", "1单元")

    lamp = app.grid.submit_request(resident, places.community, "2", "路灯不亮", "3号楼", "2单元", "", True)
    clock.advance(hours=1)
    app.grid.accept(grid_worker, lamp)
    app.grid.escalate(grid_worker, lamp, "需要社区协调")
    clock.advance(hours=20)
    app.grid.resolve(worker, lamp, "已更换灯泡")
    app.grid.rate(resident, lamp, "satisfied", "很快")

    parking = app.grid.submit_request(neighbour, places.community, "5", "车辆占道", "", "", "南门", True)
    app.grid.escalate(worker, parking, "需要街道协调")
    app.grid.accept(official, parking)

    leak = app.grid.submit_request(neighbour, places.community, "2", "漏水", "5号楼", "1单元")
    clock.advance(days=2)
    app.grid.accept(worker, leak)                        # late: past the 24 hours
    app.grid.resolve(worker, leak, "已处理")

    stale = app.grid.submit_request(resident, places.community, "1", "垃圾满了", "3号楼")
    duplicate = app.grid.submit_request(neighbour, places.community, "1", "垃圾桶满", "3号楼")
    app.grid.merge(grid_worker, duplicate, stale)

    visit = app.grid.record_visit(grid_worker, places.community, grid, "2026-05-02", resident, "", "扶手松动")
    on_behalf = app.grid.submit_for_household(grid_worker, visit, "2", "扶手松动", "3号楼", "2单元")

    app.grid.rate_place(resident, places.community, "community", 5, "好")
    app.grid.rate_place(neighbour, places.community, "community", 3, "")
    app.grid.rate_place(resident, places.community, "street", 4, "")
    app.grid.set_weight(official, places.street, "2026Q2", "community", 80)
    return places, dict(worker=worker, official=official, grid=grid, other=other, grid_worker=grid_worker,
                        resident=resident, neighbour=neighbour, lamp=lamp, parking=parking, leak=leak, stale=stale,
                        duplicate=duplicate, visit=visit, on_behalf=on_behalf)


def test_requests_timelines_queues_and_the_board(services, clock):
    places, p = populate(services.app, clock)
    services.runner.catch_up()
    db, community = services.views, str(places.community)
    lamp = views.request(db, str(p["lamp"]))
    assert (lamp["status"], lamp["rating"], lamp["description"], lamp["unit"], lamp["grid_name"]) == (
        "closed", "satisfied", "路灯不亮", "2单元", "第一网格")
    events = views.timeline(db, [str(p["lamp"])])[str(p["lamp"])]
    assert [(e["event_type"], e["text"], e["by_name"]) for e in events] == [
        ("Submitted", "", "王居民"), ("Accepted", "", "张网格员"), ("Escalated", "需要社区协调", "张网格员"),
        ("Resolved", "已更换灯泡", "李社工"), ("Rated", "很快", "王居民")]
    assert [r["id"] for r in views.open_requests(db, street_level_of=str(places.street))] == [str(p["parking"])]
    assert [r["id"] for r in views.open_requests(db, grid_ids=[str(p["grid"])])] == [str(p["stale"]),
                                                                                      str(p["on_behalf"])]
    assert set(views.followers(db, str(p["stale"]))) == {str(p["resident"]), str(p["neighbour"])}
    assert {r["id"] for r in views.my_requests(db, str(p["neighbour"]))} == {
        str(p["parking"]), str(p["leak"]), str(p["duplicate"]), str(p["stale"])}
    board = views.board(db, community)
    assert [(b["category"], b["building"], b["days"]) for b in board] == [("设施维修", "3号楼", 1)]
    assert set(board[0]) == {"id", "category", "building", "submitted_at", "first_resolved_at", "status", "days"}
    assert [(v["household_name"], v["raised"], v["request_id"]) for v in views.visits(db, str(p["grid"]))] == [
        ("王居民", "扶手松动", str(p["on_behalf"]))]
    grids = views.grids(db, community)
    assert [(g["name"], [a["building"] + a["unit"] for a in g["areas"]], [w["name"] for w in g["workers"]])
            for g in grids] == [("第一网格", ["3号楼"], ["张网格员"]), ("第二网格", ["5号楼1单元"], [])]


def test_the_three_rates_and_their_drill_down(services, clock):
    places, p = populate(services.app, clock)
    services.runner.catch_up()
    db, community = services.views, str(places.community)
    now = clock.now
    figures = views.measures(db, [community], "2026Q2", now)[community]
    # response: lamp on time; leak late; parking, stale and on_behalf are not yet due (the duplicate is merged)
    assert (figures["response"].numerator, figures["response"].denominator) == (2, 3)
    assert (figures["on_time"].numerator, figures["on_time"].denominator) == (2, 2)   # 120 hours for repairs
    assert (figures["satisfaction"].numerator, figures["satisfaction"].denominator) == (1, 1)
    assert (figures["within_community"].numerator, figures["within_community"].denominator) == (2, 2)
    rows = views.figure_rows(db, [community], "2026Q2", "response", now)
    assert {(r["id"], r["counts"]) for r in rows} == {(str(p["lamp"]), True), (str(p["leak"]), False),
                                                       (str(p["parking"]), True)}
    assert all(r["events"] and r["events"][0]["event_type"] == "Submitted" for r in rows)
    later = views.measures(db, [community], "2026Q2", now + timedelta(days=30))[community]
    assert later["response"].denominator == 5 and later["on_time"].denominator == 5
    assert views.measures(db, [community], "2026Q3", now)[community]["response"].rate is None
    overdue = views.overdue(db, community, now + timedelta(days=2))
    assert {r["id"] for r in overdue} == {str(p["stale"]), str(p["on_behalf"])}


def test_ratings_weights_and_lapsed_requests(services, clock):
    places, p = populate(services.app, clock)
    services.runner.catch_up()
    db, community, street = services.views, str(places.community), str(places.street)
    summary = views.rating_summary(db, [community, street], "2026Q2")
    assert summary[community] == {"count": 2, "mean": 4} and summary[street] == {"count": 1, "mean": 4}
    assert [(r["score"], r["comment"]) for r in views.ratings(db, community, "2026Q2")] == [(5, "好"), (3, "")]
    assert views.rated_places(db, str(p["resident"]), "2026Q2") == {community, street}
    weights = views.weights(db, street, "2026Q2")
    assert (weights["community"]["share"], weights["street"]["share"]) == (80, 50)
    assert weights["community"]["position"] is not None
    assert views.lapsed(db, clock.now) == []
    assert views.lapsed(db, clock.now + timedelta(days=7)) == [str(p["leak"])]
    assert services.app.grid.close_unanswered(p["leak"]) is False
    clock.advance(days=7)
    assert services.app.grid.close_unanswered(p["leak"]) is True
    services.runner.catch_up()
    assert views.request(db, str(p["leak"]))["status"] == "closed" and views.lapsed(db, clock.now) == []
    satisfaction = views.measures(db, [community], "2026Q2", clock.now)[community]["satisfaction"]
    assert (satisfaction.numerator, satisfaction.denominator) == (1, 2)     # not rated never counts as satisfied


def test_erasing_a_reporter_blanks_their_texts_and_photo_and_rebuilds_the_same(services, clock):
    places, p = populate(services.app, clock)
    app, db = services.app, services.views
    views.save_photo(db, str(p["lamp"]), "d" * 64, app.sealer.seal(p["resident"], {"jpeg": "AAAA"}), str(p["resident"]))
    app.accounts.erase_person(p["resident"])
    services.runner.catch_up()
    lamp = views.request(db, str(p["lamp"]))
    assert (lamp["description"], lamp["unit"], lamp["rating_comment"], lamp["building"]) == (ERASED, "", "", "3号楼")
    assert all(e["text"] == "" for e in views.timeline(db, [str(p["lamp"])])[str(p["lamp"])])
    assert views.photo(db, str(p["lamp"])) is None
    assert [v["raised"] for v in views.visits(db, str(p["grid"]))] == [ERASED]
    assert [r["comment"] for r in views.ratings(db, str(places.community), "2026Q2")] == ["", ""]
    assert views.request(db, str(p["leak"]))["description"] == "漏水"          # the neighbour's stays
    before = snapshot(services, GRID_TABLES)
    services.runner.rebuild()
    assert snapshot(services, GRID_TABLES) == before
    assert views.measures(db, [str(places.community)], "2026Q2", clock.now)[str(places.community)][
        "satisfaction"].numerator == 1                                          # counts stay


def test_replaying_twice_gives_the_same_rows(services, clock):
    populate(services.app, clock)
    services.runner.catch_up()
    first = snapshot(services, GRID_TABLES)
    services.runner.rebuild()
    assert snapshot(services, GRID_TABLES) == first
    services.runner.rebuild()
    assert snapshot(services, GRID_TABLES) == first
    assert isinstance(clock.now, datetime)
