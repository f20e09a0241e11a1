"""Who is asking. The principal is an `Actor` read from the directory view, so pages ask the very policies the
services enforce (deny by default: routes must ask); the services ask again of the actor the events describe."""
from __future__ import annotations

from dataclasses import dataclass

from domain.kernel import roles
from domain.kernel.actor import Actor
from projections import accounts as directory
from projections.db import Database


@dataclass(frozen=True)
class Principal(Actor):
    """The person behind a request (anonymous when `account_id` is None), with their name for the header."""

    name: str = ""
    phone: str = ""


ANONYMOUS = Principal()


def principal_for(db: Database, account_id: str) -> Principal:
    """The principal for a logged-in account, from the directory view (anonymous once erased)."""
    person = directory.person(db, account_id)
    if person is None or person["erased"]:
        return ANONYMOUS
    grants = frozenset((g["role"], g["scope_id"]) for g in directory.grants(db, account_id))
    residencies = {r["community_id"]: r["status"] for r in directory.residencies(db, account_id)}
    mine = set(residencies) | {scope for role, scope in grants if role in roles.COMMUNITY_ROLES}
    streets = directory.streets_of(db, mine)
    return Principal(account_id=account_id, grants=grants, residencies=residencies, streets=streets,
                     name=person["name"], phone=person["phone"])
