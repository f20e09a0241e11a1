"""Time as residents live it: Asia/Shanghai (UTC+8, no daylight saving), and the one parser of typed times.

Moments are stored as aware UTC datetimes; people type and read them in Shanghai time."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from domain.kernel.errors import InvalidInputError

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_YEAR, LAST_YEAR = 2000, 2100   # outside these a typed year is a typo (and year 1 or 9999 would overflow)

_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_day(moment: datetime) -> date:
    """The calendar day in Shanghai of an aware moment."""
    return moment.astimezone(SHANGHAI).date()


def local_date(moment: datetime) -> str:
    """The calendar day in Shanghai of an aware moment, as an ISO string."""
    return local_day(moment).isoformat()


def parse_local_datetime(text: str | None, field: str) -> datetime:
    """'2026-05-02T19:00' (or '2026-05-02 19:00'), typed in Shanghai time, as an aware UTC datetime."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not _LOCAL_TIME.match(raw):
        raise InvalidInputError("{field}格式应为 2026-05-02 19:00", field=field)
    try:
        naive = datetime.fromisoformat(raw.replace(" ", "T"))
    except ValueError:
        raise InvalidInputError("{field}不是有效的时间", field=field) from None
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        raise InvalidInputError("{field}不是有效的时间", field=field)
    return naive.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def parse_date(text: str | None, field: str = "日期") -> date:
    """'2026-05-02' (ASCII or full-width digits) as a date between 2000 and 2100."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError("{field}格式应为 年-月-日，例如 2026-06-30", field=field) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInputError("{field}格式应为 年-月-日，例如 2026-06-30", field=field)
    return day


def as_moment(value: datetime | str) -> datetime:
    """An aggregate holds datetimes, a view row ISO text: rules that both ask compare aware datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
