"""Property: whatever fund managers do, in any order, the fund is never overspent — at every event, and
spent + available + committed + pending equals the budget to the fen."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, event, given, settings, strategies as st

from domain.kernel.application import Linli
from web.contexts import domain_contexts
from domain.kernel.errors import DomainError
from domain.fund.model import Fund
from domain.kernel.time import local_day
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Clock
from tests.domain.builders import YEAR, fund_case

BUDGET = 100_000  # 1,000 yuan: small, so that the limits are hit often

# An amount is a number of fen, or "all that is left" give or take one fen: limits are hit exactly.
amounts = st.one_of(st.integers(min_value=1, max_value=60_000),
                    st.tuples(st.just("all"), st.integers(min_value=-1, max_value=1)))
index = st.integers(min_value=0, max_value=5)
who = st.sampled_from(["maker", "checker"])
pay = st.tuples(st.just("pay"), index, st.one_of(st.none(), index), amounts, who)
approve = st.tuples(st.just("approve"), index, who)
commit = st.tuples(st.just("commit"), index, amounts)
commands = st.one_of(  # the common moves appear several times so that they are drawn more often
    pay, pay, pay, approve, approve, approve, commit, commit,
    st.tuples(st.just("allocate"), amounts),
    st.tuples(st.just("increase"), index, amounts),
    st.tuples(st.just("reduce"), index, amounts),
    st.tuples(st.just("release"), index),
    st.tuples(st.just("cancel"), index),
    st.tuples(st.just("reject"), index, who),
    st.tuples(st.just("void"), index, who),
    st.tuples(st.just("refund"), index, amounts),
    st.tuples(st.just("close"),),
    st.tuples(st.just("tick"),),  # eight hours pass: the year can end in the middle of a sequence
)


class _Places:
    def __init__(self, app: Linli) -> None:
        self.district = app.accounts.found_district("320106", "鼓楼区")
        self.street = app.accounts.found_street("320106001", "宁海路街道", self.district)
        self.community = app.accounts.found_community("320106001001", "江苏路社区", self.street)
        self.other_community = app.accounts.found_community("320106001002", "颐和路社区", self.street)


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
    case = fund_case(app, _Places(app))
    c, y = case.community, YEAR
    app.fund.open_fund(case.maker, c, y)
    fund_id = Fund.id_for(c, y)
    projects = [app.fund.allocate(case.maker, c, y, case.resolution, "项目", "other", amount)
                for amount in (40_000, 30_000)]
    commitments, payments = [], []
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
                    app.fund.increase_allocation(case.maker, c, y, project, _fen(args[1], now.unallocated), "更正")
                else:
                    app.fund.reduce_allocation(case.maker, c, y, project, _fen(args[1], now.free(project)), "更正")
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
                payments.append(app.fund.record_payment(people[args[3]], c, y, project, commitment, _fen(args[2], left),
                                                   "organisation", "某公司", "2026-04-30", "用途", "FP"))
            elif kind == "approve" and payments:
                app.fund.approve_payment(people[args[1]], c, y, _pick(payments, args[0]))
            elif kind in ("reject", "void") and payments:
                decide = app.fund.reject_payment if kind == "reject" else app.fund.void_payment
                decide(people[args[1]], c, y, _pick(payments, args[0]), "理由")
            elif kind == "refund" and payments:
                payment = now.payments[str(_pick(payments, args[0]))]
                app.fund.refund_payment(case.maker, c, y, _pick(payments, args[0]),
                                   _fen(args[1], payment["amount"] - payment["refunded"]), "退款")
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
