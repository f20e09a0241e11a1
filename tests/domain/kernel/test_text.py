"""Names, phones and ID numbers are normalised, then checked strictly."""
import pytest

from domain.kernel.errors import InvalidInputError
from domain.kernel.text import check_id_number, clean_name, clean_text, mask_phone, normalise_phone


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000",
                                 "0086 13800138000", "8613800138000", "１３８００１３８０００", "(138) 0013-8000"])
def test_every_common_phone_form_normalises_to_one(raw):
    assert normalise_phone(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["", "12345", "23800138000", "1380013800", "138001380001", "abc", "+1 415 555 0100"])
def test_malformed_phones_are_refused(raw):
    with pytest.raises(InvalidInputError):
        normalise_phone(raw)


def test_phones_are_masked_for_display():
    assert mask_phone("13800138000") == "138****8000"


@pytest.mark.parametrize("name", ["张三", "阿卜杜拉·买买提", "𠮷野家", "欧阳娜娜", "Li Wei"])
def test_names_with_rare_characters_and_middle_dots_are_accepted(name):
    assert clean_name(name) == name


@pytest.mark.parametrize("name", ["", "张" * 41, "张\u202e三", "张\x00三", "张\x07三", "<script>", "张\u200b三"])
def test_names_with_control_characters_bidi_overrides_or_markup_are_refused(name):
    with pytest.raises(InvalidInputError):
        clean_name(name)


def test_multiline_text_keeps_newlines_but_not_control_characters():
    assert clean_text("第一行\r\n第二行", "说明", max_length=100, multiline=True) == "第一行\n第二行"
    with pytest.raises(InvalidInputError):
        clean_text("a\x1bb", "说明", max_length=100, multiline=True)


def test_id_numbers_with_a_bad_check_digit_are_refused():
    assert check_id_number("11010519491231002X") == "11010519491231002X"
    with pytest.raises(InvalidInputError):
        check_id_number("110105194912310021")
