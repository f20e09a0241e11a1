"""Charity-venture grants' read model: organisations and their members, calls with one line per money event (each
figure — pool, pending, awarded, released, clawed back — is the sum of its column, so it drills down to its events),
applications with their scores, awards with their tranches and milestones, reports, and a dossier line per event of
each project.

Personal data: the contact's name and phone are unsealed here (blanked on `Organisation.ContactErased`, whose key
is deleted here too, as `projections/erasures.py` does for people); the team likewise (`Application.TeamErased`).
Names of members, reviewers and officials are never copied: queries join `dir_people`, which is blanked when a
person is erased."""
from __future__ import annotations

import json
from datetime import timezone

from domain.grants.model import Application, Call, Organisation
from domain.grants.policies import (APPROVED, AWARDED, CLOSED, DECLINED, DRAFT, FINAL, PENDING, PROPOSED,
                                    REJECTED, RUNNING, STOPPED, SUBMITTED, WITHDRAWN)
from domain.kernel.privacy import ERASED
from projections.base import Context, Projection
from projections.db import Database, Tx

FIGURES = ("pool", "pending", "awarded", "released", "clawed")

projection = Projection(
    name="grants",
    tables={
        "gr_orgs": """CREATE TABLE IF NOT EXISTS gr_orgs (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, credit_code TEXT NOT NULL, kind TEXT NOT NULL,
            street_id TEXT NOT NULL, district_id TEXT NOT NULL, status TEXT NOT NULL, hub INTEGER NOT NULL DEFAULT 0,
            contact_name TEXT NOT NULL, contact_phone TEXT NOT NULL, registered_by TEXT NOT NULL,
            registered_at TEXT NOT NULL, decided_by TEXT, decided_at TEXT, reason TEXT, position BIGINT NOT NULL)""",
        "gr_members": """CREATE TABLE IF NOT EXISTS gr_members (
            org_id TEXT NOT NULL, account_id TEXT NOT NULL, active INTEGER NOT NULL, added_by TEXT NOT NULL,
            added_at TEXT NOT NULL, PRIMARY KEY (org_id, account_id))""",
        "gr_calls": """CREATE TABLE IF NOT EXISTS gr_calls (
            id TEXT PRIMARY KEY, street_id TEXT, district_id TEXT NOT NULL, title TEXT NOT NULL, theme TEXT NOT NULL,
            pool BIGINT NOT NULL, max_per_project BIGINT NOT NULL, opens_at TEXT NOT NULL, closes_at TEXT NOT NULL,
            criteria TEXT NOT NULL, tranches TEXT NOT NULL, opened_by TEXT NOT NULL, opened_at TEXT NOT NULL,
            position BIGINT NOT NULL)""",
        "gr_reviewers": """CREATE TABLE IF NOT EXISTS gr_reviewers (
            call_id TEXT NOT NULL, account_id TEXT NOT NULL, active INTEGER NOT NULL, assigned_by TEXT NOT NULL,
            assigned_at TEXT NOT NULL, PRIMARY KEY (call_id, account_id))""",
        "gr_applications": """CREATE TABLE IF NOT EXISTS gr_applications (
            id TEXT PRIMARY KEY, call_id TEXT NOT NULL, org_id TEXT NOT NULL, community_id TEXT NOT NULL,
            title TEXT NOT NULL, summary TEXT NOT NULL, requested BIGINT NOT NULL, budget TEXT NOT NULL,
            plan TEXT NOT NULL, team TEXT NOT NULL, team_size INTEGER NOT NULL, team_erased INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL, saved_at TEXT NOT NULL,
            submitted_by TEXT, submitted_at TEXT, position BIGINT NOT NULL)""",
        "gr_scores": """CREATE TABLE IF NOT EXISTS gr_scores (
            application_id TEXT NOT NULL, reviewer_id TEXT NOT NULL, scores TEXT NOT NULL, comments TEXT NOT NULL,
            total BIGINT NOT NULL, at TEXT NOT NULL, position BIGINT NOT NULL,
            PRIMARY KEY (application_id, reviewer_id))""",
        "gr_awards": """CREATE TABLE IF NOT EXISTS gr_awards (
            application_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, org_id TEXT NOT NULL, amount BIGINT NOT NULL,
            status TEXT NOT NULL, proposed_by TEXT NOT NULL, proposed_at TEXT NOT NULL, decided_by TEXT,
            decided_at TEXT, reason TEXT, project_status TEXT, released BIGINT NOT NULL DEFAULT 0,
            cancelled BIGINT NOT NULL DEFAULT 0, clawed_back BIGINT NOT NULL DEFAULT 0, position BIGINT NOT NULL)""",
        "gr_tranches": """CREATE TABLE IF NOT EXISTS gr_tranches (
            application_id TEXT NOT NULL, idx INTEGER NOT NULL, requirement TEXT NOT NULL, percent INTEGER NOT NULL,
            amount BIGINT NOT NULL, status TEXT NOT NULL, released_by TEXT, released_at TEXT,
            PRIMARY KEY (application_id, idx))""",
        "gr_milestones": """CREATE TABLE IF NOT EXISTS gr_milestones (
            application_id TEXT NOT NULL, milestone TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL,
            decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, PRIMARY KEY (application_id, milestone))""",
        "gr_reports": """CREATE TABLE IF NOT EXISTS gr_reports (
            application_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, submitted_by TEXT NOT NULL,
            submitted_at TEXT NOT NULL, PRIMARY KEY (application_id, kind))""",
        "gr_lines": """CREATE TABLE IF NOT EXISTS gr_lines (
            call_id TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL, at TEXT NOT NULL,
            type TEXT NOT NULL, application_id TEXT, amount BIGINT NOT NULL, d_pool BIGINT NOT NULL,
            d_pending BIGINT NOT NULL, d_awarded BIGINT NOT NULL, d_released BIGINT NOT NULL,
            d_clawed BIGINT NOT NULL, actor TEXT, reason TEXT, PRIMARY KEY (call_id, version))""",
        "gr_events": """CREATE TABLE IF NOT EXISTS gr_events (
            position BIGINT NOT NULL, aggregate TEXT NOT NULL, type TEXT NOT NULL, application_id TEXT NOT NULL,
            at TEXT NOT NULL, actor TEXT, amount BIGINT, detail TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (position, application_id))""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS gr_orgs_by_street ON gr_orgs (street_id, status)",
        "CREATE INDEX IF NOT EXISTS gr_members_by_account ON gr_members (account_id)",
        "CREATE INDEX IF NOT EXISTS gr_reviewers_by_account ON gr_reviewers (account_id)",
        "CREATE INDEX IF NOT EXISTS gr_applications_by_call ON gr_applications (call_id, status)",
        "CREATE INDEX IF NOT EXISTS gr_applications_by_org ON gr_applications (org_id)",
        "CREATE INDEX IF NOT EXISTS gr_applications_by_community ON gr_applications (community_id)",
        "CREATE INDEX IF NOT EXISTS gr_awards_by_call ON gr_awards (call_id, status)",
        "CREATE INDEX IF NOT EXISTS gr_events_by_application ON gr_events (application_id, position)",
    ],
)


def _utc(at) -> str:
    """A fixed-width UTC timestamp: text order is time order on both back ends."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _dossier(tx: Tx, e, ctx: Context, application_id, aggregate: str, amount: int | None = None, detail: str = "",
             reason: str = "") -> None:
    """One line of a project's dossier: every event, review and decision about it, in log order."""
    tx.execute("INSERT INTO gr_events (position, aggregate, type, application_id, at, actor, amount, detail, reason) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (ctx.position, aggregate, type(e).__name__, str(application_id), _utc(e.at),
                str(e.by) if getattr(e, "by", None) else None, amount, detail, reason or ""))


# --- organisations ---------------------------------------------------------------------------------
@projection.on(Organisation.Registered)
def _org_registered(tx: Tx, e, ctx: Context) -> None:
    contact = ctx.sealer.unseal(e.contact_id, e.contact) or {"name": ERASED, "phone": ""}
    tx.execute("INSERT INTO gr_orgs (id, name, credit_code, kind, street_id, district_id, status, contact_name, "
               "contact_phone, registered_by, registered_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), e.name, e.credit_code, e.kind, str(e.street_id), str(e.district_id), PENDING,
                contact["name"], contact["phone"], str(e.by), _utc(e.at), ctx.position))
    _member(tx, e.originator_id, e.by, e)


def _member(tx: Tx, org_id, account_id, e) -> None:
    tx.execute("INSERT INTO gr_members (org_id, account_id, active, added_by, added_at) VALUES (?, ?, 1, ?, ?) "
               "ON CONFLICT (org_id, account_id) DO UPDATE SET active = 1, added_by = excluded.added_by, "
               "added_at = excluded.added_at", (str(org_id), str(account_id), str(e.by), _utc(e.at)))


@projection.on(Organisation.Approved, Organisation.Rejected)
def _org_decided(tx: Tx, e, ctx: Context) -> None:
    status = APPROVED if isinstance(e, Organisation.Approved) else REJECTED
    tx.execute("UPDATE gr_orgs SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?",
               (status, str(e.by), _utc(e.at), getattr(e, "reason", None), str(e.originator_id)))


@projection.on(Organisation.HubMarked)
def _org_hub(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_orgs SET hub = ? WHERE id = ?", (1 if e.hub else 0, str(e.originator_id)))


@projection.on(Organisation.MemberAdded)
def _member_added(tx: Tx, e, ctx: Context) -> None:
    _member(tx, e.originator_id, e.account_id, e)


@projection.on(Organisation.MemberRemoved)
def _member_removed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_members SET active = 0 WHERE org_id = ? AND account_id = ?",
               (str(e.originator_id), str(e.account_id)))


@projection.on(Organisation.ContactChanged)
def _contact_changed(tx: Tx, e, ctx: Context) -> None:
    contact = ctx.sealer.unseal(e.contact_id, e.contact) or {"name": ERASED, "phone": ""}
    tx.execute("UPDATE gr_orgs SET contact_name = ?, contact_phone = ? WHERE id = ?",
               (contact["name"], contact["phone"], str(e.originator_id)))


@projection.on(Organisation.ContactErased)
def _contact_erased(tx: Tx, e, ctx: Context) -> None:
    """The contact's name and phone leave the view, and their key goes (again, idempotently: a key store restored
    from an older backup forgets nothing the log says was erased)."""
    tx.execute("UPDATE gr_orgs SET contact_name = ?, contact_phone = '' WHERE id = ?", (ERASED, str(e.originator_id)))
    ctx.sealer.keys.delete(e.contact_id)


# --- calls and their money lines --------------------------------------------------------------------
def _line(tx: Tx, e, ctx: Context, amount: int, application_id=None, reason: str | None = None,
          **deltas: int) -> None:
    d = {f: deltas.get(f, 0) for f in FIGURES}
    tx.execute("INSERT INTO gr_lines (call_id, version, position, at, type, application_id, amount, d_pool, "
               "d_pending, d_awarded, d_released, d_clawed, actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
               "?, ?, ?)",
               (str(e.originator_id), e.originator_version, ctx.position, _utc(e.at), type(e).__name__,
                str(application_id) if application_id else None, amount, d["pool"], d["pending"], d["awarded"],
                d["released"], d["clawed"], str(e.by) if e.by else None, reason))


@projection.on(Call.Opened)
def _call_opened(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_calls (id, street_id, district_id, title, theme, pool, max_per_project, opens_at, "
               "closes_at, criteria, tranches, opened_by, opened_at, position) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.street_id) if e.street_id else None, str(e.district_id), e.title,
                e.theme, e.pool, e.max_per_project, _utc(e.opens_at), _utc(e.closes_at), _json(e.criteria),
                _json(e.tranches), str(e.by), _utc(e.at), ctx.position))
    _line(tx, e, ctx, e.pool, pool=e.pool)


@projection.on(Call.ReviewerAssigned)
def _reviewer_assigned(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_reviewers (call_id, account_id, active, assigned_by, assigned_at) VALUES (?, ?, 1, ?, ?) "
               "ON CONFLICT (call_id, account_id) DO UPDATE SET active = 1, assigned_by = excluded.assigned_by, "
               "assigned_at = excluded.assigned_at", (str(e.originator_id), str(e.reviewer_id), str(e.by), _utc(e.at)))
    _line(tx, e, ctx, 0)


@projection.on(Call.ReviewerRemoved)
def _reviewer_removed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_reviewers SET active = 0 WHERE call_id = ? AND account_id = ?",
               (str(e.originator_id), str(e.reviewer_id)))
    _line(tx, e, ctx, 0)


@projection.on(Call.AwardProposed)
def _award_proposed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_awards (application_id, call_id, org_id, amount, status, proposed_by, proposed_at, "
               "position) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET "
               "amount = excluded.amount, status = excluded.status, proposed_by = excluded.proposed_by, "
               "proposed_at = excluded.proposed_at, decided_by = NULL, decided_at = NULL, reason = NULL, "
               "position = excluded.position",
               (str(e.application_id), str(e.originator_id), str(e.organisation_id), e.amount, PROPOSED, str(e.by),
                _utc(e.at), ctx.position))
    _line(tx, e, ctx, e.amount, e.application_id, pending=e.amount)
    _dossier(tx, e, ctx, e.application_id, "Call", e.amount)


def _award_decided(tx: Tx, e, status: str) -> None:
    tx.execute("UPDATE gr_awards SET status = ?, decided_by = ?, decided_at = ?, reason = ?, project_status = ? "
               "WHERE application_id = ?", (status, str(e.by), _utc(e.at), getattr(e, "reason", None),
                                            RUNNING if status == AWARDED else None, str(e.application_id)))


@projection.on(Call.AwardApproved)
def _award_approved(tx: Tx, e, ctx: Context) -> None:
    _award_decided(tx, e, AWARDED)
    plan = json.loads(tx.scalar("SELECT tranches FROM gr_calls WHERE id = ?", (str(e.originator_id),)))
    tx.execute("DELETE FROM gr_tranches WHERE application_id = ?", (str(e.application_id),))
    for i, (t, amount) in enumerate(zip(plan, e.tranches, strict=True)):
        tx.execute("INSERT INTO gr_tranches (application_id, idx, requirement, percent, amount, status) "
                   "VALUES (?, ?, ?, ?, ?, 'waiting')", (str(e.application_id), i, t["requirement"], t["percent"],
                                                          amount))
    _line(tx, e, ctx, e.amount, e.application_id, pending=-e.amount, awarded=e.amount)
    _dossier(tx, e, ctx, e.application_id, "Call", e.amount)


@projection.on(Call.AwardRejected, Call.AwardWithdrawn)
def _award_released(tx: Tx, e, ctx: Context) -> None:
    _award_decided(tx, e, DECLINED if isinstance(e, Call.AwardRejected) else WITHDRAWN)
    _line(tx, e, ctx, e.amount, e.application_id, reason=e.reason, pending=-e.amount)
    _dossier(tx, e, ctx, e.application_id, "Call", e.amount, reason=e.reason)


@projection.on(Call.MilestoneAccepted)
def _milestone_accepted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_milestones (application_id, milestone, status, note, decided_by, decided_at) "
               "VALUES (?, ?, 'accepted', ?, ?, ?)", (str(e.application_id), e.milestone, e.note, str(e.by),
                                                      _utc(e.at)))
    if e.milestone == FINAL:
        tx.execute("UPDATE gr_awards SET project_status = ? WHERE application_id = ?", (CLOSED, str(e.application_id)))
    _line(tx, e, ctx, 0, e.application_id, reason=e.note)
    _dossier(tx, e, ctx, e.application_id, "Call", None, e.milestone, e.note)


@projection.on(Call.TrancheReleased)
def _tranche_released(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_tranches SET status = 'released', released_by = ?, released_at = ? "
               "WHERE application_id = ? AND idx = ?", (str(e.by), _utc(e.at), str(e.application_id), e.tranche))
    tx.execute("UPDATE gr_awards SET released = released + ? WHERE application_id = ?",
               (e.amount, str(e.application_id)))
    _line(tx, e, ctx, e.amount, e.application_id, released=e.amount)
    _dossier(tx, e, ctx, e.application_id, "Call", e.amount, str(e.tranche + 1))


@projection.on(Call.MidtermFailed)
def _midterm_failed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_milestones (application_id, milestone, status, note, decided_by, decided_at) "
               "VALUES (?, 'midterm', 'failed', ?, ?, ?)", (str(e.application_id), e.reason, str(e.by), _utc(e.at)))
    tx.execute("UPDATE gr_tranches SET status = 'cancelled' WHERE application_id = ? AND status = 'waiting'",
               (str(e.application_id),))
    tx.execute("UPDATE gr_awards SET project_status = ?, cancelled = cancelled + ? WHERE application_id = ?",
               (STOPPED, e.cancelled, str(e.application_id)))
    _line(tx, e, ctx, e.cancelled, e.application_id, reason=e.reason, awarded=-e.cancelled)
    _dossier(tx, e, ctx, e.application_id, "Call", e.cancelled, reason=e.reason)


@projection.on(Call.ClawbackRecorded)
def _clawback(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_awards SET clawed_back = clawed_back + ? WHERE application_id = ?",
               (e.amount, str(e.application_id)))
    _line(tx, e, ctx, e.amount, e.application_id, reason=e.reason, clawed=e.amount)
    _dossier(tx, e, ctx, e.application_id, "Call", e.amount, reason=e.reason)


# --- applications --------------------------------------------------------------------------------------
def _team(ctx: Context, e) -> str:
    fields = ctx.sealer.unseal(e.originator_id, e.team)
    return fields["team"] if fields else ""


@projection.on(Application.Drafted)
def _drafted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_applications (id, call_id, org_id, community_id, title, summary, requested, budget, "
               "plan, team, team_size, team_erased, status, created_by, created_at, saved_at, position) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.call_id), str(e.organisation_id), str(e.community_id), e.title,
                e.summary, e.requested, _json(e.budget), _json(e.plan), _team(ctx, e), e.team_size,
                0 if _team(ctx, e) or not e.team_size else 1, DRAFT, str(e.by), _utc(e.at), _utc(e.at),
                ctx.position))
    _dossier(tx, e, ctx, e.originator_id, "Application", e.requested)


@projection.on(Application.DraftSaved)
def _draft_saved(tx: Tx, e, ctx: Context) -> None:
    team = _team(ctx, e)
    tx.execute("UPDATE gr_applications SET community_id = ?, title = ?, summary = ?, requested = ?, budget = ?, "
               "plan = ?, team = ?, team_size = ?, team_erased = ?, saved_at = ? WHERE id = ?",
               (str(e.community_id), e.title, e.summary, e.requested, _json(e.budget), _json(e.plan), team,
                e.team_size, 0 if team or not e.team_size else 1, _utc(e.at), str(e.originator_id)))
    _dossier(tx, e, ctx, e.originator_id, "Application", e.requested)


@projection.on(Application.Submitted)
def _submitted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE gr_applications SET status = ?, submitted_by = ?, submitted_at = ? WHERE id = ?",
               (SUBMITTED, str(e.by), _utc(e.at), str(e.originator_id)))
    _dossier(tx, e, ctx, e.originator_id, "Application", e.requested)


@projection.on(Application.Scored)
def _scored(tx: Tx, e, ctx: Context) -> None:
    call = tx.one("SELECT c.criteria FROM gr_applications a JOIN gr_calls c ON c.id = a.call_id WHERE a.id = ?",
                  (str(e.originator_id),))
    weights = {c["key"]: int(c["weight"]) for c in json.loads(call["criteria"])}
    total = sum(weights[k] * int(e.scores[k]) for k in weights)
    tx.execute("INSERT INTO gr_scores (application_id, reviewer_id, scores, comments, total, at, position) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)", (str(e.originator_id), str(e.by), _json(e.scores), _json(e.comments),
                                                total, _utc(e.at), ctx.position))
    _dossier(tx, e, ctx, e.originator_id, "Application", None, str(total))


@projection.on(Application.ReportSubmitted)
def _reported(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO gr_reports (application_id, kind, text, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?)",
               (str(e.originator_id), e.kind, e.text, str(e.by), _utc(e.at)))
    _dossier(tx, e, ctx, e.originator_id, "Application", None, e.kind)


@projection.on(Application.TeamErased)
def _team_erased(tx: Tx, e, ctx: Context) -> None:
    """The team's names leave the view; the application's key goes (idempotently)."""
    tx.execute("UPDATE gr_applications SET team = '', team_erased = 1 WHERE id = ?", (str(e.originator_id),))
    ctx.sealer.keys.delete(e.originator_id)
    _dossier(tx, e, ctx, e.originator_id, "Application", reason=e.reason)


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------
def _figures(row: dict | None) -> dict:
    f = {k: int((row or {}).get(k) or 0) for k in FIGURES}
    f["remaining"] = f["pool"] - f["pending"] - f["awarded"]
    f["unreleased"] = f["awarded"] - f["released"]
    return f


_SUMS = ", ".join(f"COALESCE(SUM(d_{f}), 0) AS {f}" for f in FIGURES)


def _call(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "criteria": json.loads(row["criteria"]), "tranches": json.loads(row["tranches"])}


def calls(db: Database, limit: int = 100) -> list[dict]:
    """Every call with its figures, the one closing last first."""
    rows = db.all(f"SELECT c.*, s.name AS street_name, d.name AS district_name, {_SUMS} FROM gr_calls c "
                  "LEFT JOIN dir_places s ON s.id = c.street_id LEFT JOIN dir_places d ON d.id = c.district_id "
                  "LEFT JOIN gr_lines l ON l.call_id = c.id GROUP BY c.id, s.name, d.name "
                  "ORDER BY c.closes_at DESC, c.position DESC LIMIT ?", (limit,))
    return [{**_call(r), "figures": _figures(r)} for r in rows]


def call(db: Database, call_id: str) -> dict | None:
    """One call (criteria and tranches decoded) with its scope's names and its figures."""
    row = db.one("SELECT c.*, s.name AS street_name, d.name AS district_name FROM gr_calls c "
                 "LEFT JOIN dir_places s ON s.id = c.street_id LEFT JOIN dir_places d ON d.id = c.district_id "
                 "WHERE c.id = ?", (str(call_id),))
    if row is None:
        return None
    return {**_call(row), "figures": figures(db, call_id)}


def figures(db: Database, call_id: str) -> dict:
    """Pool, pending, awarded, released, clawed back, remaining and unreleased of a call."""
    return _figures(db.one(f"SELECT {_SUMS}, COUNT(*) AS events FROM gr_lines WHERE call_id = ?", (str(call_id),)))


def lines(db: Database, call_id: str, figure: str | None = None, application_id: str | None = None,
          limit: int = 1000) -> list[dict]:
    """The events behind a figure of a call (of one project), with who did them, in log order."""
    where, params = "l.call_id = ?", [str(call_id)]
    if figure in FIGURES:
        where += f" AND l.d_{figure} <> 0"
    if application_id:
        where += " AND l.application_id = ?"
        params.append(str(application_id))
    return db.all("SELECT l.*, p.name AS actor_name, a.title AS project_title FROM gr_lines l "
                  "LEFT JOIN dir_people p ON p.id = l.actor LEFT JOIN gr_applications a ON a.id = l.application_id "
                  f"WHERE {where} ORDER BY l.version LIMIT ?", (*params, limit))


def reviewers(db: Database, call_id: str) -> list[dict]:
    """The call's active reviewers with their names (and how many applications each has scored)."""
    return db.all("SELECT r.account_id, r.assigned_at, p.name, p.phone, a.name AS assigned_by_name, "
                  "(SELECT COUNT(*) FROM gr_scores s JOIN gr_applications ap ON ap.id = s.application_id "
                  " WHERE s.reviewer_id = r.account_id AND ap.call_id = r.call_id) AS scored "
                  "FROM gr_reviewers r LEFT JOIN dir_people p ON p.id = r.account_id "
                  "LEFT JOIN dir_people a ON a.id = r.assigned_by "
                  "WHERE r.call_id = ? AND r.active = 1 ORDER BY r.assigned_at", (str(call_id),))


def reviewer_ids(db: Database, call_id: str) -> list[str]:
    """The ids of the call's active reviewers."""
    return [r["account_id"] for r in db.all("SELECT account_id FROM gr_reviewers WHERE call_id = ? AND active = 1",
                                            (str(call_id),))]


# --- organisations ------------------------------------------------------------------------------------
def organisation(db: Database, org_id: str) -> dict | None:
    """One organisation with its street's name."""
    return db.one("SELECT o.*, s.name AS street_name FROM gr_orgs o LEFT JOIN dir_places s ON s.id = o.street_id "
                  "WHERE o.id = ?", (str(org_id),))


def organisations(db: Database, status: str | None = None, limit: int = 200) -> list[dict]:
    """Organisations (of one status), newest first, with their street's name."""
    where, params = ("WHERE o.status = ? ", (status,)) if status else ("", ())
    return db.all("SELECT o.*, s.name AS street_name FROM gr_orgs o LEFT JOIN dir_places s ON s.id = o.street_id "
                  f"{where}ORDER BY o.position DESC LIMIT ?", (*params, limit))


def organisations_of(db: Database, org_ids: list[str]) -> list[dict]:
    """The organisations with these ids (a member's), by name."""
    if not org_ids:
        return []
    marks = ", ".join("?" for _ in org_ids)
    return db.all("SELECT o.*, s.name AS street_name FROM gr_orgs o LEFT JOIN dir_places s ON s.id = o.street_id "
                  f"WHERE o.id IN ({marks}) ORDER BY o.name", tuple(org_ids))


def members(db: Database, org_id: str) -> list[dict]:
    """The organisation's current members with their names and phones (from the directory)."""
    return db.all("SELECT m.account_id, m.added_at, p.name, p.phone FROM gr_members m "
                  "LEFT JOIN dir_people p ON p.id = m.account_id WHERE m.org_id = ? AND m.active = 1 "
                  "ORDER BY m.added_at", (str(org_id),))


def ever_members(db: Database, org_id: str) -> list[str]:
    """Every account that ever belonged to the organisation (a former member still may not review it)."""
    return [r["account_id"] for r in db.all("SELECT account_id FROM gr_members WHERE org_id = ?", (str(org_id),))]


# --- applications ---------------------------------------------------------------------------------------
_APPLICATION = ("SELECT a.*, o.name AS org_name, o.hub AS org_hub, c.title AS call_title, c.street_id, c.district_id, "
                "c.opens_at, c.closes_at, c.max_per_project, p.name AS community_name, w.status AS award_status, "
                "w.amount AS award_amount, w.project_status, w.proposed_by, w.released, w.cancelled, w.clawed_back, "
                "(SELECT COUNT(*) FROM gr_scores s WHERE s.application_id = a.id) AS reviews "
                "FROM gr_applications a JOIN gr_orgs o ON o.id = a.org_id JOIN gr_calls c ON c.id = a.call_id "
                "LEFT JOIN dir_places p ON p.id = a.community_id LEFT JOIN gr_awards w ON w.application_id = a.id ")


def _application(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {**row, "budget": json.loads(row["budget"]), "plan": json.loads(row["plan"]),
            "team": json.loads(row["team"]) if row["team"] else []}


def application(db: Database, application_id: str) -> dict | None:
    """One application with its organisation, call, community and award."""
    return _application(db.one(_APPLICATION + "WHERE a.id = ?", (str(application_id),)))


def applications_of_orgs(db: Database, org_ids: list[str]) -> list[dict]:
    """The applications of these organisations (a member's), newest first."""
    if not org_ids:
        return []
    marks = ", ".join("?" for _ in org_ids)
    return [_application(r) for r in db.all(_APPLICATION + f"WHERE a.org_id IN ({marks}) ORDER BY a.position DESC",
                                            tuple(org_ids))]


def applications_of_call(db: Database, call_id: str, status: str | None = SUBMITTED) -> list[dict]:
    """A call's applications (submitted ones by default), oldest first."""
    where, params = ("AND a.status = ? ", (status,)) if status else ("", ())
    return [_application(r) for r in db.all(_APPLICATION + f"WHERE a.call_id = ? {where}ORDER BY a.position",
                                            (str(call_id), *params))]


def review_queue(db: Database, account_id: str) -> list[dict]:
    """Submitted applications of the calls the person reviews that they have not scored yet, oldest first."""
    return [_application(r) for r in db.all(
        _APPLICATION + "JOIN gr_reviewers r ON r.call_id = a.call_id AND r.account_id = ? AND r.active = 1 "
        "WHERE a.status = ? AND NOT EXISTS (SELECT 1 FROM gr_scores s WHERE s.application_id = a.id "
        "AND s.reviewer_id = ?) ORDER BY a.position", (str(account_id), SUBMITTED, str(account_id)))]


def reviewed_by(db: Database, account_id: str) -> list[dict]:
    """The scores the person has given, newest first, with the application's title and call."""
    rows = db.all("SELECT s.*, a.title, c.title AS call_title, a.call_id FROM gr_scores s "
                  "JOIN gr_applications a ON a.id = s.application_id JOIN gr_calls c ON c.id = a.call_id "
                  "WHERE s.reviewer_id = ? ORDER BY s.position DESC", (str(account_id),))
    return [{**r, "scores": json.loads(r["scores"]), "comments": json.loads(r["comments"])} for r in rows]


def reviewing_calls(db: Database, account_id: str) -> list[str]:
    """The calls the person reviews for."""
    return [r["call_id"] for r in db.all("SELECT call_id FROM gr_reviewers WHERE account_id = ? AND active = 1",
                                         (str(account_id),))]


def scores(db: Database, application_id: str) -> list[dict]:
    """Every reviewer's scores and comments (decoded) on an application, with their names, in order given."""
    rows = db.all("SELECT s.*, p.name AS reviewer_name FROM gr_scores s LEFT JOIN dir_people p ON p.id = s.reviewer_id "
                  "WHERE s.application_id = ? ORDER BY s.position", (str(application_id),))
    return [{**r, "scores": json.loads(r["scores"]), "comments": json.loads(r["comments"])} for r in rows]


def ranking(db: Database, call_id: str) -> list[dict]:
    """The call's submitted applications by weighted mean score (hundredths; none scored last), with each
    reviewer's scores."""
    rows = []
    for a in applications_of_call(db, call_id):
        given = scores(db, a["id"])
        mean = sum(s["total"] for s in given) / len(given) if given else None
        rows.append({**a, "scores": given, "mean": mean})
    return sorted(rows, key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["position"]))


# --- awards, tranches, milestones, reports -----------------------------------------------------------------
def awards(db: Database, call_id: str, status: str | None = None) -> list[dict]:
    """A call's awards (of one status) with the project, organisation and community, in the order proposed."""
    where, params = ("AND w.status = ? ", (status,)) if status else ("", ())
    return db.all("SELECT w.*, a.title, a.requested, a.community_id, o.name AS org_name, o.hub AS org_hub, "
                  "p.name AS community_name, m.name AS proposer_name, k.name AS checker_name FROM gr_awards w "
                  "JOIN gr_applications a ON a.id = w.application_id JOIN gr_orgs o ON o.id = w.org_id "
                  "LEFT JOIN dir_places p ON p.id = a.community_id LEFT JOIN dir_people m ON m.id = w.proposed_by "
                  "LEFT JOIN dir_people k ON k.id = w.decided_by "
                  f"WHERE w.call_id = ? {where}ORDER BY w.position", (str(call_id), *params))


def tranches(db: Database, application_id: str) -> list[dict]:
    """A project's tranches in order, with who released each."""
    return db.all("SELECT t.*, p.name AS released_by_name FROM gr_tranches t "
                  "LEFT JOIN dir_people p ON p.id = t.released_by WHERE t.application_id = ? ORDER BY t.idx",
                  (str(application_id),))


def milestones(db: Database, application_id: str) -> dict[str, dict]:
    """A project's milestone decisions by milestone (accepted, or a failed mid-term), with who decided."""
    rows = db.all("SELECT m.*, p.name AS decided_by_name FROM gr_milestones m "
                  "LEFT JOIN dir_people p ON p.id = m.decided_by WHERE m.application_id = ?", (str(application_id),))
    return {r["milestone"]: r for r in rows}


def reports(db: Database, application_id: str) -> dict[str, dict]:
    """A project's reports by kind (mid-term, final)."""
    rows = db.all("SELECT r.*, p.name AS submitted_by_name FROM gr_reports r "
                  "LEFT JOIN dir_people p ON p.id = r.submitted_by WHERE r.application_id = ?", (str(application_id),))
    return {r["kind"]: r for r in rows}


def dossier(db: Database, application_id: str) -> list[dict]:
    """Every event, review and decision of a project in log order, with who acted."""
    return db.all("SELECT e.*, p.name AS actor_name FROM gr_events e LEFT JOIN dir_people p ON p.id = e.actor "
                  "WHERE e.application_id = ? ORDER BY e.position", (str(application_id),))


def community_projects(db: Database, community_id: str) -> list[dict]:
    """The awarded projects serving a community (running first), with their organisations and calls."""
    return db.all("SELECT w.*, a.title, a.call_id, o.name AS org_name, c.title AS call_title FROM gr_awards w "
                  "JOIN gr_applications a ON a.id = w.application_id JOIN gr_orgs o ON o.id = w.org_id "
                  "JOIN gr_calls c ON c.id = a.call_id WHERE a.community_id = ? AND w.status = ? "
                  "ORDER BY CASE w.project_status WHEN ? THEN 0 ELSE 1 END, w.position DESC",
                  (str(community_id), AWARDED, RUNNING))


def proposed_awards(db: Database, call_ids: list[str]) -> list[dict]:
    """Awards waiting for a checker in these calls."""
    if not call_ids:
        return []
    marks = ", ".join("?" for _ in call_ids)
    return db.all(f"SELECT w.*, a.title FROM gr_awards w JOIN gr_applications a ON a.id = w.application_id "
                  f"WHERE w.call_id IN ({marks}) AND w.status = ?", (*call_ids, PROPOSED))


# --- places (for the forms) and what a person did ------------------------------------------------------------
def streets(db: Database) -> list[dict]:
    """Every street with its district, by name."""
    return db.all("SELECT s.id, s.name, s.district_id, d.name AS district_name FROM dir_places s "
                  "LEFT JOIN dir_places d ON d.id = s.district_id WHERE s.kind = 'street' ORDER BY s.name")


def communities_in(db: Database, street_id: str | None, district_id: str) -> list[dict]:
    """The communities a call serves: of its street, or of its whole district."""
    if street_id:
        return db.all("SELECT id, name FROM dir_places WHERE kind = 'community' AND street_id = ? ORDER BY name",
                      (str(street_id),))
    return db.all("SELECT id, name FROM dir_places WHERE kind = 'community' AND district_id = ? ORDER BY name",
                  (str(district_id),))


def districts(db: Database) -> list[dict]:
    """Every district, by name."""
    return db.all("SELECT id, name FROM dir_places WHERE kind = 'district' ORDER BY name")


def decisions_by(db: Database, account_id: str) -> list[dict]:
    """The grants decisions an official made or a member recorded (every dossier line they acted on)."""
    return db.all("SELECT e.*, a.title FROM gr_events e JOIN gr_applications a ON a.id = e.application_id "
                  "WHERE e.actor = ? ORDER BY e.position", (str(account_id),))

