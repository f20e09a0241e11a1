"""Money follows the residents' decision, on SQLite and PostgreSQL: the amount a motion states travels into its
resolution and the views; the fund never allocates more under it (increases included, every year's fund together);
the ledger shows the amount beside what was allocated under it. A resolution from a store written before motions
stated amounts authorises nothing new, and what was allocated under it stays."""
from __future__ import annotations

import shutil
from pathlib import Path
from uuid import UUID

import pytest

from domain.fund.model import Fund, NoAmountAuthorisedError, ResolutionAmountExceededError
from domain.roundtable.model import Resolution
from projections import fund as views
from projections import roundtable as rt_views
from tests.builders import Places
from tests.domain.builders import YEAR, fund_case
from tests.domain.fund.test_fund_resolution_amounts import adopted
from web.settings import Settings
from web.wiring import build

STORE = Path(__file__).resolve().parents[2] / "fixtures" / "store-v1"


def test_the_ledger_shows_each_resolutions_amount_beside_what_every_year_allocated_under_it(services, clock):
    app = services.app
    places = Places(app)
    case = fund_case(app, places)
    c = case.community
    handrails = adopted(app, places, clock, "15,000", "elderly")
    silent = adopted(app, places, clock)
    project = app.fund.allocate(case.maker, c, YEAR, handrails, "楼道扶手", "elderly", "10,000")
    app.fund.allocate(case.maker, c, YEAR + 1, handrails, "楼道扶手（二期）", "elderly", "4,000")
    with pytest.raises(ResolutionAmountExceededError):
        app.fund.request_increase(case.maker, c, YEAR, project, "1,000.01", "追加")
    increase = app.fund.request_increase(case.maker, c, YEAR, project, "1,000", "追加")
    app.fund.approve_increase(case.checker, c, YEAR, increase)
    with pytest.raises(NoAmountAuthorisedError):
        app.fund.allocate(case.maker, c, YEAR, silent, "无金额", "other", "1")
    services.runner.catch_up()
    money = {r["id"]: r for r in views.resolution_money(services.views, str(c))}
    assert {k: money[str(handrails)][k] for k in ("authorised", "category", "allocated", "left")} == \
        {"authorised": 1_500_000, "category": "elderly", "allocated": 1_500_000, "left": 0}
    assert (money[str(silent)]["authorised"], money[str(silent)]["allocated"]) == (None, 0)
    row = rt_views.resolution(services.views, str(handrails))
    assert (row["amount"], row["category"]) == (1_500_000, "elderly")
    assert rt_views.resolution(services.views, str(silent))["amount"] is None
    motions = rt_views.motions(services.views, row["meeting_id"])
    assert [(m["amount"], m["category"]) for m in motions] == [(1_500_000, "elderly")]


def test_a_resolution_written_before_amounts_keeps_its_allocations_and_authorises_no_more(services, clock):
    app = services.app
    case = fund_case(app, Places(app))
    c = case.community
    old = Resolution(meeting_id=UUID(int=9), motion_id="1", community_id=c, title="旧决议：加装扶手", passed=True,
                     votes_for=9, votes_against=1, abstentions=0, at=app.clock())
    for e in old._pending_events:        # as an older Linli stored it: no amount, no category
        del e.__dict__["amount"], e.__dict__["category"]
    app.save(old)
    fund = Fund(community_id=c, year=YEAR, budget_fen=app.fund_budget_fen, by=case.maker, at=app.clock())
    project = UUID(int=10)               # allocated then, under the rules of the time
    fund._allocated(project_id=project, resolution_id=old.id, resolution_title=old.title, title="扶手",
                    category="elderly", amount=500_000, by=case.maker, at=app.clock())
    app.save(fund)
    assert app.roundtable.resolution(old.id).amount is None
    with pytest.raises(NoAmountAuthorisedError):
        app.fund.allocate(case.maker, c, YEAR, old.id, "再分配", "elderly", "1")
    with pytest.raises(NoAmountAuthorisedError):
        app.fund.request_increase(case.maker, c, YEAR, project, "1", "追加")
    payment = app.fund.record_payment(case.maker, c, YEAR, project, None, "2,000", "organisation", "某公司",
                                      f"{YEAR}-05-01", "扶手", "FP-OLD-1")        # its money is still spent as before
    app.fund.approve_payment(case.checker, c, YEAR, payment)
    app.fund.reduce_allocation(case.maker, c, YEAR, project, "1,000", "核减")
    services.runner.catch_up()
    [row] = [r for r in views.resolution_money(services.views, str(c)) if r["id"] == str(old.id)]
    assert (row["authorised"], row["allocated"], row["left"]) == (None, 400_000, 0)
    assert views.ledger(services.views, str(c), YEAR)["totals"]["paid"] == 200_000


def test_the_old_fixture_stores_resolution_authorises_nothing_new_its_fund_replays_unchanged(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("events.sqlite3", "keys.sqlite3"):
        shutil.copy(STORE / name, data / name)
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(data)}))
    try:
        svc.runner.catch_up()
        [community] = [r["community_id"] for r in svc.views.all("SELECT DISTINCT community_id FROM fund_funds")]
        [money] = views.resolution_money(svc.views, community)
        ledger = views.ledger(svc.views, community, 2026)
        assert money["authorised"] is None and money["allocated"] == ledger["totals"]["allocated"] > 0
        resolution = svc.app.roundtable.resolution(UUID(money["id"]))
        assert resolution.amount is None and resolution.passed
        manager = svc.views.scalar("SELECT account_id FROM dir_grants WHERE role = 'fund_manager' AND scope_id = ?",
                                   (community,))
        svc.app.clock = lambda: resolution.adopted_at.replace(year=resolution.adopted_at.year + 1, month=1, day=10)
        with pytest.raises(NoAmountAuthorisedError):
            svc.app.fund.allocate(UUID(manager), UUID(community), resolution.adopted_at.year + 1, resolution.id,
                                  "新项目", "elderly", "1")
    finally:
        svc.close()
