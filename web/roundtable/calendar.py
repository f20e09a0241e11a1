"""iCalendar files of the roundtable: the community's feed and one meeting's file, times in Asia/Shanghai."""
from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event
from starlette.requests import Request
from starlette.responses import Response

from domain.kernel.time import SHANGHAI
from web.http import url_for
from web.places import Place
from web.roundtable.pages import public_base


def calendar(request: Request, community: Place, rows: list[dict]) -> Calendar:
    """A calendar of the meeting rows; a cancelled meeting stays in it, marked CANCELLED."""
    cal = Calendar()
    cal.add("prodid", "-//Linli 邻里//Roundtable//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{community.name} 议事会")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    base = public_base(request)
    for row in rows:
        ev = Event()
        ev.add("uid", f"{row['id']}@linli")
        ev.add("summary", row["title"])
        ev.add("dtstart", datetime.fromisoformat(row["starts_at"]).astimezone(SHANGHAI))
        ev.add("dtend", datetime.fromisoformat(row["ends_at"]).astimezone(SHANGHAI))
        ev.add("dtstamp", datetime.fromisoformat(row["updated_at"]).astimezone(timezone.utc))
        ev.add("location", row["place"])
        ev.add("description", row["purpose"])
        ev.add("url", base + url_for(request, "roundtable_meeting", community_id=community.id, meeting_id=row["id"]))
        ev.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
        # Calendar clients replace an event only when its SEQUENCE grows: each change of time or place adds one,
        # and so does the cancellation.
        ev.add("sequence", int(row.get("sequence") or 0) + (1 if row["status"] == "cancelled" else 0))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def ics_response(cal: Calendar, filename: str) -> Response:
    """The calendar as a file calendar apps open or subscribe to."""
    return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})
