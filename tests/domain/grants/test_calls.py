"""A street's call is opened by its street officials or its district's; a district's call by the district's
officials. Its terms are checked before anything is recorded; reviewers are named by phone number."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_worker
from tests.domain.grants.builders import CLOSES, CRITERIA, OPENS, TRANCHES, person


def open_call(app, by, street, district=None, pool="300,000", most="50,000", opens=OPENS, closes=CLOSES,
              criteria=CRITERIA, tranches=TRANCHES):
    return app.grants.open_call(by, street, district, "公益创投", "为老服务", pool, most, opens, closes, criteria,
                                tranches)


def test_the_window_is_typed_in_shanghai_time_and_stored_in_utc(linli, places, case):
    call = case.call_state
    assert call.opens_at == datetime(2026, 5, 1, 0, 0, tzinfo=timezone.utc)
    assert call.closes_at == datetime(2026, 5, 31, 9, 0, tzinfo=timezone.utc)
    assert call.pool == 30_000_000 and call.max_per_project == 5_000_000 and call.remaining == 30_000_000
    assert [c["weight"] for c in call.criteria] == [40, 30, 30]
    assert [t["requirement"] for t in call.tranches] == ["signing", "midterm", "final"]


def test_who_opens_a_call(linli, places):
    street_official = make_worker(linli, places.street, roles.STREET_OFFICIAL)
    district_official = make_worker(linli, places.district, roles.DISTRICT_OFFICIAL)
    assert open_call(linli, street_official, places.street)
    assert open_call(linli, district_official, places.street)
    assert open_call(linli, district_official, None, places.district)
    for outsider, street, district in ((street_official, None, places.district),
                                       (make_worker(linli, places.community), places.street, None),
                                       (make_worker(linli, places.community, roles.FUND_MANAGER), places.street, None),
                                       (person(linli, "居民")[0], places.street, None)):
        with pytest.raises(NotAllowedError):
            open_call(linli, outsider, street, district)


@pytest.mark.parametrize("changes", [
    {"pool": "0"}, {"pool": "-1"}, {"pool": "1e5"}, {"pool": "NaN"}, {"pool": "0.001"}, {"pool": "1_000"},
    {"most": "300,000.01"}, {"most": "Infinity"}, {"opens": "2026-06-01 08:00"}, {"closes": "2026-05-01 08:30"},
    {"closes": "2026-04-30 17:00", "opens": "2026-04-01 08:00"}, {"closes": "2026-13-01 00:00"},
    {"criteria": (["设计"], ["90"])}, {"tranches": (["signing", "final"], ["40", "40"])},
    {"tranches": (["final", "signing"], ["40", "60"])},
])
def test_bad_terms_are_refused_and_nothing_is_recorded(linli, places, changes):
    official = make_worker(linli, places.district, roles.DISTRICT_OFFICIAL)
    before = linli.recorder.max_notification_id()
    with pytest.raises(InvalidInputError):
        open_call(linli, official, places.street, **changes)
    assert linli.recorder.max_notification_id() == before


def test_reviewers_are_named_by_phone_in_any_form_and_recorded_by_account(linli, places, case):
    reviewer, phone = person(linli, "评审丙")
    linli.grants.assign_reviewer(case.district_official, case.call, f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}")
    assert str(reviewer) in case.call_state.reviewers
    with pytest.raises(ConflictError):
        linli.grants.assign_reviewer(case.street_official, case.call, phone)
    with pytest.raises(NotFoundError):
        linli.grants.assign_reviewer(case.street_official, case.call, "13700000000")
    with pytest.raises(NotAllowedError):
        linli.grants.assign_reviewer(case.member, case.call, phone)
    linli.grants.remove_reviewer(case.street_official, case.call, reviewer)
    assert str(reviewer) not in case.call_state.reviewers
