"""The community's grid book (a building in one grid only, categories and limits, grid workers chosen by the
community's workers), residents' quarterly ratings (once per place and period) and the assessment weights (never
below 70% for communities, 50% for streets), with the role matrix of every grid rule."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.grid import policies
from domain.grid.model import (AlreadyRatedError, AreaTakenError, GridNameTakenError, HoursError, ScoreError,
                               WeightError, area_key, check_period, period_bounds, period_of, previous_period)
from domain.kernel import roles
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_worker, new_phone
from tests.domain.grid.builders import refused


def test_a_building_or_unit_belongs_to_one_grid_only(site):
    app = site.app
    error = refused(app, AreaTakenError, app.grid.assign_area, site.worker, site.community, site.other_grid, "３号楼")
    assert error.text() == "３号楼已划入「第一网格」"
    refused(app, GridNameTakenError, app.grid.define_grid, site.worker, site.community, "第一 网格")
    app.grid.release_area(site.worker, site.community, site.grid, "3号楼")
    app.grid.assign_area(site.worker, site.community, site.other_grid, "3号楼")
    assert app.grid.grids(site.community).route("3号楼", "") == site.other_grid


def test_only_the_communitys_workers_set_up_grids(site):
    app = site.app
    for who in (site.grid_worker, site.resident, site.official, site.other_worker):
        refused(app, NotAllowedError, app.grid.define_grid, who, site.community, "第三网格")
        refused(app, NotAllowedError, app.grid.set_accept_hours, who, site.community, 12)


def test_categories_and_time_limits_are_kept_by_the_community(site, clock):
    app = site.app
    category = app.grid.add_category(site.worker, site.community, "电梯故障", 24)
    app.grid.set_accept_hours(site.worker, site.community, 4)
    refused(app, HoursError, app.grid.set_accept_hours, site.worker, site.community, 0)
    refused(app, HoursError, app.grid.add_category, site.worker, site.community, "太久", 100_000)
    request_id = site.submit(category=category)
    first = next(iter(app.repository.event_store.get(request_id)))
    assert (first.category, first.accept_due - clock.now, first.resolve_due - clock.now) == (
        "电梯故障", timedelta(hours=4), timedelta(hours=24))
    app.grid.retire_category(site.worker, site.community, category)
    refused(app, NotFoundError, site.submit, category=category)


def test_a_grid_worker_is_a_worker_or_verified_resident_of_the_community(site, places):
    app = site.app
    phone = new_phone()
    stranger = app.accounts.sign_up(phone, "路人", "x", None)
    with pytest.raises(NotFoundError):
        app.grid.assign_grid_worker(site.worker, site.community, site.grid, phone)
    refused(app, NotAllowedError, app.grid.assign_grid_worker, site.resident, site.community, site.grid, phone)
    app.accounts.request_residency(stranger, site.community)
    app.accounts.verify_residency(site.worker, stranger, site.community)
    assert app.grid.assign_grid_worker(site.worker, site.community, site.grid, phone) == stranger
    assert app.accounts.has_role(stranger, roles.GRID_WORKER, site.grid)
    app.grid.remove_grid_worker(site.worker, site.community, site.grid, stranger)
    assert not app.accounts.has_role(stranger, roles.GRID_WORKER, site.grid)


def test_a_resident_rates_their_community_and_street_once_a_quarter(site, clock):
    app = site.app
    app.grid.rate_place(site.resident, site.community, "community", 5, "很好")
    app.grid.rate_place(site.resident, site.community, "street", 3, "")
    error = refused(app, AlreadyRatedError, app.grid.rate_place, site.resident, site.community, "community", 4)
    assert error.text() == "您本季度已评价过江苏路社区，每季度只能评价一次"
    refused(app, ScoreError, app.grid.rate_place, site.neighbour, site.community, "community", 6)
    refused(app, ScoreError, app.grid.rate_place, site.neighbour, site.community, "community", True)
    refused(app, NotAllowedError, app.grid.rate_place, site.worker, site.community, "community", 5)
    refused(app, InvalidInputError, app.grid.rate_place, site.neighbour, site.community, "district", 5)
    clock.advance(days=92)                       # the next quarter
    app.grid.rate_place(site.resident, site.community, "community", 4)


def test_weights_never_fall_below_the_floor_and_only_the_right_officials_set_them(site, places):
    app = site.app
    district_official = make_worker(app, places.district, role=roles.DISTRICT_OFFICIAL)
    app.grid.set_weight(site.official, site.street, "2026Q2", "community", 85)
    refused(app, WeightError, app.grid.set_weight, site.official, site.street, "2026Q2", "community", 69)
    refused(app, NotAllowedError, app.grid.set_weight, site.official, site.street, "2026Q2", "street", 60)
    refused(app, WeightError, app.grid.set_weight, district_official, site.street, "2026Q2", "street", 49)
    refused(app, NotAllowedError, app.grid.set_weight, site.worker, site.street, "2026Q2", "community", 90)
    refused(app, InvalidInputError, app.grid.set_weight, site.official, site.street, "2026-Q2", "community", 90)
    app.grid.set_weight(district_official, site.street, "2026Q2", "street", 50)


@pytest.mark.parametrize("kind, percent, allowed", [
    ("community", 70, True), ("community", 69, False), ("community", 100, True), ("community", 101, False),
    ("street", 50, True), ("street", 49, False), ("street", 100, True), ("district", 80, False),
    ("community", True, False),
])
def test_the_weight_floors(kind, percent, allowed):
    assert policies.weight_allowed(kind, percent) is allowed


def test_the_score_combines_ratings_and_performance_by_the_weight():
    assert policies.combined_score(4.5, [100, 50, None, 100], 70) == pytest.approx(0.7 * 90 + 0.3 * 250 / 3)
    assert policies.combined_score(None, [100], 70) is None
    assert policies.combined_score(5, [None, None], 70) is None


def test_periods_are_shanghai_quarters():
    assert period_of(datetime(2026, 3, 31, 16, 30, tzinfo=timezone.utc)) == "2026Q2"   # 00:30 on 1 April
    start, end = period_bounds("2026Q4")
    assert (start.isoformat(), end.isoformat()) == ("2026-09-30T16:00:00+00:00", "2026-12-31T16:00:00+00:00")
    assert previous_period("2026Q1") == "2025Q4"
    assert check_period(" 2026q3 ") == "2026Q3"
    for bad in ("2026Q5", "26Q1", "2026-Q1", ""):
        with pytest.raises(InvalidInputError):
            check_period(bad)
    assert area_key("３ 号楼", " 2单元") == area_key("3号楼", "2单元")


# --- the role matrix -------------------------------------------------------------------------------------------------
WHO = ("grid_worker", "other_grid_worker", "worker", "other_worker", "resident", "official", "district", "nobody")


def actor(site, places, who):
    app = site.app
    account = {
        "grid_worker": lambda: site.grid_worker, "other_grid_worker": lambda: site.other_grid_worker,
        "worker": lambda: site.worker, "other_worker": lambda: site.other_worker, "resident": lambda: site.resident,
        "official": lambda: site.official,
        "district": lambda: make_worker(app, places.district, role=roles.DISTRICT_OFFICIAL),
        "nobody": lambda: app.accounts.sign_up(new_phone(), "路人", "x", None),
    }[who]()
    return app.accounts.actor(account)


@pytest.mark.parametrize("who, submits, handles_grid, handles_community, handles_street, oversees, manages", [
    ("grid_worker", True, True, False, False, False, False),       # grid workers here are verified residents too
    ("other_grid_worker", True, False, False, False, False, False),
    ("worker", False, True, True, False, True, True),
    ("other_worker", False, False, False, False, False, False),
    ("resident", True, False, False, False, False, False),
    ("official", False, False, False, True, True, False),
    ("district", False, False, False, False, True, False),
    ("nobody", False, False, False, False, False, False),
])
def test_who_submits_handles_each_level_oversees_and_manages(site, places, who, submits, handles_grid,
                                                              handles_community, handles_street, oversees, manages):
    a, community = actor(site, places, who), site.app.accounts.community(site.community)
    assert policies.may_submit(a, community) is submits
    assert policies.handles(a, community, policies.GRID, site.grid) is handles_grid
    assert policies.handles(a, community, policies.COMMUNITY, site.grid) is handles_community
    assert policies.handles(a, community, policies.STREET, site.grid) is handles_street
    assert policies.oversees_requests(a, community) is oversees
    assert policies.may_manage_grids(a, community) is manages


@pytest.mark.parametrize("status, accept, escalate, resolve, merge", [
    ("submitted", True, True, False, True), ("in_progress", False, True, True, True),
    ("resolved", False, False, False, False), ("closed", False, False, False, False),
    ("merged", False, False, False, False),
])
def test_which_steps_each_state_allows_the_handler(site, places, status, accept, escalate, resolve, merge):
    a, community = actor(site, places, "grid_worker"), site.app.accounts.community(site.community)
    assert policies.may_accept(a, community, status, policies.GRID, site.grid) is accept
    assert policies.may_escalate(a, community, status, policies.GRID, site.grid) is escalate
    assert policies.may_resolve(a, community, status, policies.GRID, site.grid) is resolve
    assert policies.may_merge(a, community, status, policies.GRID, site.grid) is merge
    assert policies.may_escalate(a, community, status, policies.STREET, site.grid) is False


def test_the_reporter_alone_answers_a_resolved_request(site, places):
    resident, neighbour = actor(site, places, "resident"), site.app.accounts.actor(site.neighbour)
    assert policies.may_answer(resident, site.resident, "resolved")
    assert not policies.may_answer(neighbour, site.resident, "resolved")
    assert not policies.may_answer(resident, site.resident, "in_progress")


def test_the_assessment_is_read_by_the_streets_and_districts_officials(site, places):
    street = site.app.accounts.street(site.street)
    for who, reads in (("official", True), ("district", True), ("worker", False), ("resident", False)):
        assert policies.may_read_assessment(actor(site, places, who), street) is reads
