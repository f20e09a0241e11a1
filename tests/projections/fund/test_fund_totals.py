"""Today's ledger reads running totals (`fund_totals`); they always equal the sums of the lines behind them (what
the drill-down and any past day show), also in a views database written before the totals existed."""
from __future__ import annotations

from projections import fund as views
from tests.domain.builders import YEAR
from tests.projections.fund.test_fund import run_a_year

FIGURES = ("budget", "allocated", "committed", "pending", "paid", "available", "unallocated", "free")


def summed(db, community_id: str) -> dict:
    """The ledger as the sums of every line (as a day after the last one)."""
    return views.ledger(db, community_id, YEAR, as_of="9999-12-31")


def same(a: dict, b: dict) -> None:
    assert {k: a["totals"][k] for k in FIGURES} == {k: b["totals"][k] for k in FIGURES}
    assert a["events"] == b["events"] and a["closed"] == b["closed"]
    assert [(p["id"], *(p[k] for k in FIGURES)) for p in a["projects"]] == \
           [(p["id"], *(p[k] for k in FIGURES)) for p in b["projects"]]


def test_the_running_totals_equal_the_sums_of_the_lines(services, clock):
    case = run_a_year(services, clock)
    same(views.ledger(services.views, str(case.community), YEAR), summed(services.views, str(case.community)))


def test_views_written_before_the_totals_existed_get_them_at_start_up(services, clock):
    case = run_a_year(services, clock)
    expected = views.ledger(services.views, str(case.community), YEAR)
    with services.views.transaction() as tx:
        tx.execute("DELETE FROM fund_totals")        # as an older release left the views
    services.runner.setup()                           # start-up: tables, indexes, then the backfill
    same(views.ledger(services.views, str(case.community), YEAR), expected)
    services.runner.setup()                           # a second start-up adds nothing
    same(views.ledger(services.views, str(case.community), YEAR), expected)
