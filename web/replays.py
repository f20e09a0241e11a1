"""Pages rebuilt from events "as of" a moment (`?as_of=`) replay a whole history: costly on purpose, so they are
bounded. At most `CONCURRENT` replays run at once (more wait a moment, then get "busy"); an anonymous reader's
replays are limited per address; and what anonymous readers see is cached per (page, minute), so many visitors
asking for the same moment cost one replay."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from starlette.requests import Request

from domain.kernel.errors import BusyError
from web.http import client_address, me

T = TypeVar("T")
CONCURRENT = 2
WAIT_SECONDS = 5.0
CACHED = 256
ANONYMOUS_PER_MINUTE = 20


class TooManyReplays(BusyError):
    """An anonymous address asked for too many "as of" pages in a minute."""

    status = 429
    message = "查看历史页面过于频繁，请稍后再试"


class Replays:
    """Bounds and caches rebuilds of pages as of a past moment."""

    def __init__(self) -> None:
        self._slots = threading.BoundedSemaphore(CONCURRENT)
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def view(self, request: Request, key: Hashable, moment: datetime, build: Callable[[], T]) -> T:
        """`build()` (a replay), bounded; for anonymous readers limited per address and cached per minute."""
        anonymous = not me(request).authenticated
        cache_key = (key, moment.replace(second=0, microsecond=0))
        if anonymous:
            with self._lock:
                if cache_key in self._cache:
                    self._cache.move_to_end(cache_key)
                    return self._cache[cache_key]
            throttle = request.app.state.throttle
            address = f"as-of:{client_address(request)}"
            if throttle.wait(address) or throttle.hit(address, ANONYMOUS_PER_MINUTE, timedelta(minutes=1)):
                raise TooManyReplays()
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            raise BusyError()
        try:
            built = build()
        finally:
            self._slots.release()
        if anonymous:
            with self._lock:
                self._cache[cache_key] = built
                while len(self._cache) > CACHED:
                    self._cache.popitem(last=False)
        return built
