"""The unified social credit code (统一社会信用代码) is checked against GB 32100-2015: 18 characters from the
31-character set, a known registering authority and kind of body, a 6-digit division code, the organisation
code's own check character (GB 11714) and the final check character (weights 3^i mod 31)."""
from __future__ import annotations

import pytest

from domain.grants.inputs import (CREDIT_WEIGHTS, CreditCodeError, check_credit_code, check_kind,
                                  credit_check_character, org_code_check_character)
from domain.kernel.errors import InvalidInputError
from tests.domain.grants.builders import CODE_A, CODE_B, CODE_C, CODE_D

VALID = [
    CODE_A, CODE_B, CODE_C, CODE_D,
    "91110000600037341L",      # an enterprise (工商) code from Beijing
    "52320106509487659B",      # 民办非企业单位
    "53320000509487659C",      # 基金会
    "51320106MJ5790127P",      # 社会团体
]


def test_the_weights_are_the_powers_of_three_modulo_31_from_the_standard():
    assert CREDIT_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", VALID)
def test_real_looking_codes_with_right_check_characters_are_accepted(code):
    assert check_credit_code(code) == code
    assert credit_check_character(code[:17]) == code[17]
    assert org_code_check_character(code[8:16]) == code[16]


@pytest.mark.parametrize("typed, canonical", [
    ("52320106mj5790127l", CODE_A),                        # lower case
    ("５２３２０１０６ＭＪ５７９０１２７Ｌ", CODE_A),              # full-width, as typed on a Chinese keyboard
    (" 5232 0106 MJ57 9012 7L ", CODE_A),                   # spaces, as printed on a licence
    ("52320106-MJ5790127L", CODE_A),
])
def test_codes_are_normalised_before_checking(typed, canonical):
    assert check_credit_code(typed) == canonical


@pytest.mark.parametrize("code, reason", [
    ("52320106MJ5790127M", "校验位不正确"),                   # last character wrong
    ("52320106MJ5790127", "应为 18 位"),
    ("52320106MJ5790127LL", "应为 18 位"),
    ("52320106MJ579O127L", "只能由数字和大写字母组成"),        # a letter O for a zero
    ("52320106MJ5790I27L", "只能由数字和大写字母组成"),        # I is not in the set
    ("52320106SJ5790127L", "只能由数字和大写字母组成"),        # S is not in the set
    ("54320106MJ5790127L", "前两位"),                        # 民政 registers no kind 4
    ("B2320106MJ5790127L", "前两位"),                        # no registering authority B
    ("5232A106MJ5790127L", "行政区划代码"),
    ("52320106MJ5790128L", "组织机构代码"),                   # the organisation code's check character
    ("52320106509487658E", "组织机构代码"),
    ("", "请填写"),
    ("<svg onload=alert(1)>", "应为 18 位"),
    ("52320106MJ579012\u202e7L", "应为 18 位"),                 # a bidi override
])
def test_invalid_codes_are_refused_with_a_clear_chinese_reason(code, reason):
    with pytest.raises(CreditCodeError) as refused:
        check_credit_code(code)
    assert reason in refused.value.text()


def test_every_single_character_typo_in_a_valid_code_is_caught():
    """The check character catches every single substitution: what the standard's mod-31 scheme is for."""
    for i in range(18):
        for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            typo = CODE_A[:i] + ch + CODE_A[i + 1:]
            if typo != CODE_A:
                with pytest.raises(CreditCodeError):
                    check_credit_code(typo)


def test_the_organisation_type_must_agree_with_what_civil_affairs_registered():
    assert check_kind("service", CODE_A) == "service"
    assert check_kind("community", CODE_A) == "community"
    assert check_kind("association", CODE_B) == "association"
    assert check_kind("other", CODE_D) == "other"
    with pytest.raises(InvalidInputError) as refused:
        check_kind("foundation", CODE_A)
    assert "与所选类型不符" in refused.value.text()
    with pytest.raises(InvalidInputError):
        check_kind("hub", CODE_A)
