"""The volunteer station read model: action days, shifts and open places, sign-ups and waitlists, attendance,
hours, certificates and the notices a volunteer has not yet seen."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts.model import Account
from domain.kernel.privacy import ERASED

ERASED_VOLUNTEERS = "已删除个人信息的志愿者"   # one row for them all: their hours still count
from domain.kernel.time import local_date
from domain.volunteer.model import ActionDay, Certificate, Volunteer
from projections.base import Context, Projection
from projections.db import Database, Tx

if TYPE_CHECKING:
    from projections.accounts import Place

projection = Projection(
    name="volunteer",
    tables={
        "vol_days": """CREATE TABLE IF NOT EXISTS vol_days (
            id TEXT PRIMARY KEY, community_id TEXT, street_id TEXT NOT NULL, title TEXT NOT NULL,
            description TEXT NOT NULL, day_date TEXT NOT NULL, cutoff_minutes INTEGER NOT NULL,
            created_by TEXT NOT NULL, created_at TEXT NOT NULL)""",
        "vol_shifts": """CREATE TABLE IF NOT EXISTS vol_shifts (
            id TEXT PRIMARY KEY, day_id TEXT NOT NULL, seq INTEGER NOT NULL, task TEXT NOT NULL,
            place TEXT NOT NULL, starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, local_date TEXT NOT NULL,
            places INTEGER NOT NULL, min_age INTEGER, taken INTEGER NOT NULL DEFAULT 0,
            waiting INTEGER NOT NULL DEFAULT 0, wait_seq INTEGER NOT NULL DEFAULT 0)""",
        "vol_entries": """CREATE TABLE IF NOT EXISTS vol_entries (
            shift_id TEXT NOT NULL, account_id TEXT NOT NULL, day_id TEXT NOT NULL, status TEXT NOT NULL,
            wait_seq INTEGER, signed_up_at TEXT NOT NULL, checked_in_at TEXT, checked_out_at TEXT,
            minutes INTEGER NOT NULL DEFAULT 0, credited INTEGER NOT NULL DEFAULT 0,
            corrected INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (shift_id, account_id))""",
        "vol_corrections": """CREATE TABLE IF NOT EXISTS vol_corrections (
            shift_id TEXT NOT NULL, account_id TEXT NOT NULL, at TEXT NOT NULL, minutes INTEGER NOT NULL,
            reason TEXT NOT NULL, by_id TEXT NOT NULL, PRIMARY KEY (shift_id, account_id, at))""",
        "vol_notices": """CREATE TABLE IF NOT EXISTS vol_notices (
            account_id TEXT NOT NULL, shift_id TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL,
            day_id TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (account_id, shift_id, at, kind))""",
        "vol_volunteers": """CREATE TABLE IF NOT EXISTS vol_volunteers (
            volunteer_id TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE, masked_id TEXT)""",
        "vol_certificates": """CREATE TABLE IF NOT EXISTS vol_certificates (
            code TEXT PRIMARY KEY, certificate_id TEXT NOT NULL, revision INTEGER NOT NULL, serial TEXT NOT NULL,
            account_id TEXT NOT NULL, org_id TEXT NOT NULL, org_kind TEXT NOT NULL, org_name TEXT NOT NULL,
            year TEXT NOT NULL, minutes INTEGER NOT NULL, items TEXT NOT NULL, issued_at TEXT NOT NULL)""",
        # Added with calling off and walk-ins: new tables (not new columns), so existing view databases need no
        # rebuild to pick them up.
        "vol_cancellations": """CREATE TABLE IF NOT EXISTS vol_cancellations (
            shift_id TEXT PRIMARY KEY, day_id TEXT NOT NULL, reason TEXT NOT NULL, by_id TEXT NOT NULL,
            at TEXT NOT NULL)""",
        "vol_day_cancellations": """CREATE TABLE IF NOT EXISTS vol_day_cancellations (
            day_id TEXT PRIMARY KEY, reason TEXT NOT NULL, by_id TEXT NOT NULL, at TEXT NOT NULL)""",
        "vol_walk_ins": """CREATE TABLE IF NOT EXISTS vol_walk_ins (
            shift_id TEXT NOT NULL, account_id TEXT NOT NULL, by_id TEXT NOT NULL, at TEXT NOT NULL,
            beyond_places INTEGER NOT NULL, PRIMARY KEY (shift_id, account_id))""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS vol_days_by_place ON vol_days (community_id, street_id, day_date)",
        "CREATE INDEX IF NOT EXISTS vol_shifts_by_day ON vol_shifts (day_id, seq)",
        "CREATE INDEX IF NOT EXISTS vol_entries_by_account ON vol_entries (account_id, status)",
        "CREATE INDEX IF NOT EXISTS vol_certificates_by_account ON vol_certificates (account_id)",
    ],
)


def _iso(moment) -> str:
    return moment.isoformat()


# --- handlers ------------------------------------------------------------------------------------------
@projection.on(ActionDay.Created)
def _day_created(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO vol_days (id, community_id, street_id, title, description, day_date, cutoff_minutes, "
               "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.community_id) if e.community_id else None, str(e.street_id), e.title,
                e.description, e.date, e.cutoff_minutes, str(e.created_by), _iso(e.at)))


@projection.on(ActionDay.ShiftAdded)
def _shift_added(tx: Tx, e, ctx: Context) -> None:
    seq = tx.scalar("SELECT COUNT(*) AS n FROM vol_shifts WHERE day_id = ?", (str(e.originator_id),)) + 1
    tx.execute("INSERT INTO vol_shifts (id, day_id, seq, task, place, starts_at, ends_at, local_date, places, "
               "min_age) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.shift_id), str(e.originator_id), seq, e.task, e.place, _iso(e.starts_at), _iso(e.ends_at),
                local_date(e.starts_at), e.places, e.min_age))


@projection.on(ActionDay.SignedUp, ActionDay.Waitlisted)
def _signed_up(tx: Tx, e, ctx: Context) -> None:
    waiting = isinstance(e, ActionDay.Waitlisted)
    wait_seq = None
    if waiting:
        tx.execute("UPDATE vol_shifts SET waiting = waiting + 1, wait_seq = wait_seq + 1 WHERE id = ?",
                   (str(e.shift_id),))
        wait_seq = tx.scalar("SELECT wait_seq FROM vol_shifts WHERE id = ?", (str(e.shift_id),))
    else:
        tx.execute("UPDATE vol_shifts SET taken = taken + 1 WHERE id = ?", (str(e.shift_id),))
    tx.execute("INSERT INTO vol_entries (shift_id, account_id, day_id, status, wait_seq, signed_up_at) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               (str(e.shift_id), str(e.account_id), str(e.originator_id), "waitlisted" if waiting else "confirmed",
                wait_seq, _iso(e.at)))


@projection.on(ActionDay.Cancelled)
def _cancelled(tx: Tx, e, ctx: Context) -> None:
    status = tx.scalar("SELECT status FROM vol_entries WHERE shift_id = ? AND account_id = ?",
                       (str(e.shift_id), str(e.account_id)))
    column = "taken" if status == "confirmed" else "waiting"
    tx.execute(f"UPDATE vol_shifts SET {column} = {column} - 1 WHERE id = ?", (str(e.shift_id),))
    tx.execute("DELETE FROM vol_entries WHERE shift_id = ? AND account_id = ?", (str(e.shift_id), str(e.account_id)))


@projection.on(ActionDay.Promoted)
def _promoted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_shifts SET taken = taken + 1, waiting = waiting - 1 WHERE id = ?", (str(e.shift_id),))
    tx.execute("UPDATE vol_entries SET status = 'confirmed', wait_seq = NULL WHERE shift_id = ? AND account_id = ?",
               (str(e.shift_id), str(e.account_id)))
    tx.execute("INSERT INTO vol_notices (account_id, shift_id, at, kind, day_id) VALUES (?, ?, ?, 'promoted', ?) "
               "ON CONFLICT DO NOTHING", (str(e.account_id), str(e.shift_id), _iso(e.at), str(e.originator_id)))


@projection.on(ActionDay.ShiftCancelled)
def _shift_cancelled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO vol_cancellations (shift_id, day_id, reason, by_id, at) VALUES (?, ?, ?, ?, ?)",
               (str(e.shift_id), str(e.originator_id), e.reason, str(e.by), _iso(e.at)))
    for account_id in list(e.confirmed) + list(e.waitlisted):
        tx.execute("INSERT INTO vol_notices (account_id, shift_id, at, kind, day_id) VALUES (?, ?, ?, 'cancelled', ?) "
                   "ON CONFLICT DO NOTHING", (str(account_id), str(e.shift_id), _iso(e.at), str(e.originator_id)))


@projection.on(ActionDay.DayCancelled)
def _day_cancelled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO vol_day_cancellations (day_id, reason, by_id, at) VALUES (?, ?, ?, ?)",
               (str(e.originator_id), e.reason, str(e.by), _iso(e.at)))


@projection.on(ActionDay.PlacesChanged)
def _places_changed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_shifts SET places = ? WHERE id = ?", (e.places, str(e.shift_id)))


@projection.on(ActionDay.WalkedIn)
def _walked_in(tx: Tx, e, ctx: Context) -> None:
    status = tx.scalar("SELECT status FROM vol_entries WHERE shift_id = ? AND account_id = ?",
                       (str(e.shift_id), str(e.account_id)))
    if status == "waitlisted":
        tx.execute("UPDATE vol_shifts SET taken = taken + 1, waiting = waiting - 1 WHERE id = ?", (str(e.shift_id),))
        tx.execute("UPDATE vol_entries SET status = 'confirmed', wait_seq = NULL WHERE shift_id = ? AND account_id = ?",
                   (str(e.shift_id), str(e.account_id)))
    else:
        tx.execute("UPDATE vol_shifts SET taken = taken + 1 WHERE id = ?", (str(e.shift_id),))
        tx.execute("INSERT INTO vol_entries (shift_id, account_id, day_id, status, wait_seq, signed_up_at) "
                   "VALUES (?, ?, ?, 'confirmed', NULL, ?)",
                   (str(e.shift_id), str(e.account_id), str(e.originator_id), _iso(e.at)))
    tx.execute("INSERT INTO vol_walk_ins (shift_id, account_id, by_id, at, beyond_places) VALUES (?, ?, ?, ?, ?)",
               (str(e.shift_id), str(e.account_id), str(e.by), _iso(e.at), 1 if e.beyond_places else 0))


@projection.on(ActionDay.CheckedIn)
def _checked_in(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_entries SET checked_in_at = ? WHERE shift_id = ? AND account_id = ?",
               (_iso(e.at), str(e.shift_id), str(e.account_id)))


@projection.on(ActionDay.CheckedOut)
def _checked_out(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_entries SET checked_out_at = ?, minutes = ?, credited = 1 "
               "WHERE shift_id = ? AND account_id = ?", (_iso(e.at), e.minutes, str(e.shift_id), str(e.account_id)))


@projection.on(ActionDay.HoursCorrected)
def _hours_corrected(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_entries SET minutes = ?, credited = 1, corrected = 1 WHERE shift_id = ? AND account_id = ?",
               (e.minutes, str(e.shift_id), str(e.account_id)))
    tx.execute("INSERT INTO vol_corrections (shift_id, account_id, at, minutes, reason, by_id) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (shift_id, account_id, at) DO UPDATE SET minutes = excluded.minutes, "
               "reason = excluded.reason, by_id = excluded.by_id",
               (str(e.shift_id), str(e.account_id), _iso(e.at), e.minutes,
                ctx.sealer.open_text(e.account_id, e.reason), str(e.by)))


@projection.on(Volunteer.Enrolled)
def _enrolled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO vol_volunteers (volunteer_id, account_id) VALUES (?, ?)",
               (str(e.originator_id), str(e.account_id)))


def _account_of(tx: Tx, e) -> str:
    return tx.scalar("SELECT account_id FROM vol_volunteers WHERE volunteer_id = ?", (str(e.originator_id),))


@projection.on(Volunteer.IdentityRegistered)
def _identity_registered(tx: Tx, e, ctx: Context) -> None:
    account_id = _account_of(tx, e)
    fields = ctx.sealer.unseal(UUID(account_id), e.personal)
    masked = mask_id_number(fields["id_number"]) if fields else ERASED
    tx.execute("UPDATE vol_volunteers SET masked_id = ? WHERE volunteer_id = ?", (masked, str(e.originator_id)))


@projection.on(Volunteer.NoticesSeen)
def _notices_seen(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_notices SET seen = 1 WHERE account_id = ? AND at <= ?", (_account_of(tx, e), _iso(e.at)))


@projection.on(Account.Erased)
def _erased(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE vol_volunteers SET masked_id = ? WHERE account_id = ? AND masked_id IS NOT NULL",
               (ERASED, str(e.originator_id)))
    # A correction's reason may name the volunteer: it was sealed under their key and goes with them.
    tx.execute("UPDATE vol_corrections SET reason = '' WHERE account_id = ?", (str(e.originator_id),))


@projection.on(Certificate.Issued)
def _certificate_issued(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO vol_certificates (code, certificate_id, revision, serial, account_id, org_id, org_kind, "
               "org_name, year, minutes, items, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (e.code, str(e.originator_id), e.revision, e.serial, str(e.account_id), str(e.org_id), e.org_kind,
                e.org_name, e.year, e.minutes, json.dumps(e.items, ensure_ascii=False, sort_keys=True),
                _iso(e.at)))


def mask_id_number(id_number: str) -> str:
    """3201**********123X: the region and the last four, never the birth date."""
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}" if len(id_number) >= 8 else "****"


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------------------
def _scope(community: Place) -> tuple[str, tuple]:
    return ("(d.community_id = ? OR (d.community_id IS NULL AND d.street_id = ?))",
            (community.id, community.street_id or ""))


# Open places of a shift row `s` joined to its cancellation `c`: none once called off, never negative (walk-ins
# beyond places make taken > places).
_OPEN = "CASE WHEN c.shift_id IS NULL AND s.places > s.taken THEN s.places - s.taken ELSE 0 END"


def upcoming_days(db: Database, community: Place, today: str, limit: int = 50) -> list[dict]:
    """Action days of the community and street-wide days of its street, from today on, with place totals."""
    where, params = _scope(community)
    return db.all("SELECT d.id, d.title, d.day_date, d.community_id, d.street_id, dc.reason AS cancel_reason, "
                  "COUNT(s.id) AS shifts, COALESCE(SUM(s.places), 0) AS places, "
                  f"COALESCE(SUM({_OPEN}), 0) AS open_places "
                  "FROM vol_days d LEFT JOIN vol_day_cancellations dc ON dc.day_id = d.id "
                  "LEFT JOIN vol_shifts s ON s.day_id = d.id LEFT JOIN vol_cancellations c ON c.shift_id = s.id "
                  f"WHERE {where} AND d.day_date >= ? "
                  "GROUP BY d.id, d.title, d.day_date, d.community_id, d.street_id, dc.reason "
                  "ORDER BY d.day_date, d.title, d.id LIMIT ?", (*params, today, limit))


def day(db: Database, day_id: str) -> dict | None:
    """One action day (with `cancel_reason` once called off)."""
    return db.one("SELECT d.*, dc.reason AS cancel_reason FROM vol_days d "
                  "LEFT JOIN vol_day_cancellations dc ON dc.day_id = d.id WHERE d.id = ?", (day_id,))


def day_in_scope(db: Database, day_id: str, community: Place) -> dict | None:
    """The day if it belongs to this community (or is a street-wide day of its street), else None."""
    where, params = _scope(community)
    return db.one("SELECT d.*, dc.reason AS cancel_reason FROM vol_days d "
                  f"LEFT JOIN vol_day_cancellations dc ON dc.day_id = d.id WHERE d.id = ? AND {where}",
                  (day_id, *params))


def shifts(db: Database, day_id: str, account_id: str | None = None, shift_id: str | None = None) -> list[dict]:
    """The day's shifts in order (or the one named), with open places and (for a volunteer) their status and waitlist
    position."""
    only, params = ("AND s.id = ? ", (shift_id,)) if shift_id else ("", ())
    return db.all(f"SELECT s.*, {_OPEN} AS open_places, e.status AS my_status, "
                  "c.reason AS cancel_reason, c.at AS cancelled_at, "
                  "CASE WHEN e.status = 'waitlisted' THEN (SELECT COUNT(*) FROM vol_entries w "
                  "  WHERE w.shift_id = s.id AND w.status = 'waitlisted' AND w.wait_seq <= e.wait_seq) END "
                  "  AS my_position "
                  "FROM vol_shifts s LEFT JOIN vol_entries e ON e.shift_id = s.id AND e.account_id = ? "
                  "LEFT JOIN vol_cancellations c ON c.shift_id = s.id "
                  f"WHERE s.day_id = ? {only}ORDER BY s.starts_at, s.seq", (account_id or "", day_id, *params))


def shift(db: Database, day_id: str, shift_id: str, account_id: str | None = None) -> dict | None:
    """One shift of a day, as `shifts` gives it."""
    return next(iter(shifts(db, day_id, account_id, shift_id)), None)


def my_shifts(db: Database, account_id: str, since: str | None = None) -> list[dict]:
    """The volunteer's shifts (confirmed and waitlisted) with day, times, waitlist position and credited minutes."""
    return db.all("SELECT e.status, e.minutes, e.credited, e.checked_in_at, e.checked_out_at, s.id AS shift_id, "
                  "s.task, s.place, s.starts_at, s.ends_at, s.local_date, d.id AS day_id, d.title, "
                  "d.community_id, d.street_id, c.reason AS cancel_reason, "
                  "CASE WHEN e.status = 'waitlisted' THEN (SELECT COUNT(*) FROM vol_entries w "
                  "  WHERE w.shift_id = e.shift_id AND w.status = 'waitlisted' AND w.wait_seq <= e.wait_seq) END "
                  "  AS position "
                  "FROM vol_entries e JOIN vol_shifts s ON s.id = e.shift_id JOIN vol_days d ON d.id = e.day_id "
                  "LEFT JOIN vol_cancellations c ON c.shift_id = s.id "
                  "WHERE e.account_id = ? AND s.local_date >= ? ORDER BY s.starts_at, s.id",
                  (account_id, since or ""))


def my_hours(db: Database, account_id: str) -> list[dict]:
    """The volunteer's credited minutes per organisation (community or street, with its name) and year."""
    return db.all("SELECT COALESCE(d.community_id, d.street_id) AS org_id, "
                  "CASE WHEN d.community_id IS NULL THEN 'street' ELSE 'community' END AS org_kind, "
                  "COALESCE(o.name, '') AS org_name, "
                  "SUBSTR(s.local_date, 1, 4) AS year, SUM(e.minutes) AS minutes, COUNT(*) AS shifts "
                  "FROM vol_entries e JOIN vol_shifts s ON s.id = e.shift_id JOIN vol_days d ON d.id = e.day_id "
                  "LEFT JOIN dir_places o ON o.id = COALESCE(d.community_id, d.street_id) "
                  "WHERE e.account_id = ? AND e.credited = 1 AND e.minutes > 0 "
                  "GROUP BY COALESCE(d.community_id, d.street_id), "
                  "CASE WHEN d.community_id IS NULL THEN 'street' ELSE 'community' END, COALESCE(o.name, ''), "
                  "SUBSTR(s.local_date, 1, 4) "
                  "ORDER BY year DESC, org_id", (account_id,))


def total_minutes(db: Database, account_id: str) -> int:
    """Every credited minute of the volunteer."""
    return db.scalar("SELECT COALESCE(SUM(minutes), 0) AS n FROM vol_entries WHERE account_id = ? AND credited = 1",
                     (account_id,)) or 0


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_in_rows(db: Database, shift_id: str, query: str = "") -> list[dict]:
    """Confirmed volunteers of a shift for the check-in screen; `query` matches a name or the phone's last 4 digits."""
    sql = ("SELECT e.account_id, e.checked_in_at, e.checked_out_at, e.minutes, e.credited, e.corrected, "
           "p.name, p.phone, w.beyond_places AS walk_in_beyond, "
           "CASE WHEN w.account_id IS NULL THEN 0 ELSE 1 END AS walk_in "
           "FROM vol_entries e JOIN dir_people p ON p.id = e.account_id "
           "LEFT JOIN vol_walk_ins w ON w.shift_id = e.shift_id AND w.account_id = e.account_id "
           "WHERE e.shift_id = ? AND e.status = 'confirmed' AND p.erased = 0")
    params: list = [shift_id]
    query = "".join(ch for ch in query if ch.isprintable()).strip()  # PostgreSQL refuses NUL in text
    if query:
        if query.isdigit() and len(query) == 4:
            sql += " AND p.phone LIKE ? ESCAPE '\\'"
            params.append("%" + query)
        else:
            sql += " AND p.name LIKE ? ESCAPE '\\'"
            params.append("%" + _like(query) + "%")
    return db.all(sql + " ORDER BY e.checked_out_at IS NOT NULL, e.checked_in_at IS NOT NULL, p.name, e.account_id",
                  params)


def check_in_row(db: Database, shift_id: str, account_id: str) -> dict | None:
    """One volunteer's row on the check-in screen."""
    return next((r for r in check_in_rows(db, shift_id) if r["account_id"] == account_id), None)


def waitlist(db: Database, shift_id: str) -> list[dict]:
    """Who waits for a place in the shift, in order."""
    return db.all("SELECT e.account_id, p.name, e.signed_up_at FROM vol_entries e JOIN dir_people p "
                  "ON p.id = e.account_id WHERE e.shift_id = ? AND e.status = 'waitlisted' AND p.erased = 0 "
                  "ORDER BY e.wait_seq", (shift_id,))


def corrections(db: Database, shift_id: str) -> list[dict]:
    """Corrections of credited hours in a shift, with the worker's name."""
    return db.all("SELECT c.*, v.name AS volunteer_name, w.name AS worker_name FROM vol_corrections c "
                  "LEFT JOIN dir_people v ON v.id = c.account_id LEFT JOIN dir_people w ON w.id = c.by_id "
                  "WHERE c.shift_id = ? ORDER BY c.at", (shift_id,))


def corrections_until(db: Database, account_id: str, shift_ids: list[str], until: str) -> dict[str, list[dict]]:
    """A volunteer's corrections of the given shifts recorded up to `until` (ISO), by shift, oldest first, with the
    reason as the volunteer's key still opens it ('' once they are erased)."""
    if not shift_ids:
        return {}
    marks = ", ".join("?" for _ in shift_ids)
    rows = db.all(f"SELECT shift_id, at, minutes, reason FROM vol_corrections WHERE account_id = ? AND shift_id IN "
                  f"({marks}) AND at <= ? ORDER BY at", (account_id, *shift_ids, until))
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["shift_id"], []).append(row)
    return found


def hours_per_volunteer(db: Database, org_id: str, org_kind: str, start: str, end: str) -> list[dict]:
    """Credited minutes per volunteer for one organisation's days with shifts between two dates (inclusive); the
    erased are one row without name or phone at the end, so the totals stay right."""
    where = "d.community_id = ?" if org_kind == "community" else "d.community_id IS NULL AND d.street_id = ?"
    rows = db.all("SELECT e.account_id, p.name, p.phone, p.erased, COUNT(*) AS shifts, SUM(e.minutes) AS minutes "
                  "FROM vol_entries e JOIN vol_shifts s ON s.id = e.shift_id JOIN vol_days d ON d.id = e.day_id "
                  "LEFT JOIN dir_people p ON p.id = e.account_id "
                  f"WHERE {where} AND e.credited = 1 AND s.local_date >= ? AND s.local_date <= ? "
                  "GROUP BY e.account_id, p.name, p.phone, p.erased ORDER BY minutes DESC, p.name, e.account_id",
                  (org_id, start, end))
    erased = [r for r in rows if r["erased"]]
    kept = [r for r in rows if not r["erased"]]
    if erased:
        kept.append({"account_id": None, "name": ERASED_VOLUNTEERS, "phone": None, "erased": 1, "people": len(erased),
                     "shifts": sum(r["shifts"] for r in erased), "minutes": sum(r["minutes"] or 0 for r in erased)})
    return kept


NOTICE_KINDS = ("promoted", "cancelled")


def unseen_notices(db: Database, account_id: str, kinds: tuple[str, ...] = ("promoted",)) -> list[dict]:
    """Notices not yet dismissed, of the given kinds (`promoted`, `cancelled` with its reason), with the shift."""
    marks = ", ".join("?" for _ in kinds) or "''"
    return db.all("SELECT n.kind, n.at, s.task, s.starts_at, s.place, d.title, d.id AS day_id, "
                  "d.community_id, c.reason "
                  "FROM vol_notices n JOIN vol_shifts s ON s.id = n.shift_id JOIN vol_days d ON d.id = n.day_id "
                  "LEFT JOIN vol_cancellations c ON c.shift_id = n.shift_id "
                  f"WHERE n.account_id = ? AND n.seen = 0 AND n.kind IN ({marks}) ORDER BY n.at, n.shift_id",
                  (account_id, *kinds))


def volunteer_contact(db: Database, account_id: str) -> dict | None:
    """A volunteer's name and phone as the directory holds them (a certificate names its holder)."""
    return db.one("SELECT name, phone FROM dir_people WHERE id = ?", (account_id,))


def masked_id(db: Database, account_id: str) -> str | None:
    """The volunteer's masked ID number, if they registered one."""
    return db.scalar("SELECT masked_id FROM vol_volunteers WHERE account_id = ?", (account_id,))


def certificates(db: Database, account_id: str) -> list[dict]:
    """Certificates issued to the volunteer, newest first."""
    return db.all("SELECT * FROM vol_certificates WHERE account_id = ? ORDER BY issued_at DESC, serial DESC",
                  (account_id,))


def certificate_by_code(db: Database, code: str) -> dict | None:
    """The certificate with this verification code."""
    return db.one("SELECT * FROM vol_certificates WHERE code = ?", (code,))


def certificate_by_serial(db: Database, serial: str) -> dict | None:
    """The certificate with this serial number."""
    return db.one("SELECT * FROM vol_certificates WHERE serial = ?", (serial,))


def person_record(db: Database, account_id: str) -> dict[str, list[dict]]:
    """What the volunteer station's views hold about one person: places and waitlist places, attendance and hours,
    their masked ID number and certificates."""
    return {
        "shifts": db.all("SELECT d.title, s.task, s.starts_at, e.status, e.checked_in_at, e.checked_out_at, e.minutes, "
                         "e.corrected FROM vol_entries e JOIN vol_shifts s ON s.id = e.shift_id "
                         "JOIN vol_days d ON d.id = e.day_id WHERE e.account_id = ? ORDER BY s.starts_at", (account_id,)),
        "id_number": db.all("SELECT masked_id FROM vol_volunteers WHERE account_id = ?", (account_id,)),
        "certificates": db.all("SELECT serial, org_name, year, minutes, issued_at FROM vol_certificates "
                               "WHERE account_id = ? ORDER BY issued_at", (account_id,)),
    }
