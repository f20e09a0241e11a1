"""A button shown is a command accepted: for each volunteer policy that shows or hides a button (or link), a state where
the page shows it and the request is accepted, and one where the page hides it and the request, sent anyway, is
refused with a 4xx and records nothing."""
from __future__ import annotations

from projections import volunteer as views
from tests.builders import web_person
from tests.web.builders import DAY, add_shift, as_user, create_day, day_with_one_shift, shift_ids, shift_url


def events(web) -> int:
    return web.services.app.recorder.max_notification_id() or 0


def refused_and_nothing_recorded(web, send, status: int = 403) -> None:
    before = events(web)
    response = send()
    assert response.status_code == status, response.text
    assert events(web) == before


def street_wide_day(web, places, places_n="3") -> tuple[str, str, tuple]:
    """A street official's street-wide day with one shift, planned by them (logged in): day id, shift id, official."""
    official = web_person(web, "street_official", places.street, name="孙街道")
    as_user(web, official)
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "街道服务日", "date": DAY, "cutoff_hours": "2", "scope": "street"})
    assert response.status_code == 303, response.text
    day_id = response.headers["location"].rsplit("/", 1)[1]
    add_shift(web, places, day_id, places_n=places_n)
    return day_id, shift_ids(web, day_id)[0], official


# --- may_plan_days / may_create_day / may_create_street_day -------------------------------------------------------------
def test_the_new_day_button_is_shown_to_a_worker_whose_day_is_created(web, places, worker):
    as_user(web, worker)
    index = web.get(f"/c/{places.community}/volunteer").text
    assert f'href="/c/{places.community}/volunteer/days/new"' in index
    assert web.get(f"/c/{places.community}/volunteer/days/new").status_code == 200
    day_id = create_day(web, places)
    assert views.day(web.services.views, day_id)["title"] == "社区清洁日"


def test_the_new_day_button_is_hidden_from_a_resident_whose_day_is_refused(web, places):
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    index = web.get(f"/c/{places.community}/volunteer").text
    assert "/volunteer/days/new" not in index
    assert web.get(f"/c/{places.community}/volunteer/days/new").status_code == 403
    refused_and_nothing_recorded(web, lambda: web.post_form(f"/c/{places.community}/volunteer/days",
                                                            {"title": "居民日", "date": DAY, "cutoff_hours": "2"}))


def test_the_street_wide_choice_is_offered_to_a_street_official_and_taken(web, places):
    official = web_person(web, "street_official", places.street)
    as_user(web, official)
    form = web.get(f"/c/{places.community}/volunteer/days/new").text
    assert 'value="street"' in form and 'value="community"' not in form
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "街道服务日", "date": DAY, "cutoff_hours": "2", "scope": "street"})
    assert response.status_code == 303
    assert views.day(web.services.views, response.headers["location"].rsplit("/", 1)[1])["community_id"] is None


def test_the_street_wide_choice_is_not_offered_to_a_community_worker_and_refused(web, places, worker):
    as_user(web, worker)
    form = web.get(f"/c/{places.community}/volunteer/days/new").text
    assert 'name="scope"' not in form
    refused_and_nothing_recorded(web, lambda: web.post_form(
        f"/c/{places.community}/volunteer/days",
        {"title": "街道服务日", "date": DAY, "cutoff_hours": "2", "scope": "street"}))


# --- may_organise ------------------------------------------------------------------------------------------------------
def test_a_worker_of_another_community_of_the_street_organises_a_street_wide_day_wherever_they_open_it(web, places):
    day_id, shift_id, _ = street_wide_day(web, places)
    other_worker = web_person(web, "worker", places.other_community)
    as_user(web, other_worker)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text  # under the other community's path
    assert f'action="/c/{places.community}/volunteer/days/{day_id}/shifts"' in page
    assert f'href="{shift_url(places, day_id, shift_id)}/checkin"' in page
    assert web.get(shift_url(places, day_id, shift_id) + "/checkin").status_code == 200
    add_shift(web, places, day_id, start=f"{DAY}T14:00", end=f"{DAY}T15:00", task="交通引导")
    assert len(shift_ids(web, day_id)) == 2


def test_a_resident_sees_no_organiser_forms_and_their_requests_are_refused(web, places, worker):
    day_id, shift_id = day_with_one_shift(web, places, worker, places_n="2")
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert f'action="/c/{places.community}/volunteer/days/{day_id}/shifts"' not in page
    assert "/checkin" not in page and "/walk-in" not in page
    assert web.get(shift_url(places, day_id, shift_id) + "/checkin").status_code == 403
    refused_and_nothing_recorded(web, lambda: web.post_form(
        f"/c/{places.community}/volunteer/days/{day_id}/shifts",
        {"task": "t", "place": "p", "starts_at": f"{DAY}T14:00", "ends_at": f"{DAY}T15:00", "places": "3"}))
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/walk-in",
                                                            {"phone": resident[1]}))


# --- may_manage --------------------------------------------------------------------------------------------------------
def test_the_street_official_sees_the_manage_forms_of_a_street_wide_day_and_calls_a_shift_off(web, places):
    day_id, shift_id, official = street_wide_day(web, places)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert f'action="{shift_url(places, day_id, shift_id)}/call-off"' in page
    assert f'action="/c/{places.community}/volunteer/days/{day_id}/call-off"' in page
    assert web.post_form(shift_url(places, day_id, shift_id) + "/call-off", {"reason": "暴雨"}).status_code == 303
    assert views.shift(web.services.views, day_id, shift_id)["cancel_reason"] == "暴雨"


def test_a_community_worker_organises_but_does_not_manage_a_street_wide_day(web, places, worker):
    day_id, shift_id, _ = street_wide_day(web, places)
    as_user(web, worker)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert f'href="{shift_url(places, day_id, shift_id)}/checkin"' in page
    for form in ("/call-off", "/places"):
        assert f'action="{shift_url(places, day_id, shift_id)}{form}"' not in page
    assert f'action="/c/{places.community}/volunteer/days/{day_id}/call-off"' not in page
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/call-off",
                                                            {"reason": "x"}))
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/places",
                                                            {"places": "9"}))
    refused_and_nothing_recorded(web, lambda: web.post_form(
        f"/c/{places.community}/volunteer/days/{day_id}/call-off", {"reason": "x"}))


# --- may_volunteer -----------------------------------------------------------------------------------------------------
def test_a_resident_of_any_community_of_the_street_is_offered_a_street_wide_shift_and_signs_up(web, places):
    day_id, shift_id, _ = street_wide_day(web, places)
    resident = web_person(web, None, places.other_community)
    as_user(web, resident)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text  # under a community not their own
    assert f'action="{shift_url(places, day_id, shift_id)}/signup"' in page
    assert web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}).status_code == 303
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 1


def test_someone_who_is_not_a_resident_is_offered_no_sign_up_and_is_refused(web, places, worker):
    day_id, shift_id = day_with_one_shift(web, places, worker, places_n="2")
    manager = web_person(web, "fund_manager", places.community)
    as_user(web, manager)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert "/signup" not in page
    assert "经过核实的本社区居民可以报名参加志愿服务" in web.get(f"/c/{places.community}/volunteer").text
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}))


# --- sign_up_open --------------------------------------------------------------------------------------------------------
def test_sign_up_and_cancel_are_offered_until_the_cut_off_and_accepted(web, places, worker, clock):
    day_id, shift_id = day_with_one_shift(web, places, worker, places_n="2")
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    clock.now = clock.now.replace(day=2, hour=22, minute=59)  # 06:59 on the day in Shanghai: a minute before the
    # cut-off (two hours before the 09:00 shift)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert f'action="{shift_url(places, day_id, shift_id)}/signup"' in page and "报名已截止" not in page
    assert web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}).status_code == 303
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert f'action="{shift_url(places, day_id, shift_id)}/cancel"' in page
    assert web.post_form(shift_url(places, day_id, shift_id) + "/cancel", {}).status_code == 303
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 0


def test_past_the_cut_off_sign_up_and_cancel_are_hidden_and_refused(web, places, worker, clock):
    day_id, shift_id = day_with_one_shift(web, places, worker, places_n="2")
    holder = web_person(web, None, places.community)
    as_user(web, holder)
    assert web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}).status_code == 303
    clock.now = clock.now.replace(day=2, hour=23, minute=0)  # 07:00 on the day in Shanghai: two hours before
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert "报名已截止" in page and "/cancel" not in page
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/cancel", {}),
                                 status=409)
    latecomer = web_person(web, None, places.community)
    as_user(web, latecomer)
    page = web.get(f"/c/{places.community}/volunteer/days/{day_id}").text
    assert "报名已截止" in page and "/signup" not in page
    refused_and_nothing_recorded(web, lambda: web.post_form(shift_url(places, day_id, shift_id) + "/signup", {}),
                                 status=409)
    assert views.shift(web.services.views, day_id, shift_id)["taken"] == 1


# --- may_read_hours / may_read_street_hours -----------------------------------------------------------------------------
def test_the_hours_links_are_shown_to_those_who_may_read_them_and_the_pages_open(web, places, worker):
    as_user(web, worker)
    index = web.get(f"/c/{places.community}/volunteer").text
    assert f'href="/c/{places.community}/volunteer/hours"' in index and "scope=street" not in index
    assert web.get(f"/c/{places.community}/volunteer/hours").status_code == 200
    assert web.get(f"/c/{places.community}/volunteer/hours.csv").status_code == 200
    official = web_person(web, "street_official", places.street)
    as_user(web, official)
    index = web.get(f"/c/{places.community}/volunteer").text
    assert f'href="/c/{places.community}/volunteer/hours?scope=street"' in index
    assert f'href="/c/{places.community}/volunteer/hours"' not in index
    assert web.get(f"/c/{places.community}/volunteer/hours", params={"scope": "street"}).status_code == 200


def test_the_hours_links_are_hidden_from_others_and_the_pages_refused(web, places, worker):
    resident = web_person(web, None, places.community)
    as_user(web, resident)
    assert "/volunteer/hours" not in web.get(f"/c/{places.community}/volunteer").text
    assert web.get(f"/c/{places.community}/volunteer/hours").status_code == 403
    assert web.get(f"/c/{places.community}/volunteer/hours.csv").status_code == 403
    as_user(web, worker)
    assert "scope=street" not in web.get(f"/c/{places.community}/volunteer").text
    assert web.get(f"/c/{places.community}/volunteer/hours", params={"scope": "street"}).status_code == 403
    assert web.get(f"/c/{places.community}/volunteer/hours.csv", params={"scope": "street"}).status_code == 403
