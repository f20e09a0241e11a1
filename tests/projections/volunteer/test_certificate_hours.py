"""Certificates say how their hours came about, on SQLite and PostgreSQL: from check-in/out, or set by a worker's
correction (with or without a check-out before it), the correction's reason kept for the volunteer and the issuing
organisation; a certificate issued before this was recorded still checks, its split read from the log while its
hours stand, and is not issued again for the same hours."""
from __future__ import annotations

import json
from datetime import timedelta
from uuid import UUID

from domain.volunteer.model import Certificate, Volunteer
from projections import volunteer as views
from tests.builders import Places, make_resident, make_worker
from tests.projections.builders import DAY, START


def attended(services, clock):
    """Four volunteers of one shift: checked in and out; checked in, never out, corrected; never checked in,
    corrected; checked in and out, then corrected."""
    app = services.app
    places = Places(app)
    worker = make_worker(app, places.community, name="李社工")
    day = app.volunteer.create_action_day(worker, places.community, None, "社区清洁日", "打扫楼道", DAY)
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", START, START + timedelta(hours=2), 4)
    people = [make_resident(app, places.community, worker, name=f"志愿者{i}") for i in range(4)]
    for person in people:
        app.volunteer.sign_up_for_shift(person, day, shift)
    clock.now = START
    for person in (people[0], people[1], people[3]):
        app.volunteer.check_in(worker, day, shift, person)
    clock.now = START + timedelta(hours=2)
    app.volunteer.check_out(worker, day, shift, people[0])
    app.volunteer.check_out(worker, day, shift, people[3])
    app.volunteer.correct_hours(worker, day, shift, people[1], 90, "忘记签退")
    app.volunteer.correct_hours(worker, day, shift, people[2], 60, "未签到，现场帮忙")
    app.volunteer.correct_hours(worker, day, shift, people[3], 100, "提前离开")
    return places, day, shift, people


def test_each_item_says_whether_its_minutes_came_from_check_in_out_or_a_correction(services, clock):
    places, _, shift, people = attended(services, clock)
    issued = [services.app.volunteer.issue_certificate(p, places.community, "2026") for p in people]
    services.runner.catch_up()
    rows = [views.certificate_by_code(services.views, i["code"]) for i in issued]
    items = [json.loads(r["items"])[0] for r in rows]
    assert [(i["minutes"], i["checked_minutes"], i["corrected"]) for i in items] == [
        (120, 120, False), (90, None, True), (60, None, True), (100, 120, True)]
    assert Certificate.split(items) == {"known": True, "checked": 120, "corrected": 250}
    reasons = views.corrections_until(services.views, str(people[3]), [str(shift)], rows[3]["issued_at"])
    assert [r["reason"] for r in reasons[str(shift)]] == ["提前离开"]
    assert views.corrections_until(services.views, str(people[3]), [str(shift)], "2026-01-01") == {}
    check = services.app.volunteer.verify_certificate(UUID(rows[1]["certificate_id"]), issued[1]["code"])
    assert check.matches_events and check.items[0]["corrected"] and check.items[0]["checked_minutes"] is None
    services.app.accounts.erase_person(people[3])
    services.runner.catch_up()
    reasons = views.corrections_until(services.views, str(people[3]), [str(shift)], rows[3]["issued_at"])
    assert [r["reason"] for r in reasons[str(shift)]] == [""]      # sealed under their key: gone with them


def test_a_certificate_issued_before_the_split_checks_and_reads_its_split_from_the_log(services, clock):
    places, day, shift, people = attended(services, clock)
    app = services.app
    account = people[1]
    volunteer = app.repository.get(Volunteer.id_for(account))
    items = [Certificate.hours_only(i)
             for i in app.volunteer._credited_items(volunteer, places.community, "community", "2026")]
    certificate = Certificate(org_id=places.community, org_kind="community", account_id=account, year="2026")
    serial = Certificate.serial_for("320106001001", "2026", certificate.id, 1)
    old = certificate.issue(serial, app.volunteer.certificate_code(serial), "江苏路社区", 90, items, account,
                            clock())
    app.save(certificate)                                          # as a release before issue 15 recorded it
    check = app.volunteer.verify_certificate(certificate.id, old["code"])
    assert check.matches_events and Certificate.split(list(check.items)) == {"known": True, "checked": 0,
                                                                             "corrected": 90}
    again = app.volunteer.issue_certificate(account, places.community, "2026")
    assert again["revision"] == 1 and again["serial"] == serial     # same hours: the same certificate
    app.volunteer.correct_hours(app.volunteer.action_day(day).created_by, day, shift, account, 80, "核对后调整")
    stale = app.volunteer.verify_certificate(certificate.id, old["code"])
    assert not stale.matches_events and stale.current_minutes == 80
    assert Certificate.split(list(stale.items))["known"] is False   # the hours changed: the log no longer says
