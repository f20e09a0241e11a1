"""Every amount a fund manager may type is read as the one right number of fen, or refused with a clear
message; nothing is silently mis-read and a refused amount saves nothing."""
from __future__ import annotations

import pytest

from domain.kernel.errors import InvalidInputError
from domain.fund.model import BudgetExceededError
from domain.kernel.money import parse_fen
from tests.domain.builders import YEAR, fund_case


@pytest.fixture
def case(linli, places):
    return fund_case(linli, places)


def allocate(case, amount):
    return case.app.fund.allocate(case.maker, case.community, YEAR, case.resolution, "楼道扶手", "elderly", amount)


@pytest.mark.parametrize("text, fen", [
    ("1,000", 100_000),
    ("1000元", 100_000),
    ("１０００", 100_000),          # full-width digits (a Chinese IME's default)
    ("１,０００.５０", 100_050),
    ("¥1,234.56", 123_456),
    ("200000", 20_000_000),       # exactly the whole budget
    ("0.01", 1),
])
def test_an_amount_written_a_common_way_is_allocated_to_the_fen(case, text, fen):
    allocate(case, text)
    assert case.app.fund.year_fund(case.community, YEAR).allocated == fen


@pytest.mark.parametrize("text, says", [
    ("-100", "金额不能为负数"),
    ("0", "金额必须大于 0"),
    ("0.00", "金额必须大于 0"),
    ("0.001", "最多保留两位小数"),
    ("1e5", "只能包含数字"),
    ("NaN", "只能包含数字"),
    ("Infinity", "只能包含数字"),
    ("-Infinity", "金额不能为负数"),
    ("12345678901234567890", "金额过大"),   # 20 digits
    ("99999999999999999999.99", "金额过大"),
    ("١٠٠٠", "请使用数字 0-9 填写"),          # Arabic-Indic digits
    ("۱۰۰۰", "请使用数字 0-9 填写"),          # Extended Arabic-Indic (Persian) digits
    ("1_000", "只能包含数字"),
    ("1,00", "只能包含数字"),
    ("一千", "只能包含数字"),
    ("", "请填写金额"),
])
def test_an_ambiguous_or_absurd_amount_is_refused_with_a_clear_message_and_saves_nothing(case, text, says):
    with pytest.raises(InvalidInputError) as raised:
        allocate(case, text)
    assert raised.value.text().startswith("金额格式不正确：") and says in raised.value.text()
    assert case.app.fund.year_fund(case.community, YEAR) is None


def test_one_fen_more_than_the_budget_is_read_correctly_then_refused_by_the_invariant(case):
    assert parse_fen("200000.01") == 20_000_001
    with pytest.raises(BudgetExceededError) as raised:
        allocate(case, "200000.01")
    assert "超出年度预算" in raised.value.text()
    assert case.app.fund.year_fund(case.community, YEAR) is None


def test_every_amount_field_goes_through_the_same_strict_parser(case):
    project = allocate(case, "1,000")
    for text in ("-1", "1e2", "NaN", "1_0"):
        with pytest.raises(InvalidInputError):
            case.app.fund.commit(case.maker, case.community, YEAR, project, text, "合同")
        with pytest.raises(InvalidInputError):
            case.app.fund.record_payment(case.maker, case.community, YEAR, project, None, text, "organisation", "某公司",
                                    "2026-04-30", "用途", "FP-1")
    assert case.app.fund.year_fund(case.community, YEAR).version == 2


@pytest.mark.parametrize("text", ["10²", "①", "1⁰⁰", "𝟏𝟎𝟎", "½"])
def test_superscript_circled_and_other_numerals_are_refused_not_silently_turned_into_other_numbers(text):
    with pytest.raises(InvalidInputError) as raised:
        parse_fen(text)
    assert "请使用数字 0-9 填写" in raised.value.text()
