"""What people type at the station, read as values: a certificate's verification code in any spelling."""
from __future__ import annotations

import pytest

from domain.volunteer.inputs import parse_certificate_code


@pytest.mark.parametrize("typed", ["ABCD-EFGH-IJKL", "abcd efgh ijkl", "ＡＢＣＤ－ＥＦＧＨ－ＩＪＫＬ", " abcdefghijkl\n"])
def test_a_typed_code_is_read_in_its_dashed_form(typed):
    assert parse_certificate_code(typed) == "ABCD-EFGH-IJKL"


@pytest.mark.parametrize("typed", [None, "", "ABCD-EFGH-IJK", "ABCD-EFGH-IJKLM", "\x00", "A" * 500, "1234-5678-9012"])
def test_what_cannot_be_a_code_reads_as_nothing(typed):
    assert parse_certificate_code(typed) == ""
