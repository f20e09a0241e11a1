"""Fund years on SQLite and PostgreSQL: a fund is opened for this year or next (China time), never a past one, and
a past year's fund gains no allocation against a resolution adopted after that year ended."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.fund.model import FundYearOutOfReachError, ResolutionAfterYearError
from domain.kernel import roles
from tests.builders import Places, make_worker
from tests.domain.builders import make_resolution


def shanghai(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


def test_a_past_years_fund_takes_no_allocation_against_a_later_resolution(services, clock):
    app = services.app
    places = Places(app)
    maker = make_worker(app, places.community, roles.FUND_MANAGER)
    clock.now = shanghai(2026, 12, 31, 23)
    december = make_resolution(app, places.community, "冬季送温暖")
    app.fund.open_fund(maker, places.community, 2026)
    clock.now = shanghai(2027, 1, 1, 9)                     # still 2026 in UTC, already 2027 in China
    january = make_resolution(app, places.community, "春节活动")
    with pytest.raises(ResolutionAfterYearError) as refused:
        app.fund.allocate(maker, places.community, 2026, january, "春节活动", "culture", "1,000")
    assert refused.value.text() == "2026 年度已经结束，不能依据 2027-01-01 通过的决议向该年度资金分配，请使用 2027 年度资金"
    app.fund.allocate(maker, places.community, 2026, december, "冬季送温暖", "elderly", "2,000")   # its own year: yes
    app.fund.allocate(maker, places.community, 2027, january, "春节活动", "culture", "1,000")      # opens 2027
    services.runner.catch_up()
    lines = services.views.all("SELECT f.year, l.type, l.amount FROM fund_lines l "
                               "JOIN fund_funds f ON f.id = l.fund_id WHERE l.type = 'Allocated' ORDER BY f.year")
    assert [(r["year"], r["amount"]) for r in lines] == [(2026, 200_000), (2027, 100_000)]


def test_only_this_years_and_next_years_fund_open_in_china_time(services, clock):
    app = services.app
    places = Places(app)
    maker = make_worker(app, places.community, roles.FUND_MANAGER)
    resolution = make_resolution(app, places.community)
    clock.now = shanghai(2027, 1, 1, 7)                     # 2027 in Shanghai, 2026 in UTC
    for year in (2026, 2029, 2000):
        with pytest.raises(FundYearOutOfReachError):
            app.fund.open_fund(maker, places.community, year)
        with pytest.raises(FundYearOutOfReachError):
            app.fund.allocate(maker, places.community, year, resolution, "项目", "other", "1")
    assert [app.fund.open_fund(maker, places.community, y) is not None for y in (2027, 2028)] == [True, True]
    services.runner.catch_up()
    assert [r["year"] for r in services.views.all("SELECT year FROM fund_funds ORDER BY year")] == [2027, 2028]
