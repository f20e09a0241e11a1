"""The accounts context's read model, the directory: places, people (names and phones unsealed), residencies and
role grants."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.accounts.model import Account, Community, District, Street
from domain.kernel.privacy import ERASED
from projections.base import Context, Projection
from projections.db import Database, Tx

@dataclass(frozen=True)
class Place:
    """A district, street or community as the pages show it (and as the policies read it: id, street, district)."""

    id: str
    kind: str
    code: str
    name: str
    street_id: str | None = None
    district_id: str | None = None
    street_name: str = ""


projection = Projection(
    name="directory",
    tables={
        "dir_places": """CREATE TABLE IF NOT EXISTS dir_places (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
            street_id TEXT, district_id TEXT)""",
        "dir_people": """CREATE TABLE IF NOT EXISTS dir_people (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, registered_at TEXT NOT NULL,
            erased INTEGER NOT NULL DEFAULT 0)""",
        "dir_residencies": """CREATE TABLE IF NOT EXISTS dir_residencies (
            account_id TEXT NOT NULL, community_id TEXT NOT NULL, status TEXT NOT NULL,
            requested_at TEXT NOT NULL, decided_at TEXT, decided_by TEXT, reason TEXT,
            PRIMARY KEY (account_id, community_id))""",
        # Added with building and unit: a new table (not new columns), so existing view databases need no rebuild.
        "dir_homes": """CREATE TABLE IF NOT EXISTS dir_homes (
            account_id TEXT NOT NULL, community_id TEXT NOT NULL, building TEXT NOT NULL, unit TEXT NOT NULL,
            given_by TEXT NOT NULL, PRIMARY KEY (account_id, community_id))""",
        "dir_grants": """CREATE TABLE IF NOT EXISTS dir_grants (
            account_id TEXT NOT NULL, role TEXT NOT NULL, scope_id TEXT NOT NULL,
            PRIMARY KEY (account_id, role, scope_id))""",
    },
    indexes=["CREATE INDEX IF NOT EXISTS dir_residencies_by_community ON dir_residencies (community_id, status)"],
)


@projection.on(District.Founded, Street.Founded, Community.Founded)
def _place_founded(tx: Tx, e, ctx: Context) -> None:
    kind = {District.Founded: "district", Street.Founded: "street", Community.Founded: "community"}[type(e)]
    tx.execute("INSERT INTO dir_places (id, kind, code, name, street_id, district_id) VALUES (?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), kind, e.code, e.name,
                str(getattr(e, "street_id", "") or "") or None,
                str(getattr(e, "district_id", "") or "") or None))


@projection.on(Account.Registered)
def _registered(tx: Tx, e, ctx: Context) -> None:
    fields = ctx.sealer.unseal(e.originator_id, e.personal) or {"name": ERASED, "phone": ""}
    tx.execute("INSERT INTO dir_people (id, name, phone, registered_at) VALUES (?, ?, ?, ?)",
               (str(e.originator_id), fields["name"], fields["phone"], e.at.isoformat()))


@projection.on(Account.ResidencyRequested)
def _residency_requested(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO dir_residencies (account_id, community_id, status, requested_at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (account_id, community_id) DO UPDATE SET status = excluded.status, "
               "requested_at = excluded.requested_at, decided_at = NULL, decided_by = NULL, reason = NULL",
               (str(e.originator_id), str(e.community_id), "pending", e.at.isoformat()))


@projection.on(Account.ResidencyVerified, Account.ResidencyRejected)
def _residency_decided(tx: Tx, e, ctx: Context) -> None:
    status = "verified" if isinstance(e, Account.ResidencyVerified) else "rejected"
    tx.execute("UPDATE dir_residencies SET status = ?, decided_at = ?, decided_by = ?, reason = ? "
               "WHERE account_id = ? AND community_id = ?",
               (status, e.at.isoformat(), str(e.by), ctx.sealer.open_text(e.originator_id, getattr(e, "reason", None)),
                str(e.originator_id), str(e.community_id)))


@projection.on(Account.RoleGranted)
def _role_granted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO dir_grants (account_id, role, scope_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
               (str(e.originator_id), e.role, str(e.scope_id)))


@projection.on(Account.RoleRevoked)
def _role_revoked(tx: Tx, e, ctx: Context) -> None:
    tx.execute("DELETE FROM dir_grants WHERE account_id = ? AND role = ? AND scope_id = ?",
               (str(e.originator_id), e.role, str(e.scope_id)))


@projection.on(Account.Erased)
def _erased(tx: Tx, e, ctx: Context) -> None:
    """No name, number or reason stays readable; the person leaves every list and count of residents."""
    tx.execute("UPDATE dir_people SET name = ?, phone = '', erased = 1 WHERE id = ?", (ERASED, str(e.originator_id)))
    tx.execute("UPDATE dir_residencies SET status = 'erased', reason = NULL WHERE account_id = ?",
               (str(e.originator_id),))
    tx.execute("DELETE FROM dir_homes WHERE account_id = ?", (str(e.originator_id),))
    tx.execute("DELETE FROM dir_grants WHERE account_id = ?", (str(e.originator_id),))


@projection.on(Account.HomeGiven)
def _home_given(tx: Tx, e, ctx: Context) -> None:
    home = ctx.sealer.unseal(e.originator_id, e.home) or {"building": "", "unit": ""}
    tx.execute("INSERT INTO dir_homes (account_id, community_id, building, unit, given_by) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (account_id, community_id) DO UPDATE SET building = excluded.building, "
               "unit = excluded.unit, given_by = excluded.given_by",
               (str(e.originator_id), str(e.community_id), home["building"], home["unit"], str(e.by)))


@projection.on(Account.PhoneChanged)
def _phone_changed(tx: Tx, e, ctx: Context) -> None:
    fields = ctx.sealer.unseal(e.originator_id, e.personal) or {"phone": ""}
    tx.execute("UPDATE dir_people SET phone = ? WHERE id = ?", (fields["phone"], str(e.originator_id)))


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------
def person(db: Database, account_id: str) -> dict | None:
    """One person's directory row."""
    return db.one("SELECT * FROM dir_people WHERE id = ?", (account_id,))


def grants(db: Database, account_id: str) -> list[dict]:
    """Every role the account holds, with its scope."""
    return db.all("SELECT role, scope_id FROM dir_grants WHERE account_id = ?", (account_id,))


def residencies(db: Database, account_id: str) -> list[dict]:
    """The account's residencies with the community names."""
    return db.all("SELECT r.community_id, r.status, r.reason, p.name AS community_name "
                  "FROM dir_residencies r JOIN dir_places p ON p.id = r.community_id "
                  "WHERE r.account_id = ? ORDER BY p.name", (account_id,))


def place(db: Database, place_id: str, kind: str | None = None) -> Place | None:
    """A district, street or community by id (of that kind, when given)."""
    row = db.one("SELECT p.*, s.name AS street_name FROM dir_places p LEFT JOIN dir_places s ON s.id = p.street_id "
                 "WHERE p.id = ?", (place_id,))
    if row is None or (kind is not None and row["kind"] != kind):
        return None
    return _place(row)


def with_places_above(db: Database, place_id: str) -> list[str]:
    """A place's id with those of the places above it (a community's street and district)."""
    row = db.one("SELECT id, street_id, district_id FROM dir_places WHERE id = ?", (str(place_id),))
    return [p for p in (row["id"], row["street_id"], row["district_id"]) if p] if row else [str(place_id)]


def places_below(db: Database, place_id: str) -> list[str]:
    """The ids of the streets and communities under a street or a district (none under a community)."""
    return [r["id"] for r in db.all("SELECT id FROM dir_places WHERE street_id = ? OR district_id = ? ORDER BY id",
                                    (str(place_id), str(place_id)))]


def communities(db: Database, street_id: str | None = None) -> list[Place]:
    """Every community (of one street, when given) with its street's name, by street then name."""
    where, params = ("AND c.street_id = ? ", (street_id,)) if street_id else ("", ())
    rows = db.all("SELECT c.*, s.name AS street_name FROM dir_places c LEFT JOIN dir_places s ON s.id = c.street_id "
                  f"WHERE c.kind = 'community' {where}ORDER BY s.name, c.name", params)
    return [_place(r) for r in rows]


def streets_of(db: Database, community_ids: Iterable[str]) -> dict[str, str]:
    """The street of each of these communities (those that have one)."""
    ids = sorted(set(community_ids))
    if not ids:
        return {}
    rows = db.all(f"SELECT id, street_id FROM dir_places WHERE id IN ({', '.join('?' * len(ids))})", ids)
    return {r["id"]: r["street_id"] for r in rows if r["street_id"]}


def places_of_kind(db: Database, kind: str) -> list[Place]:
    """Every district, street or community, by name."""
    rows = db.all("SELECT p.*, s.name AS street_name FROM dir_places p LEFT JOIN dir_places s ON s.id = p.street_id "
                  "WHERE p.kind = ? ORDER BY p.name", (kind,))
    return [_place(r) for r in rows]


def _place(row: dict) -> Place:
    return Place(id=row["id"], kind=row["kind"], code=row["code"], name=row["name"], street_id=row["street_id"],
                 district_id=row["district_id"], street_name=row.get("street_name") or "")


def residents(db: Database, community_id: str, status: str, limit: int = 50, offset: int = 0) -> list[dict]:
    """Residents of a community in one status (pending/verified/rejected), oldest request first."""
    return db.all("SELECT p.id, p.name, p.phone, r.requested_at, r.decided_at, r.reason, h.building, h.unit "
                  "FROM dir_residencies r JOIN dir_people p ON p.id = r.account_id "
                  "LEFT JOIN dir_homes h ON h.account_id = r.account_id AND h.community_id = r.community_id "
                  "WHERE r.community_id = ? AND r.status = ? ORDER BY r.requested_at, p.id LIMIT ? OFFSET ?",
                  (community_id, status, limit, offset))


def count_residents(db: Database, community_id: str, status: str) -> int:
    """How many residencies of a community are in one status."""
    return db.scalar("SELECT COUNT(*) AS n FROM dir_residencies WHERE community_id = ? AND status = ?",
                     (community_id, status)) or 0
