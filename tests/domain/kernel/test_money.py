"""Amounts typed by people are read as the one right number of fen, or refused with a clear message."""
import pytest
from hypothesis import given, strategies as st

from domain.kernel.errors import InvalidInputError
from domain.kernel.money import format_fen, parse_fen


@pytest.mark.parametrize("text, fen", [
    ("1000", 100000), ("1,000", 100000), ("1000元", 100000), ("¥1,234.50", 123450), ("￥ 1234.5", 123450),
    ("１０００", 100000), ("0.01", 1), ("200000", 20000000), ("200000.01", 20000001), ("12,345,678.90", 1234567890),
])
def test_reads_common_ways_of_writing_an_amount(text, fen):
    assert parse_fen(text) == fen


@pytest.mark.parametrize("text", [
    "-100", "0", "0.001", "1e5", "NaN", "Infinity", "-Infinity", "12345678901234567890", "1_000", "١٠٠٠",
    "1,00", "10,00.5", "10²", "①", "1⁰⁰", ".5", "5.", "", "   ", "1 000 000 000 000", "abc", "1.2.3", "0x10", "+100",
])
def test_refuses_what_could_be_misread(text):
    with pytest.raises(InvalidInputError) as raised:
        parse_fen(text)
    assert raised.value.text()  # a message a person can read


def test_zero_is_allowed_only_when_asked_for():
    assert parse_fen("0", allow_zero=True) == 0


@given(st.integers(min_value=1, max_value=10**10))
def test_formatting_and_parsing_round_trip(fen):
    assert parse_fen(format_fen(fen)) == fen
