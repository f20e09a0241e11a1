"""The fund ledger: one line per fund event with the change it made to each figure, plus its objects.

Every figure (budget, allocated, committed, pending, paid) is the sum of its column of `fund_lines`, so each
one drills down to the events that make it up, and the ledger "as of" a day is the same sums over the lines
up to that day — which equals replaying the aggregate up to its last event of that day.

A request (a refund, an allocation increase, a payee erasure) is a row of `fund_requests` and a line of its own that
changes no figure; the figures move only with the approval event (`PaymentRefunded`, `AllocationIncreased`), which
also settles the request waiting on that payment or project."""
from __future__ import annotations

import re
from datetime import date, timezone

from domain.fund.model import Fund
from domain.fund.policies import ERASURE, INCREASE, REFUND
from domain.kernel.privacy import ERASED
from domain.kernel.text import mask_name
from domain.kernel.time import local_date, local_day
from domain.roundtable.model import Resolution
from projections.base import Context, Projection
from projections.db import Database, Tx

FIGURES = ("budget", "allocated", "committed", "pending", "paid")

_TOTALS = ("SUM(d_budget), SUM(d_allocated), SUM(d_committed), SUM(d_pending), SUM(d_paid), COUNT(*), "
           "MAX(CASE WHEN type = 'Closed' THEN 1 ELSE 0 END)")

projection = Projection(
    name="fund",
    tables={
        "fund_funds": """CREATE TABLE IF NOT EXISTS fund_funds (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, year INTEGER NOT NULL, budget BIGINT NOT NULL,
            closed INTEGER NOT NULL DEFAULT 0, unspent BIGINT, opened_at TEXT NOT NULL, closed_at TEXT)""",
        "fund_projects": """CREATE TABLE IF NOT EXISTS fund_projects (
            id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, title TEXT NOT NULL, category TEXT NOT NULL,
            resolution_id TEXT NOT NULL, resolution_title TEXT NOT NULL, position BIGINT NOT NULL,
            created_at TEXT NOT NULL)""",
        "fund_commitments": """CREATE TABLE IF NOT EXISTS fund_commitments (
            id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, project_id TEXT NOT NULL, amount BIGINT NOT NULL,
            description TEXT NOT NULL, status TEXT NOT NULL, created_by TEXT NOT NULL, created_at TEXT NOT NULL,
            position BIGINT NOT NULL)""",
        "fund_payments": """CREATE TABLE IF NOT EXISTS fund_payments (
            id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, project_id TEXT NOT NULL, commitment_id TEXT,
            amount BIGINT NOT NULL, refunded BIGINT NOT NULL DEFAULT 0, status TEXT NOT NULL,
            payee_kind TEXT NOT NULL, payee TEXT NOT NULL, payee_public TEXT NOT NULL, paid_on TEXT NOT NULL,
            description TEXT NOT NULL, receipt_ref TEXT NOT NULL, recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL, decided_by TEXT, decided_at TEXT, decided_month TEXT, reason TEXT,
            position BIGINT NOT NULL)""",
        # The running sums of `fund_lines` per fund ('' project) and per project, kept in the same transaction as
        # each line: today's ledger reads one row per project instead of summing every line of the year.
        "fund_totals": """CREATE TABLE IF NOT EXISTS fund_totals (
            fund_id TEXT NOT NULL, project_id TEXT NOT NULL, budget BIGINT NOT NULL, allocated BIGINT NOT NULL,
            committed BIGINT NOT NULL, pending BIGINT NOT NULL, paid BIGINT NOT NULL, events BIGINT NOT NULL,
            closed INTEGER NOT NULL, PRIMARY KEY (fund_id, project_id))""",
        "fund_lines": """CREATE TABLE IF NOT EXISTS fund_lines (
            fund_id TEXT NOT NULL, version INTEGER NOT NULL, position BIGINT NOT NULL, at TEXT NOT NULL,
            day TEXT NOT NULL, month TEXT NOT NULL, type TEXT NOT NULL, project_id TEXT, commitment_id TEXT,
            payment_id TEXT, amount BIGINT NOT NULL, d_budget BIGINT NOT NULL, d_allocated BIGINT NOT NULL,
            d_committed BIGINT NOT NULL, d_pending BIGINT NOT NULL, d_paid BIGINT NOT NULL, actor TEXT,
            reason TEXT, PRIMARY KEY (fund_id, version))""",
        "fund_requests": """CREATE TABLE IF NOT EXISTS fund_requests (
            id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, kind TEXT NOT NULL, project_id TEXT NOT NULL, payment_id TEXT,
            amount BIGINT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL, requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL, requested_day TEXT NOT NULL, decided_by TEXT, decided_at TEXT,
            decided_day TEXT, decision_reason TEXT, position BIGINT NOT NULL)""",
        "fund_resolutions": """CREATE TABLE IF NOT EXISTS fund_resolutions (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, title TEXT NOT NULL, passed INTEGER NOT NULL,
            adopted_at TEXT NOT NULL)""",
        # The amount (and category) a resolution's motion stated, the most the fund may allocate under it; a
        # resolution without a row states none (older ones too). A table of its own, so existing views need no rebuild.
        "fund_authorised": """CREATE TABLE IF NOT EXISTS fund_authorised (
            resolution_id TEXT PRIMARY KEY, amount BIGINT NOT NULL, category TEXT)""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS fund_funds_by_community ON fund_funds (community_id, year)",
        "CREATE INDEX IF NOT EXISTS fund_lines_by_day ON fund_lines (fund_id, day)",
        "CREATE INDEX IF NOT EXISTS fund_payments_by_fund ON fund_payments (fund_id, status)",
        "CREATE INDEX IF NOT EXISTS fund_requests_by_fund ON fund_requests (fund_id, status)",
        "CREATE INDEX IF NOT EXISTS fund_resolutions_by_community ON fund_resolutions (community_id, passed)",
        # Views written before `fund_totals` existed: sum their lines once (a no-op when the totals are there).
        f"INSERT INTO fund_totals (fund_id, project_id, budget, allocated, committed, pending, paid, events, closed) "
        f"SELECT fund_id, project_id, {_TOTALS} FROM fund_lines "
        f"WHERE project_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fund_totals) GROUP BY fund_id, project_id "
        f"UNION ALL SELECT fund_id, '', {_TOTALS} FROM fund_lines "
        f"WHERE NOT EXISTS (SELECT 1 FROM fund_totals) GROUP BY fund_id",
    ],
)


def _utc(at) -> str:
    """A fixed-width UTC timestamp: text order is time order on both back ends."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _line(tx: Tx, e, ctx: Context, amount: int, project_id: str | None = None, commitment_id: str | None = None,
          payment_id: str | None = None, reason: str | None = None, **deltas: int) -> None:
    day = local_day(e.at)
    d = {f: deltas.get(f, 0) for f in FIGURES}
    tx.execute(
        "INSERT INTO fund_lines (fund_id, version, position, at, day, month, type, project_id, commitment_id, "
        "payment_id, amount, d_budget, d_allocated, d_committed, d_pending, d_paid, actor, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (str(e.originator_id), e.originator_version, ctx.position, _utc(e.at), day.isoformat(), day.isoformat()[:7],
         type(e).__name__, project_id, commitment_id, payment_id, amount, d["budget"], d["allocated"],
         d["committed"], d["pending"], d["paid"], str(e.by) if e.by else None, reason))
    closed = 1 if type(e).__name__ == "Closed" else 0
    for key in ("", project_id) if project_id else ("",):
        tx.execute(
            "INSERT INTO fund_totals (fund_id, project_id, budget, allocated, committed, pending, paid, events, closed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (fund_id, project_id) DO UPDATE SET "
            "budget = fund_totals.budget + excluded.budget, allocated = fund_totals.allocated + excluded.allocated, "
            "committed = fund_totals.committed + excluded.committed, pending = fund_totals.pending + excluded.pending, "
            "paid = fund_totals.paid + excluded.paid, events = fund_totals.events + 1, "
            "closed = CASE WHEN excluded.closed = 1 THEN 1 ELSE fund_totals.closed END",
            (str(e.originator_id), key, d["budget"], d["allocated"], d["committed"], d["pending"], d["paid"], closed))


@projection.on(Resolution.Adopted)
def _resolution_adopted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO fund_resolutions (id, community_id, title, passed, adopted_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (id) DO NOTHING",
               (str(e.originator_id), str(e.community_id), e.title, 1 if e.passed else 0, _utc(e.at)))
    if getattr(e, "amount", None) is not None:   # (stored before motions stated amounts: no field at all)
        tx.execute("INSERT INTO fund_authorised (resolution_id, amount, category) VALUES (?, ?, ?) "
                   "ON CONFLICT (resolution_id) DO NOTHING", (str(e.originator_id), e.amount, e.category))


@projection.on(Fund.Opened)
def _opened(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO fund_funds (id, community_id, year, budget, opened_at) VALUES (?, ?, ?, ?, ?)",
               (str(e.originator_id), str(e.community_id), e.year, e.budget_fen, _utc(e.at)))
    _line(tx, e, ctx, e.budget_fen, budget=e.budget_fen)


@projection.on(Fund.Allocated)
def _allocated(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO fund_projects (id, fund_id, title, category, resolution_id, resolution_title, position, "
               "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.project_id), str(e.originator_id), e.title, e.category, str(e.resolution_id),
                e.resolution_title, ctx.position, _utc(e.at)))
    _line(tx, e, ctx, e.amount, str(e.project_id), allocated=e.amount)


@projection.on(Fund.AllocationIncreased, Fund.AllocationReduced)
def _allocation_corrected(tx: Tx, e, ctx: Context) -> None:
    sign = 1 if isinstance(e, Fund.AllocationIncreased) else -1
    if sign > 0:
        _settle(tx, e, INCREASE, project_id=str(e.project_id))
    _line(tx, e, ctx, e.amount, str(e.project_id), reason=e.reason, allocated=sign * e.amount)


# --- requests: a line each, no figure moves until the approval event ---------------------------------
def _request(tx: Tx, e, ctx: Context, request_id, kind: str, project_id: str, payment_id: str | None,
             amount: int) -> None:
    tx.execute("INSERT INTO fund_requests (id, fund_id, kind, project_id, payment_id, amount, reason, status, "
               "requested_by, requested_at, requested_day, position) VALUES (?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, "
               "?, ?)", (str(request_id), str(e.originator_id), kind, project_id, payment_id, amount, e.reason,
                         str(e.by), _utc(e.at), local_date(e.at), ctx.position))
    _line(tx, e, ctx, amount, project_id, None, payment_id, reason=e.reason)


def _rejected(tx: Tx, e, ctx: Context, request_id) -> None:
    row = tx.one("SELECT * FROM fund_requests WHERE id = ?", (str(request_id),))
    tx.execute("UPDATE fund_requests SET status = 'rejected', decided_by = ?, decided_at = ?, decided_day = ?, "
               "decision_reason = ? WHERE id = ?", (str(e.by), _utc(e.at), local_date(e.at), e.reason,
                                                    str(request_id)))
    _line(tx, e, ctx, row["amount"], row["project_id"], None, row["payment_id"], reason=e.reason)


def _settle(tx: Tx, e, kind: str, project_id: str | None = None, payment_id: str | None = None) -> None:
    """The approval event settles the request of its kind waiting on that project or payment (if any)."""
    subject, value = ("project_id", project_id) if project_id else ("payment_id", payment_id)
    tx.execute("UPDATE fund_requests SET status = 'approved', decided_by = ?, decided_at = ?, decided_day = ? "
               f"WHERE fund_id = ? AND kind = ? AND {subject} = ? AND status = 'requested'",
               (str(e.by), _utc(e.at), local_date(e.at), str(e.originator_id), kind, value))


@projection.on(Fund.AllocationIncreaseRequested)
def _increase_requested(tx: Tx, e, ctx: Context) -> None:
    _request(tx, e, ctx, e.increase_id, INCREASE, str(e.project_id), None, e.amount)


@projection.on(Fund.AllocationIncreaseRejected)
def _increase_rejected(tx: Tx, e, ctx: Context) -> None:
    _rejected(tx, e, ctx, e.increase_id)


@projection.on(Fund.RefundRequested)
def _refund_requested(tx: Tx, e, ctx: Context) -> None:
    payment = _payment(tx, e.payment_id)
    _request(tx, e, ctx, e.refund_id, REFUND, payment["project_id"], str(e.payment_id), e.amount)


@projection.on(Fund.RefundRejected)
def _refund_rejected(tx: Tx, e, ctx: Context) -> None:
    _rejected(tx, e, ctx, e.refund_id)


@projection.on(Fund.PayeeErasureRequested)
def _erasure_requested(tx: Tx, e, ctx: Context) -> None:
    payment = _payment(tx, e.payment_id)
    _request(tx, e, ctx, e.erasure_id, ERASURE, payment["project_id"], str(e.payment_id), 0)


@projection.on(Fund.PayeeErasureRejected)
def _erasure_rejected(tx: Tx, e, ctx: Context) -> None:
    _rejected(tx, e, ctx, e.erasure_id)


@projection.on(Fund.Committed)
def _committed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO fund_commitments (id, fund_id, project_id, amount, description, status, created_by, "
               "created_at, position) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
               (str(e.commitment_id), str(e.originator_id), str(e.project_id), e.amount, e.description, str(e.by),
                _utc(e.at), ctx.position))
    _line(tx, e, ctx, e.amount, str(e.project_id), str(e.commitment_id), committed=e.amount)


@projection.on(Fund.CommitmentReleased, Fund.CommitmentCancelled)
def _commitment_ended(tx: Tx, e, ctx: Context) -> None:
    status = "released" if isinstance(e, Fund.CommitmentReleased) else "cancelled"
    tx.execute("UPDATE fund_commitments SET status = ? WHERE id = ?", (status, str(e.commitment_id)))
    project_id = tx.scalar("SELECT project_id FROM fund_commitments WHERE id = ?", (str(e.commitment_id),))
    _line(tx, e, ctx, e.amount, project_id, str(e.commitment_id), reason=e.reason, committed=-e.amount)


@projection.on(Fund.PaymentRecorded)
def _payment_recorded(tx: Tx, e, ctx: Context) -> None:
    if e.payee_kind == "individual":
        fields = ctx.sealer.unseal(e.payment_id, e.payee_sealed)
        payee = fields["payee"] if fields else ERASED
        public = mask_name(payee) if fields else ERASED
    else:
        payee = public = e.payee
    commitment_id = str(e.commitment_id) if e.commitment_id else None
    tx.execute("INSERT INTO fund_payments (id, fund_id, project_id, commitment_id, amount, status, payee_kind, payee, "
               "payee_public, paid_on, description, receipt_ref, recorded_by, recorded_at, position) "
               "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (str(e.payment_id), str(e.originator_id), str(e.project_id), commitment_id, e.amount, e.payee_kind,
                payee, public, e.paid_on, e.description, e.receipt_ref, str(e.by), _utc(e.at), ctx.position))
    _line(tx, e, ctx, e.amount, str(e.project_id), commitment_id, str(e.payment_id),
          committed=-e.amount if commitment_id else 0, pending=e.amount)


def _payment(tx: Tx, payment_id) -> dict:
    return tx.one("SELECT * FROM fund_payments WHERE id = ?", (str(payment_id),))


def _decide(tx: Tx, e, status: str) -> None:
    tx.execute("UPDATE fund_payments SET status = ?, decided_by = ?, decided_at = ?, decided_month = ?, reason = ? "
               "WHERE id = ?", (status, str(e.by), _utc(e.at), local_date(e.at)[:7],
                                getattr(e, "reason", None), str(e.payment_id)))


@projection.on(Fund.PaymentApproved)
def _payment_approved(tx: Tx, e, ctx: Context) -> None:
    payment = _payment(tx, e.payment_id)
    _decide(tx, e, "approved")
    _line(tx, e, ctx, e.amount, payment["project_id"], payment["commitment_id"], str(e.payment_id),
          pending=-e.amount, paid=e.amount)


@projection.on(Fund.PaymentRejected, Fund.PaymentVoided)
def _payment_released(tx: Tx, e, ctx: Context) -> None:
    payment = _payment(tx, e.payment_id)
    _decide(tx, e, "rejected" if isinstance(e, Fund.PaymentRejected) else "voided")
    back_to_commitment = payment["commitment_id"] is not None and tx.scalar(
        "SELECT status FROM fund_commitments WHERE id = ?", (payment["commitment_id"],)) == "open"
    _line(tx, e, ctx, e.amount, payment["project_id"], payment["commitment_id"], str(e.payment_id), reason=e.reason,
          pending=-e.amount, committed=e.amount if back_to_commitment else 0)


@projection.on(Fund.PaymentRefunded)
def _payment_refunded(tx: Tx, e, ctx: Context) -> None:
    payment = _payment(tx, e.payment_id)
    tx.execute("UPDATE fund_payments SET refunded = refunded + ? WHERE id = ?", (e.amount, str(e.payment_id)))
    _settle(tx, e, REFUND, payment_id=str(e.payment_id))
    _line(tx, e, ctx, e.amount, payment["project_id"], payment["commitment_id"], str(e.payment_id), reason=e.reason,
          paid=-e.amount)


@projection.on(Fund.PayeeErased)
def _payee_erased(tx: Tx, e, ctx: Context) -> None:
    """The payee's name goes from every row; the amounts stay, and the erasure is a line of its own."""
    tx.execute("UPDATE fund_payments SET payee = ?, payee_public = ? WHERE id = ?",
               (ERASED, ERASED, str(e.payment_id)))
    _settle(tx, e, ERASURE, payment_id=str(e.payment_id))
    payment = _payment(tx, e.payment_id)
    _line(tx, e, ctx, 0, payment["project_id"] if payment else None,
          payment["commitment_id"] if payment else None, str(e.payment_id), reason=e.reason)


@projection.on(Fund.Closed)
def _closed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE fund_funds SET closed = 1, unspent = ?, closed_at = ? WHERE id = ?",
               (e.unspent, _utc(e.at), str(e.originator_id)))
    _line(tx, e, ctx, e.unspent)


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SUMS = ", ".join(f"COALESCE(SUM(d_{f}), 0) AS {f}" for f in FIGURES)


def parse_as_of(text: str | None) -> str | None:
    """A valid `YYYY-MM-DD` day or None (anything else is ignored rather than mis-read)."""
    if not text or not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _figures(row: dict | None) -> dict:
    f = {k: int((row or {}).get(k) or 0) for k in FIGURES}
    f["available"] = f["budget"] - f["paid"] - f["committed"] - f["pending"]
    f["unallocated"] = f["budget"] - f["allocated"]
    f["free"] = f["allocated"] - f["committed"] - f["pending"] - f["paid"]
    return f


def fund_row(db: Database, community_id: str, year: int) -> dict | None:
    """The fund of a community and year (None if never opened)."""
    return db.one("SELECT * FROM fund_funds WHERE community_id = ? AND year = ?", (str(community_id), year))


def years(db: Database, community_id: str) -> list[int]:
    """The years for which the community has a fund, newest first."""
    return [r["year"] for r in db.all("SELECT year FROM fund_funds WHERE community_id = ? ORDER BY year DESC",
                                      (str(community_id),))]


def ledger(db: Database, community_id: str, year: int, as_of: str | None = None) -> dict | None:
    """Budget, allocated, committed, pending, paid and available, in total and per project (as of a day)."""
    fund = fund_row(db, community_id, year)
    if fund is None:
        return None
    with db.read() as tx:
        if as_of:   # a day gone by: the sums of the lines up to it
            totals = tx.one(f"SELECT {_SUMS}, COUNT(*) AS events FROM fund_lines WHERE fund_id = ? AND day <= ?",
                            (fund["id"], as_of))
            per_project = {r["project_id"]: r for r in tx.all(
                f"SELECT project_id, {_SUMS} FROM fund_lines WHERE fund_id = ? AND project_id IS NOT NULL "
                "AND day <= ? GROUP BY project_id", (fund["id"], as_of))}
            closed = tx.scalar("SELECT COUNT(*) AS n FROM fund_lines WHERE fund_id = ? AND type = 'Closed' "
                               "AND day <= ?", (fund["id"], as_of))
        else:       # today: the running sums
            sums = {r["project_id"]: r for r in tx.all("SELECT * FROM fund_totals WHERE fund_id = ?", (fund["id"],))}
            totals = sums.pop("", None) or {"events": 0, "closed": 0}
            per_project, closed = sums, totals["closed"]
        projects = tx.all("SELECT * FROM fund_projects WHERE fund_id = ? ORDER BY position", (fund["id"],))
    rows = [{**p, **_figures(per_project[p["id"]])} for p in projects if p["id"] in per_project]
    return {"fund": fund, "totals": _figures(totals), "events": totals["events"], "projects": rows,
            "closed": bool(closed), "as_of": as_of}


def lines(db: Database, fund_id: str, figure: str | None = None, project_id: str | None = None,
          as_of: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
    """The events behind a figure (or all), with who did them, in log order."""
    where, params = _line_filter(fund_id, figure, project_id, as_of)
    return db.all(f"SELECT l.*, p.name AS actor_name, pr.title AS project_title FROM fund_lines l "
                  f"LEFT JOIN dir_people p ON p.id = l.actor LEFT JOIN fund_projects pr ON pr.id = l.project_id "
                  f"WHERE {where} ORDER BY l.version LIMIT ? OFFSET ?", (*params, limit, offset))


def count_lines(db: Database, fund_id: str, figure: str | None = None, project_id: str | None = None,
                as_of: str | None = None) -> int:
    """How many events are behind a figure."""
    where, params = _line_filter(fund_id, figure, project_id, as_of)
    return db.scalar(f"SELECT COUNT(*) AS n FROM fund_lines l WHERE {where}", params) or 0


def _line_filter(fund_id: str, figure: str | None, project_id: str | None, as_of: str | None):
    where, params = ["l.fund_id = ?"], [fund_id]
    if figure in FIGURES:
        where.append(f"l.d_{figure} <> 0")
    elif figure == "available":
        where.append("(l.d_budget <> 0 OR l.d_committed <> 0 OR l.d_pending <> 0 OR l.d_paid <> 0)")
    if project_id:
        where.append("l.project_id = ?")
        params.append(project_id)
    if as_of:
        where.append("l.day <= ?")
        params.append(as_of)
    return " AND ".join(where), tuple(params)


def project(db: Database, fund_id: str, project_id: str) -> dict | None:
    """One project of a fund with its current figures."""
    row = db.one("SELECT * FROM fund_projects WHERE id = ? AND fund_id = ?", (project_id, fund_id))
    if row is None:
        return None
    sums = db.one(f"SELECT {_SUMS} FROM fund_lines WHERE fund_id = ? AND project_id = ?", (fund_id, project_id))
    return {**row, **_figures(sums)}


def commitments(db: Database, fund_id: str, project_id: str | None = None) -> list[dict]:
    """A fund's commitments (of one project) with what is left of each."""
    where, params = ("AND c.project_id = ?", (project_id,)) if project_id else ("", ())
    return db.all("SELECT c.*, pr.title AS project_title, "
                  "(SELECT COALESCE(SUM(l.d_committed), 0) FROM fund_lines l WHERE l.fund_id = c.fund_id "
                  " AND l.commitment_id = c.id) AS remaining "
                  f"FROM fund_commitments c JOIN fund_projects pr ON pr.id = c.project_id WHERE c.fund_id = ? {where} "
                  "ORDER BY c.position", (fund_id, *params))


def _waiting(kind: str) -> str:
    return (f"(SELECT r.id FROM fund_requests r WHERE r.payment_id = pm.id AND r.kind = '{kind}' "
            f"AND r.status = 'requested') AS {kind}_request")


# A payment with its project, who recorded and decided it, and the refund or erasure waiting on it (if any).
_PAYMENT_COLUMNS = ("pm.*, pr.title AS project_title, m.name AS maker_name, c.name AS checker_name, "
                    f"{_waiting(REFUND)}, {_waiting(ERASURE)}")
_PAYMENT_JOINS = ("fund_payments pm JOIN fund_projects pr ON pr.id = pm.project_id "
                  "LEFT JOIN dir_people m ON m.id = pm.recorded_by LEFT JOIN dir_people c ON c.id = pm.decided_by")


def payments(db: Database, fund_id: str, status: str | None = None, project_id: str | None = None) -> list[dict]:
    """A fund's payments (in one status, of one project), newest first, with who recorded and decided them."""
    where, params = ["pm.fund_id = ?"], [fund_id]
    if status:
        where.append("pm.status = ?")
        params.append(status)
    if project_id:
        where.append("pm.project_id = ?")
        params.append(project_id)
    return db.all(f"SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_JOINS} WHERE {' AND '.join(where)} "
                  "ORDER BY pm.position DESC", tuple(params))


_STATUS_AFTER = {"PaymentRecorded": "pending", "PaymentApproved": "approved", "PaymentRejected": "rejected",
                 "PaymentVoided": "voided"}


def payments_as_of(db: Database, fund_id: str, as_of: str | None = None) -> list[dict]:
    """A fund's payments as they stood at the end of a day: recorded by then, with that day's status and refunds."""
    rows = payments(db, fund_id)
    if not as_of:
        return rows
    state: dict[str, dict] = {}
    for line in db.all("SELECT payment_id, type, amount FROM fund_lines WHERE fund_id = ? AND payment_id IS NOT NULL "
                       "AND day <= ? ORDER BY version", (fund_id, as_of)):
        s = state.setdefault(line["payment_id"], {"status": "pending", "refunded": 0})
        if line["type"] in _STATUS_AFTER:
            s["status"] = _STATUS_AFTER[line["type"]]
        elif line["type"] == "PaymentRefunded":
            s["refunded"] += int(line["amount"])
    then = []
    for row in rows:
        s = state.get(row["id"])
        if s is None:
            continue
        undecided = {"decided_by": None, "decided_at": None, "checker_name": None, "reason": None} \
            if s["status"] == "pending" else {}
        then.append({**row, **s, **undecided})
    return then


def payment(db: Database, fund_id: str, payment_id: str) -> dict | None:
    """One payment of a fund (None if it is not this fund's), with its project and who recorded and decided it."""
    return db.one(f"SELECT {_PAYMENT_COLUMNS} FROM {_PAYMENT_JOINS} WHERE pm.fund_id = ? AND pm.id = ?",
                  (fund_id, payment_id))


# A request with its project, the payment it concerns (refund, erasure) and who asked and decided.
_REQUEST_COLUMNS = ("r.*, pr.title AS project_title, m.name AS requester_name, c.name AS checker_name, "
                    "pm.payee AS payee, pm.payee_kind AS payee_kind, pm.amount AS payment_amount, "
                    "pm.refunded AS payment_refunded, pm.receipt_ref AS receipt_ref, pm.paid_on AS paid_on")
_REQUEST_JOINS = ("fund_requests r JOIN fund_projects pr ON pr.id = r.project_id "
                  "LEFT JOIN fund_payments pm ON pm.id = r.payment_id "
                  "LEFT JOIN dir_people m ON m.id = r.requested_by LEFT JOIN dir_people c ON c.id = r.decided_by")


def requests(db: Database, fund_id: str, status: str | None = None, project_id: str | None = None) -> list[dict]:
    """A fund's refund, increase and erasure requests (in one status, of one project), newest first, with the
    project, the payment they concern and who asked and decided."""
    where, params = ["r.fund_id = ?"], [fund_id]
    if status:
        where.append("r.status = ?")
        params.append(status)
    if project_id:
        where.append("r.project_id = ?")
        params.append(project_id)
    return db.all(f"SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_JOINS} WHERE {' AND '.join(where)} "
                  "ORDER BY r.position DESC", tuple(params))


def request(db: Database, fund_id: str, request_id: str) -> dict | None:
    """One request of a fund (None if it is not this fund's)."""
    return db.one(f"SELECT {_REQUEST_COLUMNS} FROM {_REQUEST_JOINS} WHERE r.fund_id = ? AND r.id = ?",
                  (fund_id, request_id))


def requests_as_of(db: Database, fund_id: str, as_of: str | None = None) -> list[dict]:
    """A fund's requests as they stood at the end of a day: made by then, undecided if decided later."""
    rows = requests(db, fund_id)
    if not as_of:
        return rows
    undecided = {"status": "requested", "decided_by": None, "decided_at": None, "decided_day": None,
                 "decision_reason": None, "checker_name": None}
    return [row if row["decided_day"] and row["decided_day"] <= as_of else {**row, **undecided}
            for row in rows if row["requested_day"] <= as_of]


def requests_by(db: Database, account_id: str) -> list[dict]:
    """Every request a person asked for or decided, in any fund, oldest first (for their own data)."""
    return db.all(f"SELECT {_REQUEST_COLUMNS}, pm.payee_public, f.year, pl.name AS community_name "
                  f"FROM {_REQUEST_JOINS} JOIN fund_funds f ON f.id = r.fund_id "
                  "LEFT JOIN dir_places pl ON pl.id = f.community_id WHERE r.requested_by = ? OR r.decided_by = ? "
                  "ORDER BY r.position", (str(account_id), str(account_id)))


def payments_by(db: Database, account_id: str) -> list[dict]:
    """Every payment a person recorded or decided as a fund manager, in any fund, oldest first (for their own data)."""
    return db.all(f"SELECT {_PAYMENT_COLUMNS}, f.year, pl.name AS community_name FROM {_PAYMENT_JOINS} "
                  "JOIN fund_funds f ON f.id = pm.fund_id LEFT JOIN dir_places pl ON pl.id = f.community_id "
                  "WHERE pm.recorded_by = ? OR pm.decided_by = ? ORDER BY pm.position",
                  (str(account_id), str(account_id)))


def commitment(db: Database, fund_id: str, commitment_id: str) -> dict | None:
    """One open or ended commitment of a fund with what is left of it (None if it is not this fund's)."""
    return db.one("SELECT c.*, (SELECT COALESCE(SUM(l.d_committed), 0) FROM fund_lines l WHERE l.fund_id = c.fund_id "
                  "AND l.commitment_id = c.id) AS remaining FROM fund_commitments c WHERE c.fund_id = ? AND c.id = ?",
                  (fund_id, commitment_id))


def public_payments(db: Database, fund_id: str) -> list[dict]:
    """Approved payments for the public disclosure: individuals masked, grouped by the month they were paid."""
    return db.all("SELECT pm.id, pm.decided_month AS month, pm.paid_on, pm.payee_public, pm.payee_kind, pm.amount, "
                  "pm.refunded, pm.description, pm.receipt_ref, pr.title AS project_title, "
                  "pr.resolution_title FROM fund_payments pm JOIN fund_projects pr ON pr.id = pm.project_id "
                  "WHERE pm.fund_id = ? AND pm.status = 'approved' ORDER BY pm.decided_month, pm.position",
                  (fund_id,))


def monthly_spending(db: Database, fund_id: str, year: int, as_of: str | None = None) -> list[dict]:
    """Money paid (net of refunds) in each month of the year, as of a day."""
    cut, params = ("AND day <= ?", (as_of,)) if as_of else ("", ())
    got = {r["month"]: int(r["paid"]) for r in db.all(
        f"SELECT month, COALESCE(SUM(d_paid), 0) AS paid FROM fund_lines WHERE fund_id = ? {cut} GROUP BY month",
        (fund_id, *params))}
    return [{"month": f"{year}-{m:02d}", "paid": got.get(f"{year}-{m:02d}", 0)} for m in range(1, 13)]


def by_category(db: Database, fund_id: str, as_of: str | None = None) -> list[dict]:
    """Allocated (budget) against paid (actual) per category, as of a day."""
    cut, params = ("AND l.day <= ?", (as_of,)) if as_of else ("", ())
    return [{**r, "allocated": int(r["allocated"]), "paid": int(r["paid"])} for r in db.all(
        "SELECT pr.category, COALESCE(SUM(l.d_allocated), 0) AS allocated, COALESCE(SUM(l.d_paid), 0) AS paid "
        f"FROM fund_lines l JOIN fund_projects pr ON pr.id = l.project_id WHERE l.fund_id = ? {cut} "
        "GROUP BY pr.category ORDER BY pr.category", (fund_id, *params))]


def passed_resolutions(db: Database, community_id: str) -> list[dict]:
    """The community's passed resolutions, newest first: what money may be allocated against."""
    return db.all("SELECT id, title, adopted_at FROM fund_resolutions WHERE community_id = ? AND passed = 1 "
                  "ORDER BY adopted_at DESC", (str(community_id),))


def resolution_money(db: Database, community_id: str) -> list[dict]:
    """The community's passed resolutions, newest first, each with the amount (and category) its motion stated (None:
    it authorises nothing), what the community's funds of every year allocated under it, and what is left."""
    rows = db.all("SELECT r.id, r.title, r.adopted_at, a.amount AS authorised, a.category, "
                  "(SELECT COALESCE(SUM(l.d_allocated), 0) FROM fund_lines l JOIN fund_projects pr "
                  " ON pr.id = l.project_id WHERE pr.resolution_id = r.id AND l.d_allocated <> 0) AS allocated "
                  "FROM fund_resolutions r LEFT JOIN fund_authorised a ON a.resolution_id = r.id "
                  "WHERE r.community_id = ? AND r.passed = 1 ORDER BY r.adopted_at DESC", (str(community_id),))
    return [{**r, "allocated": int(r["allocated"]),
             "left": max(0, int(r["authorised"]) - int(r["allocated"])) if r["authorised"] is not None else 0}
            for r in rows]


def street_funds(db: Database, street_id: str, year: int) -> list[dict]:
    """Every community of a street with its fund's figures for the year (zeros where none was opened)."""
    communities = db.all("SELECT id, name FROM dir_places WHERE kind = 'community' AND street_id = ? ORDER BY name",
                         (str(street_id),))
    sums = {r["community_id"]: r for r in db.all(
        f"SELECT f.community_id, f.closed, f.unspent, {_SUMS} FROM fund_funds f "
        "JOIN fund_lines l ON l.fund_id = f.id WHERE f.year = ? AND f.community_id IN "
        "(SELECT id FROM dir_places WHERE kind = 'community' AND street_id = ?) "
        "GROUP BY f.community_id, f.closed, f.unspent", (year, str(street_id)))}
    return [{**c, "opened": c["id"] in sums, "closed": bool(sums.get(c["id"], {}).get("closed")),
             **_figures(sums.get(c["id"]))} for c in communities]
