"""Money follows the residents' decision: a resolution authorises the amount its motion stated, and allocations under
it — increases included, in every year's fund together — never exceed it, whatever fund managers do in any order."""
from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from domain.fund.model import (Fund, NoAmountAuthorisedError, ResolutionAmountExceededError,
                               ResolutionCategoryError)
from domain.kernel.application import Linli
from domain.kernel.errors import DomainError, InvalidInputError
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Clock, Places
from tests.domain.builders import YEAR, Roundtable, fund_case, make_resolution
from web.contexts import domain_contexts


def adopted(app, places, clock, amount=None, category=None) -> UUID:
    """A resolution passed at a real meeting, on a motion stating `amount` (yuan as typed) and `category`."""
    rt = Roundtable(app, places, clock)
    item = rt.accepted_item("为高龄老人加装楼道扶手")
    rt.to_meeting_time()
    for r in rt.residents:
        app.roundtable.check_in(rt.worker, rt.meeting_id, r)
    app.roundtable.open_meeting(rt.worker, rt.meeting_id)
    motion = app.roundtable.open_motion(rt.worker, rt.meeting_id, item, amount=amount, category=category)
    for r in rt.residents:
        app.roundtable.cast_vote(r, rt.meeting_id, motion, "for")
    return UUID(app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)["resolution_id"])


@pytest.fixture
def case(linli, places):
    return fund_case(linli, places)


def test_the_amount_and_category_a_motion_states_travel_into_its_resolution(linli, places, clock):
    resolution = linli.roundtable.resolution(adopted(linli, places, clock, "15,000", "elderly"))
    assert (resolution.amount, resolution.category) == (1_500_000, "elderly")
    plain = linli.roundtable.resolution(adopted(linli, places, clock))
    assert (plain.amount, plain.category) == (None, None)


@pytest.mark.parametrize("amount, category", [("0", None), ("-5", None), ("abc", None), ("", "elderly"),
                                              ("100", "casino")])
def test_a_motion_states_a_positive_amount_and_a_known_category_or_none(linli, places, clock, amount, category):
    with pytest.raises(InvalidInputError):
        adopted(linli, places, clock, amount, category)


def test_allocations_and_increases_under_a_resolution_stay_within_its_amount(case):
    fund = case.app.fund
    resolution = make_resolution(case.app, case.community, amount=1_500_000)
    project = fund.allocate(case.maker, case.community, YEAR, resolution, "扶手", "elderly", "10,000")
    with pytest.raises(ResolutionAmountExceededError) as refused:
        fund.allocate(case.maker, case.community, YEAR, resolution, "扶手二期", "elderly", "5,000.01")
    assert refused.value.text() == "超出决议批准的金额：该决议批准 15,000.00 元，尚可分配 5,000.00 元，本次需要 5,000.01 元"
    with pytest.raises(ResolutionAmountExceededError):
        fund.request_increase(case.maker, case.community, YEAR, project, "6,000", "追加")
    increase = fund.request_increase(case.maker, case.community, YEAR, project, "5,000", "追加")
    fund.allocate(case.maker, case.community, YEAR, resolution, "扶手二期", "elderly", "1")   # the room, taken
    with pytest.raises(ResolutionAmountExceededError):                                     # checked again now
        fund.approve_increase(case.checker, case.community, YEAR, increase)
    fund.reduce_allocation(case.maker, case.community, YEAR, project, "1", "更正")          # given back
    fund.approve_increase(case.checker, case.community, YEAR, increase)
    assert fund.year_fund(case.community, YEAR).allocated_under(resolution) == 1_500_000


def test_a_resolution_counts_what_every_years_fund_allocated_under_it(case, clock):
    fund = case.app.fund
    resolution = make_resolution(case.app, case.community, amount=1_000_000)
    fund.allocate(case.maker, case.community, YEAR, resolution, "今年", "other", "6,000")
    fund.allocate(case.maker, case.community, YEAR + 1, resolution, "明年", "other", "4,000")   # next year's fund
    for year in (YEAR, YEAR + 1):
        with pytest.raises(ResolutionAmountExceededError):
            fund.allocate(case.maker, case.community, year, resolution, "再分", "other", "0.01")


def test_a_resolution_that_states_no_amount_authorises_no_money(case):
    silent = make_resolution(case.app, case.community, amount=None)
    with pytest.raises(NoAmountAuthorisedError):
        case.app.fund.allocate(case.maker, case.community, YEAR, silent, "扶手", "elderly", "1")


def test_a_project_is_in_the_category_its_resolution_stated(case):
    resolution = make_resolution(case.app, case.community, amount=100_000, category="children")
    with pytest.raises(ResolutionCategoryError) as refused:
        case.app.fund.allocate(case.maker, case.community, YEAR, resolution, "扶手", "elderly", "1")
    assert "儿童" in refused.value.text()
    case.app.fund.allocate(case.maker, case.community, YEAR, resolution, "游乐区", "children", "1")


def test_a_resolution_stored_before_motions_stated_amounts_loads_without_one(case):
    """An old store's `Resolution.Adopted` has no amount field: the resolution authorises nothing from now on."""
    from domain.roundtable.model import Resolution
    old = Resolution(meeting_id=UUID(int=7), motion_id="1", community_id=case.community, title="旧决议", passed=True,
                     votes_for=9, votes_against=1, abstentions=0, at=case.app.clock())
    for e in old._pending_events:        # as an older Linli wrote it: the fields did not exist
        del e.__dict__["amount"], e.__dict__["category"]
    case.app.save(old)
    loaded = case.app.roundtable.resolution(old.id)
    assert loaded.amount is None and loaded.category is None
    with pytest.raises(NoAmountAuthorisedError):
        case.app.fund.allocate(case.maker, case.community, YEAR, old.id, "扶手", "elderly", "1")


# --- whatever happens, in any order ------------------------------------------------------------------------------------
AUTHORISED = (30_000, 50_000)     # fen, of the two resolutions; the budget (100,000) is larger than either
amounts = st.one_of(st.integers(min_value=1, max_value=20_000),   # or all there is room for, give or take one fen
                    st.tuples(st.just("room"), st.integers(min_value=-1, max_value=1)),
                    st.tuples(st.just("room"), st.integers(min_value=-1, max_value=1)))
index = st.integers(min_value=0, max_value=5)
who = st.sampled_from(["maker", "checker"])
commands = st.one_of(
    st.tuples(st.just("allocate"), st.integers(0, 1), st.integers(0, 1), amounts),
    st.tuples(st.just("allocate"), st.integers(0, 1), st.integers(0, 1), amounts),
    st.tuples(st.just("increase"), index, amounts, who), st.tuples(st.just("increase"), index, amounts, who),
    st.tuples(st.just("approve_increase"), index, who), st.tuples(st.just("approve_increase"), index, who),
    st.tuples(st.just("reject_increase"), index, who),
    st.tuples(st.just("reduce"), index, amounts),
    st.tuples(st.just("pay"), index, amounts, who), st.tuples(st.just("approve"), index, who),
    st.tuples(st.just("void"), index, who),
    st.tuples(st.just("refund"), index, amounts, who), st.tuples(st.just("approve_refund"), index, who),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, min_size=15, max_size=60))
def test_no_sequence_of_commands_allocates_more_under_a_resolution_than_it_authorised(sequence):
    clock = Clock(datetime(YEAR, 6, 1, 2, 0, tzinfo=timezone.utc))
    app = Linli(contexts=domain_contexts(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keys=InMemoryKeyStore(),
                clock=clock)
    app.fund_budget_fen = 100_000
    case = fund_case(app, Places(app))
    c = case.community
    resolutions = [make_resolution(app, c, f"决议{i}", amount=a) for i, a in enumerate(AUTHORISED)]
    people = {"maker": case.maker, "checker": case.checker}
    projects: list[tuple[int, UUID]] = []       # (year, project)
    increases: list[tuple[int, UUID]] = []
    payments: list[tuple[int, UUID]] = []
    refunds: list[tuple[int, UUID]] = []

    def funds() -> list[Fund]:
        return [f for y in (YEAR, YEAR + 1) if (f := app.fund.year_fund(c, y)) is not None]

    def room(resolution: UUID, authorised: int) -> int:
        return authorised - sum(f.allocated_under(resolution) for f in funds())

    def fen(amount, left: int) -> int:
        return amount if isinstance(amount, int) else max(1, left + amount[1])

    def pick(items: list, i: int):
        return items[i % len(items)] if items else None

    projects += [(YEAR, app.fund.allocate(case.maker, c, YEAR, resolutions[0], "项目", "other", 10_000)),
                 (YEAR + 1, app.fund.allocate(case.maker, c, YEAR + 1, resolutions[1], "项目", "other", 20_000))]
    accepted = 0
    for kind, *args in sequence:
        try:
            if kind == "allocate":
                r, year = args[0], YEAR + args[1]
                amount = fen(args[2], room(resolutions[r], AUTHORISED[r]))
                projects.append((year, app.fund.allocate(case.maker, c, year, resolutions[r], "项目", "other", amount)))
            elif kind == "increase" and projects:
                year, project = pick(projects, args[0])
                resolution = UUID(app.fund.year_fund(c, year).project(project)["resolution_id"])
                left = room(resolution, AUTHORISED[resolutions.index(resolution)])
                increases.append((year, app.fund.request_increase(people[args[2]], c, year, project,
                                                                  fen(args[1], left), "追加")))
            elif kind in ("approve_increase", "reject_increase") and increases:
                year, increase = pick(increases, args[0])
                if kind == "approve_increase":
                    app.fund.approve_increase(people[args[1]], c, year, increase)
                else:
                    app.fund.reject_increase(people[args[1]], c, year, increase, "驳回")
            elif kind == "reduce" and projects:
                year, project = pick(projects, args[0])
                app.fund.reduce_allocation(case.maker, c, year, project,
                                           fen(args[1], app.fund.year_fund(c, year).free(project)), "核减")
            elif kind == "pay" and projects:
                year, project = pick(projects, args[0])
                payments.append((year, app.fund.record_payment(
                    people[args[2]], c, year, project, None, fen(args[1], app.fund.year_fund(c, year).free(project)),
                    "organisation", "某公司", f"{YEAR}-06-01", "用途", f"FP-{len(payments)}")))
            elif kind in ("approve", "void") and payments:
                year, payment = pick(payments, args[0])
                if kind == "approve":
                    app.fund.approve_payment(people[args[1]], c, year, payment)
                else:
                    app.fund.void_payment(people[args[1]], c, year, payment, "撤回")
            elif kind == "refund" and payments:
                year, payment = pick(payments, args[0])
                p = app.fund.year_fund(c, year).payments[str(payment)]
                refunds.append((year, app.fund.request_refund(people[args[2]], c, year, payment,
                                                              fen(args[1], p["amount"] - p["refunded"]), "退款")))
            elif kind == "approve_refund" and refunds:
                year, refund = pick(refunds, args[0])
                app.fund.approve_refund(people[args[1]], c, year, refund)
            else:
                continue
            accepted += 1
        except DomainError:
            pass
        for resolution, authorised in zip(resolutions, AUTHORISED):
            assert room(resolution, authorised) >= 0, (kind, resolution)
    event(f"accepted commands: {'10+' if accepted >= 10 else '3-9' if accepted >= 3 else '0-2'}")
    event("both years" if len(funds()) == 2 else "one year")
    full = [room(r, a) == 0 for r, a in zip(resolutions, AUTHORISED)]
    event(f"a resolution fully allocated: {'yes' if any(full) else 'no'}")
    for f in funds():   # and at every version of every fund: never more under a resolution than it authorised
        for version in range(1, f.version + 1):
            then = app.repository.get(f.id, version=version)
            for resolution, authorised in zip(resolutions, AUTHORISED):
                assert then.allocated_under(resolution) <= authorised
