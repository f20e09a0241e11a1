"""The grid service read model: grids and their buildings, categories and limits, requests with their timelines
(texts unsealed under the reporter's key), the visit diary, residents' ratings of their community and street, the
assessment weights, and the figures (三率) measured from the requests' events.

Photos are not events: their re-encoded bytes are sealed under the reporter's key and kept in `grid_photos`,
which a rebuild never drops (it cannot be rebuilt from the log) and an erasure empties of the person's photos."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.accounts.model import Account
from domain.grid import policies
from domain.grid.model import (BASICALLY, DEFAULT_ACCEPT_HOURS, DEFAULT_CATEGORIES, SATISFIED, AssessmentWeights, Grids,
                               PlaceRating, Request, Visit, area_key, period_of)
from domain.kernel.privacy import ERASED
from projections import accounts as directory
from projections.accounts import Place
from projections.base import Context, Projection
from projections.db import Database, Tx

PHOTOS_DDL = """CREATE TABLE IF NOT EXISTS grid_photos (
    request_id TEXT PRIMARY KEY, digest TEXT NOT NULL, sealed TEXT NOT NULL, reporter_id TEXT NOT NULL)"""

projection = Projection(
    name="grid",
    tables={
        "grid_books": """CREATE TABLE IF NOT EXISTS grid_books (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL UNIQUE, accept_hours INTEGER NOT NULL)""",
        "grid_grids": """CREATE TABLE IF NOT EXISTS grid_grids (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,
            defined_at TEXT NOT NULL)""",
        "grid_areas": """CREATE TABLE IF NOT EXISTS grid_areas (
            community_id TEXT NOT NULL, area_key TEXT NOT NULL, grid_id TEXT NOT NULL, building TEXT NOT NULL,
            unit TEXT NOT NULL, PRIMARY KEY (community_id, area_key))""",
        "grid_categories": """CREATE TABLE IF NOT EXISTS grid_categories (
            community_id TEXT NOT NULL, category_id TEXT NOT NULL, name TEXT NOT NULL, resolve_hours INTEGER NOT NULL,
            retired INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (community_id, category_id))""",
        "grid_requests": """CREATE TABLE IF NOT EXISTS grid_requests (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, street_id TEXT NOT NULL, grid_id TEXT,
            level TEXT NOT NULL, max_level TEXT NOT NULL, status TEXT NOT NULL, reporter_id TEXT NOT NULL,
            by_id TEXT NOT NULL, visit_id TEXT, category_id TEXT NOT NULL, category TEXT NOT NULL,
            building TEXT NOT NULL, unit TEXT NOT NULL, place TEXT NOT NULL, description TEXT NOT NULL,
            photo TEXT NOT NULL, public INTEGER NOT NULL, submitted_at TEXT NOT NULL, period TEXT NOT NULL,
            accept_due TEXT NOT NULL, resolve_due TEXT NOT NULL, accepted_at TEXT, first_resolved_at TEXT,
            resolved_at TEXT, closed_at TEXT, rating TEXT, rating_comment TEXT NOT NULL DEFAULT '',
            reopened INTEGER NOT NULL DEFAULT 0, escalations INTEGER NOT NULL DEFAULT 0, merged_into TEXT)""",
        "grid_followers": """CREATE TABLE IF NOT EXISTS grid_followers (
            request_id TEXT NOT NULL, account_id TEXT NOT NULL, PRIMARY KEY (request_id, account_id))""",
        "grid_timeline": """CREATE TABLE IF NOT EXISTS grid_timeline (
            position BIGINT NOT NULL, request_id TEXT NOT NULL, event_type TEXT NOT NULL, at TEXT NOT NULL,
            by_id TEXT, level TEXT, to_level TEXT, text TEXT NOT NULL DEFAULT '', PRIMARY KEY (position, request_id))""",
        "grid_visits": """CREATE TABLE IF NOT EXISTS grid_visits (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, grid_id TEXT NOT NULL, visited_on TEXT NOT NULL,
            household_id TEXT, sealed_for TEXT NOT NULL, place TEXT NOT NULL, raised TEXT NOT NULL,
            by_id TEXT NOT NULL, at TEXT NOT NULL, request_id TEXT)""",
        "grid_place_ratings": """CREATE TABLE IF NOT EXISTS grid_place_ratings (
            id TEXT PRIMARY KEY, position BIGINT NOT NULL, period TEXT NOT NULL, place_kind TEXT NOT NULL,
            place_id TEXT NOT NULL, community_id TEXT NOT NULL, street_id TEXT NOT NULL, account_id TEXT NOT NULL,
            score INTEGER NOT NULL, comment TEXT NOT NULL, at TEXT NOT NULL)""",
        "grid_weights": """CREATE TABLE IF NOT EXISTS grid_weights (
            weights_id TEXT NOT NULL, street_id TEXT NOT NULL, period TEXT NOT NULL, kind TEXT NOT NULL, share INTEGER NOT NULL,
            by_id TEXT, at TEXT, position BIGINT, PRIMARY KEY (street_id, period, kind))""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS grid_requests_by_community ON grid_requests (community_id, status)",
        "CREATE INDEX IF NOT EXISTS grid_requests_by_street ON grid_requests (street_id, level, status)",
        "CREATE INDEX IF NOT EXISTS grid_requests_by_grid ON grid_requests (grid_id, status)",
        "CREATE INDEX IF NOT EXISTS grid_followers_by_account ON grid_followers (account_id)",
        "CREATE INDEX IF NOT EXISTS grid_timeline_by_request ON grid_timeline (request_id, position)",
        "CREATE INDEX IF NOT EXISTS grid_visits_by_grid ON grid_visits (grid_id, visited_on)",
        "CREATE INDEX IF NOT EXISTS grid_ratings_by_place ON grid_place_ratings (place_id, period)",
        # Created with the views, but not one of `tables`: a rebuild drops those, and photos cannot be replayed.
        PHOTOS_DDL,
    ],
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


# --- grids, categories, limits --------------------------------------------------------------------------------------
@projection.on(Grids.Started)
def _book_started(tx: Tx, e, ctx: Context) -> None:
    community = str(e.community_id)
    tx.execute("INSERT INTO grid_books (id, community_id, accept_hours) VALUES (?, ?, ?)",
               (str(e.originator_id), community, e.accept_hours))
    for c in e.categories:
        tx.execute("INSERT INTO grid_categories (community_id, category_id, name, resolve_hours) VALUES (?, ?, ?, ?)",
                   (community, c["id"], c["name"], c["resolve_hours"]))


def _book_community(tx: Tx, e) -> str:
    """The community whose grid book the event changes."""
    return tx.scalar("SELECT community_id FROM grid_books WHERE id = ?", (str(e.originator_id),))


@projection.on(Grids.GridDefined)
def _grid_defined(tx: Tx, e, ctx: Context) -> None:
    community = _book_community(tx, e)
    number = (tx.scalar("SELECT COUNT(*) AS n FROM grid_grids WHERE community_id = ?", (community,)) or 0) + 1
    tx.execute("INSERT INTO grid_grids (id, community_id, number, name, defined_at) VALUES (?, ?, ?, ?, ?)",
               (str(e.grid_id), community, number, e.name, _iso(e.at)))


@projection.on(Grids.AreaAssigned)
def _area_assigned(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO grid_areas (community_id, area_key, grid_id, building, unit) VALUES (?, ?, ?, ?, ?)",
               (_book_community(tx, e), area_key(e.building, e.unit), str(e.grid_id), e.building, e.unit))


@projection.on(Grids.AreaReleased)
def _area_released(tx: Tx, e, ctx: Context) -> None:
    tx.execute("DELETE FROM grid_areas WHERE community_id = ? AND area_key = ?",
               (_book_community(tx, e), area_key(e.building, e.unit)))


@projection.on(Grids.CategoryAdded)
def _category_added(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO grid_categories (community_id, category_id, name, resolve_hours) VALUES (?, ?, ?, ?)",
               (_book_community(tx, e), e.category_id, e.name, e.resolve_hours))


@projection.on(Grids.ResolveHoursSet)
def _resolve_hours_set(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_categories SET resolve_hours = ? WHERE community_id = ? AND category_id = ?",
               (e.hours, _book_community(tx, e), e.category_id))


@projection.on(Grids.CategoryRetired)
def _category_retired(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_categories SET retired = 1 WHERE community_id = ? AND category_id = ?",
               (_book_community(tx, e), e.category_id))


@projection.on(Grids.AcceptHoursSet)
def _accept_hours_set(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_books SET accept_hours = ? WHERE id = ?", (e.hours, str(e.originator_id)))


# --- requests --------------------------------------------------------------------------------------------------------
def _timeline(tx: Tx, e, ctx: Context, event_type: str, *, level: str | None = None, to_level: str | None = None,
              text: str = "", by: Any = None) -> None:
    tx.execute("INSERT INTO grid_timeline (position, request_id, event_type, at, by_id, level, to_level, text) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (ctx.position, str(e.originator_id), event_type, _iso(e.at), _id(by), level, to_level, text))


def _reporter(tx: Tx, e) -> str:
    return tx.scalar("SELECT reporter_id FROM grid_requests WHERE id = ?", (str(e.originator_id),))


def _opened(ctx: Context, tx: Tx, e, value: str) -> str:
    """A reason, note or comment as written (sealed under the reporter's key: '' once they are erased)."""
    return ctx.sealer.open_text(UUID(_reporter(tx, e)), value) or ""


@projection.on(Request.Submitted)
def _submitted(tx: Tx, e, ctx: Context) -> None:
    personal = ctx.sealer.unseal(e.reporter_id, e.personal) or {"description": ERASED, "unit": "", "place": ""}
    tx.execute("INSERT INTO grid_requests (id, community_id, street_id, grid_id, level, max_level, status, reporter_id, "
               "by_id, visit_id, category_id, category, building, unit, place, description, photo, public, "
               "submitted_at, period, accept_due, resolve_due) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.community_id), str(e.street_id), _id(e.grid_id), e.level, e.level,
                policies.SUBMITTED, str(e.reporter_id), str(e.by), _id(e.visit_id), e.category_id, e.category,
                e.building, personal["unit"], personal["place"], personal["description"], e.photo,
                1 if e.public else 0, _iso(e.at), period_of(e.at), _iso(e.accept_due), _iso(e.resolve_due)))
    tx.execute("INSERT INTO grid_followers (request_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
               (str(e.originator_id), str(e.reporter_id)))
    _timeline(tx, e, ctx, "Submitted", level=e.level, by=e.by)


@projection.on(Request.Accepted)
def _accepted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_requests SET status = ?, accepted_at = COALESCE(accepted_at, ?) WHERE id = ?",
               (policies.IN_PROGRESS, _iso(e.at), str(e.originator_id)))
    _timeline(tx, e, ctx, "Accepted", level=e.level, by=e.by)


@projection.on(Request.Escalated)
def _escalated(tx: Tx, e, ctx: Context) -> None:
    row = tx.one("SELECT max_level FROM grid_requests WHERE id = ?", (str(e.originator_id),))
    highest = e.to_level if policies.LEVELS.index(e.to_level) > policies.LEVELS.index(row["max_level"]) \
        else row["max_level"]
    tx.execute("UPDATE grid_requests SET level = ?, max_level = ?, escalations = escalations + 1 WHERE id = ?",
               (e.to_level, highest, str(e.originator_id)))
    _timeline(tx, e, ctx, "Escalated", level=e.from_level, to_level=e.to_level, text=_opened(ctx, tx, e, e.reason),
              by=e.by)


@projection.on(Request.Resolved)
def _resolved(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_requests SET status = ?, resolved_at = ?, first_resolved_at = COALESCE(first_resolved_at, ?) "
               "WHERE id = ?", (policies.RESOLVED, _iso(e.at), _iso(e.at), str(e.originator_id)))
    _timeline(tx, e, ctx, "Resolved", level=e.level, text=_opened(ctx, tx, e, e.note), by=e.by)


@projection.on(Request.Rated)
def _rated(tx: Tx, e, ctx: Context) -> None:
    comment = _opened(ctx, tx, e, e.comment)
    tx.execute("UPDATE grid_requests SET status = ?, closed_at = ?, rating = ?, rating_comment = ? WHERE id = ?",
               (policies.CLOSED, _iso(e.at), e.rating, comment, str(e.originator_id)))
    _timeline(tx, e, ctx, "Rated", text=comment, by=e.by)


@projection.on(Request.Reopened)
def _reopened(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_requests SET status = ?, resolved_at = NULL, reopened = reopened + 1 WHERE id = ?",
               (policies.IN_PROGRESS, str(e.originator_id)))
    _timeline(tx, e, ctx, "Reopened", text=_opened(ctx, tx, e, e.reason), by=e.by)


@projection.on(Request.ClosedUnrated)
def _closed_unrated(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_requests SET status = ?, closed_at = ? WHERE id = ?",
               (policies.CLOSED, _iso(e.at), str(e.originator_id)))
    _timeline(tx, e, ctx, "ClosedUnrated")


@projection.on(Request.MergedInto)
def _merged_into(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_requests SET status = ?, merged_into = ?, closed_at = ? WHERE id = ?",
               (policies.MERGED, str(e.primary_id), _iso(e.at), str(e.originator_id)))
    _timeline(tx, e, ctx, "MergedInto", text=str(e.primary_id), by=e.by)


@projection.on(Request.DuplicateMerged)
def _duplicate_merged(tx: Tx, e, ctx: Context) -> None:
    for follower in e.followers:
        tx.execute("INSERT INTO grid_followers (request_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   (str(e.originator_id), str(follower)))
    _timeline(tx, e, ctx, "DuplicateMerged", text=str(e.duplicate_id), by=e.by)


# --- the visit diary ---------------------------------------------------------------------------------------------------
@projection.on(Visit.Recorded)
def _visit_recorded(tx: Tx, e, ctx: Context) -> None:
    personal = ctx.sealer.unseal(e.sealed_for, e.personal) or {"place": "", "raised": ERASED}
    tx.execute("INSERT INTO grid_visits (id, community_id, grid_id, visited_on, household_id, sealed_for, place, "
               "raised, by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.community_id), str(e.grid_id), e.visited_on, _id(e.household_id),
                str(e.sealed_for), personal["place"], personal["raised"], str(e.by), _iso(e.at)))


@projection.on(Visit.TurnedIntoRequest)
def _visit_turned(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_visits SET request_id = ? WHERE id = ?", (str(e.request_id), str(e.originator_id)))


# --- satisfaction and weights --------------------------------------------------------------------------------------------
@projection.on(PlaceRating.Given)
def _place_rated(tx: Tx, e, ctx: Context) -> None:
    comment = ctx.sealer.open_text(e.by, e.comment) or ""
    tx.execute("INSERT INTO grid_place_ratings (id, position, period, place_kind, place_id, community_id, street_id, "
               "account_id, score, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), ctx.position, e.period, e.place_kind, str(e.place_id), str(e.community_id),
                str(e.street_id), str(e.by), e.score, comment, _iso(e.at)))


@projection.on(AssessmentWeights.Started)
def _weights_started(tx: Tx, e, ctx: Context) -> None:
    for kind, share in ((policies.COMMUNITY, 70), (policies.STREET, 50)):
        tx.execute("INSERT INTO grid_weights (weights_id, street_id, period, kind, share) VALUES (?, ?, ?, ?, ?)",
                   (str(e.originator_id), str(e.street_id), e.period, kind, share))


@projection.on(AssessmentWeights.ShareSet)
def _share_set(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE grid_weights SET share = ?, by_id = ?, at = ?, position = ? WHERE weights_id = ? AND kind = ?",
               (e.percent, str(e.by), _iso(e.at), ctx.position, str(e.originator_id), e.kind))


# --- erasure -------------------------------------------------------------------------------------------------------------
@projection.on(Account.Erased)
def _person_erased(tx: Tx, e, ctx: Context) -> None:
    """What a person reported, was visited about or commented goes unreadable here as in the events; counts stay."""
    person = str(e.originator_id)
    tx.execute("UPDATE grid_requests SET description = ?, unit = '', place = '', rating_comment = '' "
               "WHERE reporter_id = ?", (ERASED, person))
    tx.execute("UPDATE grid_timeline SET text = '' WHERE event_type NOT IN ('MergedInto', 'DuplicateMerged') AND "
               "request_id IN (SELECT id FROM grid_requests WHERE reporter_id = ?)", (person,))
    tx.execute("UPDATE grid_visits SET place = '', raised = ? WHERE sealed_for = ?", (ERASED, person))
    tx.execute("UPDATE grid_place_ratings SET comment = '' WHERE account_id = ?", (person,))
    tx.execute("DELETE FROM grid_photos WHERE reporter_id = ?", (person,))


# --- photos (kept beside the views, never rebuilt) ------------------------------------------------------------------------
def save_photo(db: Database, request_id: str, digest: str, sealed: str, reporter_id: str) -> None:
    """Keep a request's re-encoded photo (sealed under the reporter's key); a repeat keeps the first."""
    with db.transaction() as tx:
        tx.execute("INSERT INTO grid_photos (request_id, digest, sealed, reporter_id) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (request_id) DO NOTHING", (request_id, digest, sealed, reporter_id))


def photo(db: Database, request_id: str) -> dict | None:
    """A request's sealed photo, its digest and whose key seals it."""
    return db.one("SELECT digest, sealed, reporter_id FROM grid_photos WHERE request_id = ?", (request_id,))


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) ----------------------------------------
def accept_hours(db: Database, community_id: str) -> int:
    """Within how many hours the community's requests must be taken on."""
    return db.scalar("SELECT accept_hours FROM grid_books WHERE community_id = ?", (community_id,)) \
        or DEFAULT_ACCEPT_HOURS


def categories(db: Database, community_id: str, with_retired: bool = False) -> list[dict]:
    """The community's request categories (the usual ones until its workers change them)."""
    rows = db.all("SELECT category_id, name, resolve_hours, retired FROM grid_categories WHERE community_id = ? "
                  "ORDER BY CAST(category_id AS INTEGER)", (community_id,))
    if not rows and not db.scalar("SELECT 1 FROM grid_books WHERE community_id = ?", (community_id,)):
        rows = [{"category_id": str(i), "name": name, "resolve_hours": hours, "retired": 0}
                for i, (name, hours) in enumerate(DEFAULT_CATEGORIES, 1)]
    return [r for r in rows if with_retired or not r["retired"]]


def grids(db: Database, community_id: str) -> list[dict]:
    """The community's grids with their buildings and units and their grid workers (names, masked phones)."""
    rows = db.all("SELECT id, number, name FROM grid_grids WHERE community_id = ? ORDER BY number", (community_id,))
    areas = db.all("SELECT grid_id, building, unit FROM grid_areas WHERE community_id = ? ORDER BY building, unit",
                   (community_id,))
    workers = db.all("SELECT g.scope_id AS grid_id, p.id, p.name, p.phone FROM dir_grants g "
                     "JOIN dir_people p ON p.id = g.account_id JOIN grid_grids gg ON gg.id = g.scope_id "
                     "WHERE g.role = 'grid_worker' AND gg.community_id = ? ORDER BY p.name", (community_id,))
    for row in rows:
        row["areas"] = [a for a in areas if a["grid_id"] == row["id"]]
        row["workers"] = [w for w in workers if w["grid_id"] == row["id"]]
    return rows


def grid(db: Database, grid_id: str) -> dict | None:
    """One grid (with its community)."""
    return db.one("SELECT id, community_id, number, name FROM grid_grids WHERE id = ?", (grid_id,))


def area_map(db: Database, community_id: str) -> dict[str, str]:
    """Area key → grid id, to place households in grids as requests are routed."""
    return {r["area_key"]: r["grid_id"] for r in
            db.all("SELECT area_key, grid_id FROM grid_areas WHERE community_id = ?", (community_id,))}


def households(db: Database, community_id: str) -> list[dict]:
    """The community's verified residents with their building and unit (as the directory holds them)."""
    return db.all("SELECT p.id, p.name, p.phone, COALESCE(h.building, '') AS building, COALESCE(h.unit, '') AS unit "
                  "FROM dir_residencies r JOIN dir_people p ON p.id = r.account_id "
                  "LEFT JOIN dir_homes h ON h.account_id = r.account_id AND h.community_id = r.community_id "
                  "WHERE r.community_id = ? AND r.status = 'verified' ORDER BY h.building, h.unit, p.name",
                  (community_id,))


def home(db: Database, account_id: str, community_id: str) -> dict | None:
    """The building and unit a person gave for the community."""
    return db.one("SELECT building, unit FROM dir_homes WHERE account_id = ? AND community_id = ?",
                  (account_id, community_id))


_REQUEST = ("SELECT r.*, g.name AS grid_name, c.name AS community_name FROM grid_requests r "
            "LEFT JOIN grid_grids g ON g.id = r.grid_id LEFT JOIN dir_places c ON c.id = r.community_id ")


def request(db: Database, request_id: str) -> dict | None:
    """One request with its grid's and community's names."""
    return db.one(_REQUEST + "WHERE r.id = ?", (request_id,))


def followers(db: Database, request_id: str) -> list[str]:
    """Who follows the request: its reporter and the reporters of duplicates merged into it."""
    return [r["account_id"] for r in db.all("SELECT account_id FROM grid_followers WHERE request_id = ?",
                                            (request_id,))]


def timeline(db: Database, request_ids: Iterable[str]) -> dict[str, list[dict]]:
    """The events of each request, oldest first, with who acted."""
    ids = list(request_ids)
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = db.all("SELECT t.*, p.name AS by_name FROM grid_timeline t LEFT JOIN dir_people p ON p.id = t.by_id "
                  f"WHERE t.request_id IN ({marks}) ORDER BY t.position", ids)
    out: dict[str, list[dict]] = {i: [] for i in ids}
    for row in rows:
        out[row["request_id"]].append(row)
    return out


def my_requests(db: Database, account_id: str, community_id: str | None = None) -> list[dict]:
    """The requests a person reported or follows (newest first), in one community when given."""
    where, params = ("AND r.community_id = ? ", (account_id, community_id)) if community_id else ("", (account_id,))
    return db.all(_REQUEST + "JOIN grid_followers f ON f.request_id = r.id "
                  f"WHERE f.account_id = ? {where}ORDER BY r.submitted_at DESC", params)


_DUE = "CASE WHEN r.status = 'submitted' THEN r.accept_due ELSE r.resolve_due END"


def open_requests(db: Database, *, grid_ids: Iterable[str] = (), community_id: str | None = None,
                  street_level_of: str | None = None) -> list[dict]:
    """Open requests by the time they are next due: of some grids (at grid level), of a community at any level, or
    those escalated to a street."""
    if street_level_of is not None:
        where, params = "r.street_id = ? AND r.level = 'street'", [street_level_of]
    elif community_id is not None:
        where, params = "r.community_id = ?", [community_id]
    else:
        ids = list(grid_ids)
        if not ids:
            return []
        where, params = f"r.grid_id IN ({', '.join('?' for _ in ids)}) AND r.level = 'grid'", ids
    return db.all(_REQUEST + f"WHERE {where} AND r.status IN ('submitted', 'in_progress') "
                  f"ORDER BY {_DUE}, r.submitted_at", params)


def community_requests(db: Database, community_id: str, *, statuses: Iterable[str] = (), category: str = "",
                       grid_id: str = "", limit: int = 50, offset: int = 0) -> list[dict]:
    """A community's requests, newest first, filtered by status, category and grid."""
    where, params = _filters(community_id, statuses, category, grid_id)
    return db.all(_REQUEST + f"WHERE {where} ORDER BY r.submitted_at DESC, r.id LIMIT ? OFFSET ?",
                  [*params, limit, offset])


def count_requests(db: Database, community_id: str, *, statuses: Iterable[str] = (), category: str = "",
                   grid_id: str = "") -> int:
    """How many requests `community_requests` would list in all."""
    where, params = _filters(community_id, statuses, category, grid_id)
    return db.scalar(f"SELECT COUNT(*) AS n FROM grid_requests r WHERE {where}", params) or 0


def _filters(community_id: str, statuses: Iterable[str], category: str, grid_id: str) -> tuple[str, list]:
    where, params = ["r.community_id = ?"], [community_id]
    statuses = list(statuses)
    if statuses:
        where.append(f"r.status IN ({', '.join('?' for _ in statuses)})")
        params += statuses
    if category:
        where.append("r.category_id = ?")
        params.append(category)
    if grid_id:
        where.append("r.grid_id = ?")
        params.append(grid_id)
    return " AND ".join(where), params


def breakdown(db: Database, community_id: str, now: datetime) -> dict[str, list[dict]]:
    """The community's requests counted by category and by grid: all, open and overdue now."""
    rows = db.all("SELECT r.status, r.category, COALESCE(g.name, '') AS grid, r.accept_due, r.resolve_due "
                  "FROM grid_requests r LEFT JOIN grid_grids g ON g.id = r.grid_id "
                  "WHERE r.community_id = ? AND r.status <> 'merged'", (community_id,))
    out = {}
    for key in ("category", "grid"):
        counts: dict[str, dict] = {}
        for r in rows:
            c = counts.setdefault(r[key], {"name": r[key], "all": 0, "open": 0, "overdue": 0})
            c["all"] += 1
            c["open"] += r["status"] in policies.OPEN_STATUSES
            c["overdue"] += is_overdue(r, now)
        out[key] = sorted(counts.values(), key=lambda c: (-c["all"], c["name"]))
    return out


def is_overdue(row: dict, now: datetime) -> bool:
    """Past its acceptance or resolution time limit and still open."""
    return policies.acceptance_overdue(row["status"], row["accept_due"], now) or \
        policies.resolution_overdue(row["status"], row["resolve_due"], now)


def overdue(db: Database, community_id: str, now: datetime) -> list[dict]:
    """The community's open requests past a time limit, most overdue first."""
    return [r for r in open_requests(db, community_id=community_id) if is_overdue(r, now)]


def lapsed(db: Database, now: datetime, community_id: str | None = None) -> list[str]:
    """Resolved requests whose reporter has left them unanswered past the confirmation period."""
    cutoff = (now - timedelta(days=policies.CONFIRMATION_DAYS)).isoformat()
    where, params = ("AND community_id = ? ", [community_id]) if community_id else ("", [])
    rows = db.all(f"SELECT id FROM grid_requests WHERE status = 'resolved' AND resolved_at <= ? {where}"
                  "ORDER BY resolved_at LIMIT 200", [cutoff, *params])
    return [r["id"] for r in rows]


def board(db: Database, community_id: str, limit: int = 100) -> list[dict]:
    """Resolved requests the reporter allowed to be shown: category, building, days taken — nothing else."""
    rows = db.all("SELECT id, category, building, submitted_at, first_resolved_at, status FROM grid_requests "
                  "WHERE community_id = ? AND public = 1 AND first_resolved_at IS NOT NULL AND status <> 'merged' "
                  "ORDER BY first_resolved_at DESC LIMIT ?", (community_id, limit))
    for r in rows:
        taken = datetime.fromisoformat(r["first_resolved_at"]) - datetime.fromisoformat(r["submitted_at"])
        r["days"] = max(1, -(-int(taken.total_seconds()) // 86400))
    return rows


def visits(db: Database, grid_id: str, limit: int = 50) -> list[dict]:
    """A grid's visit diary, latest first, with the household's name and the writer's."""
    return db.all("SELECT v.*, h.name AS household_name, w.name AS by_name FROM grid_visits v "
                  "LEFT JOIN dir_people h ON h.id = v.household_id LEFT JOIN dir_people w ON w.id = v.by_id "
                  "WHERE v.grid_id = ? ORDER BY v.visited_on DESC, v.at DESC LIMIT ?", (grid_id, limit))


def visit(db: Database, visit_id: str) -> dict | None:
    """One visit of the diary."""
    return db.one("SELECT v.*, h.name AS household_name FROM grid_visits v LEFT JOIN dir_people h "
                  "ON h.id = v.household_id WHERE v.id = ?", (visit_id,))


# --- satisfaction, measured figures and weights ------------------------------------------------------------------------
FIGURES = ("response", "on_time", "satisfaction", "within_community")


@dataclass(frozen=True)
class Figure:
    """A rate: how many counted, out of how many it is measured over."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        return 100 * self.numerator / self.denominator if self.denominator else None


def counted(row: dict, now: datetime) -> dict[str, tuple[bool, bool]]:
    """For each figure: whether the request is measured by it, and whether it counts for it."""
    moment = datetime.fromisoformat
    accepted, first_resolved = row["accepted_at"], row["first_resolved_at"]
    accept_due, resolve_due = moment(row["accept_due"]), moment(row["resolve_due"])
    return {
        "response": (bool(accepted) or now > accept_due, bool(accepted) and moment(accepted) <= accept_due),
        "on_time": (bool(first_resolved) or now > resolve_due,
                    bool(first_resolved) and moment(first_resolved) <= resolve_due),
        "satisfaction": (row["status"] == policies.CLOSED, row["rating"] in (SATISFIED, BASICALLY)),
        "within_community": (bool(first_resolved), bool(first_resolved) and row["max_level"] != policies.STREET),
    }


def _period_rows(db: Database, community_ids: list[str], period: str) -> list[dict]:
    if not community_ids:
        return []
    marks = ", ".join("?" for _ in community_ids)
    return db.all(_REQUEST + f"WHERE r.community_id IN ({marks}) AND r.period = ? AND r.status <> 'merged' "
                  "ORDER BY r.submitted_at", [*community_ids, period])


def measures(db: Database, community_ids: list[str], period: str, now: datetime) -> dict[str, dict[str, Figure]]:
    """Each community's figures for the period (requests submitted in it), and "all" of them together."""
    tallies: dict[str, dict[str, list[int]]] = defaultdict(lambda: {f: [0, 0] for f in FIGURES})
    for row in _period_rows(db, community_ids, period):
        for figure, (measured, counts) in counted(row, now).items():
            for key in (row["community_id"], "all"):
                tallies[key][figure][0] += counts and measured
                tallies[key][figure][1] += measured
    return {key: {f: Figure(*tallies[key][f]) for f in FIGURES} for key in [*community_ids, "all"]}


def figure_rows(db: Database, community_ids: list[str], period: str, figure: str, now: datetime) -> list[dict]:
    """The requests a figure is measured over, whether each counts, and the events that decide it."""
    rows = [r for r in _period_rows(db, community_ids, period) if counted(r, now)[figure][0]]
    events = timeline(db, [r["id"] for r in rows])
    for r in rows:
        r["counts"] = counted(r, now)[figure][1]
        r["events"] = events.get(r["id"], [])
    return rows


def rating_summary(db: Database, place_ids: list[str], period: str) -> dict[str, dict]:
    """Residents' ratings of each place in the period: how many, and their mean (None without any)."""
    out = {p: {"count": 0, "mean": None} for p in place_ids}
    if not place_ids:
        return out
    marks = ", ".join("?" for _ in place_ids)
    for r in db.all(f"SELECT place_id, COUNT(*) AS n, SUM(score) AS total FROM grid_place_ratings "
                    f"WHERE place_id IN ({marks}) AND period = ? GROUP BY place_id", [*place_ids, period]):
        out[r["place_id"]] = {"count": r["n"], "mean": r["total"] / r["n"] if r["n"] else None}
    return out


def ratings(db: Database, place_id: str, period: str) -> list[dict]:
    """Every rating of a place in the period (scores and comments, never who gave them), in log order."""
    return db.all("SELECT position, at, score, comment, place_kind FROM grid_place_ratings "
                  "WHERE place_id = ? AND period = ? ORDER BY position", (place_id, period))


def rated_places(db: Database, account_id: str, period: str) -> set[str]:
    """The places the person has rated in the period."""
    return {r["place_id"] for r in db.all("SELECT place_id FROM grid_place_ratings WHERE account_id = ? AND period = ?",
                                          (account_id, period))}


def weights(db: Database, street_id: str, period: str) -> dict[str, dict]:
    """Residents' share of the score for the street's communities and for the street (the floors until set)."""
    out = {policies.COMMUNITY: {"share": 70, "position": None, "at": None},
           policies.STREET: {"share": 50, "position": None, "at": None}}
    for r in db.all("SELECT kind, share, position, at FROM grid_weights WHERE street_id = ? AND period = ?",
                    (street_id, period)):
        out[r["kind"]] = {"share": r["share"], "position": r["position"], "at": r["at"]}
    return out


def open_counts(db: Database, community_ids: list[str], now: datetime) -> dict[str, tuple[int, int]]:
    """(open, overdue) requests of each community now."""
    out = {c: (0, 0) for c in community_ids}
    if not community_ids:
        return out
    marks = ", ".join("?" for _ in community_ids)
    for r in db.all(f"SELECT community_id, status, accept_due, resolve_due FROM grid_requests "
                    f"WHERE community_id IN ({marks}) AND status IN ('submitted', 'in_progress')", community_ids):
        n, late = out[r["community_id"]]
        out[r["community_id"]] = (n + 1, late + is_overdue(r, now))
    return out


def awaiting_answer(db: Database, account_id: str) -> list[dict]:
    """The person's resolved requests waiting for them to confirm and rate."""
    return db.all(_REQUEST + "WHERE r.reporter_id = ? AND r.status = 'resolved' ORDER BY r.resolved_at",
                  (account_id,))


def my_ratings(db: Database, account_id: str) -> list[dict]:
    """The person's ratings of communities and streets, with the places' names."""
    return db.all("SELECT r.period, r.place_kind, r.score, r.comment, r.at, p.name AS place_name "
                  "FROM grid_place_ratings r LEFT JOIN dir_places p ON p.id = r.place_id "
                  "WHERE r.account_id = ? ORDER BY r.period, r.place_kind", (account_id,))


def visits_about(db: Database, account_id: str) -> list[dict]:
    """Diary entries about the person's household."""
    return db.all("SELECT visited_on, raised, request_id FROM grid_visits WHERE household_id = ? ORDER BY visited_on",
                  (account_id,))


def street(db: Database, street_id: str) -> dict | None:
    """A street's id and name (from the directory)."""
    return db.one("SELECT id, name FROM dir_places WHERE id = ? AND kind = 'street'", (street_id,))


def communities_of(db: Database, street_id: str) -> list[Place]:
    """The street's communities (as the directory's places)."""
    return directory.communities(db, street_id)
