"""Property: whatever fund managers do, in any order, the fund is never overspent — at every event, and
spent + available + committed + pending equals the budget to the fen; no money moves (a payment, a refund, an
increase) without a second fund manager, and no receipt number pays twice."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, event, given, settings, strategies as st

from domain.kernel.application import Linli
from web.contexts import domain_contexts
from domain.kernel.errors import DomainError
from domain.fund.model import Fund
from domain.fund.policies import holds_receipt, receipt_key
from domain.kernel.time import local_day
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Clock, Places
from tests.domain.builders import YEAR, fund_case

BUDGET = 100_000  # 1,000 yuan: small, so that the limits are hit often

# An amount is a number of fen, or "all that is left" give or take one fen: limits are hit exactly.
amounts = st.one_of(st.integers(min_value=1, max_value=60_000),
                    st.tuples(st.just("all"), st.integers(min_value=-1, max_value=1)))
index = st.integers(min_value=0, max_value=5)
who = st.sampled_from(["maker", "checker"])
# A receipt number from a small set, written several ways (the same number in other case, width or spacing).
receipt = st.tuples(st.integers(min_value=1, max_value=20), st.sampled_from(["FP-{}", "fp-{}", "ＦＰ－{}", " FP-{} "]))
pay = st.tuples(st.just("pay"), index, st.one_of(st.none(), index), amounts, who, receipt)
approve = st.tuples(st.just("approve"), index, who)
commit = st.tuples(st.just("commit"), index, amounts)
commands = st.one_of(  # the common moves appear several times so that they are drawn more often
    pay, pay, pay, approve, approve, approve, commit, commit,
    st.tuples(st.just("allocate"), amounts),
    st.tuples(st.just("increase"), index, amounts, who),
    st.tuples(st.just("approve_increase"), index, who), st.tuples(st.just("approve_increase"), index, who),
    st.tuples(st.just("reject_increase"), index, who),
    st.tuples(st.just("reduce"), index, amounts),
    st.tuples(st.just("release"), index),
    st.tuples(st.just("cancel"), index),
    st.tuples(st.just("reject"), index, who),
    st.tuples(st.just("void"), index, who),
    st.tuples(st.just("refund"), index, amounts, who), st.tuples(st.just("refund"), index, amounts, who),
    st.tuples(st.just("approve_refund"), index, who), st.tuples(st.just("approve_refund"), index, who),
    st.tuples(st.just("reject_refund"), index, who),
    st.tuples(st.just("close"),),
    st.tuples(st.just("tick"),),  # eight hours pass: the year can end in the middle of a sequence
)


def _pick(items: list, i: int | None):
    return items[i % len(items)] if items and i is not None else None


def _fen(amount, left: int) -> int:
    """A drawn amount, with "all" resolved against what is left right now."""
    return amount if isinstance(amount, int) else max(1, left + amount[1])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, min_size=10, max_size=60))
def test_no_sequence_of_commands_can_overspend_the_fund(sequence):
    clock = Clock(datetime(YEAR, 12, 31, 0, 0, tzinfo=timezone.utc))  # 08:00 on 31 December in Shanghai
    app = Linli(contexts=domain_contexts(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keys=InMemoryKeyStore(), clock=clock)
    app.fund_budget_fen = BUDGET
    case = fund_case(app, Places(app))
    c, y = case.community, YEAR
    app.fund.open_fund(case.maker, c, y)
    fund_id = Fund.id_for(c, y)
    projects = [app.fund.allocate(case.maker, c, y, case.resolution, "项目", "other", amount)
                for amount in (40_000, 30_000)]
    commitments, payments, increases, refunds = [], [], [], []
    people = {"maker": case.maker, "checker": case.checker}
    accepted = 2
    for command in sequence:
        kind, *args = command
        now = app.repository.get(fund_id)
        try:
            if kind == "allocate":
                projects.append(app.fund.allocate(case.maker, c, y, case.resolution, "项目", "other",
                                             _fen(args[0], now.unallocated)))
            elif kind in ("increase", "reduce") and projects:
                project = _pick(projects, args[0])
                if kind == "increase":
                    increases.append(app.fund.request_increase(people[args[2]], c, y, project,
                                                               _fen(args[1], now.unallocated), "更正"))
                else:
                    app.fund.reduce_allocation(case.maker, c, y, project, _fen(args[1], now.free(project)), "更正")
            elif kind in ("approve_increase", "reject_increase") and increases:
                if kind == "approve_increase":
                    app.fund.approve_increase(people[args[1]], c, y, _pick(increases, args[0]))
                else:
                    app.fund.reject_increase(people[args[1]], c, y, _pick(increases, args[0]), "驳回")
            elif kind == "commit" and projects:
                project = _pick(projects, args[0])
                commitments.append(app.fund.commit(case.maker, c, y, project, _fen(args[1], now.free(project)), "合同"))
            elif kind in ("release", "cancel") and commitments:
                end = app.fund.release_commitment if kind == "release" else app.fund.cancel_commitment
                end(case.maker, c, y, _pick(commitments, args[0]), "结束")
            elif kind == "pay" and projects:
                project = _pick(projects, args[0])
                commitment = _pick(commitments, args[1])
                left = now.commitments[str(commitment)]["remaining"] if commitment else now.free(project)
                number, written = args[4]
                payments.append(app.fund.record_payment(people[args[3]], c, y, project, commitment, _fen(args[2], left),
                                                        "organisation", "某公司", "2026-04-30", "用途",
                                                        written.format(number)))
            elif kind == "approve" and payments:
                app.fund.approve_payment(people[args[1]], c, y, _pick(payments, args[0]))
            elif kind in ("reject", "void") and payments:
                decide = app.fund.reject_payment if kind == "reject" else app.fund.void_payment
                decide(people[args[1]], c, y, _pick(payments, args[0]), "理由")
            elif kind == "refund" and payments:
                payment = now.payments[str(_pick(payments, args[0]))]
                refunds.append(app.fund.request_refund(people[args[2]], c, y, _pick(payments, args[0]),
                                                       _fen(args[1], payment["amount"] - payment["refunded"]), "退款"))
            elif kind in ("approve_refund", "reject_refund") and refunds:
                if kind == "approve_refund":
                    app.fund.approve_refund(people[args[1]], c, y, _pick(refunds, args[0]))
                else:
                    app.fund.reject_refund(people[args[1]], c, y, _pick(refunds, args[0]), "驳回")
            elif kind == "close":
                app.fund.close_year(case.maker, c, y)
            elif kind == "tick":
                clock.advance(hours=8)
                continue
            else:
                continue
            accepted += 1
        except DomainError:
            assert app.repository.get(fund_id).version == now.version, f"refused {kind} saved something"

    event(f"accepted commands: {min(accepted, 20) // 5 * 5}+")
    events = list(app.repository.event_store.get(fund_id))
    closed_at = [i for i, e in enumerate(events) if isinstance(e, Fund.Closed)]
    event("closed" if closed_at else "open")
    for moved in (Fund.PaymentRefunded, Fund.AllocationIncreased, Fund.RefundRejected):
        event(f"{moved.__name__}: {'yes' if any(isinstance(e, moved) for e in events) else 'no'}")
    if closed_at:  # closed only once the year was over, and nothing came after it
        assert closed_at == [len(events) - 1] and local_day(events[-1].at).year > YEAR
    head = app.repository.get(fund_id)
    assert head.version == 1 + accepted
    for version in range(1, head.version + 1):
        fund = app.repository.get(fund_id, version=version)
        assert fund.invariant_violations() == [], (version, fund.invariant_violations())
        assert 0 <= fund.allocated <= fund.budget == BUDGET
        assert fund.paid + fund.committed + fund.pending <= fund.allocated
        assert fund.paid + fund.available + fund.committed + fund.pending == BUDGET
        assert fund.available >= 0
        held = [p["receipt"] for p in fund.payments.values() if holds_receipt(p["status"])]
        assert len(held) == len(set(held)), "a receipt number pays twice"
    assert all(p["receipt"] == receipt_key(p["receipt"]) for p in head.payments.values())
    # Money moves only on a second manager's word: every approval's `by` differs from whoever asked.
    asked: dict[str, object] = {}
    for e in events:
        if isinstance(e, Fund.PaymentRecorded):
            asked[str(e.payment_id)] = e.by
        elif isinstance(e, Fund.PaymentApproved):
            assert e.by != asked[str(e.payment_id)]
        elif isinstance(e, Fund.RefundRequested):
            asked["refund", str(e.payment_id)] = e.by
        elif isinstance(e, Fund.PaymentRefunded):
            assert e.by != asked.pop(("refund", str(e.payment_id)))
        elif isinstance(e, Fund.AllocationIncreaseRequested):
            asked["increase", str(e.project_id)] = e.by
        elif isinstance(e, Fund.AllocationIncreased):
            assert e.by != asked.pop(("increase", str(e.project_id)))


# Requests from a fund that has already paid: refunds and increases asked for and decided in any order, by either
# manager. Figures move only on an approval by the other manager, and never past what the fund can give.
small_amounts = st.one_of(st.integers(min_value=1, max_value=12_000),
                          st.tuples(st.just("all"), st.integers(min_value=-1, max_value=1)))
request_commands = st.one_of(
    st.tuples(st.just("refund"), index, small_amounts, who), st.tuples(st.just("refund"), index, small_amounts, who),
    st.tuples(st.just("approve_refund"), index, who), st.tuples(st.just("approve_refund"), index, who),
    st.tuples(st.just("reject_refund"), index, who),
    st.tuples(st.just("increase"), index, small_amounts, who),
    st.tuples(st.just("approve_increase"), index, who), st.tuples(st.just("reject_increase"), index, who),
    st.tuples(st.just("allocate"), small_amounts),
    st.tuples(st.just("pay_again"), index, who, st.sampled_from(["FP-{}", "fp-{}", "ＦＰ－{}", "FP-{}-B"])),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(request_commands, min_size=5, max_size=40))
def test_refunds_and_increases_move_money_only_when_another_manager_approves_and_never_overspend(sequence):
    clock = Clock(datetime(YEAR, 6, 1, 0, 0, tzinfo=timezone.utc))
    app = Linli(contexts=domain_contexts(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keys=InMemoryKeyStore(),
                clock=clock)
    app.fund_budget_fen = BUDGET
    case = fund_case(app, Places(app))
    c, y = case.community, YEAR
    people = {"maker": case.maker, "checker": case.checker}
    projects = [app.fund.allocate(case.maker, c, y, case.resolution, "项目", "other", amount)
                for amount in (40_000, 30_000)]
    payments = []
    for i, (project, amount) in enumerate(((projects[0], 20_000), (projects[0], 15_000), (projects[1], 25_000))):
        payment = app.fund.record_payment(case.maker, c, y, project, None, amount, "organisation", "某公司",
                                          "2026-05-30", "用途", f"FP-{i}")
        app.fund.approve_payment(case.checker, c, y, payment)
        payments.append(payment)
    fund_id = Fund.id_for(c, y)
    refunds, increases = [], []
    for kind, *args in sequence:
        before = app.repository.get(fund_id)
        try:
            if kind == "refund":
                p = before.payments[str(_pick(payments, args[0]))]
                refunds.append(app.fund.request_refund(people[args[2]], c, y, _pick(payments, args[0]),
                                                       _fen(args[1], p["amount"] - p["refunded"]), "退款"))
            elif kind == "approve_refund" and refunds:
                app.fund.approve_refund(people[args[1]], c, y, _pick(refunds, args[0]))
            elif kind == "reject_refund" and refunds:
                app.fund.reject_refund(people[args[1]], c, y, _pick(refunds, args[0]), "驳回")
            elif kind == "increase":
                increases.append(app.fund.request_increase(people[args[2]], c, y, _pick(projects, args[0]),
                                                           _fen(args[1], before.unallocated), "追加"))
            elif kind == "approve_increase" and increases:
                app.fund.approve_increase(people[args[1]], c, y, _pick(increases, args[0]))
            elif kind == "reject_increase" and increases:
                app.fund.reject_increase(people[args[1]], c, y, _pick(increases, args[0]), "驳回")
            elif kind == "allocate":  # takes unallocated budget a waiting increase may have counted on
                projects.append(app.fund.allocate(case.maker, c, y, case.resolution, "项目", "other",
                                                  _fen(args[0], before.unallocated)))
            elif kind == "pay_again":  # the same invoice again, written another way: refused
                number = args[0] % 3
                app.fund.record_payment(people[args[1]], c, y, projects[0], None, 1, "organisation", "某公司",
                                        "2026-05-30", "用途", args[2].format(number))
            else:
                continue
        except DomainError:
            assert app.repository.get(fund_id).version == before.version, f"refused {kind} saved something"
            continue
        after = app.repository.get(fund_id)
        assert after.invariant_violations() == []
        moved_paid, moved_allocated = before.paid - after.paid, after.allocated - before.allocated
        if kind == "approve_refund":
            r = after.requests[str(_pick(refunds, args[0]))]
            assert moved_paid == r["amount"] > 0 and r["status"] == "approved"
            assert str(people[args[1]]) != r["by"]
        elif kind == "approve_increase":
            r = after.requests[str(_pick(increases, args[0]))]
            assert moved_allocated == r["amount"] > 0 and r["status"] == "approved"
            assert str(people[args[1]]) != r["by"]
        elif kind == "pay_again":
            assert args[2] == "FP-{}-B", "a receipt number already paid was recorded again"
        else:
            assert moved_paid == 0, kind
            assert moved_allocated == (after.allocated - before.allocated if kind == "allocate" else 0), kind
    head = app.repository.get(fund_id)
    event(f"refunds approved: {sum(r['status'] == 'approved' for r in head.requests.values() if r['kind'] == 'refund')}")
    assert head.invariant_violations() == [] and 0 <= head.paid and head.allocated <= head.budget
    assert head.paid == 60_000 - sum(r["amount"] for r in head.requests.values()
                                     if r["kind"] == "refund" and r["status"] == "approved")
