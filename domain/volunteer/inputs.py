"""What organisers and volunteers type, read as domain values (times: `domain.kernel.time`)."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from domain.kernel.errors import InvalidInputError
from domain.volunteer.model import HoursError, PlacesError


def parse_places(value: str | None) -> int:
    """A shift's places: a whole number (the model checks 1–1000)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text):
        raise PlacesError()
    return int(text)


def parse_min_age(value: str | None) -> int | None:
    """An optional minimum age in whole years."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInputError("年龄要求应在 1 到 100 周岁之间")
    return int(text)


def parse_hours(value: str | None) -> int:
    """Hours as typed (`2`, `2.5`, `１.５`) to whole minutes."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    if not re.fullmatch(r"[0-9]{1,2}(\.[0-9]{1,2})?", text):
        raise HoursError()
    try:
        return int((Decimal(text) * 60).to_integral_value())
    except InvalidOperation:
        raise HoursError() from None


def parse_cutoff_hours(value: str | None) -> int:
    """How many hours before a shift sign-up closes (default 2), in minutes."""
    text = unicodedata.normalize("NFKC", value or "").strip() or "2"
    if not re.fullmatch(r"[0-9]{1,3}", text):
        raise InvalidInputError("截止时间应在班次开始前 0 到 168 小时之间")
    return int(text) * 60


def parse_certificate_code(value: str | None) -> str:
    """A verification code as typed (`abcd efgh ijkl`, full-width, dashes anywhere) in its `ABCD-EFGH-IJKL` form;
    "" when it cannot be one."""
    code = re.sub(r"[^A-Z2-7]", "", unicodedata.normalize("NFKC", (value or "")[:40]).upper())
    return f"{code[:4]}-{code[4:8]}-{code[8:12]}" if len(code) == 12 else ""
