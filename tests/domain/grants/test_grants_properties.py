"""Property: whatever officials and organisations do, in any order, a call never promises or pays more than its pool:
after every command, unreleased awards + released + pending ≤ pool (so awarded + released ≤ pool counting awards not
yet released), released ≤ awarded, clawed back ≤ released, no tranche is paid before its milestone or twice, the
tranches of every award add up to it, and a refused command records nothing.

Each step either takes a project one step further (propose, approve, sign, report, pass or fail the mid-term, release,
claw back — by either official, so maker ≠ checker refuses some) or sends any command at all."""
from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings, strategies as st

from domain.grants.model import Call
from domain.kernel.application import Linli
from domain.kernel.errors import DomainError
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import Clock, Places
from tests.domain.grants.builders import grants_case
from web.contexts import domain_contexts

POOL = 100_000          # ¥1,000: small, so the limit is hit often
MOST = 60_000           # and a project may take most of it

amounts = st.one_of(st.integers(min_value=1, max_value=MOST), st.integers(min_value=1, max_value=MOST + 10_000),
                    st.tuples(st.just("all"), st.integers(min_value=-1, max_value=1)))
index = st.integers(min_value=0, max_value=3)
who = st.sampled_from(["street", "district"])
any_command = st.one_of(
    st.tuples(st.just("propose"), amounts), st.just(("approve",)), st.just(("reject",)), st.just(("withdraw",)),
    st.tuples(st.just("accept"), st.sampled_from(["signing", "midterm", "final"])),
    st.tuples(st.just("report"), st.sampled_from(["midterm", "final"])),
    st.tuples(st.just("release"), st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("fail"), st.one_of(st.none(), amounts)), st.tuples(st.just("clawback"), amounts),
)


def _fen(amount, left: int) -> int:
    return amount if isinstance(amount, int) else max(1, left + amount[1])


def next_step(data, award: dict | None, reported: set[str]) -> tuple:
    """A command that would take this project forward from where it is."""
    if award is None or award["status"] in ("declined", "withdrawn"):
        return "propose", data.draw(amounts)
    if award["status"] == "proposed":
        return data.draw(st.sampled_from([("approve",), ("approve",), ("approve",), ("reject",), ("withdraw",)]))
    if award["project"] == "stopped":
        return "clawback", data.draw(amounts)
    steps = [("release", i) for i, t in enumerate(award["tranches"])
             if not t["released"] and t["requirement"] in award["accepted"]]
    upcoming = next((m for m in ("signing", "midterm", "final") if m not in award["accepted"]), None)
    if upcoming and award["project"] == "running":
        if upcoming != "signing" and upcoming not in reported:
            steps.append(("report", upcoming))
        else:
            steps.append(("accept", upcoming))
            if upcoming == "midterm":
                steps.append(("fail", data.draw(st.one_of(st.none(), amounts))))
    return data.draw(st.sampled_from(steps)) if steps else data.draw(any_command)


def _check(call: Call) -> None:
    assert call.invariant_violations() == []
    assert call.unreleased + call.released + call.pending <= call.pool
    assert call.pending + call.awarded <= call.pool and call.remaining >= 0
    assert call.released <= call.awarded and call.clawed_back <= call.released
    for a in call.awards.values():
        if a["status"] == "awarded":
            assert a["released"] + a["cancelled"] <= a["amount"] and a["clawed_back"] <= a["released"]
            assert sum(t["amount"] for t in a["tranches"]) == a["amount"]
        assert all(t["requirement"] in a["accepted"] for t in a["tranches"] if t["released"])
        assert not any(t["released"] and t["cancelled"] for t in a["tranches"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_sequence_of_commands_awards_or_pays_more_than_the_pool(data):
    app = Linli(contexts=domain_contexts(), env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                keys=InMemoryKeyStore(), clock=Clock())
    case = grants_case(app, Places(app), pool="1,000", max_per_project="600")
    applications = [case.scored(title=f"项目{i}", requested="600", org=case.org if i % 2 else case.other_org)
                    for i in range(4)]
    officials = {"street": case.street_official, "district": case.district_official}
    members = {case.org: case.member, case.other_org: case.other_member}
    g = app.grants
    accepted = 0
    for _ in range(data.draw(st.integers(min_value=20, max_value=80), label="steps")):
        i = data.draw(index)
        application = applications[i]
        call = app.repository.get(case.call)
        award = call.awards.get(str(application))
        reported = set(g.application(application).reports)
        command = next_step(data, award, reported) if data.draw(st.integers(0, 3)) else data.draw(any_command)
        by = officials[data.draw(who)]
        kind, *args = command
        left = award["released"] - award["clawed_back"] if award else 0
        try:
            if kind == "propose":
                g.propose_award(by, application, _fen(args[0], call.remaining))
            elif kind == "approve":
                g.approve_award(by, application)
            elif kind == "reject":
                g.reject_award(by, application, "驳回")
            elif kind == "withdraw":
                g.withdraw_award(by, application, "撤回")
            elif kind == "accept":
                g.accept_milestone(by, application, args[0])
            elif kind == "report":
                g.submit_report(members[g.application(application).organisation_id], application, args[0], "报告")
            elif kind == "release":
                g.release_tranche(by, application, args[0])
            elif kind == "fail":
                g.fail_midterm(by, application, "未通过", "" if args[0] is None else _fen(args[0], left))
            elif kind == "clawback":
                g.record_clawback(by, application, _fen(args[0], left), "追回")
            accepted += 1
        except DomainError:
            assert app.repository.get(case.call).version == call.version   # refused: nothing recorded
        _check(app.repository.get(case.call))
    call = app.repository.get(case.call)
    assert call.pool == POOL
    event(f"accepted {min(accepted // 10 * 10, 40)}+ commands")
    event("some money released" if call.released else "nothing released")
    event("the pool was exhausted at the end" if call.remaining == 0 else "money left at the end")
    event("a project stopped" if any(a.get("project") == "stopped" for a in call.awards.values()) else "none stopped")
    event("a project closed" if any(a.get("project") == "closed" for a in call.awards.values()) else "none closed")
    event("money clawed back" if call.clawed_back else "no clawback")
