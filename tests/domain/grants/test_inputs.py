"""What officials and organisations type: criteria whose weights add up to 100, tranches in milestone order adding up
to 100%, awards split into tranches to the fen, budget lines read as the fund reads amounts, plans, teams, scores."""
from __future__ import annotations

import pytest

from domain.grants.inputs import (parse_budget, parse_criteria, parse_plan, parse_scores, parse_team,
                                  parse_tranches, parse_whole, split_amount)
from domain.kernel.errors import InvalidInputError


def test_criteria_are_named_rows_whose_weights_add_up_to_100_blank_rows_left_out():
    rows = parse_criteria(["设计", "", "团队"], ["60", "", "40"])
    assert rows == [{"key": "c1", "name": "设计", "weight": 60}, {"key": "c3", "name": "团队", "weight": 40}]


@pytest.mark.parametrize("names, weights", [
    (["设计", "团队"], ["60", "30"]),              # 90
    (["设计", "设计"], ["50", "50"]),              # the same name twice
    ([], []), (["", ""], ["", ""]),
    (["设计"], ["100.0"]), (["设计"], ["1e2"]), (["设计"], ["٣"]), (["设计", "团队"], ["-10", "110"]),
    (["设计"], ["０"]), (["<b>设计</b>\u202e"], ["100"]), (["设" * 41], ["100"]),
    (["a", "b", "c", "d", "e", "f", "g", "h", "i"], ["10", "10", "10", "10", "10", "10", "10", "10", "20"]),
])
def test_bad_criteria_are_refused(names, weights):
    with pytest.raises(InvalidInputError):
        parse_criteria(names, weights)


def test_full_width_digits_are_read_as_digits():
    assert parse_whole("１００", "权重", 1, 100) == 100


@pytest.mark.parametrize("typed", ["1_0", "+5", " ", "10.0", "①", "²", "NaN", "1e1", "0x10", "９" * 7])
def test_odd_numbers_are_refused(typed):
    with pytest.raises(InvalidInputError):
        parse_whole(typed, "得分", 0, 100)


def test_tranches_follow_signing_midterm_final_once_each_adding_up_to_100():
    assert parse_tranches(["signing", "final"], ["70", "30"]) == [
        {"requirement": "signing", "percent": 70}, {"requirement": "final", "percent": 30}]
    for requirements, percents in ((["final", "signing"], ["30", "70"]), (["signing", "signing"], ["50", "50"]),
                                   (["signing", "midterm"], ["40", "40"]), (["bogus"], ["100"]), ([], []),
                                   (["", "final"], ["20", "80"])):
        with pytest.raises(InvalidInputError):
            parse_tranches(requirements, percents)


@pytest.mark.parametrize("amount", [1, 2, 3, 99, 100, 101, 4_000_000, 4_999_999, 3_333_333])
def test_an_award_split_into_tranches_adds_up_to_the_fen(amount):
    plan = [{"percent": 40}, {"percent": 40}, {"percent": 20}]
    parts = split_amount(amount, plan)
    assert sum(parts) == amount and all(p >= 0 for p in parts)


def test_budget_lines_read_amounts_as_the_fund_does():
    assert parse_budget(["餐费", "", "人工"], ["¥1,234.50", "", "１０００元"]) == [
        {"item": "餐费", "amount": 123_450}, {"item": "人工", "amount": 100_000}]
    for amount in ("-100", "0", "0.001", "1e5", "NaN", "Infinity", "9" * 20, "1_000", "٣"):
        with pytest.raises(InvalidInputError):
            parse_budget(["餐费"], [amount])
    with pytest.raises(InvalidInputError):
        parse_budget([""], ["100"])       # an amount with no item


def test_a_plan_is_read_by_date_and_sorted():
    assert parse_plan(["结项", "启动"], ["2026-12-01", "2026-06-01"]) == [
        {"title": "启动", "due": "2026-06-01"}, {"title": "结项", "due": "2026-12-01"}]
    with pytest.raises(InvalidInputError):
        parse_plan(["启动"], ["2026-02-30"])


def test_team_names_are_names_rare_characters_and_middle_dots_welcome():
    assert parse_team(["阿卜杜·热合曼", "𠮷野"], ["负责人", "执行"])[0]["name"] == "阿卜杜·热合曼"
    for name in ("<script>", "a\u202eb", "名" * 41):
        with pytest.raises(InvalidInputError):
            parse_team([name], ["负责人"])


def test_a_score_is_0_to_100_with_a_comment_for_every_criterion():
    criteria = [{"key": "c1", "name": "设计", "weight": 60}, {"key": "c2", "name": "团队", "weight": 40}]
    assert parse_scores(criteria, {"c1": "0", "c2": "100"}, {"c1": "差", "c2": "好"}) == (
        {"c1": 0, "c2": 100}, {"c1": "差", "c2": "好"})
    for scores, comments in (({"c1": "101", "c2": "1"}, {"c1": "a", "c2": "b"}),
                             ({"c1": "-1", "c2": "1"}, {"c1": "a", "c2": "b"}),
                             ({"c1": "50"}, {"c1": "a", "c2": "b"}),
                             ({"c1": "50", "c2": "50"}, {"c1": "a", "c2": ""}),
                             ({"c1": "50.5", "c2": "50"}, {"c1": "a", "c2": "b"})):
        with pytest.raises(InvalidInputError):
            parse_scores(criteria, scores, comments)
