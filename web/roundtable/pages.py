"""What the roundtable adds to other pages: the next meeting on the community overview, a person's coming
meetings in their schedule, and the street's count of coming meetings."""
from __future__ import annotations

from starlette.requests import Request

from projections import roundtable as views
from projections.accounts import Place
from web.http import me, services, url_for
from web.localtime import local_time, now
from web.panels import AgendaItem, Column, Panel


def overview_card(request: Request, community: Place) -> Panel:
    """The community's next meeting."""
    upcoming = views.upcoming_meetings(services(request).views, community.id, now(request))
    meeting = upcoming[0] if upcoming else None
    return Panel("roundtable/_overview_card.html", {"community": community, "meeting": meeting,
                                                     "starts_at": local_time(meeting["starts_at"]) if meeting else ""})


def agenda(request: Request, community_ids: list[str]) -> list[AgendaItem]:
    """The meetings the person registered (or waits) for."""
    db, account_id = services(request).views, me(request).account_id
    items = []
    for community_id in community_ids:
        registered = views.viewer_registrations(db, community_id, account_id)
        for m in views.upcoming_meetings(db, community_id, now(request)):
            if m["id"] in registered:
                items.append(AgendaItem(
                    kind="议事会", title=m["title"], starts_at=m["starts_at"], when=local_time(m["starts_at"]),
                    place=m["place"], waitlisted=registered[m["id"]] == "waitlisted",
                    url=url_for(request, "roundtable_meeting", community_id=community_id, meeting_id=m["id"]),
                    rescheduled=bool(views.reschedules(db, m["id"]))))
    return items


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """How many meetings each community has coming."""
    db, moment = services(request).views, now(request)
    return [Column("即将召开的会议", {c.id: str(len(views.upcoming_meetings(db, c.id, moment))) for c in communities})]
