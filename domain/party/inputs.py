"""What members and workers type, read as domain values: contact phones, hours, years, ratings, choices and codes."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from domain.kernel.errors import InvalidInputError
from domain.kernel.text import TextError, normalise_phone
from domain.party.policies import DISCLOSURES, RATINGS

_LANDLINE = re.compile(r"^0\d{9,11}$")


def parse_contact_phone(value: str | None) -> str:
    """A workplace contact number: a mobile (canonical 11 digits) or a landline with its area code
    (`025-83123456`, `(025) 8312 3456`, full-width digits…) as `025-83123456`."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    if len(raw) > 30:
        raise TextError(field="联系电话", reason="格式不正确")
    digits = re.sub(r"[\s\-().]", "", raw)
    if not digits.startswith("0") or digits.startswith("00"):
        try:
            return normalise_phone(digits)
        except InvalidInputError:
            pass
    # Area codes are 010 and 02X (three digits) or 0XXX (four); the local number has 7 or 8 digits.
    area = 3 if digits[1:2] in ("1", "2") else 4
    if not _LANDLINE.match(digits) or not 7 <= len(digits) - area <= 8:
        raise TextError(field="联系电话", reason="格式不正确，请填写手机号或带区号的固定电话，例如 025-83123456")
    return f"{digits[:area]}-{digits[area:]}"


def mask_contact_phone(phone: str) -> str:
    """138****8000 for a mobile, 025-****3456 for a landline: enough to recognise, not to call."""
    if re.fullmatch(r"1\d{10}", phone or ""):
        return f"{phone[:3]}****{phone[-4:]}"
    match = re.fullmatch(r"(0\d{2,3})-(\d{7,8})", phone or "")
    return f"{match[1]}-****{match[2][-4:]}" if match else "****"


def parse_hours(value: str | None) -> int:
    """Hours as typed (`2`, `1.5`, `１.５`) as whole minutes (the model checks 1 minute to 24 hours)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"[0-9]{1,2}(\.[0-9]{1,2})?", text):
        raise InvalidInputError("服务时长应在 0.1 到 24 小时之间")
    try:
        return int((Decimal(text) * 60).to_integral_value())
    except InvalidOperation:
        raise InvalidInputError("服务时长应在 0.1 到 24 小时之间") from None


def parse_year(value: str | int | None) -> str:
    """A report year typed or chosen: four ASCII digits from 2000 to 2100."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not re.fullmatch(r"[0-9]{4}", text) or not 2000 <= int(text) <= 2100:
        raise InvalidInputError("年份格式不正确")
    return text


def parse_rating(value: str | None) -> str | None:
    """One of the four grades, or None when the worker gives none."""
    text = (value or "").strip()
    if not text:
        return None
    if text not in RATINGS:
        raise InvalidInputError("评价等级应为优秀、良好、一般或较差")
    return text


def parse_disclosure(values: Iterable[str]) -> list[str]:
    """What the member lets the public check of their reports show, in a fixed order; anything else is refused."""
    chosen = set(values)
    if chosen - set(DISCLOSURES):
        raise InvalidInputError("公开内容的选项有误")
    return [d for d in DISCLOSURES if d in chosen]


def parse_report_code(value: str | None) -> str:
    """A verification code as typed (`abcd efgh ijkl`, full-width, dashes anywhere) in its `ABCD-EFGH-IJKL` form;
    "" when it cannot be one."""
    code = re.sub(r"[^A-Z2-7]", "", unicodedata.normalize("NFKC", (value or "")[:40]).upper())
    return f"{code[:4]}-{code[4:8]}-{code[8:12]}" if len(code) == 12 else ""
