"""Odd input at every volunteer route gets a 4xx (or a safe page), never a 5xx, and changes nothing."""
from __future__ import annotations

import pytest

from projections import volunteer as views
from tests.web.builders import (DAY, as_user, day_with_one_shift, shift_ids, shift_url)


@pytest.fixture
def day_and_shift(web, places, worker):
    return day_with_one_shift(web, places, worker, places_n="3")


@pytest.mark.parametrize("start, end", [
    ("0001-01-01T00:00", "0001-01-01T02:00"),
    ("9999-12-31T23:00", "9999-12-31T23:30"),
    (f"{DAY}T09:00", "9999-12-31T23:59"),
    (f"{DAY}T25:00", f"{DAY}T26:00"),
    (f"{DAY}T09:00\x00", f"{DAY}T10:00"),
    ("2026-02-30T09:00", "2026-02-30T10:00"),
    ("9" * 40, "9" * 40),
])
def test_shift_times_at_the_edges_of_the_calendar_are_refused_with_a_4xx(web, places, day_and_shift, start, end):
    day_id, _ = day_and_shift
    response = web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/shifts",
                             {"task": "t", "place": "p", "starts_at": start, "ends_at": end, "places": "3"})
    assert 400 <= response.status_code < 500, response.status_code
    assert len(shift_ids(web, day_id)) == 1


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2026-5-3", "99999-01-01", "２０２６-０５-０３x"])
def test_odd_action_day_dates_are_refused_or_accepted_but_never_a_5xx(web, places, worker, date):
    as_user(web, worker)
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": "边界", "date": date, "cutoff_hours": "2"})
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        day_id = response.headers["location"].rsplit("/", 1)[1]
        assert web.get(f"/c/{places.community}/volunteer/days/{day_id}").status_code == 200
        page = web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/shifts",
                             {"task": "t", "place": "p", "starts_at": f"{date}T23:00", "ends_at": f"{date}T23:30",
                              "places": "3"})
        assert 300 <= page.status_code < 500


@pytest.mark.parametrize("query", ["\x00", "a\x00b", "%", "_", "'; DROP TABLE vol_entries; --", "x" * 5000,
                                   "\u202e1234", "１２３４"])
def test_the_check_in_search_answers_any_query_without_a_5xx(web, places, day_and_shift, query):
    day_id, shift_id = day_and_shift
    response = web.get(shift_url(places, day_id, shift_id) + "/checkin", params={"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("serial", ["%00", "ZYFW-%00", "x" * 500, "..%2F..%2Fetc", "%E2%80%AE"])
def test_odd_certificate_serials_are_not_found(web, places, worker, serial):
    as_user(web, worker)
    assert web.get(f"/c/{places.community}/volunteer/certificates/{serial}").status_code == 404


@pytest.mark.parametrize("code", ["%00", "A" * 500, "%E2%80%AE", "AAAA-BBBB-CCCC%00"])
def test_odd_verification_codes_are_not_found(web, code):
    assert web.get(f"/verify/{code}").status_code == 404
    assert web.get("/verify", params={"code": code}).status_code in (303, 404)


@pytest.mark.parametrize("params", [{"from": "\x00"}, {"from": "2026-02-30"}, {"to": "0001-01-01"},
                                    {"from": "9999-12-31"}, {"scope": "\x00"}, {"from": "2026-05-01" * 100}])
def test_odd_hours_periods_get_a_4xx_or_an_empty_table(web, places, worker, params):
    as_user(web, worker)
    for path in ("/hours", "/hours.csv"):
        response = web.get(f"/c/{places.community}/volunteer{path}", params=params)
        assert response.status_code in (200, 422), (path, params, response.status_code)


@pytest.mark.parametrize("account", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%00"])
def test_check_in_of_an_unknown_account_id_is_a_4xx_and_changes_nothing(web, places, day_and_shift, clock, account):
    day_id, shift_id = day_and_shift
    clock.now = clock.now.replace(day=3, hour=1)
    for path in (f"/attendance/{account}/in", f"/correct/{account}"):
        response = web.post_form(shift_url(places, day_id, shift_id) + path, {"hours": "1", "reason": "x"})
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert views.check_in_rows(web.services.views, shift_id) == []


@pytest.mark.parametrize("places_n", ["99999999999999999999", "1e3", "NaN", "-0", "٣", "1_0", " "])
def test_odd_place_counts_are_refused(web, places, day_and_shift, places_n):
    day_id, shift_id = day_and_shift
    response = web.post_form(shift_url(places, day_id, shift_id) + "/places", {"places": places_n})
    assert response.status_code == 422
    assert views.shift(web.services.views, day_id, shift_id)["places"] == 3
