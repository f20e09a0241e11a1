"""The audit trail: who did what, when, in which community — every event of the log, from the events alone.

Each row keeps ids and the event's type, never free text, so nothing typed into a form can forge or bend a line.
An aggregate's community is learnt from its first event that names one (or its street, for street-wide things)
and remembered for its later events; the actor is the event's `by` (or `scheduled_by`, `created_by`), else the
account the event is about (a resident acting for themself)."""
from __future__ import annotations

from typing import Any

from projections.base import Context, Projection
from projections.db import Database, Tx

projection = Projection(
    name="audit",
    tables={
        "audit_scopes": """CREATE TABLE IF NOT EXISTS audit_scopes (
            aggregate_id TEXT PRIMARY KEY, community_id TEXT, street_id TEXT)""",
        "audit_log": """CREATE TABLE IF NOT EXISTS audit_log (
            position BIGINT PRIMARY KEY, at TEXT NOT NULL, aggregate_type TEXT NOT NULL, event_type TEXT NOT NULL,
            aggregate_id TEXT NOT NULL, actor_id TEXT, community_id TEXT, street_id TEXT)""",
    },
    indexes=["CREATE INDEX IF NOT EXISTS audit_by_community ON audit_log (community_id, position)",
             "CREATE INDEX IF NOT EXISTS audit_by_street ON audit_log (street_id, position)"],
)
ACTOR_FIELDS = ("by", "scheduled_by", "created_by")
SCOPES_REMEMBERED = 100_000   # aggregates whose scope the runner's memo keeps (then it reads them again)
PERSONAL_AGGREGATES = ("Account", "Volunteer")   # events about one person, who acts unless `by` says otherwise


def _record(tx: Tx, e: Any, ctx: Context) -> None:
    aggregate_type, event_type = type(e).__qualname__.split(".")[0], type(e).__name__
    if aggregate_type == "ProcessedCommand":
        return   # the idempotency marker says nothing about who did what
    aggregate_id = str(e.originator_id)
    community = getattr(e, "community_id", None)
    street = getattr(e, "street_id", None)
    scopes = ctx.memo.setdefault("scopes", {}) if ctx.memo is not None else None   # audit_scopes rows, as read
    if scopes is not None and aggregate_id in scopes:
        known = scopes[aggregate_id]
    else:
        # An aggregate's first event: nothing is known of it yet (and its next events need not ask either).
        known = None if e.originator_version == 1 else tx.one(
            "SELECT community_id, street_id FROM audit_scopes WHERE aggregate_id = ?", (aggregate_id,))
        if scopes is not None:
            if len(scopes) > SCOPES_REMEMBERED:
                scopes.clear()
            scopes[aggregate_id] = known
    if known is None and (community or street):
        if community and not street:
            street = tx.scalar("SELECT street_id FROM dir_places WHERE id = ?", (str(community),))
        tx.execute("INSERT INTO audit_scopes (aggregate_id, community_id, street_id) VALUES (?, ?, ?)",
                   (aggregate_id, str(community) if community else None, str(street) if street else None))
        if scopes is not None:
            scopes[aggregate_id] = {"community_id": str(community) if community else None,
                                    "street_id": str(street) if street else None}
    elif known is not None and not community:
        community, street = known["community_id"], known["street_id"]
    elif community and not street:
        street = tx.scalar("SELECT street_id FROM dir_places WHERE id = ?", (str(community),))
    actor = next((getattr(e, f) for f in ACTOR_FIELDS if getattr(e, f, None) is not None), None)
    if actor is None and aggregate_type in PERSONAL_AGGREGATES:
        actor = getattr(e, "account_id", None) or e.originator_id
    at = getattr(e, "at", None) or e.timestamp
    tx.execute("INSERT INTO audit_log (position, at, aggregate_type, event_type, aggregate_id, actor_id, community_id, "
               "street_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (ctx.position, at.isoformat(), aggregate_type, event_type, aggregate_id,
                str(actor) if actor else None, str(community) if community else None,
                str(street) if street else None))


projection.every_event = _record


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------
def trail(db: Database, *, community_id: str | None = None, street_id: str | None = None, limit: int = 50,
          offset: int = 0) -> list[dict]:
    """The newest entries of a community's (or a street's) trail, with the actor's name as the directory shows it."""
    column, value = ("community_id", community_id) if community_id else ("street_id", street_id)
    return db.all("SELECT a.position, a.at, a.aggregate_type, a.event_type, a.aggregate_id, a.actor_id, "
                  "a.community_id, p.name AS actor_name, c.name AS community_name FROM audit_log a "
                  "LEFT JOIN dir_people p ON p.id = a.actor_id LEFT JOIN dir_places c ON c.id = a.community_id "
                  f"WHERE a.{column} = ? ORDER BY a.position DESC LIMIT ? OFFSET ?", (value, limit, offset))


def count(db: Database, *, community_id: str | None = None, street_id: str | None = None) -> int:
    """How many entries a community's (or a street's) trail has."""
    column, value = ("community_id", community_id) if community_id else ("street_id", street_id)
    return db.scalar(f"SELECT COUNT(*) AS n FROM audit_log WHERE {column} = ?", (value,)) or 0
