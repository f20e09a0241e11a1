"""Page contexts of the accounts pages. The home page, the community overview and the street's table show what
other contexts contribute through the registry (`web.contexts.contributions`), never by importing them."""
from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from domain.accounts import policies
from domain.kernel import roles
from domain.kernel.people import is_staff
from projections import accounts as directory
from projections.accounts import Place
from web.contexts import contributions
from web.http import me, services
from web.panels import AgendaItem, Column, Panel


@dataclass(frozen=True)
class HomePage:
    """The home page: a person's notices, schedule, communities and streets; every community for everyone."""

    communities: list[Place]
    mine: list[dict] = field(default_factory=list)
    staff_of: list[Place] = field(default_factory=list)
    notices: list[Panel] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    streets: list[Place] = field(default_factory=list)


def home_page(request: Request) -> HomePage:
    """Everything the home page shows the person asking."""
    db, principal = services(request).views, me(request)
    communities = directory.communities(db)
    if not principal.authenticated:
        return HomePage(communities)
    mine = directory.residencies(db, principal.account_id)
    verified = [r["community_id"] for r in mine if r["status"] == roles.VERIFIED]
    agenda = [item for hook in contributions("agenda") for item in hook(request, verified)] if verified else []
    return HomePage(communities=communities, mine=mine, staff_of=[c for c in communities if is_staff(principal, c)],
                    notices=[n for hook in contributions("notices") for n in hook(request)],
                    agenda=sorted(agenda, key=lambda i: i.starts_at)[:10], streets=overseen_streets(request))


def overseen_streets(request: Request) -> list[Place]:
    """The streets whose communities the person oversees (as a street official, or one of their district)."""
    db, principal = services(request).views, me(request)
    streets = {}
    for place in directory.places_of_kind(db, "street"):
        if policies.may_oversee_street(principal, place):
            streets[place.id] = place
    return list(streets.values())


@dataclass(frozen=True)
class CommunityPage:
    """A community's overview: residents at a glance and a card per context."""

    verified: int
    pending: int
    cards: list[Panel]


def community_page(request: Request, community: Place) -> CommunityPage:
    """Counts and every context's card for the community."""
    db = services(request).views
    pending = directory.count_residents(db, community.id, roles.PENDING) \
        if policies.may_review_residents(me(request), community) else 0
    cards = [card for hook in contributions("overview_card") if (card := hook(request, community)) is not None]
    return CommunityPage(verified=directory.count_residents(db, community.id, roles.VERIFIED), pending=pending,
                         cards=cards)


@dataclass(frozen=True)
class StreetPage:
    """Every community of a street side by side: residents, then each context's columns."""

    street: Place
    communities: list[Place]
    verified: dict[str, int]
    pending: dict[str, int]
    columns: list[Column]


def street_page(request: Request, street: Place) -> StreetPage:
    """The street's table of communities."""
    db = services(request).views
    communities = directory.communities(db, street.id)
    return StreetPage(
        street=street, communities=communities,
        verified={c.id: directory.count_residents(db, c.id, roles.VERIFIED) for c in communities},
        pending={c.id: directory.count_residents(db, c.id, roles.PENDING) for c in communities},
        columns=[col for hook in contributions("street_columns") for col in hook(request, street, communities)])
