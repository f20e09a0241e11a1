"""Text that people type: names, titles, phone numbers, ID numbers. Normalise, then check strictly."""
from __future__ import annotations

import re
import unicodedata

from domain.kernel.errors import InvalidInputError

_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_PHONE = re.compile(r"^1[3-9]\d{9}$")


class TextError(InvalidInputError):
    """A text field is empty, too long or holds characters that are never typed on purpose."""

    message = "{field}{reason}"


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True,
               multiline: bool = False) -> str:
    """NFC-normalise and trim; refuse control characters, bidi overrides and over-long text."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        if required:
            raise TextError("{field}不能为空", field=field)
        return ""
    if len(text) > max_length:
        raise TextError("{field}不能超过 {max_length} 个字", field=field, max_length=max_length)
    for ch in text:
        if multiline and ch in "\n\t":
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise TextError("{field}含有不可见的控制字符，请重新输入", field=field)
    return text


def clean_name(value: str | None) -> str:
    """A person's name: 1–40 characters; rare CJK characters and the middle dot `·` are welcome."""
    name = clean_text(value, "姓名", max_length=40)
    if any(ch in "<>\"'`;{}\\" for ch in name):
        raise TextError(field="姓名", reason="不能包含符号 < > \" ' ` ; { } \\")
    return name


def normalise_phone(value: str | None) -> str:
    """A mainland mobile number in its canonical 11-digit form, from `+86 138-0013-8000`, full-width digits, …"""
    raw = unicodedata.normalize("NFKC", value or "")
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not _PHONE.match(digits):
        raise TextError(field="手机号", reason="格式不正确，请输入 11 位大陆手机号，例如 138 0013 8000")
    return digits


def mask_name(name: str) -> str:
    """王小明 → 王**: the surname shows that a person is meant, not who (public pages, verifications, 公示)."""
    name = (name or "").strip()
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else "*"


def mask_phone(phone: str) -> str:
    """138****8000: enough for a person to recognise their own number, not enough to call it."""
    if len(phone) != 11:
        return "****"
    return f"{phone[:3]}****{phone[-4:]}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def check_id_number(value: str | None) -> str:
    """An 18-character resident ID number whose check character (ISO 7064 MOD 11-2) is right."""
    text = unicodedata.normalize("NFKC", value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise TextError(field="身份证号", reason="应为 18 位")
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != text[17]:
        raise TextError(field="身份证号", reason="校验位不正确，请核对")
    return text
