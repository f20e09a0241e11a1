"""Pages rebuilt from events "as of" a moment (`?as_of=`) replay a whole history: costly on purpose, so they are
bounded. At most `CONCURRENT` replays run at once (more wait a moment, then get "busy"), and an anonymous reader's
uncached requests are limited per address (`web.asof` keeps what was built, so many visitors asking for the same
moment cost one replay)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from starlette.requests import Request

from domain.kernel.errors import BusyError
from web.http import client_address, me

T = TypeVar("T")
CONCURRENT = 2
WAIT_SECONDS = 5.0
ANONYMOUS_PER_MINUTE = 20


class TooManyReplays(BusyError):
    """An anonymous address asked for too many "as of" pages in a minute."""

    status = 429
    message = "查看历史页面过于频繁，请稍后再试"


class Replays:
    """Bounds rebuilds of pages as of a past moment."""

    def __init__(self) -> None:
        self._slots = threading.BoundedSemaphore(CONCURRENT)

    @staticmethod
    def limit(request: Request) -> None:
        """Count one uncached "as of" request against an anonymous address (TooManyReplays past the limit)."""
        if not me(request).authenticated:
            throttle = request.app.state.throttle
            address = f"as-of:{client_address(request)}"
            if throttle.wait(address) or throttle.hit(address, ANONYMOUS_PER_MINUTE, timedelta(minutes=1)):
                raise TooManyReplays()

    def bounded(self, build: Callable[[], T]) -> T:
        """`build()` (a replay) with no cache: at most `CONCURRENT` replays run at once (more wait a moment, then get
        "busy")."""
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            raise BusyError()
        try:
            return build()
        finally:
            self._slots.release()
