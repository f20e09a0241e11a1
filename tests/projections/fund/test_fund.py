"""The fund ledger view on SQLite and PostgreSQL: figures equal the aggregate, every figure drills down to its
events, "as of" a day equals a replay of the aggregate up to then, requests show with their outcome while figures
move only on approval, and a rebuild gives the same rows."""
from __future__ import annotations

from datetime import date


from domain.fund.model import Fund
from domain.kernel.time import local_day
from domain.kernel.privacy import ERASED
from projections import fund as views
from tests.builders import Places
from tests.domain.builders import YEAR, fund_case, make_resolution
from tests.projections.builders import snapshot

TABLES = ["fund_funds", "fund_projects", "fund_commitments", "fund_payments", "fund_lines", "fund_resolutions",
          "fund_requests"]


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
    refund = app.fund.request_refund(case.maker, c, y, first, "300", "多收的材料费退回")
    app.fund.approve_refund(case.checker, c, y, refund)
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
    case = run_a_year(services, clock)
    ask_and_decide(services, case, clock)
    before = snapshot(services, TABLES)
    assert len(before["fund_lines"]) > 15 and len(before["fund_requests"]) == 7
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before


def test_erasing_a_payee_blanks_the_name_in_every_row_and_keeps_the_amounts_even_after_a_rebuild(services, clock):
    case = run_a_year(services, clock)
    app, c = services.app, case.community
    fund_id = views.fund_row(services.views, str(c), YEAR)["id"]
    [seeds] = [p["id"] for p in views.payments(services.views, fund_id) if p["payee"] == "王小明"]
    figures = view_figures(views.ledger(services.views, str(c), YEAR))
    public_amounts = [p["amount"] for p in views.public_payments(services.views, fund_id)]
    erasure = app.fund.request_payee_erasure(case.maker, c, YEAR, seeds, "本人依法申请删除")
    app.fund.approve_payee_erasure(case.checker, c, YEAR, erasure)
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


# --- requests: refunds, increases and erasures asked for by one manager and decided by another -------------------
def ask_and_decide(svc, case, clock):
    """September: every kind of request, approved, rejected and still waiting; returns their ids by name."""
    app, c, y = svc.app, case.community, YEAR
    fund = app.fund.year_fund(c, y)
    projects = {p["title"]: pid for pid, p in fund.projects.items()}
    receipts = {p["receipt"]: pid for pid, p in fund.payments.items()}
    clock.advance(days=20)  # 2026-09-10
    ids = {
        "increase_ok": app.fund.request_increase(case.maker, c, y, projects["口袋花园"], "2,000", "增加花坛"),
        "increase_waiting": app.fund.request_increase(case.checker, c, y, projects["楼道扶手"], "1,000", "增加扶手"),
        "refund_no": app.fund.request_refund(case.maker, c, y, receipts["fp-002"], "500", "对方多收"),
        "refund_waiting": app.fund.request_refund(case.checker, c, y, receipts["sj-17"], "200.50", "花苗退回"),
        "erasure_no": app.fund.request_payee_erasure(case.maker, c, y, receipts["sj-17"], "误提"),
    }
    app.fund.approve_increase(case.checker, c, y, ids["increase_ok"])
    app.fund.reject_refund(case.checker, c, y, ids["refund_no"], "供应商未退款")
    app.fund.reject_payee_erasure(case.checker, c, y, ids["erasure_no"], "本人未申请")
    ids["erasure_waiting"] = app.fund.request_payee_erasure(case.checker, c, y, receipts["sj-17"], "本人申请删除")
    svc.runner.catch_up()
    return ids


def test_requests_show_with_who_asked_and_decided_and_their_outcome(services, clock):
    case = run_a_year(services, clock)
    ids = ask_and_decide(services, case, clock)
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    rows = {r["id"]: r for r in views.requests(services.views, fund_id)}
    got = {name: (rows[str(i)]["kind"], rows[str(i)]["amount"], rows[str(i)]["status"], rows[str(i)]["requester_name"],
                  rows[str(i)]["checker_name"], rows[str(i)]["decision_reason"]) for name, i in ids.items()}
    assert got == {
        "increase_ok": ("increase", 200_000, "approved", "赵会计", "钱出纳", None),
        "increase_waiting": ("increase", 100_000, "requested", "钱出纳", None, None),
        "refund_no": ("refund", 50_000, "rejected", "赵会计", "钱出纳", "供应商未退款"),
        "refund_waiting": ("refund", 20_050, "requested", "钱出纳", None, None),
        "erasure_no": ("erasure", 0, "rejected", "赵会计", "钱出纳", "本人未申请"),
        "erasure_waiting": ("erasure", 0, "requested", "钱出纳", None, None),
    }
    waiting = views.requests(services.views, fund_id, "requested")
    assert {r["id"] for r in waiting} == {str(ids["increase_waiting"]), str(ids["refund_waiting"]),
                                          str(ids["erasure_waiting"])}
    [seeds] = [p for p in views.payments(services.views, fund_id) if p["receipt_ref"] == "SJ-17"]
    assert (seeds["refund_request"], seeds["erasure_request"]) == (str(ids["refund_waiting"]),
                                                                    str(ids["erasure_waiting"]))
    assert rows[str(ids["refund_waiting"])]["payee"] == "王小明" and rows[str(ids["refund_waiting"])]["receipt_ref"] == \
        "SJ-17"


def test_figures_move_only_when_a_request_is_approved_and_every_request_is_a_line(services, clock):
    case = run_a_year(services, clock)
    before = view_figures(views.ledger(services.views, str(case.community), YEAR))
    ids = ask_and_decide(services, case, clock)
    ledger = views.ledger(services.views, str(case.community), YEAR)
    fund = services.app.fund.year_fund(case.community, YEAR)
    assert view_figures(ledger) == aggregate_figures(fund) == {**before, "allocated": before["allocated"] + 200_000}
    assert ledger["events"] == fund.version
    fund_id = ledger["fund"]["id"]
    september = [line for line in views.lines(services.views, fund_id) if line["day"] >= "2026-09-10"]
    assert [(line["type"], line["amount"], line["d_allocated"], line["d_paid"], line["actor_name"], line["reason"])
            for line in september] == [
        ("AllocationIncreaseRequested", 200_000, 0, 0, "赵会计", "增加花坛"),
        ("AllocationIncreaseRequested", 100_000, 0, 0, "钱出纳", "增加扶手"),
        ("RefundRequested", 50_000, 0, 0, "赵会计", "对方多收"),
        ("RefundRequested", 20_050, 0, 0, "钱出纳", "花苗退回"),
        ("PayeeErasureRequested", 0, 0, 0, "赵会计", "误提"),
        ("AllocationIncreased", 200_000, 200_000, 0, "钱出纳", "增加花坛"),
        ("RefundRejected", 50_000, 0, 0, "钱出纳", "供应商未退款"),
        ("PayeeErasureRejected", 0, 0, 0, "钱出纳", "本人未申请"),
        ("PayeeErasureRequested", 0, 0, 0, "钱出纳", "本人申请删除"),
    ]
    assert all(line[f"d_{f}"] == 0 for line in september if line["type"] != "AllocationIncreased"
               for f in ("budget", "allocated", "committed", "pending", "paid"))
    assert ids  # the approvals and refunds below move the figures, each once
    services.app.fund.approve_refund(case.maker, case.community, YEAR, ids["refund_waiting"])
    services.runner.catch_up()
    after = view_figures(views.ledger(services.views, str(case.community), YEAR))
    assert after["paid"] == before["paid"] - 20_050
    row = views.request(services.views, fund_id, str(ids["refund_waiting"]))
    assert (row["status"], row["checker_name"], row["decided_day"]) == ("approved", "赵会计", "2026-09-10")


def test_requests_as_of_a_day_are_those_made_by_then_undecided_if_decided_later(services, clock):
    case = run_a_year(services, clock)
    ids = ask_and_decide(services, case, clock)
    clock.advance(days=5)  # 2026-09-15
    services.app.fund.approve_increase(case.maker, case.community, YEAR, ids["increase_waiting"])
    services.runner.catch_up()
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]
    assert [(r["kind"], r["status"], r["reason"]) for r in views.requests_as_of(services.views, fund_id, "2026-09-09")
            ] == [("refund", "approved", "多收的材料费退回")]  # July's, approved the same day
    then = {r["id"]: r["status"] for r in views.requests_as_of(services.views, fund_id, "2026-09-10")}
    now = {r["id"]: r["status"] for r in views.requests_as_of(services.views, fund_id)}
    assert then[str(ids["increase_waiting"])] == "requested" and now[str(ids["increase_waiting"])] == "approved"
    assert then[str(ids["refund_no"])] == now[str(ids["refund_no"])] == "rejected"


def test_an_approved_erasure_blanks_the_name_and_settles_the_request_on_a_rebuild_too(services, clock):
    case = run_a_year(services, clock)
    ids = ask_and_decide(services, case, clock)
    services.app.fund.approve_payee_erasure(case.maker, case.community, YEAR, ids["erasure_waiting"])
    services.runner.catch_up()
    fund_id = views.fund_row(services.views, str(case.community), YEAR)["id"]

    def check():
        rows = snapshot(services, TABLES)
        assert "王小明" not in repr(rows)
        assert views.request(services.views, fund_id, str(ids["erasure_waiting"]))["status"] == "approved"
        assert views.request(services.views, fund_id, str(ids["erasure_no"]))["status"] == "rejected"
        return rows

    before = check()
    services.runner.rebuild()
    assert check() == before


def test_what_a_fund_manager_recorded_checked_asked_for_or_decided_is_found_by_their_account(services, clock):
    case = run_a_year(services, clock)
    ask_and_decide(services, case, clock)
    made = views.payments_by(services.views, str(case.maker))
    assert {p["receipt_ref"] for p in made} == {"FP-001", "SJ-17", "X-1", "FP-002", "X-2"}  # FP-002: approved by them
    assert all(p["community_name"] == "江苏路社区" and p["year"] == YEAR for p in made)
    assert len(views.requests_by(services.views, str(case.maker))) == 4   # the year's refund and three in September
    assert len(views.requests_by(services.views, str(case.checker))) == 7  # decided that refund, asked 3, decided 3
    assert views.payments_by(services.views, str(case.worker)) == []
