"""Times as residents read them: Asia/Shanghai, from the application's clock (which tests move)."""
from __future__ import annotations

from datetime import date, datetime

from starlette.requests import Request

from domain.kernel.time import SHANGHAI, local_day


def local_time(iso: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored ISO timestamp shown in Shanghai time ('' for none)."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime(fmt)


def now(request: Request) -> datetime:
    """The application's clock, never the wall clock."""
    return request.app.state.services.app.clock()


def local_today(request: Request) -> date:
    """Today's date in Shanghai by the application's clock."""
    return local_day(now(request))


def local_input(iso: str | None) -> str:
    """A stored UTC ISO time as the value of an <input type=datetime-local> (Shanghai time)."""
    return local_time(iso, "%Y-%m-%dT%H:%M")
