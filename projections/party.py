"""The Party-member read model: registrations (details unsealed while readable), the service record accrued from the
volunteer station's and the roundtable's own events, tasks recorded directly, feedback reports, the community's
service kinds and the needs board; and the counts the street sees.

The service record follows exactly the rules of `domain/party/record.py` (a test replays stores through both and
compares): only service done while a confirmed member of the community counts for it. A withdrawal, a move or an
erasure blanks every personal field of that registration (and its tasks' descriptions, its reports' evaluation and
disclosed fields) while its counts stay; the registry never lists it again."""
from __future__ import annotations

import json
from uuid import UUID

from domain.accounts.model import Account
from domain.kernel.time import local_date
from domain.party import privacy
from domain.party.model import FeedbackReport, Need, Registration, ServiceKinds, ServiceRecord
from domain.party.policies import (CONFIRMED, CONSENTED, DEFAULT_SERVICE_KINDS, ENDED, ERASED, LISTED, RETURNED,
                                   SUBMITTED, WITHDRAWN)
from domain.party.record import agenda_key, figures_of, meeting_key, shift_key, task_key
from domain.roundtable.model import Meeting
from domain.volunteer.model import ActionDay
from projections import accounts as directory
from projections.accounts import Place
from projections.base import Context, Projection
from projections.db import Database, Tx


PERSONAL = ("unit", "org_name", "org_contact", "org_phone", "kinds", "other_kinds", "availability", "return_reason")

projection = Projection(
    name="party",
    tables={
        "party_members": """CREATE TABLE IF NOT EXISTS party_members (
            registration_id TEXT PRIMARY KEY, account_id TEXT NOT NULL UNIQUE)""",
        "party_registrations": """CREATE TABLE IF NOT EXISTS party_registrations (
            registration_id TEXT NOT NULL, stint INTEGER NOT NULL, account_id TEXT NOT NULL,
            community_id TEXT NOT NULL, state TEXT NOT NULL, consent_version TEXT NOT NULL, consented_at TEXT NOT NULL,
            submitted_at TEXT, decided_at TEXT, decided_by TEXT, confirmed_at TEXT, confirmed_on TEXT,
            ended_at TEXT, ended_on TEXT, end_reason TEXT, moved_to TEXT,
            unit TEXT NOT NULL DEFAULT '', org_name TEXT NOT NULL DEFAULT '', org_contact TEXT NOT NULL DEFAULT '',
            org_phone TEXT NOT NULL DEFAULT '', kinds TEXT NOT NULL DEFAULT '[]', other_kinds TEXT NOT NULL DEFAULT '',
            availability TEXT NOT NULL DEFAULT '', return_reason TEXT NOT NULL DEFAULT '',
            disclose TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (registration_id, stint))""",
        "party_registration_kinds": """CREATE TABLE IF NOT EXISTS party_registration_kinds (
            registration_id TEXT NOT NULL, stint INTEGER NOT NULL, kind TEXT NOT NULL,
            PRIMARY KEY (registration_id, stint, kind))""",
        # What the service record needs from the volunteer station's and the roundtable's events, kept here so
        # this read model replays on its own.
        "party_days": """CREATE TABLE IF NOT EXISTS party_days (day_id TEXT PRIMARY KEY, community_id TEXT)""",
        "party_shifts": """CREATE TABLE IF NOT EXISTS party_shifts (
            shift_id TEXT PRIMARY KEY, day_id TEXT NOT NULL, task TEXT NOT NULL, on_date TEXT NOT NULL)""",
        "party_meetings": """CREATE TABLE IF NOT EXISTS party_meetings (
            meeting_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, title TEXT NOT NULL)""",
        "party_items": """CREATE TABLE IF NOT EXISTS party_items (
            item_key TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id TEXT NOT NULL, community_id TEXT NOT NULL,
            registration_id TEXT, stint INTEGER, on_date TEXT NOT NULL, title TEXT NOT NULL,
            minutes INTEGER NOT NULL DEFAULT 0, counted INTEGER NOT NULL DEFAULT 0,
            corrected INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'counted',
            description TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', source_id TEXT, detail_id TEXT,
            logged_at TEXT NOT NULL)""",
        "party_report_owners": """CREATE TABLE IF NOT EXISTS party_report_owners (
            report_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, registration_id TEXT NOT NULL,
            community_id TEXT NOT NULL, year TEXT NOT NULL)""",
        "party_reports": """CREATE TABLE IF NOT EXISTS party_reports (
            code TEXT PRIMARY KEY, report_id TEXT NOT NULL, revision INTEGER NOT NULL, serial TEXT NOT NULL UNIQUE,
            account_id TEXT NOT NULL, registration_id TEXT NOT NULL, stint INTEGER NOT NULL, community_id TEXT NOT NULL,
            community_name TEXT NOT NULL, year TEXT NOT NULL, registered_on TEXT NOT NULL, figures TEXT NOT NULL,
            items TEXT NOT NULL, rating TEXT, comment TEXT NOT NULL DEFAULT '', disclose TEXT NOT NULL,
            public_name TEXT NOT NULL DEFAULT '', public_unit TEXT NOT NULL DEFAULT '', issued_at TEXT NOT NULL,
            by_id TEXT NOT NULL)""",
        "party_kind_lists": """CREATE TABLE IF NOT EXISTS party_kind_lists (community_id TEXT PRIMARY KEY)""",
        "party_kinds": """CREATE TABLE IF NOT EXISTS party_kinds (
            community_id TEXT NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL,
            PRIMARY KEY (community_id, kind))""",
        "party_needs": """CREATE TABLE IF NOT EXISTS party_needs (
            need_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, day_id TEXT NOT NULL, shift_id TEXT NOT NULL,
            kind TEXT NOT NULL, note TEXT NOT NULL, open INTEGER NOT NULL, posted_at TEXT NOT NULL,
            by_id TEXT NOT NULL)""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS party_registrations_by_community ON party_registrations (community_id, state)",
        "CREATE INDEX IF NOT EXISTS party_registrations_by_account ON party_registrations (account_id, stint)",
        "CREATE INDEX IF NOT EXISTS party_items_by_member ON party_items (account_id, community_id, on_date)",
        "CREATE INDEX IF NOT EXISTS party_items_by_community ON party_items (community_id, on_date)",
        "CREATE INDEX IF NOT EXISTS party_reports_by_account ON party_reports (account_id, year)",
        "CREATE INDEX IF NOT EXISTS party_reports_by_community ON party_reports (community_id, year)",
        "CREATE INDEX IF NOT EXISTS party_needs_by_community ON party_needs (community_id, open)",
    ],
)


def _iso(moment) -> str:
    return moment.isoformat()


def _open(ctx: Context, account_id: str, registration_id: str, stint: int, sealed: str | None) -> dict:
    return privacy.unseal(ctx.sealer, account_id, Registration.stint_key(UUID(registration_id), stint), sealed) or {}


def _account(tx: Tx, registration_id) -> str:
    return tx.scalar("SELECT account_id FROM party_members WHERE registration_id = ?", (str(registration_id),))


def _active_in(tx: Tx, account_id, community_id) -> dict | None:
    """The person's confirmed registration in the community right now (in log order), if any."""
    if not community_id:
        return None
    return tx.one("SELECT registration_id, stint FROM party_registrations WHERE account_id = ? AND community_id = ? "
                  "AND state = ?", (str(account_id), str(community_id), CONFIRMED))


# --- registrations ---------------------------------------------------------------------------------------------
@projection.on(Registration.Started)
def _started(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_members (registration_id, account_id) VALUES (?, ?)",
               (str(e.originator_id), str(e.account_id)))


@projection.on(Registration.ConsentGiven)
def _consent_given(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_registrations (registration_id, stint, account_id, community_id, state, "
               "consent_version, consented_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), e.stint, _account(tx, e.originator_id), str(e.community_id), CONSENTED,
                e.version, _iso(e.at)))


@projection.on(Registration.Submitted)
def _submitted(tx: Tx, e, ctx: Context) -> None:
    registration_id = str(e.originator_id)
    details = _open(ctx, _account(tx, registration_id), registration_id, e.stint, e.details)
    kinds = list(details.get("kinds", []))
    tx.execute("UPDATE party_registrations SET state = ?, submitted_at = ?, unit = ?, org_name = ?, org_contact = ?, "
               "org_phone = ?, kinds = ?, other_kinds = ?, availability = ?, disclose = ? "
               "WHERE registration_id = ? AND stint = ?",
               (SUBMITTED, _iso(e.at), details.get("unit", ""), details.get("org_name", ""),
                details.get("org_contact", ""), details.get("org_phone", ""), json.dumps(kinds, ensure_ascii=False),
                details.get("other_kinds", ""), details.get("availability", ""), json.dumps(list(e.disclose)),
                registration_id, e.stint))
    tx.execute("DELETE FROM party_registration_kinds WHERE registration_id = ? AND stint = ?",
               (registration_id, e.stint))
    tx.executemany("INSERT INTO party_registration_kinds (registration_id, stint, kind) VALUES (?, ?, ?)",
                   [(registration_id, e.stint, k) for k in kinds])


@projection.on(Registration.Returned)
def _returned(tx: Tx, e, ctx: Context) -> None:
    registration_id = str(e.originator_id)
    reason = _open(ctx, _account(tx, registration_id), registration_id, e.stint, e.reason).get("reason", "")
    tx.execute("UPDATE party_registrations SET state = ?, decided_at = ?, decided_by = ?, return_reason = ? "
               "WHERE registration_id = ? AND stint = ?",
               (RETURNED, _iso(e.at), str(e.by), reason, registration_id, e.stint))


@projection.on(Registration.Confirmed)
def _confirmed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE party_registrations SET state = ?, decided_at = ?, decided_by = ?, confirmed_at = ?, "
               "confirmed_on = ?, return_reason = '' WHERE registration_id = ? AND stint = ?",
               (CONFIRMED, _iso(e.at), str(e.by), _iso(e.at), local_date(e.at), str(e.originator_id), e.stint))


def _end(tx: Tx, registration_id: str, stint: int, state: str, at, reason: str | None, moved_to: str | None) -> None:
    """The stint ends: no personal field of it stays readable here; its dates and counts stay."""
    blank = ", ".join(f"{c} = ''" for c in PERSONAL if c != "kinds")
    tx.execute(f"UPDATE party_registrations SET state = ?, ended_at = ?, ended_on = ?, end_reason = ?, moved_to = ?, "
               f"kinds = '[]', {blank} WHERE registration_id = ? AND stint = ?",
               (state, _iso(at), local_date(at), reason, moved_to, registration_id, stint))
    _blank_stint(tx, registration_id, stint)


def _blank_stint(tx: Tx, registration_id: str, stint: int) -> None:
    tx.execute("DELETE FROM party_registration_kinds WHERE registration_id = ? AND stint = ?", (registration_id, stint))
    tx.execute("UPDATE party_items SET description = '', reason = '' WHERE registration_id = ? AND stint = ?",
               (registration_id, stint))
    tx.execute("UPDATE party_reports SET rating = NULL, comment = '', public_name = '', public_unit = '' "
               "WHERE registration_id = ? AND stint = ?", (registration_id, stint))


@projection.on(Registration.Withdrawn)
def _withdrawn(tx: Tx, e, ctx: Context) -> None:
    _end(tx, str(e.originator_id), e.stint, WITHDRAWN, e.at, WITHDRAWN, None)
    privacy.shred(ctx.sealer, Registration.stint_key(e.originator_id, e.stint))


@projection.on(Registration.Ended)
def _ended(tx: Tx, e, ctx: Context) -> None:
    _end(tx, str(e.originator_id), e.stint, ENDED, e.at, e.reason, str(e.to_community_id))
    privacy.shred(ctx.sealer, Registration.stint_key(e.originator_id, e.stint))


@projection.on(Account.Erased)
def _erased(tx: Tx, e, ctx: Context) -> None:
    """The person is erased: their active registration ends, and nothing personal of any of theirs stays."""
    account_id = str(e.originator_id)
    for row in tx.all("SELECT registration_id, stint, state FROM party_registrations WHERE account_id = ?",
                      (account_id,)):
        if row["state"] in (CONSENTED, SUBMITTED, RETURNED, CONFIRMED):
            _end(tx, row["registration_id"], row["stint"], ERASED, e.at, ERASED, None)
        else:
            _blank_stint(tx, row["registration_id"], row["stint"])


# --- the service record: volunteer shifts ------------------------------------------------------------------------
@projection.on(ActionDay.Created)
def _day_created(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_days (day_id, community_id) VALUES (?, ?)",
               (str(e.originator_id), str(e.community_id) if e.community_id else None))


@projection.on(ActionDay.ShiftAdded)
def _shift_added(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_shifts (shift_id, day_id, task, on_date) VALUES (?, ?, ?, ?)",
               (str(e.shift_id), str(e.originator_id), e.task, local_date(e.starts_at)))


def _shift_item(tx: Tx, e, key: str, *, counted: int, minutes: int = 0, corrected: int = 0) -> bool:
    """Start the shift's item if the volunteer is a confirmed member of the day's community now."""
    community = tx.scalar("SELECT community_id FROM party_days WHERE day_id = ?", (str(e.originator_id),))
    member = _active_in(tx, e.account_id, community)
    if member is None:
        return False
    shift = tx.one("SELECT task, on_date FROM party_shifts WHERE shift_id = ?", (str(e.shift_id),))
    tx.execute("INSERT INTO party_items (item_key, kind, account_id, community_id, registration_id, stint, on_date, "
               "title, minutes, counted, corrected, source_id, detail_id, logged_at) "
               "VALUES (?, 'shift', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (key, str(e.account_id), community, member["registration_id"], member["stint"], shift["on_date"],
                shift["task"], minutes, counted, corrected, str(e.originator_id), str(e.shift_id), _iso(e.at)))
    return True


@projection.on(ActionDay.CheckedIn)
def _checked_in(tx: Tx, e, ctx: Context) -> None:
    key = shift_key(e.shift_id, e.account_id)
    if tx.scalar("SELECT 1 FROM party_items WHERE item_key = ?", (key,)) is None:
        _shift_item(tx, e, key, counted=0)


@projection.on(ActionDay.CheckedOut)
def _checked_out(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE party_items SET minutes = ?, counted = 1 WHERE item_key = ?",
               (e.minutes, shift_key(e.shift_id, e.account_id)))


@projection.on(ActionDay.HoursCorrected)
def _hours_corrected(tx: Tx, e, ctx: Context) -> None:
    key = shift_key(e.shift_id, e.account_id)
    if tx.scalar("SELECT 1 FROM party_items WHERE item_key = ?", (key,)) is None:
        _shift_item(tx, e, key, counted=1, minutes=e.minutes, corrected=1)
    else:
        tx.execute("UPDATE party_items SET minutes = ?, counted = 1, corrected = 1 WHERE item_key = ?",
                   (e.minutes, key))


# --- the service record: roundtable meetings ------------------------------------------------------------------------
@projection.on(Meeting.Scheduled)
def _meeting_scheduled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_meetings (meeting_id, community_id, title) VALUES (?, ?, ?)",
               (str(e.originator_id), str(e.community_id), e.title))


def _meeting_item(tx: Tx, e, key: str, kind: str, account_id, title: str | None, detail: str | None) -> None:
    meeting = tx.one("SELECT community_id, title FROM party_meetings WHERE meeting_id = ?", (str(e.originator_id),))
    member = _active_in(tx, account_id, meeting["community_id"])
    if member is None:
        return
    tx.execute("INSERT INTO party_items (item_key, kind, account_id, community_id, registration_id, stint, on_date, "
               "title, counted, source_id, detail_id, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
               "ON CONFLICT (item_key) DO NOTHING",
               (key, kind, str(account_id), meeting["community_id"], member["registration_id"], member["stint"],
                local_date(e.at), title if title is not None else meeting["title"], str(e.originator_id), detail,
                _iso(e.at)))


@projection.on(Meeting.CheckedIn)
def _meeting_checked_in(tx: Tx, e, ctx: Context) -> None:
    _meeting_item(tx, e, meeting_key(e.originator_id, e.account_id), "meeting", e.account_id, None, None)


@projection.on(Meeting.AgendaItemProposed)
def _item_proposed(tx: Tx, e, ctx: Context) -> None:
    _meeting_item(tx, e, agenda_key(e.originator_id, e.item_id), "agenda", e.by, e.title, str(e.item_id))


# --- the service record: tasks recorded directly --------------------------------------------------------------------
@projection.on(ServiceRecord.Logged)
def _logged(tx: Tx, e, ctx: Context) -> None:
    description = _open(ctx, str(e.account_id), str(e.registration_id), e.stint, e.description).get("description", "")
    tx.execute("INSERT INTO party_items (item_key, kind, account_id, community_id, registration_id, stint, on_date, "
               "title, minutes, counted, status, description, source_id, logged_at) "
               "VALUES (?, 'task', ?, ?, ?, ?, ?, ?, ?, 0, 'pending', ?, ?, ?)",
               (task_key(e.originator_id), str(e.account_id), str(e.community_id), str(e.registration_id), e.stint,
                e.on, e.kind, e.minutes, description, str(e.originator_id), _iso(e.at)))


@projection.on(ServiceRecord.Confirmed)
def _task_confirmed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE party_items SET counted = 1, status = 'confirmed' WHERE item_key = ?",
               (task_key(e.originator_id),))


@projection.on(ServiceRecord.Declined)
def _task_declined(tx: Tx, e, ctx: Context) -> None:
    row = tx.one("SELECT account_id, registration_id, stint FROM party_items WHERE item_key = ?",
                 (task_key(e.originator_id),))
    reason = _open(ctx, row["account_id"], row["registration_id"], row["stint"], e.reason).get("reason", "")
    tx.execute("UPDATE party_items SET status = 'declined', reason = ? WHERE item_key = ?",
               (reason, task_key(e.originator_id)))


# --- feedback reports ---------------------------------------------------------------------------------------------
@projection.on(FeedbackReport.Opened)
def _report_opened(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_report_owners (report_id, account_id, registration_id, community_id, year) "
               "VALUES (?, ?, ?, ?, ?)", (str(e.originator_id), str(e.account_id), str(e.registration_id),
                                          str(e.community_id), e.year))


@projection.on(FeedbackReport.Issued)
def _report_issued(tx: Tx, e, ctx: Context) -> None:
    owner = tx.one("SELECT account_id, registration_id FROM party_report_owners WHERE report_id = ?",
                   (str(e.originator_id),))
    evaluation = _open(ctx, owner["account_id"], owner["registration_id"], e.stint, e.evaluation)
    public = _open(ctx, owner["account_id"], owner["registration_id"], e.stint, e.public)
    tx.execute("INSERT INTO party_reports (code, report_id, revision, serial, account_id, registration_id, stint, "
               "community_id, community_name, year, registered_on, figures, items, rating, comment, disclose, "
               "public_name, public_unit, issued_at, by_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
               "?, ?, ?, ?)",
               (e.code, str(e.originator_id), e.revision, e.serial, owner["account_id"], owner["registration_id"],
                e.stint, str(e.community_id), e.community_name, e.year, e.registered_on,
                json.dumps(e.figures, sort_keys=True), json.dumps(e.items, ensure_ascii=False, sort_keys=True),
                evaluation.get("rating"), evaluation.get("comment", ""), json.dumps(list(e.disclose)),
                public.get("name", ""), public.get("unit", ""), _iso(e.at), str(e.by)))


# --- service kinds and the needs board --------------------------------------------------------------------------------
@projection.on(ServiceKinds.Started)
def _kinds_started(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_kind_lists (community_id) VALUES (?)", (str(e.community_id),))
    tx.executemany("INSERT INTO party_kinds (community_id, kind, position) VALUES (?, ?, ?)",
                   [(str(e.community_id), k, i) for i, k in enumerate(e.kinds)])


@projection.on(ServiceKinds.KindAdded)
def _kind_added(tx: Tx, e, ctx: Context) -> None:
    position = tx.scalar("SELECT COALESCE(MAX(position), -1) + 1 AS n FROM party_kinds WHERE community_id = ?",
                         (str(e.community_id),))
    tx.execute("INSERT INTO party_kinds (community_id, kind, position) VALUES (?, ?, ?)",
               (str(e.community_id), e.kind, position))


@projection.on(ServiceKinds.KindRemoved)
def _kind_removed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("DELETE FROM party_kinds WHERE community_id = ? AND kind = ?", (str(e.community_id), e.kind))


@projection.on(Need.Posted)
def _need_posted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO party_needs (need_id, community_id, day_id, shift_id, kind, note, open, posted_at, by_id) "
               "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
               (str(e.originator_id), str(e.community_id), str(e.day_id), str(e.shift_id), e.kind, e.note,
                _iso(e.at), str(e.by)))


@projection.on(Need.Reposted)
def _need_reposted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE party_needs SET open = 1, kind = ?, note = ?, posted_at = ?, by_id = ? WHERE need_id = ?",
               (e.kind, e.note, _iso(e.at), str(e.by), str(e.originator_id)))


@projection.on(Need.Removed)
def _need_removed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE party_needs SET open = 0 WHERE need_id = ?", (str(e.originator_id),))


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) ---------------------------------
def _registration(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "kinds": json.loads(row["kinds"]), "disclose": json.loads(row["disclose"])}


def stints(db: Database, account_id: str) -> list[dict]:
    """Every registration (stint) of the person, newest first, with the community's name."""
    rows = db.all("SELECT r.*, p.name AS community_name, m.name AS moved_to_name FROM party_registrations r "
                  "LEFT JOIN dir_places p ON p.id = r.community_id LEFT JOIN dir_places m ON m.id = r.moved_to "
                  "WHERE r.account_id = ? ORDER BY r.stint DESC", (account_id,))
    return [_registration(r) for r in rows]


def stint(db: Database, registration_id: str, stint_no: int) -> dict | None:
    """One registration (stint) by its registration id and number."""
    return _registration(db.one("SELECT * FROM party_registrations WHERE registration_id = ? AND stint = ?",
                                (registration_id, stint_no)))


def person_name(db: Database, account_id: str) -> str:
    """The person's name as the directory holds it (the erased marker once erased)."""
    return db.scalar("SELECT name FROM dir_people WHERE id = ?", (account_id,)) or ""


def current(db: Database, account_id: str) -> dict | None:
    """The person's active registration (any community), or None."""
    return next((s for s in stints(db, account_id) if s["state"] in (CONSENTED, SUBMITTED, RETURNED, CONFIRMED)),
                None)


def _registry_where(community_id: str, state: str | None, kind: str | None) -> tuple[str, list]:
    states = [state] if state in LISTED else list(LISTED)
    sql = f"r.community_id = ? AND r.state IN ({', '.join('?' for _ in states)})"
    params: list = [community_id, *states]
    if kind:
        sql += (" AND EXISTS (SELECT 1 FROM party_registration_kinds k WHERE k.registration_id = r.registration_id "
                "AND k.stint = r.stint AND k.kind = ?)")
        params.append(kind)
    return sql, params


def registry(db: Database, community_id: str, state: str | None = None, kind: str | None = None, limit: int = 20,
             offset: int = 0) -> list[dict]:
    """The community's registry (waiting, returned, confirmed; never withdrawn or moved), filtered, a page at a time."""
    where, params = _registry_where(community_id, state, kind)
    rows = db.all("SELECT r.*, p.name, p.phone FROM party_registrations r "
                  "LEFT JOIN dir_people p ON p.id = r.account_id "
                  f"WHERE {where} ORDER BY CASE r.state WHEN 'submitted' THEN 0 WHEN 'returned' THEN 1 ELSE 2 END, "
                  "r.submitted_at, r.registration_id LIMIT ? OFFSET ?", (*params, limit, offset))
    return [_registration(r) for r in rows]


def count_registry(db: Database, community_id: str, state: str | None = None, kind: str | None = None) -> int:
    """How many rows `registry` has under the same filters."""
    where, params = _registry_where(community_id, state, kind)
    return db.scalar(f"SELECT COUNT(*) AS n FROM party_registrations r WHERE {where}", params) or 0


def listed(db: Database, community_id: str, registration_id: str) -> dict | None:
    """A registration the community's registry lists (waiting, returned or confirmed), with the person's name."""
    marks = ", ".join("?" for _ in LISTED)
    row = db.one("SELECT r.*, p.name, p.phone FROM party_registrations r LEFT JOIN dir_people p ON p.id = r.account_id "
                 f"WHERE r.registration_id = ? AND r.community_id = ? AND r.state IN ({marks})",
                 (registration_id, community_id, *LISTED))
    return _registration(row)


def _items_where(account_id: str, community_id: str | None, year: str | None) -> tuple[str, list]:
    sql, params = "i.account_id = ?", [account_id]
    if community_id:
        sql += " AND i.community_id = ?"
        params.append(community_id)
    if year:
        sql += " AND i.on_date >= ? AND i.on_date <= ?"
        params += [f"{year}-01-01", f"{year}-12-31"]
    return sql, params


def items(db: Database, account_id: str, community_id: str | None = None, year: str | None = None) -> list[dict]:
    """A member's service record (counted or not yet: a shift checked in, a task waiting), newest first."""
    where, params = _items_where(account_id, community_id, year)
    return db.all("SELECT i.*, p.name AS community_name FROM party_items i LEFT JOIN dir_places p "
                  f"ON p.id = i.community_id WHERE {where} ORDER BY i.on_date DESC, i.item_key", params)


def figures(db: Database, account_id: str, community_id: str, year: str) -> dict[str, int]:
    """A member's counted figures for one community and year (as a report states them)."""
    rows = [i for i in items(db, account_id, community_id, year) if i["counted"]]
    return figures_of({"kind": r["kind"], "minutes": r["minutes"], "corrected": bool(r["corrected"])} for r in rows)


def counted_items(db: Database, account_id: str, community_id: str, year: str) -> list[dict]:
    """A member's counted items for one community and year, by date, as `ServiceLedger.items` gives them."""
    where, params = _items_where(account_id, community_id, year)
    rows = db.all(f"SELECT * FROM party_items i WHERE {where} AND i.counted = 1 ORDER BY i.on_date, i.item_key", params)
    return [{"key": r["item_key"], "kind": r["kind"], "date": r["on_date"], "title": r["title"],
             "minutes": r["minutes"], "corrected": bool(r["corrected"])} for r in rows]


def waiting_tasks(db: Database, community_id: str) -> list[dict]:
    """Tasks members recorded that wait for a worker's confirmation, oldest first, with the member's name."""
    return db.all("SELECT i.*, p.name FROM party_items i LEFT JOIN dir_people p ON p.id = i.account_id "
                  "JOIN party_registrations r ON r.registration_id = i.registration_id AND r.stint = i.stint "
                  "WHERE i.community_id = ? AND i.kind = 'task' AND i.status = 'pending' AND r.state = ? "
                  "ORDER BY i.logged_at, i.item_key", (community_id, CONFIRMED))


def reports_of(db: Database, account_id: str) -> list[dict]:
    """Reports issued about the person, newest first."""
    return [_report(r) for r in db.all("SELECT * FROM party_reports WHERE account_id = ? "
                                       "ORDER BY year DESC, revision DESC", (account_id,))]


def reports_for(db: Database, registration_id: str, community_id: str) -> list[dict]:
    """Reports one community issued about one member, newest first."""
    return [_report(r) for r in db.all("SELECT * FROM party_reports WHERE registration_id = ? AND community_id = ? "
                                       "ORDER BY year DESC, revision DESC", (registration_id, community_id))]


def report_by_serial(db: Database, serial: str) -> dict | None:
    """The report with this serial."""
    return _report(db.one("SELECT * FROM party_reports WHERE serial = ?", (serial,)))


def report_by_code(db: Database, code: str) -> dict | None:
    """The report with this verification code."""
    return _report(db.one("SELECT * FROM party_reports WHERE code = ?", (code,)))


def latest_revision(db: Database, report_id: str) -> int:
    """The newest revision of a report."""
    return db.scalar("SELECT MAX(revision) AS n FROM party_reports WHERE report_id = ?", (report_id,)) or 0


def _report(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "figures": json.loads(row["figures"]), "items": json.loads(row["items"]),
            "disclose": json.loads(row["disclose"])}


def service_kinds(db: Database, community_id: str) -> list[str]:
    """The community's list of service kinds (the defaults until its workers change it)."""
    if db.scalar("SELECT 1 FROM party_kind_lists WHERE community_id = ?", (community_id,)) is None:
        return list(DEFAULT_SERVICE_KINDS)
    return [r["kind"] for r in db.all("SELECT kind FROM party_kinds WHERE community_id = ? ORDER BY position",
                                      (community_id,))]


# The needs board links to the volunteer station's shifts: their places, times and sign-ups are its read model's.
_OPEN_PLACES = "CASE WHEN c.shift_id IS NULL AND s.places > s.taken THEN s.places - s.taken ELSE 0 END"


def needs(db: Database, community_id: str, now: str, account_id: str | None = None) -> list[dict]:
    """Needs on the community's board whose shift has not ended, soonest first, with open places and whether the
    person asking holds a place."""
    return db.all("SELECT n.*, d.title AS day_title, s.task, s.place, s.starts_at, s.ends_at, "
                  f"{_OPEN_PLACES} AS open_places, c.reason AS cancel_reason, e.status AS my_status "
                  "FROM party_needs n JOIN vol_shifts s ON s.id = n.shift_id JOIN vol_days d ON d.id = n.day_id "
                  "LEFT JOIN vol_cancellations c ON c.shift_id = s.id "
                  "LEFT JOIN vol_entries e ON e.shift_id = s.id AND e.account_id = ? "
                  "WHERE n.community_id = ? AND n.open = 1 AND s.ends_at > ? ORDER BY s.starts_at, n.need_id",
                  (account_id or "", community_id, now))


def need(db: Database, community_id: str, need_id: str) -> dict | None:
    """One need of the community's board."""
    return db.one("SELECT * FROM party_needs WHERE community_id = ? AND need_id = ?", (community_id, need_id))


def postable_shifts(db: Database, community_id: str, now: str) -> list[dict]:
    """Shifts of the community's own action days not yet ended nor called off, and not on the board (to post)."""
    return db.all("SELECT s.id AS shift_id, s.day_id, s.task, s.place, s.starts_at, d.title AS day_title "
                  "FROM vol_shifts s JOIN vol_days d ON d.id = s.day_id "
                  "LEFT JOIN vol_cancellations c ON c.shift_id = s.id "
                  "LEFT JOIN party_needs n ON n.shift_id = s.id AND n.open = 1 "
                  "WHERE d.community_id = ? AND s.ends_at > ? AND c.shift_id IS NULL AND n.need_id IS NULL "
                  "ORDER BY s.starts_at, s.id LIMIT 100", (community_id, now))


# --- counts (no names: what the street sees) ---------------------------------------------------------------------
def counts(db: Database, community_id: str, year: str) -> dict[str, int]:
    """A community's members and service: registered now, waiting, members during the year, active members (some
    counted service in the year), minutes, meetings attended and reports issued for the year."""
    start, end = f"{year}-01-01", f"{year}-12-31"
    now = db.one("SELECT SUM(CASE WHEN state = ? THEN 1 ELSE 0 END) AS registered, "
                 "SUM(CASE WHEN state = ? THEN 1 ELSE 0 END) AS waiting FROM party_registrations "
                 "WHERE community_id = ?", (CONFIRMED, SUBMITTED, community_id)) or {}
    members = db.scalar("SELECT COUNT(DISTINCT account_id) AS n FROM party_registrations WHERE community_id = ? "
                        "AND confirmed_on IS NOT NULL AND confirmed_on <= ? AND (ended_on IS NULL OR ended_on >= ?)",
                        (community_id, end, start))
    service = db.one("SELECT COUNT(DISTINCT account_id) AS active, COALESCE(SUM(minutes), 0) AS minutes, "
                     "SUM(CASE WHEN kind = 'meeting' THEN 1 ELSE 0 END) AS meetings FROM party_items "
                     "WHERE community_id = ? AND counted = 1 AND on_date >= ? AND on_date <= ?",
                     (community_id, start, end)) or {}
    reports = db.scalar("SELECT COUNT(DISTINCT report_id) AS n FROM party_reports WHERE community_id = ? AND year = ?",
                        (community_id, year))
    return {"registered": now.get("registered") or 0, "waiting": now.get("waiting") or 0, "members": members or 0,
            "active": service.get("active") or 0, "minutes": service.get("minutes") or 0,
            "meetings": service.get("meetings") or 0, "reports": reports or 0}


def street_communities(db: Database, street_id: str) -> list[Place]:
    """The street's communities, by name."""
    return directory.communities(db, street_id)


def street_counts(db: Database, communities: list[Place], year: str) -> dict[str, dict[str, int]]:
    """`counts` for each community of a street."""
    return {c.id: counts(db, c.id, year) for c in communities}

