"""What the volunteer station adds to other pages: the next action day on the community overview, a person's
coming shifts in their schedule, their notices on the home page, and the street's count of coming days."""
from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request

from projections import volunteer as views
from projections.accounts import Place
from web.http import me, services, url_for
from web.localtime import local_time, local_today, now
from web.panels import AgendaItem, Column, Panel


def overview_card(request: Request, community: Place) -> Panel:
    """The community's next action day (or its street's)."""
    days = views.upcoming_days(services(request).views, asdict(community), local_today(request).isoformat(), limit=1)
    return Panel("volunteer/_overview_card.html", {"community": community, "day": days[0] if days else None})


def agenda(request: Request, community_ids: list[str]) -> list[AgendaItem]:
    """The shifts the person holds (or waits for) that have not ended or been called off."""
    moment = now(request)
    items = []
    for shift in views.my_shifts(services(request).views, me(request).account_id,
                                 since=local_today(request).isoformat()):
        if shift["cancel_reason"] or shift["ends_at"] < moment.isoformat():
            continue
        items.append(AgendaItem(
            kind="志愿服务", title=f"{shift['title']} · {shift['task']}", starts_at=shift["starts_at"],
            when=local_time(shift["starts_at"]), place=shift["place"], waitlisted=shift["status"] == "waitlisted",
            url=url_for(request, "volunteer_day", community_id=shift["community_id"] or community_ids[0],
                        day_id=shift["day_id"])))
    return items


def notices(request: Request) -> list[Panel]:
    """Promotions from a waitlist and called-off shifts the person has not seen yet."""
    rows = views.unseen_notices(services(request).views, me(request).account_id, views.NOTICE_KINDS)
    return [Panel("volunteer/_notice.html", {"notice": n}) for n in rows]


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """How many action days each community has coming (its own and the street's)."""
    db, today = services(request).views, local_today(request).isoformat()
    return [Column("即将开展的行动日", {c.id: str(len(views.upcoming_days(db, asdict(c), today))) for c in communities})]
