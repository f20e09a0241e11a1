"""A button shown is a command accepted: for each grid policy that shows or hides a button (or link), a state where
the page shows it and the request is accepted, and one where the page hides it and the request, sent anyway, is
refused with a 4xx and records nothing."""
from __future__ import annotations

from uuid import UUID

from projections import grid as views
from tests.web.grid.builders import refused_and_nothing_recorded, submitted


def reported(site) -> str:
    site.as_user(site.resident)
    return submitted(site, site.submit())


def action(site, request_id, step) -> str:
    return f'action="{site.request_url(request_id)}/{step}"'


# --- may_submit ------------------------------------------------------------------------------------------------------
def test_the_report_button_is_shown_to_a_resident_whose_report_is_taken(site):
    site.as_user(site.resident)
    assert f'href="{site.base}/new"' in site.web.get(site.base).text
    submitted(site, site.submit())


def test_the_report_button_is_hidden_from_a_worker_whose_report_is_refused(site):
    site.as_user(site.worker)
    assert f'href="{site.base}/new"' not in site.web.get(site.base).text
    assert site.web.get(f"{site.base}/new").status_code == 403
    refused_and_nothing_recorded(site.web, lambda: site.submit())


# --- may_accept, may_resolve, may_escalate ---------------------------------------------------------------------------------
def test_accept_is_shown_to_the_grids_grid_worker_and_taken(site):
    request_id = reported(site)
    site.as_user(site.grid_worker)
    page = site.web.get(site.request_url(request_id)).text
    assert action(site, request_id, "accept") in page and action(site, request_id, "resolve") not in page
    assert site.post(site.request_url(request_id) + "/accept").status_code == 303


def test_accept_is_hidden_from_the_reporter_and_another_grids_worker_and_refused(site):
    request_id = reported(site)
    assert action(site, request_id, "accept") not in site.web.get(site.request_url(request_id)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/accept"))
    site.as_user(site.other_grid_worker)
    assert site.web.get(site.request_url(request_id)).status_code == 403
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/accept"))


def test_resolve_is_hidden_until_accepted_then_shown_and_taken(site):
    request_id = reported(site)
    site.as_user(site.grid_worker)
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/resolve",
                                                             {"note": "好了"}), 409)
    site.post(site.request_url(request_id) + "/accept")
    assert action(site, request_id, "resolve") in site.web.get(site.request_url(request_id)).text
    assert site.post(site.request_url(request_id) + "/resolve", {"note": "好了"}).status_code == 303


def test_escalate_is_shown_below_the_street_and_hidden_at_it(site):
    request_id = reported(site)
    site.as_user(site.grid_worker)
    assert action(site, request_id, "escalate") in site.web.get(site.request_url(request_id)).text
    assert site.post(site.request_url(request_id) + "/escalate", {"reason": "社区协调"}).status_code == 303
    assert action(site, request_id, "escalate") not in site.web.get(site.request_url(request_id)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/escalate",
                                                             {"reason": "再上报"}))   # no longer theirs
    site.as_user(site.worker)
    assert site.post(site.request_url(request_id) + "/escalate", {"reason": "街道协调"}).status_code == 303
    site.as_user(site.official)
    assert action(site, request_id, "escalate") not in site.web.get(site.request_url(request_id)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/escalate",
                                                             {"reason": "再上报"}), 409)


# --- may_answer ---------------------------------------------------------------------------------------------------------------
def test_rate_and_reopen_are_shown_to_the_reporter_of_a_resolved_request_and_taken(site):
    request_id = reported(site)
    app = site.web.services.app
    app.grid.accept(site.grid_worker[0], UUID(request_id))
    site.as_user(site.resident)
    page = site.web.get(site.request_url(request_id)).text
    assert action(site, request_id, "rate") not in page
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/rate",
                                                             {"rating": "satisfied"}), 409)
    app.grid.resolve(site.grid_worker[0], UUID(request_id), "好了")
    site.web.services.runner.catch_up()
    page = site.web.get(site.request_url(request_id)).text
    assert action(site, request_id, "rate") in page and action(site, request_id, "reopen") in page
    assert site.post(site.request_url(request_id) + "/reopen", {"reason": "还没好"}).status_code == 303
    app.grid.resolve(site.grid_worker[0], UUID(request_id), "这次好了")
    site.web.services.runner.catch_up()
    assert site.post(site.request_url(request_id) + "/rate", {"rating": "basically"}).status_code == 303


def test_rate_is_hidden_from_the_handler_and_refused(site):
    request_id = reported(site)
    app = site.web.services.app
    app.grid.accept(site.grid_worker[0], UUID(request_id))
    app.grid.resolve(site.grid_worker[0], UUID(request_id), "好了")
    site.web.services.runner.catch_up()
    site.as_user(site.grid_worker)
    assert action(site, request_id, "rate") not in site.web.get(site.request_url(request_id)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(request_id) + "/rate",
                                                             {"rating": "satisfied"}))


# --- may_merge ------------------------------------------------------------------------------------------------------------------
def test_merge_is_offered_to_the_community_worker_and_taken(site):
    first = reported(site)
    duplicate = submitted(site, site.submit({"description": "路灯又坏了"}))
    site.as_user(site.worker)
    page = site.web.get(site.request_url(duplicate)).text
    assert action(site, duplicate, "merge") in page and f'value="{first}"' in page
    assert site.post(site.request_url(duplicate) + "/merge", {"primary_id": first}).status_code == 303
    assert views.request(site.web.services.views, duplicate)["merged_into"] == first


def test_merge_is_hidden_from_the_reporter_and_refused(site):
    first = reported(site)
    duplicate = submitted(site, site.submit({"description": "路灯又坏了"}))
    assert action(site, duplicate, "merge") not in site.web.get(site.request_url(duplicate)).text
    refused_and_nothing_recorded(site.web, lambda: site.post(site.request_url(duplicate) + "/merge",
                                                             {"primary_id": first}))


# --- may_manage_grids, may_open_queue --------------------------------------------------------------------------------------------
def test_setup_is_shown_to_the_worker_and_hidden_from_a_grid_worker_who_is_refused(site):
    site.as_user(site.worker)
    assert f'href="{site.base}/setup"' in site.web.get(site.base).text
    assert site.post(f"{site.base}/setup/grids", {"name": "第三网格"}).status_code == 303
    site.as_user(site.grid_worker)
    assert f'href="{site.base}/setup"' not in site.web.get(site.base).text
    assert site.web.get(f"{site.base}/setup").status_code == 403
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/setup/grids", {"name": "第四网格"}))


def test_the_queue_is_offered_to_a_grid_worker_and_not_to_a_resident(site):
    site.as_user(site.grid_worker)
    assert f'href="{site.base}/queue"' in site.web.get(site.base).text
    assert site.web.get(f"{site.base}/queue").status_code == 200
    site.as_user(site.neighbour)
    assert f'href="{site.base}/queue"' not in site.web.get(site.base).text
    assert site.web.get(f"{site.base}/queue").status_code == 403


# --- may_keep_diary, may_turn_into_request -------------------------------------------------------------------------------------
def test_the_diary_form_and_turning_a_visit_into_a_request_follow_the_grid(site):
    grid_url = f"{site.base}/grids/{site.grid}"
    site.as_user(site.grid_worker)
    assert f'action="{grid_url}/visits"' in site.web.get(grid_url).text
    assert site.post(grid_url + "/visits", {"visited_on": "2026-05-01", "household_id": str(site.resident[0]),
                                            "raised": "扶手松动"}).status_code == 303
    visit = views.visits(site.web.services.views, site.grid)[0]["id"]
    turn = f"{site.base}/visits/{visit}/request"
    assert f'href="{turn}"' in site.web.get(grid_url).text
    site.as_user(site.worker)                           # sees the grid, keeps no diary of it
    page = site.web.get(grid_url).text
    assert f'action="{grid_url}/visits"' not in page and f'href="{turn}"' not in page
    refused_and_nothing_recorded(site.web, lambda: site.post(grid_url + "/visits", {
        "visited_on": "2026-05-01", "place": "门口", "raised": "x"}))
    refused_and_nothing_recorded(site.web, lambda: site.post(turn, {"category_id": "2", "description": "扶手",
                                                                    "building": "3号楼"}))
    site.as_user(site.grid_worker)
    submitted(site, site.post(turn, {"category_id": "2", "description": "扶手", "building": "3号楼"}))
    assert f'href="{turn}"' not in site.web.get(grid_url).text


# --- may_rate_places, may_set_weight ------------------------------------------------------------------------------------------------
def test_rating_the_places_is_offered_to_residents_and_refused_to_a_worker(site):
    site.as_user(site.resident)
    assert f'action="{site.base}/ratings"' in site.web.get(site.base).text
    assert site.post(f"{site.base}/ratings", {"kind": "street", "score": "4"}).status_code == 303
    site.as_user(site.worker)
    assert f'action="{site.base}/ratings"' not in site.web.get(site.base).text
    refused_and_nothing_recorded(site.web, lambda: site.post(f"{site.base}/ratings", {"kind": "street", "score": "4"}))


def test_a_street_official_is_offered_the_communities_weight_only(site):
    street = f"/s/{site.places.street}/grid"
    site.as_user(site.official)
    page = site.web.get(street + "/assessment?period=2026Q2").text
    assert 'name="kind" value="community"' in page and 'name="kind" value="street"' not in page
    assert site.post(street + "/weights", {"kind": "community", "period": "2026Q2", "percent": "75"}).status_code == 303
    refused_and_nothing_recorded(site.web, lambda: site.post(street + "/weights", {
        "kind": "street", "period": "2026Q2", "percent": "60"}))
