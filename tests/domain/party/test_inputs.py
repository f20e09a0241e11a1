"""What people type, read as values: contact phones, hours, years, ratings, disclosure choices, codes."""
from __future__ import annotations

import pytest

from domain.kernel.errors import InvalidInputError
from domain.party.inputs import (mask_contact_phone, parse_contact_phone, parse_disclosure, parse_hours,
                                 parse_rating, parse_report_code, parse_year)


@pytest.mark.parametrize("typed, canonical", [
    ("025-83123456", "025-83123456"), ("(025) 8312 3456", "025-83123456"), ("02583123456", "025-83123456"),
    ("010-12345678", "010-12345678"), ("0512-6512345", "0512-6512345"), ("０２５－８３１２３４５６", "025-83123456"),
    ("138 0013 8000", "13800138000"), ("+86 138-0013-8000", "13800138000")])
def test_contact_phones_in_every_common_form(typed, canonical):
    assert parse_contact_phone(typed) == canonical


@pytest.mark.parametrize("typed", ["", "12345", "025-123", "25-83123456", "0258312345678", "=1+1", "138" + "0" * 40,
                                   "025-8312345\u202e"])
def test_bad_contact_phones_are_refused(typed):
    with pytest.raises(InvalidInputError):
        parse_contact_phone(typed)


def test_contact_phones_are_masked_for_lists():
    assert mask_contact_phone("13800138000") == "138****8000"
    assert mask_contact_phone("025-83123456") == "025-****3456"
    assert mask_contact_phone("") == "****"


@pytest.mark.parametrize("typed, minutes", [("2", 120), ("1.5", 90), ("１.５", 90), ("0.25", 15)])
def test_hours_as_minutes(typed, minutes):
    assert parse_hours(typed) == minutes


@pytest.mark.parametrize("typed", ["", "-1", "1e2", "NaN", "1,5", "100", "1.234", "٣"])
def test_odd_hours_are_refused(typed):
    with pytest.raises(InvalidInputError):
        parse_hours(typed)


@pytest.mark.parametrize("typed", ["", "26", "1999", "2101", "２０２６x", "2026.0"])
def test_odd_years_are_refused(typed):
    with pytest.raises(InvalidInputError):
        parse_year(typed)


def test_years_ratings_disclosures_and_codes():
    assert parse_year("２０２６") == "2026"
    assert parse_rating("") is None and parse_rating("good") == "good"
    with pytest.raises(InvalidInputError):
        parse_rating("perfect")
    assert parse_disclosure(["service", "name", "name"]) == ["name", "service"]
    with pytest.raises(InvalidInputError):
        parse_disclosure(["phone"])
    assert parse_report_code("abcd efgh ijkl") == "ABCD-EFGH-IJKL"
    assert parse_report_code("ABCD-EFGH") == ""
