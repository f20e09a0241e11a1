"""Awards reserve money from the call's pool when proposed and can never exceed it; the official who proposes an
award is not the one who approves it; a rejected or withdrawn proposal gives its money back; nobody decides an award
for an organisation they belong to."""
from __future__ import annotations

import pytest

from domain.grants.model import AwardCheckError, AwardStateError, PoolExceededError, RequestTooLargeError
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError
from tests.domain.grants.builders import grants_case


def test_a_proposal_reserves_money_and_the_approval_awards_it_in_tranches(linli, places, case):
    application = case.scored()
    linli.grants.propose_award(case.street_official, application, "40,000")
    call = case.call_state
    assert (call.pending, call.awarded, call.remaining) == (4_000_000, 0, 26_000_000)
    linli.grants.approve_award(case.district_official, application)
    call = case.call_state
    assert (call.pending, call.awarded, call.remaining) == (0, 4_000_000, 26_000_000)
    assert [t["amount"] for t in call.award(application)["tranches"]] == [1_600_000, 1_600_000, 800_000]
    assert call.invariant_violations() == []


def test_the_proposer_cannot_approve_or_reject_their_own_award(linli, places, case):
    application = case.scored()
    linli.grants.propose_award(case.street_official, application, "40,000")
    before = linli.recorder.max_notification_id()
    with pytest.raises(AwardCheckError):
        linli.grants.approve_award(case.street_official, application)
    with pytest.raises(AwardCheckError):
        linli.grants.reject_award(case.street_official, application, "自己驳回")
    with pytest.raises(NotAllowedError):
        linli.grants.withdraw_award(case.district_official, application, "不是提出人")
    assert linli.recorder.max_notification_id() == before


def test_awards_can_never_exceed_the_pool(linli, places):
    case = grants_case(linli, places, pool="100,000", max_per_project="40,000")
    first, second, third = (case.scored(title=t) for t in ("甲", "乙", "丙"))
    linli.grants.propose_award(case.street_official, first, "40,000")
    linli.grants.propose_award(case.district_official, second, "40,000")
    before = linli.recorder.max_notification_id()
    with pytest.raises(PoolExceededError) as refused:
        linli.grants.propose_award(case.street_official, third, "20,000.01")
    assert "尚可资助 20,000.00 元" in refused.value.text()
    assert linli.recorder.max_notification_id() == before
    linli.grants.propose_award(case.street_official, third, "20,000")
    assert case.call_state.remaining == 0


def test_a_rejected_or_withdrawn_proposal_gives_its_money_back_and_can_be_proposed_again(linli, places, case):
    application = case.scored()
    linli.grants.propose_award(case.street_official, application, "40,000")
    linli.grants.reject_award(case.district_official, application, "预算偏高")
    assert case.call_state.pending == 0 and case.call_state.award(application)["status"] == "declined"
    linli.grants.propose_award(case.district_official, application, "30,000")
    linli.grants.withdraw_award(case.district_official, application, "金额填错")
    assert case.call_state.remaining == 30_000_000
    linli.grants.propose_award(case.street_official, application, "35,000")
    linli.grants.approve_award(case.district_official, application)
    with pytest.raises(AwardStateError):
        linli.grants.propose_award(case.street_official, application, "1,000")
    assert case.call_state.awarded == 3_500_000


@pytest.mark.parametrize("amount, error", [
    ("50,000.01", RequestTooLargeError), ("40,000.01", InvalidInputError), ("0", InvalidInputError),
    ("-1", InvalidInputError), ("1e4", InvalidInputError), ("NaN", InvalidInputError), ("1,00", InvalidInputError),
    ("１０００元", None),
])
def test_an_award_is_at_most_the_request_and_the_maximum(linli, places, case, amount, error):
    application = case.scored()
    if error is None:
        linli.grants.propose_award(case.street_official, application, amount)
        assert case.call_state.pending == 100_000
    else:
        with pytest.raises(error):
            linli.grants.propose_award(case.street_official, application, amount)
        assert case.call_state.pending == 0


def test_only_a_scored_submitted_application_is_awarded(linli, places, case):
    draft = case.draft()
    with pytest.raises(ConflictError):
        linli.grants.propose_award(case.street_official, draft, "1,000")
    submitted = case.submitted(title="未评审")
    with pytest.raises(ConflictError):
        linli.grants.propose_award(case.street_official, submitted, "1,000")


def test_only_the_calls_officials_decide_awards_and_never_for_their_own_organisation(linli, places, case):
    application = case.scored()
    for outsider in (case.member, case.worker, case.reviewers[0][0]):
        with pytest.raises(NotAllowedError):
            linli.grants.propose_award(outsider, application, "1,000")
    linli.grants.add_member(case.member, case.org, _phone_of(linli, case.street_official))
    with pytest.raises(NotAllowedError) as refused:
        linli.grants.propose_award(case.street_official, application, "1,000")
    assert "成员" in refused.value.text()


def _phone_of(app, account_id) -> str:
    account = app.accounts.account(account_id)
    return app.sealer.unseal(account_id, account.personal)["phone"]
