"""Every main page as of a moment: `?as_of=YYYY-MM-DDTHH:MM` (Beijing time; a day alone means the end of that day).

One mechanism for all of them. A route hands its page function to `rendered(request, place, read_models, render)`;
without `?as_of=` that is just `render()`. With it, the moment is turned into a log position (the last event recorded
by then), views as of that position are built in memory (`projections.history.replay`: the place's events only, only
those the named read models handle, through the same projections as the live views), and the very same `render()`
runs with those views — and a clock that says it is that moment — in place of the live ones, for this request only.
The page then says so in a banner with the stamp of the record it was drawn from (`_history.html`), and offers no
actions (a page asks `moment_of(request)` to know).

Rebuilds are bounded as `web.replays` bounds them (at most two at once, anonymous readers limited per address), and
the views built are kept for everyone per (place, read models, log position) and found per minute, so many readers of
the same moment cost one rebuild."""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from domain.kernel.errors import InvalidInputError
from domain.kernel.people import is_staff
from domain.kernel.time import SHANGHAI, parse_date, parse_local_datetime
from projections import accounts as directory
from projections import chain as chain_views
from projections import history
from projections.db import Database
from web.contexts import CONTEXTS
from web.http import me

KEPT = 8            # views built and kept (each a small in-memory database)
MINUTES = 256       # (place, read models, minute) → the position it was found at
SETTLED = timedelta(minutes=2)   # a minute this long after its start is over, and its events in the views
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
EVERY_CONTEXT = tuple(c.name for c in CONTEXTS if c.name != "accounts")   # the directory is copied, not replayed


@dataclass(frozen=True)
class Then:
    """Views as they stood at a log position, and what the banner says about them."""

    moment: datetime
    position: int
    views: Database
    stamp: chain_views.Stamp | None


@dataclass(frozen=True)
class Bar:
    """What `_history.html` shows above the page: the banner of a page as of a moment (`then`), and the date picker
    (查看历史) for those who work for the place."""

    path: str
    kept: tuple[tuple[str, str], ...]   # the page's other query parameters (`?year=`, …)
    then: Then | None
    picker: bool

    @property
    def now_url(self) -> str:
        """The page as it is now."""
        return f"{self.path}?{urlencode(self.kept)}" if self.kept else self.path

    @property
    def local(self) -> str:
        return self.then.moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if self.then else ""

    @property
    def value(self) -> str:
        return self.then.moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if self.then else ""


def parse_moment(text: str | None) -> datetime | None:
    """`?as_of=`: a minute typed in Beijing time, or a day (its last minute); None when absent; InvalidInputError
    otherwise."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        return None
    if _DAY.fullmatch(raw):
        return datetime.combine(parse_date(raw, "查看时间"), time(23, 59, 59, 999_999), SHANGHAI).astimezone(timezone.utc)
    return parse_local_datetime(raw, "查看时间")


def moment_of(request: Request) -> datetime | None:
    """The moment the page is drawn as of (None: as it is now)."""
    bar = getattr(request.state, "history", None)
    return bar.then.moment if bar is not None and bar.then is not None else None


class History:
    """Builds views as of a moment (bounded) and keeps a few of them; one per app (`app.state.history`)."""

    def __init__(self, services: Any) -> None:
        self.services = services
        self._kept: OrderedDict[tuple, Then] = OrderedDict()
        self._minutes: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def then(self, request: Request, place_id: str, read_models: Sequence[str], moment: datetime) -> Then:
        """The views of `read_models` for `place_id` as they stood at `moment` (a moment still to come: now). A
        minute is found from the cache only once it is over: until then events still join it (`as_of=` today)."""
        now = self.services.app.clock()
        moment = min(moment, now)
        scope = (str(place_id), tuple(sorted(read_models)))
        minute = (*scope, moment.replace(second=0, microsecond=0))
        settled = minute[-1] + SETTLED <= now
        with self._lock:
            key = self._minutes.get(minute) if settled else None
            if key in self._kept:
                self._kept.move_to_end(key)
                return replace(self._kept[key], moment=moment)
        live = self.services.views
        position = history.position_at(live, moment)
        key = (*scope, position)
        with self._lock:
            found = self._kept.get(key)
        if settled or found is None:   # an anonymous address pays for each minute over it asks, and for each rebuild
            request.app.state.replays.limit(request)
        if found is None:
            found = request.app.state.replays.bounded(lambda: self._build(scope, moment, position))
        with self._lock:
            self._kept[key] = found
            self._kept.move_to_end(key)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
            if settled:
                self._minutes[minute] = key
            while len(self._minutes) > MINUTES:
                self._minutes.popitem(last=False)
        return replace(found, moment=moment)

    def _build(self, scope: tuple, moment: datetime, position: int) -> Then:
        place_id, read_models = scope
        live = self.services.views
        models = [c.projection for c in CONTEXTS if c.name in read_models and c.projection is not None]
        places = directory.with_places_above(live, place_id) + directory.places_below(live, place_id)
        views = history.replay(self.services.app, live, models, places, position)
        return Then(moment, position, views, chain_views.stamp(views, place_id, position))


class _AppAt:
    """The application as a page as of a moment sees it: its clock says that moment."""

    def __init__(self, app: Any, moment: datetime) -> None:
        self._app = app
        self._moment = moment

    def clock(self) -> datetime:
        return self._moment

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


class _AppWith:
    """The Starlette app with other services in its state (views and clock as of a moment), for one request."""

    def __init__(self, app: Any, services: Any) -> None:
        self._app = app
        self.state = State({**app.state._state, "services": services})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


@contextmanager
def _as_of(request: Request, then: Then) -> Iterator[None]:
    """For this request only, `services(request)` answers with the views (and the clock) of `then`."""
    app = request.scope["app"]
    live = app.state.services
    request.scope["app"] = _AppWith(app, replace(live, views=then.views, app=_AppAt(live.app, then.moment)))
    try:
        yield
    finally:
        request.scope["app"] = app


def rendered(request: Request, place: Any, read_models: Sequence[str], render: Callable[[], Response], *,
             strict: bool = True) -> Response:
    """`render()` now, or with `?as_of=` the same `render()` drawn from the views of `read_models` of the place (a
    community, street or district) as of then. `strict=False`: a malformed `?as_of=` shows the page as now."""
    try:
        moment = parse_moment(request.query_params.get("as_of"))
    except InvalidInputError:
        if strict:
            raise
        moment = None
    picker = is_staff(me(request), place)
    kept = tuple((k, v) for k, v in request.query_params.multi_items() if k != "as_of")
    if moment is None:
        request.state.history = Bar(request.url.path, kept, None, picker)
        return render()
    then = request.app.state.history.then(request, place.id, read_models, moment)
    request.state.history = Bar(request.url.path, kept, then, picker)
    with _as_of(request, then):
        return render()
