"""The fund ledger view on SQLite and PostgreSQL: figures equal the aggregate, every figure drills down to its
events, "as of" a day equals a replay of the aggregate up to then, and a rebuild gives the same rows."""
from __future__ import annotations

from datetime import date


from domain.fund.model import Fund
from domain.kernel.time import local_day
from domain.kernel.privacy import ERASED
from projections import fund as views
from tests.builders import Places
from tests.domain.builders import YEAR, fund_case, make_resolution
from tests.projections.builders import snapshot

TABLES = ["fund_funds", "fund_projects", "fund_commitments", "fund_payments", "fund_lines", "fund_resolutions"]


def run_a_year(svc, clock):
    """Five months of a community's fund: allocations, a contract, payments, a rejection, a refund."""
    app = svc.app
    case = fund_case(app, Places(app))
    c, y = case.community, YEAR
    make_resolution(app, c, "修建停车棚", passed=False)
    handrails = app.fund.allocate(case.maker, c, y, case.resolution, "楼道扶手", "elderly", "60,000")
    garden = app.fund.allocate(case.maker, c, y, make_resolution(app, c, "口袋花园"), "口袋花园", "environment", "30,000")
    clock.advance(days=20)  # 2026-05-21
    contract = app.fund.commit(case.maker, c, y, handrails, "40,000", "扶手安装合同")
    first = app.fund.record_payment(case.maker, c, y, handrails, contract, "15,000", "organisation", "南京安居装修有限公司",
                               "2026-05-20", "首期款", "FP-001")
    app.fund.approve_payment(case.checker, c, y, first)
    clock.advance(days=31)  # 2026-06-21
    seeds = app.fund.record_payment(case.maker, c, y, garden, None, "1,200.50", "individual", "王小明", "2026-06-20",
                               "花苗采购（个人垫付）", "SJ-17")
    app.fund.approve_payment(case.checker, c, y, seeds)
    wrong = app.fund.record_payment(case.maker, c, y, garden, None, "999", "organisation", "某花店", "2026-06-21",
                               "重复录入", "X-1")
    app.fund.reject_payment(case.checker, c, y, wrong, "重复录入")
    clock.advance(days=30)  # 2026-07-21
    second = app.fund.record_payment(case.checker, c, y, handrails, contract, "20,000", "organisation",
                                "南京安居装修有限公司", "2026-07-20", "二期款", "FP-002")
    app.fund.approve_payment(case.maker, c, y, second)
    app.fund.refund_payment(case.maker, c, y, first, "300", "多收的材料费退回")
    app.fund.reduce_allocation(case.maker, c, y, garden, "5,000", "部分由物业承担")
    clock.advance(days=31)  # 2026-08-21
    app.fund.release_commitment(case.maker, c, y, contract, "合同结清")
    app.fund.record_payment(case.maker, c, y, garden, None, "800", "organisation", "某花店", "2026-08-21", "追肥", "X-2")
    svc.runner.catch_up()
    return case


def aggregate_figures(fund: Fund) -> dict:
    return {"budget": fund.budget, "allocated": fund.allocated, "committed": fund.committed,
            "pending": fund.pending, "paid": fund.paid, "available": fund.available}


def view_figures(ledger: dict) -> dict:
    return {k: ledger["totals"][k] for k in ("budget", "allocated", "committed", "pending", "paid", "available")}


def test_the_ledger_equals_the_aggregate_in_total_and_per_project(services, clock):
    case = run_a_year(services, clock)
    fund = services.app.fund.year_fund(case.community, YEAR)
    ledger = views.ledger(services.views, str(case.community), YEAR)
    assert view_figures(ledger) == aggregate_figures(fund)
    assert ledger["totals"]["paid"] == 1_500_000 + 120_050 + 2_000_000 - 30_000
    assert ledger["events"] == fund.version
    for row in ledger["projects"]:
        p = fund.projects[row["id"]]
        assert (row["allocated"], row["committed"], row["pending"], row["paid"]) == \
               (p["allocated"], p["committed"], p["pending"], p["paid"])


def test_every_figure_drills_down_to_the_events_that_make_it_up(services, clock):
    case = run_a_year(services, clock)
    ledger = views.ledger(services.views, str(case.community), YEAR)
    fund_id = ledger["fund"]["id"]
    for figure in ("budget", "allocated", "committed", "pending", "paid"):
        behind = views.lines(services.views, fund_id, figure)
        assert sum(line[f"d_{figure}"] for line in behind) == ledger["totals"][figure]
        assert views.count_lines(services.views, fund_id, figure) == len(behind)
    paid = views.lines(services.views, fund_id, "paid")
    assert [line["type"] for line in paid] == ["PaymentApproved", "PaymentApproved", "PaymentApproved",
                                               "PaymentRefunded"]
    assert paid[0]["actor_name"] == "钱出纳" and paid[-1]["reason"] == "多收的材料费退回"
    assert all(line["position"] > 0 and line["at"].endswith("Z") for line in paid)


AS_OF_DAYS = ["2026-04-30", "2026-05-01", "2026-05-21", "2026-06-30", "2026-07-21", "2026-08-20", "2026-12-31"]


def test_the_ledger_as_of_a_day_equals_a_replay_of_the_aggregate_up_to_that_day(services, clock):
    case = run_a_year(services, clock)
    fund_id = Fund.id_for(case.community, YEAR)
    events = list(services.app.repository.event_store.get(fund_id))
    for day in AS_OF_DAYS:  # one year, many days: a loop rather than a parameter keeps the set fast
        upto = [e.originator_version for e in events if local_day(e.at) <= date.fromisoformat(day)]
        ledger = views.ledger(services.views, str(case.community), YEAR, as_of=day)
        if not upto:
            assert ledger["events"] == 0 and view_figures(ledger)["budget"] == 0, day
            continue
        replayed = services.app.repository.get(fund_id, version=upto[-1])
        assert view_figures(ledger) == aggregate_figures(replayed), day
        assert ledger["events"] == replayed.version, day
        assert {r["id"]: (r["allocated"], r["committed"], r["pending"], r["paid"]) for r in ledger["projects"]} == \
               {pid: (p["allocated"], p["committed"], p["pending"], p["paid"]) for pid, p in replayed.projects.items()}


def test_as_of_and_months_follow_the_calendar_in_shanghai_not_utc(services, clock):
    """23:30 on 30 June in Shanghai is still June; 00:30 on 1 July in Shanghai is 16:30 UTC on 30 June but July."""
    from datetime import datetime, timezone
    app = services.app
    case = fund_case(app, Places(app))
    c, y = case.community, YEAR
    project = app.fund.allocate(case.maker, c, y, case.resolution, "楼道扶手", "elderly", "1,000")
    clock.now = datetime(2026, 6, 30, 15, 30, tzinfo=timezone.utc)  # 2026-06-30 23:30 in Shanghai
    june = app.fund.record_payment(case.maker, c, y, project, None, "100", "organisation", "某公司", "2026-06-30", "六月",
                              "A")
    app.fund.approve_payment(case.checker, c, y, june)
    clock.now = datetime(2026, 6, 30, 16, 30, tzinfo=timezone.utc)  # 2026-07-01 00:30 in Shanghai
    july = app.fund.record_payment(case.maker, c, y, project, None, "7", "organisation", "某公司", "2026-07-01", "七月",
                              "B")
    app.fund.approve_payment(case.checker, c, y, july)
    services.runner.catch_up()
    fund_id = views.fund_row(services.views, str(c), y)["id"]
    assert views.ledger(services.views, str(c), y, as_of="2026-06-30")["totals"]["paid"] == 10_000
    assert views.ledger(services.views, str(c), y, as_of="2026-07-01")["totals"]["paid"] == 10_700
    months = {m["month"]: m["paid"] for m in views.monthly_spending(services.views, fund_id, y)}
    assert (months["2026-06"], months["2026-07"]) == (10_000, 700)
    assert [(p["month"], p["amount"]) for p in views.public_payments(services.views, fund_id)] == [
        ("2026-06", 10_000), ("2026-07", 700)]


def test_the_public_rows_show_only_approved_payments_with_individuals_masked(services, clock):
    case = run_a_year(services, clock)
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    public = views.public_payments(services.views, fund_id)
    assert [(p["month"], p["amount"], p["payee_public"]) for p in public] == [
        ("2026-05", 1_500_000, "南京安居装修有限公司"), ("2026-06", 120_050, "王**"),
        ("2026-07", 2_000_000, "南京安居装修有限公司")]
    assert "王小明" not in repr(public)
    staff = views.payments(services.views, fund_id)
    assert {p["payee"] for p in staff} >= {"王小明"}
    assert [p["status"] for p in views.payments(services.views, fund_id, "pending")] == ["pending"]


def test_monthly_spending_and_budget_against_actual_by_category(services, clock):
    case = run_a_year(services, clock)
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    months = {m["month"]: m["paid"] for m in views.monthly_spending(services.views, fund_id, YEAR)}
    assert len(months) == 12
    assert (months["2026-05"], months["2026-06"], months["2026-07"], months["2026-08"]) == \
           (1_500_000, 120_050, 2_000_000 - 30_000, 0)
    assert views.monthly_spending(services.views, fund_id, YEAR, as_of="2026-06-30")[6]["paid"] == 0
    assert views.by_category(services.views, fund_id) == [
        {"category": "elderly", "allocated": 6_000_000, "paid": 3_470_000},
        {"category": "environment", "allocated": 2_500_000, "paid": 120_050}]


def test_commitments_show_what_is_left_of_them(services, clock):
    case = run_a_year(services, clock)
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    [contract] = views.commitments(services.views, fund_id)
    assert (contract["amount"], contract["remaining"], contract["status"]) == (4_000_000, 0, "released")


def test_only_passed_resolutions_can_be_chosen_for_an_allocation(services, clock):
    case = run_a_year(services, clock)
    titles = [r["title"] for r in views.passed_resolutions(services.views, str(case.community))]
    assert sorted(titles) == sorted(["口袋花园", "为高龄老人加装楼道扶手"])
    assert views.passed_resolutions(services.views, str(case.other_community)) == []


def test_the_street_sees_every_community_side_by_side(services, clock):
    case = run_a_year(services, clock)
    street_id = services.app.accounts.community(case.community).street_id
    rows = {r["name"]: r for r in views.street_funds(services.views, str(street_id), YEAR)}
    assert set(rows) == {"江苏路社区", "颐和路社区"}
    assert rows["江苏路社区"]["opened"] and rows["江苏路社区"]["paid"] == 3_590_050
    assert not rows["颐和路社区"]["opened"] and rows["颐和路社区"]["budget"] == 0


def test_a_closed_year_reports_its_unspent_balance(services, clock):
    case = run_a_year(services, clock)
    app, c = services.app, case.community
    fund = app.fund.year_fund(c, YEAR)
    [pending] = [pid for pid, p in fund.payments.items() if p["status"] == "pending"]
    app.fund.void_payment(case.maker, c, YEAR, pending, "年底前未付")
    clock.advance(days=150)  # 2027-01-18: the year is over
    app.fund.close_year(case.maker, c, YEAR)
    services.runner.catch_up()
    row = views.fund_row(services.views, str(c), YEAR)
    assert row["closed"] == 1 and row["unspent"] == 20_000_000 - 3_590_050
    assert views.ledger(services.views, str(c), YEAR)["closed"]


def test_replaying_the_fund_events_again_gives_the_same_rows(services, clock):
    run_a_year(services, clock)
    before = snapshot(services, TABLES)
    assert len(before["fund_lines"]) > 15
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before


def test_erasing_a_payee_blanks_the_name_in_every_row_and_keeps_the_amounts_even_after_a_rebuild(services, clock):
    case = run_a_year(services, clock)
    app, c = services.app, case.community
    fund_id = views.fund_row(services.views, str(c), YEAR)["id"]
    [seeds] = [p["id"] for p in views.payments(services.views, fund_id) if p["payee"] == "王小明"]
    figures = view_figures(views.ledger(services.views, str(c), YEAR))
    public_amounts = [p["amount"] for p in views.public_payments(services.views, fund_id)]
    app.fund.erase_payee(case.checker, c, YEAR, seeds, "本人依法申请删除")
    services.runner.catch_up()

    def no_name_anywhere():
        rows = snapshot(services, TABLES)
        assert "王小明" not in repr(rows) and "王**" not in repr(rows)
        [row] = [p for p in views.payments(services.views, fund_id) if p["id"] == seeds]
        assert (row["payee"], row["payee_public"], row["amount"], row["status"]) == \
               (ERASED, ERASED, 120_050, "approved")
        assert view_figures(views.ledger(services.views, str(c), YEAR)) == figures
        assert [p["amount"] for p in views.public_payments(services.views, fund_id)] == public_amounts
        erased = views.lines(services.views, fund_id)[-1]
        assert (erased["type"], erased["amount"], erased["reason"], erased["actor_name"]) == \
               ("PayeeErased", 0, "本人依法申请删除", "钱出纳")
        assert all(erased[f"d_{f}"] == 0 for f in ("budget", "allocated", "committed", "pending", "paid"))
        return rows

    before = no_name_anywhere()
    services.runner.rebuild()
    assert no_name_anywhere() == before


def test_payments_as_of_a_day_show_only_what_was_recorded_by_then_with_that_days_status(services, clock):
    case = run_a_year(services, clock)
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    now = {p["receipt_ref"]: (p["status"], p["refunded"]) for p in views.payments_as_of(services.views, fund_id)}
    assert now == {"FP-001": ("approved", 30_000), "SJ-17": ("approved", 0), "X-1": ("rejected", 0),
                   "FP-002": ("approved", 0), "X-2": ("pending", 0)}
    june = {p["receipt_ref"]: (p["status"], p["refunded"], p["checker_name"])
            for p in views.payments_as_of(services.views, fund_id, "2026-06-30")}
    assert june == {"FP-001": ("approved", 0, "钱出纳"), "SJ-17": ("approved", 0, "钱出纳"),
                    "X-1": ("rejected", 0, "钱出纳")}
    assert views.payments_as_of(services.views, fund_id, "2026-05-20") == []
