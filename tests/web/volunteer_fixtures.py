"""What the volunteer web tests share: a worker, an action day with a shift, and the forms that make them."""
from __future__ import annotations


from projections import volunteer as views

DAY = "2026-05-03"
HX = {"HX-Request": "true"}


def as_user(web, person):
    web.logout()
    web.login(person[1])


def create_day(web, places, title="社区清洁日", date=DAY, cutoff="2"):
    response = web.post_form(f"/c/{places.community}/volunteer/days",
                             {"title": title, "date": date, "description": "打扫楼道", "cutoff_hours": cutoff,
                              "command_id": f"day-{title}-{date}"})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def add_shift(web, places, day_id, places_n="2", start=f"{DAY}T09:00", end=f"{DAY}T11:00", task="清扫楼道",
              expect=303):
    response = web.post_form(f"/c/{places.community}/volunteer/days/{day_id}/shifts",
                             {"task": task, "place": "3 号楼", "starts_at": start, "ends_at": end,
                              "places": places_n, "min_age": ""})
    assert response.status_code == expect, response.text
    return response


def shift_ids(web, day_id):
    return [s["id"] for s in views.shifts(web.services.views, day_id)]


def shift_url(places, day_id, shift_id):
    return f"/c/{places.community}/volunteer/days/{day_id}/shifts/{shift_id}"


def day_with_one_shift(web, places, worker, places_n):
    """As the worker, plan the default day with one shift of `places_n` places; return (day id, shift id)."""
    as_user(web, worker)
    day_id = create_day(web, places)
    add_shift(web, places, day_id, places_n=places_n)
    return day_id, shift_ids(web, day_id)[0]
