"""Transitional: what the not-yet-moved route modules expect (community rows as dicts, predicates over them).
Removed once roundtable, volunteer and fund live in web/<context>/."""
from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request

from domain.kernel import people
from projections.accounts import Place
from web import places
from web.http import require  # noqa: F401  (re-exported for the old modules)


def community_or_404(request: Request, community_id: str | None = None) -> dict:
    return asdict(places.community_or_404(request, community_id))


def _place(community: dict) -> Place:
    return Place(**{k: community.get(k) for k in ("id", "kind", "code", "name", "street_id", "district_id")})


class auth:  # noqa: N801
    @staticmethod
    def is_worker(me, community): return people.is_worker(me, _place(community))  # noqa: E704
    @staticmethod
    def is_resident(me, community): return people.is_resident(me, _place(community))  # noqa: E704
    @staticmethod
    def is_member(me, community): return people.is_member(me, _place(community))  # noqa: E704
    @staticmethod
    def is_staff(me, community): return people.is_staff(me, _place(community))  # noqa: E704
    @staticmethod
    def is_fund_manager(me, community): return people.is_fund_manager(me, _place(community))  # noqa: E704
    @staticmethod
    def is_street_official(me, community): return people.is_street_official(me, _place(community))  # noqa: E704
