"""The meeting-room screen (会场大屏) over server-sent events: the fragment whenever it changes. It shows the item
under discussion, who speaks and for how long (the clock ticks on the server: while someone speaks the fragment
changes every second), attendance and quorum, and how many votes are in, never the split, until a motion closes
(the view holds no split before then)."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import StreamingResponse

from domain.roundtable import policies
from projections import roundtable as views
from web.http import gettext_for, services
from web.localtime import now
from web.roundtable.pages import NAMES

LIVE_SECONDS = 10 * 60          # one server-sent-events connection lives at most this long
LIVE_INTERVAL = 1.0             # the room screen polls the views this often
FINISHED = ("closed", "cancelled")


def tally(request: Request, meeting_id: str) -> dict | None:
    """What the room screen shows: attendance and quorum, the floor (item, speaker, their time), each motion."""
    t = views.live_tally(services(request).views, meeting_id)
    if t is None:
        return None
    speaker = t["floor"]["speaker"] if t["floor"] else None
    seconds = 0
    if speaker is not None:
        seconds = max(0, int((now(request) - datetime.fromisoformat(speaker["started_at"])).total_seconds()))
    limit = t["floor"]["limit_seconds"] if t["floor"] else 0
    return {**t, "elapsed": clock_text(seconds), "limit": clock_text(limit) if limit else "",
            "over_time": speaker is not None and policies.over_time(seconds, limit)}


def clock_text(seconds: int) -> str:
    """Seconds as the room clock shows them: 3:07, 12:00."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def tally_html(request: Request, meeting_id: str) -> tuple[str, bool]:
    """The tally fragment as text, and whether the meeting has finished (no more changes to stream)."""
    t = tally(request, meeting_id)
    _ = gettext_for(request)
    html = request.app.state.templates.get_template("roundtable/_tally.html").render(t=t, names=NAMES, _=_,
                                                                                      gettext=_)
    return html, t["meeting"]["status"] in FINISHED


def sse(event_name: str, html: str) -> str:
    """One server-sent event; each line of `html` a `data:` line."""
    return f"event: {event_name}\n" + "".join(f"data: {line}\n" for line in html.splitlines() or [""]) + "\n"


def stream(request: Request, meeting_id: str) -> StreamingResponse:
    """The tally, polled every second, sent when it changes, for at most 10 minutes or until the meeting ends."""
    async def events():
        deadline = time.monotonic() + LIVE_SECONDS
        last = None
        yield "retry: 3000\n\n"
        while time.monotonic() < deadline:
            html, finished = await run_in_threadpool(tally_html, request, meeting_id)
            if html != last:
                last = html
                yield sse("tally", html)
            if finished or await request.is_disconnected():
                return
            await asyncio.sleep(LIVE_INTERVAL)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
