"""Times as residents read them: Asia/Shanghai, from the application's clock (which tests move)."""
from __future__ import annotations

import re
from datetime import date, datetime

from starlette.requests import Request

from domain.kernel.time import SHANGHAI, local_day


def local_time(iso: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored ISO timestamp shown in Shanghai time ('' for none)."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime(fmt)


STORED_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)")


def local_if_timestamp(value: object) -> object:
    """A stored timestamp (ISO with its offset) in Shanghai time; anything else as it is (for pages that show stored
    records as they are, such as "my data")."""
    if isinstance(value, str) and STORED_TIMESTAMP.fullmatch(value):
        return local_time(value.replace("Z", "+00:00"), "%Y-%m-%d %H:%M:%S")
    return value


def now(request: Request) -> datetime:
    """The application's clock, never the wall clock."""
    return request.app.state.services.app.clock()


def local_today(request: Request) -> date:
    """Today's date in Shanghai by the application's clock."""
    return local_day(now(request))


def local_input(iso: str | None) -> str:
    """A stored UTC ISO time as the value of an <input type=datetime-local> (Shanghai time)."""
    return local_time(iso, "%Y-%m-%dT%H:%M")
