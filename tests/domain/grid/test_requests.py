"""A resident's request (诉求) from report to rating: routing to the grid of the place, acceptance and resolution
due times, escalation grid → community → street (never past), resolution, rating or reopening, closing as not rated
after seven days, merging duplicates, and every refusal recording nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.grid import policies
from domain.grid.model import (AlreadyTurnedError, EscalationLimitError, MergeError, NotYetLapsedError,
                               NotYourRequestError, RatingError, Request, WrongStateError)
from domain.kernel import roles
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_resident, make_worker
from tests.domain.grid.builders import events, refused


def test_a_request_goes_to_the_grid_covering_its_building_with_its_due_times(site, clock):
    request_id = site.submit(building="3 号楼", unit="2单元")   # typed with a space: still 3号楼
    request = site.app.grid.request(request_id)
    assert (request.grid_id, request.level, request.status) == (site.grid, policies.GRID, policies.SUBMITTED)
    submitted = site.app.repository.event_store.get(request_id)
    first = next(iter(submitted))
    assert first.accept_due == clock.now + timedelta(hours=24)
    assert first.resolve_due == clock.now + timedelta(hours=72)          # 环境卫生: 72 hours
    assert first.building == "3 号楼" and "路灯" not in first.personal    # the description is sealed


def test_a_place_no_grid_covers_goes_straight_to_the_community(site):
    request = site.app.grid.request(site.submit(building="", unit="", place="小区南门"))
    assert (request.grid_id, request.level) == (None, policies.COMMUNITY)


def test_a_units_own_grid_wins_over_its_buildings(site):
    site.app.grid.assign_area(site.worker, site.community, site.other_grid, "3号楼", "1单元")
    assert site.app.grid.request(site.submit(unit="1单元")).grid_id == site.other_grid
    assert site.app.grid.request(site.submit(unit="2单元")).grid_id == site.grid


def test_only_a_verified_resident_of_the_community_submits(site, places):
    outsider = make_worker(site.app, places.other_community, role=roles.FUND_MANAGER)
    for who in (site.worker, site.official, outsider):
        refused(site.app, NotAllowedError, site.submit, who)


@pytest.mark.parametrize("fields, error", [
    ({"text": ""}, InvalidInputError), ({"text": "x" * 1001}, InvalidInputError),
    ({"text": "路灯\u202e不亮"}, InvalidInputError), ({"building": "", "unit": "", "place": ""}, InvalidInputError),
    ({"building": "", "unit": "2单元"}, InvalidInputError), ({"building": "楼" * 21}, InvalidInputError),
    ({"category": "99"}, NotFoundError), ({"photo": "not-a-digest"}, InvalidInputError),
])
def test_bad_input_is_refused_and_nothing_recorded(site, fields, error):
    refused(site.app, error, site.submit, **fields)


def test_the_full_path_accept_escalate_resolve_rate(site):
    app, request_id = site.app, site.submit()
    app.grid.accept(site.grid_worker, request_id)
    app.grid.escalate(site.grid_worker, request_id, "需要社区协调")
    request = app.grid.request(request_id)
    assert (request.level, request.status) == (policies.COMMUNITY, policies.IN_PROGRESS)
    refused(app, NotAllowedError, app.grid.resolve, site.grid_worker, request_id, "好了")   # no longer theirs
    app.grid.resolve(site.worker, request_id, "已修好")
    app.grid.rate(site.resident, request_id, "satisfied", "谢谢")
    assert app.grid.request(request_id).status == policies.CLOSED


def test_escalation_goes_up_one_level_at_a_time_and_never_past_the_street(site):
    app, request_id = site.app, site.submit()
    app.grid.escalate(site.grid_worker, request_id, "需要社区协调")
    app.grid.escalate(site.worker, request_id, "需要街道协调")
    assert app.grid.request(request_id).level == policies.STREET
    error = refused(app, EscalationLimitError, app.grid.escalate, site.official, request_id, "再往上")
    assert error.text() == "诉求最高上报至街道，不能再上报"
    refused(app, InvalidInputError, app.grid.escalate, site.official, request_id, "")   # a reason is needed
    app.grid.accept(site.official, request_id)
    app.grid.resolve(site.official, request_id, "街道协调解决")
    assert app.grid.request(request_id).max_level == policies.STREET


def test_a_grid_worker_of_another_grid_or_community_cannot_act(site):
    app, request_id = site.app, site.submit()
    for who in (site.other_grid_worker, site.other_worker, site.resident, site.official):
        refused(app, NotAllowedError, app.grid.accept, who, request_id)
    app.grid.accept(site.worker, request_id)            # the community's workers cover every grid


def test_rating_twice_or_someone_elses_request_is_refused_with_a_clear_message(site):
    app, request_id = site.app, site.submit()
    app.grid.accept(site.grid_worker, request_id)
    app.grid.resolve(site.grid_worker, request_id, "已修好")
    error = refused(app, NotYourRequestError, app.grid.rate, site.neighbour, request_id, "satisfied")
    assert error.text() == "只能评价或确认您自己反映的诉求"
    refused(app, RatingError, app.grid.rate, site.resident, request_id, "great")
    app.grid.rate(site.resident, request_id, "basically", "")
    error = refused(app, WrongStateError, app.grid.rate, site.resident, request_id, "satisfied")
    assert error.text() == "该诉求当前为「已关闭」，不能进行此操作"
    refused(app, WrongStateError, app.grid.reopen, site.resident, request_id, "还是坏的")


def test_not_solved_reopens_it_at_the_level_that_resolved_it(site):
    app, request_id = site.app, site.submit()
    app.grid.accept(site.grid_worker, request_id)
    app.grid.resolve(site.grid_worker, request_id, "已修好")
    refused(app, NotYourRequestError, app.grid.reopen, site.grid_worker, request_id, "没修好")
    app.grid.reopen(site.resident, request_id, "晚上还是不亮")
    request = app.grid.request(request_id)
    assert (request.status, request.level) == (policies.IN_PROGRESS, policies.GRID)
    app.grid.resolve(site.grid_worker, request_id, "换了整套灯具")
    assert app.grid.request(request_id).status == policies.RESOLVED


def test_unanswered_for_seven_days_it_closes_as_not_rated_once(site, clock):
    app, request_id = site.app, site.submit()
    app.grid.accept(site.grid_worker, request_id)
    app.grid.resolve(site.grid_worker, request_id, "已修好")
    clock.advance(days=6, hours=23)
    assert app.grid.close_unanswered(request_id) is False
    with pytest.raises(NotYetLapsedError):
        app.repository.get(request_id).close_unrated(clock.now)
    clock.advance(hours=1)
    before = events(app)
    assert app.grid.close_unanswered(request_id) is True
    assert app.grid.close_unanswered(request_id) is False        # idempotent: one event
    assert events(app) == before + 1
    stored = list(app.repository.event_store.get(request_id))
    assert isinstance(stored[-1], Request.ClosedUnrated)
    refused(app, WrongStateError, app.grid.rate, site.resident, request_id, "satisfied")


def test_a_duplicate_is_merged_and_its_reporter_follows_the_other(site):
    app = site.app
    first = site.submit()
    duplicate = site.submit(who=site.neighbour, text="3 号楼路灯坏了")
    refused(app, NotAllowedError, app.grid.merge, site.other_grid_worker, duplicate, first)
    app.grid.merge(site.grid_worker, duplicate, first)
    assert app.grid.request(duplicate).status == policies.MERGED
    assert app.grid.request(first).followers == [str(site.resident), str(site.neighbour)]
    refused(app, MergeError, app.grid.merge, site.worker, duplicate, first)        # once
    refused(app, MergeError, app.grid.merge, site.worker, first, first)           # not into itself


def test_a_request_of_another_community_cannot_be_merged_into(site, places):
    app = site.app
    outsider = make_resident(app, places.other_community, make_worker(app, places.other_community))
    theirs = app.grid.submit_request(outsider, places.other_community, "1", "漏水", "1号楼")
    refused(app, MergeError, app.grid.merge, site.worker, site.submit(), theirs)


def test_a_visit_becomes_a_request_on_the_households_behalf_once(site):
    app = site.app
    visit = app.grid.record_visit(site.grid_worker, site.community, site.grid, "2026-04-30", site.resident, "",
                                  "楼梯扶手松动")
    refused(app, NotAllowedError, app.grid.submit_for_household, site.other_grid_worker, visit, "2", "扶手松动",
            "3号楼")
    request_id = app.grid.submit_for_household(site.grid_worker, visit, "2", "扶手松动", "3号楼", "2单元")
    first = next(iter(app.repository.event_store.get(request_id)))
    assert (first.reporter_id, first.by, first.visit_id) == (site.resident, site.grid_worker, visit)
    refused(app, AlreadyTurnedError, app.grid.submit_for_household, site.grid_worker, visit, "2", "扶手松动", "3号楼")
    app.grid.accept(site.grid_worker, request_id)
    app.grid.resolve(site.grid_worker, request_id, "已加固")
    app.grid.rate(site.resident, request_id, "satisfied")      # the household, not the grid worker, rates it


def test_the_diary_is_kept_by_the_grids_own_grid_workers_with_sensible_dates(site):
    app = site.app
    refused(app, NotAllowedError, app.grid.record_visit, site.other_grid_worker, site.community, site.grid,
            "2026-04-30", None, "3号楼门口", "垃圾多")
    refused(app, InvalidInputError, app.grid.record_visit, site.grid_worker, site.community, site.grid,
            "2026-05-02", None, "3号楼门口", "明天的走访")
    refused(app, InvalidInputError, app.grid.record_visit, site.grid_worker, site.community, site.grid,
            "2026-04-30", None, "", "没有地点也没有住户")
    place_visit = app.grid.record_visit(site.grid_worker, site.community, site.grid, "2026-04-30", None, "3号楼门口",
                                        "垃圾多")
    refused(app, Exception, app.grid.submit_for_household, site.grid_worker, place_visit, "1", "垃圾多", "3号楼")
