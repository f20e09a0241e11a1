"""The hash chain (`domain/kernel/chain.py`) as a read model: the store's running digest after every event, and the
digest of the event's place (community, street or district), so a published page can say which point of the record
it was drawn from, and an export carries the digests the chain computed when each event was first seen.

A link covers what the recorder holds, not the decoded event (an upcast or a moved class would give other bytes),
so the projection is built over the application (`projection_for(app)`) and reads each batch of stored events once
more from the recorder (a store-wide cipher or compressor, when configured, is undone first). `chain_places`
remembers the place of every aggregate whose first event named one; `chain_links` has one row per event.

What an export shows of an event is `disclosure`: the fields of the public record (meetings, resolutions, the fund,
action days, certificates, grant calls), each other field by its digest, every other event by its digest alone."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.kernel import chain
from domain.kernel.privacy import SEALED_TEXT
from projections.base import Context, Projection
from projections.db import Database, Tx

NAME = "chain"
LINK_FORMAT = chain.LINK_FORMAT   # what an export's header names
PREFETCH = 500      # stored events read at once, ahead of the runner's batch
WINDOW = 1000       # stored events an export or a check reads at once

projection_tables = {
    "chain_links": """CREATE TABLE IF NOT EXISTS chain_links (
        position BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, place_id TEXT,
        digest TEXT NOT NULL, place_digest TEXT)""",
    "chain_places": """CREATE TABLE IF NOT EXISTS chain_places (
        aggregate_id TEXT PRIMARY KEY, place_id TEXT NOT NULL)""",
}
projection_indexes = [
    "CREATE INDEX IF NOT EXISTS chain_links_by_place ON chain_links (place_id, position)",
    "CREATE INDEX IF NOT EXISTS chain_links_by_event ON chain_links (aggregate_id, version)",
]

# --- what an export shows -------------------------------------------------------------------------------------------
# The public record, event by event: every field is shown except those withheld below. Any other event (accounts,
# residents, volunteers' own streams, Party members, grid requests, applications, …) is one line with its event
# digest alone, so a new event type stays private until someone lists it here (a test asks for a decision on every
# event of these aggregates).
SHOWN = {
    "Community": ("Founded",), "Street": ("Founded",), "District": ("Founded",),
    "Meeting": ("Scheduled", "Rescheduled", "Cancelled", "Opened", "Adjourned", "ResidentRegistered",
                "ResidentWaitlisted", "RegistrationCancelled", "WaitlistPromoted", "PromotionNoticeSeen",
                "AgendaItemProposed", "AgendaItemSupported", "AgendaItemAccepted", "AgendaItemDeclined",
                "AgendaItemTakenUp", "SpeakerAdded", "SpeakerWithdrawn", "SpeakerStarted", "SpeakerFinished",
                "CheckedIn", "CheckedOut", "ProxyLimitSet", "ProxyGiven", "ProxyWithdrawn", "ProxyRevoked",
                "MotionOpened", "VoteCast", "VoteRecorded", "ProxyVoteCast", "HandsCounted", "MotionClosed",
                "MinutesPublished"),
    "Resolution": ("Adopted", "OwnerAssigned", "FollowUpStatusChanged", "ProgressNoted", "Rated"),
    "Fund": ("Opened", "Allocated", "AllocationIncreaseRequested", "AllocationIncreased", "AllocationIncreaseRejected",
             "AllocationReduced", "Committed", "CommitmentReleased", "CommitmentCancelled", "PaymentRecorded",
             "PaymentApproved", "PaymentRejected", "PaymentVoided", "RefundRequested", "PaymentRefunded",
             "RefundRejected", "PayeeErasureRequested", "PayeeErased", "PayeeErasureRejected", "Closed"),
    "ActionDay": ("Created", "ShiftAdded", "SignedUp", "Waitlisted", "Cancelled", "Promoted", "CheckedIn",
                  "CheckedOut", "HoursCorrected", "ShiftCancelled", "DayCancelled", "PlacesChanged", "WalkedIn"),
    "Certificate": ("Opened", "Issued"),
    "Call": ("Opened", "ReviewerAssigned", "ReviewerRemoved", "AwardProposed", "AwardApproved", "AwardRejected",
             "AwardWithdrawn", "MilestoneAccepted", "TrancheReleased", "MidtermFailed", "ClawbackRecorded"),
}
WITHHELD = {
    "Certificate.Issued": ("code",),          # whoever holds the code opens the certificate's public check
    "Fund": ("reason", "receipt_ref"),        # the staff ledger's notes; the amounts and who acted are shown
    "Call": ("reason",),
}
SEALED_ONLY = {"ActionDay.HoursCorrected": ("reason",)}   # personal: shown sealed; a clear one (older stores) withheld


def disclosure(name: str, state: dict) -> tuple[dict, dict[str, str]] | None:
    """What an export shows of an event `Aggregate.Event`: (fields shown, field → digest of those withheld), or None
    when it shows nothing but the event's digest."""
    aggregate, _, event = name.partition(".")
    if event not in SHOWN.get(aggregate, ()):
        return None
    hidden = set(WITHHELD.get(name, ())) | set(WITHHELD.get(aggregate, ()))
    hidden |= {f for f in SEALED_ONLY.get(name, ()) if state.get(f) and not str(state[f]).startswith(SEALED_TEXT)}
    shown = {k: v for k, v in state.items() if k not in hidden}
    return shown, {k: chain.field_digest(state[k]) for k in sorted(hidden) if k in state}


# --- what the recorder holds --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stored:
    """One stored event as the chain reads it: position, aggregate id, version, stored topic and state."""

    position: int
    aggregate_id: str
    version: int
    topic: str
    state: dict

    @property
    def name(self) -> str:
        return chain.event_name(self.topic)

    def digest(self) -> str:
        return chain.event_digest(self.aggregate_id, self.version, self.topic, chain.event_time(self.state),
                                  chain.digest_of_state(self.state))


def stored(app: Any, notification: Any) -> Stored:
    """A notification as stored: the state's JSON after undoing the store's own cipher and compressor, if any."""
    return Stored(notification.id, chain.canonical_id(notification.originator_id), notification.originator_version,
                  notification.topic, _stored_state(app, notification.state))


def read_store(app: Any, start: int, stop: int | None, limit: int = WINDOW) -> list[Stored]:
    """Stored events after `start`, up to `stop`, at most `limit`."""
    return [stored(app, n) for n in app.recorder.select_notifications(start=start, limit=limit, stop=stop,
                                                                        inclusive_of_start=False)]


# --- the projection ------------------------------------------------------------------------------------------------
PLACES_REMEMBERED = 100_000


class _Heads:
    """The chain's heads and which place each aggregate is in, as the chain's tables hold them."""

    def __init__(self) -> None:
        self.store_head: str | None = None
        self.place_heads: dict[str, str] = {}
        self.places: dict[str, str | None] = {}


class _Batch(threading.local):
    """What one views transaction knows when no runner's memo is given (a replay): stored events read ahead, heads."""

    tx: Tx | None = None

    def reset(self, tx: Tx) -> None:
        self.tx = tx
        self.stored: dict[int, Stored] = {}
        self.heads = _Heads()


def projection_for(app: Any) -> Projection:
    """The chain over `app`'s event store (every event, in log order)."""
    batch = _Batch()

    def read(tx: Tx, position: int) -> Stored:
        if batch.tx is not tx:
            batch.reset(tx)
        found = batch.stored.get(position)
        if found is None:
            batch.stored = {s.position: s for s in read_store(app, position - 1, None, PREFETCH)}
            found = batch.stored.get(position)
            if found is None:
                raise LookupError(f"event {position} is not in the store")
        return found

    def place_of(tx: Tx, s: Stored, heads: _Heads) -> str | None:
        named = chain.place_named(s.topic, s.aggregate_id, s.state)
        if named is not None:
            if s.version == 1:
                tx.execute("INSERT INTO chain_places (aggregate_id, place_id) VALUES (?, ?) "
                           "ON CONFLICT (aggregate_id) DO NOTHING", (s.aggregate_id, named))
                heads.places[s.aggregate_id] = named
            return named
        if s.version == 1:   # a first event that names no place: its aggregate has none
            heads.places[s.aggregate_id] = None
            return None
        if s.aggregate_id not in heads.places:
            if len(heads.places) > PLACES_REMEMBERED:
                heads.places.clear()   # only what the table holds: read again when needed
            heads.places[s.aggregate_id] = tx.scalar("SELECT place_id FROM chain_places WHERE aggregate_id = ?",
                                                     (s.aggregate_id,))
        return heads.places[s.aggregate_id]

    def record(tx: Tx, e: Any, ctx: Context) -> None:
        # The runner hands over the notification it read, and its memo; otherwise (a replay of decoded events) read
        # the notification again, and the heads from the tables once per transaction.
        if ctx.memo is not None:
            heads = ctx.memo.get("heads")
            if heads is None:
                heads = ctx.memo["heads"] = _Heads()
        else:
            if batch.tx is not tx:
                batch.reset(tx)
            heads = batch.heads
        s = stored(app, ctx.stored) if ctx.stored is not None else read(tx, ctx.position)
        event = s.digest()
        if heads.store_head is None:
            heads.store_head = tx.scalar("SELECT digest FROM chain_links ORDER BY position DESC LIMIT 1") \
                or chain.GENESIS
        heads.store_head = chain.link(heads.store_head, event)
        place = place_of(tx, s, heads)
        place_digest = None
        if place is not None:
            prev = heads.place_heads.get(place)
            if prev is None:
                prev = tx.scalar("SELECT place_digest FROM chain_links WHERE place_id = ? ORDER BY position DESC "
                                 "LIMIT 1", (place,)) or chain.GENESIS
            place_digest = heads.place_heads[place] = chain.link(prev, event)
        tx.execute("INSERT INTO chain_links (position, aggregate_id, version, place_id, digest, place_digest) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (ctx.position, s.aggregate_id, s.version, place, heads.store_head,
                                                 place_digest))

    projection = Projection(name=NAME, tables=projection_tables, indexes=projection_indexes, kept=True)
    projection.every_event = record
    return projection


# --- queries (one-line docstrings; the web layer calls these, never SQL of its own) -----------------------------------
@dataclass(frozen=True)
class Stamp:
    """Where a published figure was drawn from: a position of its place's chain and the chain's digest there."""

    place_id: str
    position: int
    digest: str

    @property
    def short(self) -> str:
        return self.digest[:16]

    @property
    def expect(self) -> str:
        """What `linli verify FILE --expect …` (and `tools/verify_linli.py`) takes to check this digest."""
        return f"{self.position}:{self.digest}"


def stamp(db: Database, place_id: str, position: int | None = None) -> Stamp | None:
    """The place's chain at its last event up to `position` (its latest without one); None before any event."""
    cut, params = ("AND position <= ?", (position,)) if position is not None else ("", ())
    row = db.one(f"SELECT position, place_digest FROM chain_links WHERE place_id = ? {cut} "
                 "ORDER BY position DESC LIMIT 1", (str(place_id), *params))
    return Stamp(str(place_id), row["position"], row["place_digest"]) if row else None


def stamp_of_event(db: Database, aggregate_id: str, version: int) -> Stamp | None:
    """The chain of the event's place right after that event (None for an event of no place or not chained yet)."""
    row = db.one("SELECT position, place_id, place_digest FROM chain_links WHERE aggregate_id = ? AND version = ?",
                 (str(aggregate_id), version))
    return Stamp(row["place_id"], row["position"], row["place_digest"]) if row and row["place_id"] else None


def stamp_of_aggregate(db: Database, aggregate_id: str) -> Stamp | None:
    """The chain of an aggregate's place right after its latest event (a fund, a grant call): what a page drawn
    from that aggregate follows from."""
    row = db.one("SELECT position, place_id, place_digest FROM chain_links WHERE aggregate_id = ? "
                 "ORDER BY version DESC LIMIT 1", (str(aggregate_id),))
    return Stamp(row["place_id"], row["position"], row["place_digest"]) if row and row["place_id"] else None


def stamp_of_latest(db: Database, aggregate_id: str, event_type: str) -> Stamp | None:
    """The chain of an aggregate's place right after its latest event of one type (the minutes a meeting published
    last): what a part of a page drawn from that event follows from."""
    row = db.one("SELECT c.position, c.place_id, c.place_digest FROM chain_links c JOIN audit_log a "
                 "ON a.position = c.position WHERE c.aggregate_id = ? AND a.event_type = ? "
                 "ORDER BY c.position DESC LIMIT 1", (str(aggregate_id), event_type))
    return Stamp(row["place_id"], row["position"], row["place_digest"]) if row and row["place_id"] else None


BEHIND_LIMIT = 500   # events a drill-down lists at most


def events_behind(app: Any, db: Database, place_ids: list[str], names: list[str], *, aggregates: list[str] = (),
                  match: dict[str, str] | None = None, since: str | None = None, until: str | None = None,
                  upto: int | None = None) -> list[dict]:
    """The events of the places behind a figure, in log order: of the event types `names` (`Aggregate.Event`, only
    those an export shows), of `aggregates` when given, recorded between the UTC times `since` and `until`, up to log
    position `upto`, and whose shown fields equal `match` — each with what an export shows of it (`shown`), who acted
    and the chain of its place right after it (`stamp`). At most `BEHIND_LIMIT`."""
    names = [n for n in names if disclosure(n, {}) is not None]
    if not names or not place_ids:
        return []
    where = [f"c.place_id IN ({', '.join('?' * len(place_ids))})",
             f"(a.aggregate_type || '.' || a.event_type) IN ({', '.join('?' * len(names))})"]
    params: list[Any] = [*place_ids, *names]
    if aggregates:
        where.append(f"a.aggregate_id IN ({', '.join('?' * len(aggregates))})")
        params += list(aggregates)
    for column, op, value in (("a.at", ">=", since), ("a.at", "<", until), ("a.position", "<=", upto)):
        if value is not None:
            where.append(f"{column} {op} ?")
            params.append(value)
    rows = db.all("SELECT a.position, a.at, a.aggregate_type, a.event_type, a.aggregate_id, a.actor_id, c.version, "
                  "c.place_id, c.place_digest, p.name AS actor_name FROM audit_log a JOIN chain_links c "
                  "ON c.position = a.position LEFT JOIN dir_people p ON p.id = a.actor_id "
                  f"WHERE {' AND '.join(where)} ORDER BY a.position", tuple(params))
    versions: dict[str, list[int]] = {}
    for r in rows:
        versions.setdefault(r["aggregate_id"], []).append(r["version"])
    states: dict[tuple[str, int], dict] = {}
    for aggregate_id, held in versions.items():
        for e in app.recorder.select_events(UUID(aggregate_id), gt=min(held) - 1, lte=max(held)):
            states[(aggregate_id, e.originator_version)] = _stored_state(app, e.state)
    found = []
    for r in rows:
        state = states.get((r["aggregate_id"], r["version"]))
        shown = disclosure(f"{r['aggregate_type']}.{r['event_type']}", state or {}) if state is not None else None
        fields = {k: _plain(v) for k, v in shown[0].items()} if shown else {}
        if any(str(fields.get(k)) != str(v) for k, v in (match or {}).items()):
            continue
        found.append({**r, "shown": fields, "stamp": Stamp(r["place_id"], r["position"], r["place_digest"])})
        if len(found) >= BEHIND_LIMIT:
            break
    return found


def _stored_state(app: Any, data: bytes) -> dict:
    """A stored state's JSON, after undoing the store's own cipher and compressor, if any."""
    if app.mapper.cipher is not None:
        data = app.mapper.cipher.decrypt(data)
    if app.mapper.compressor is not None:
        data = app.mapper.compressor.decompress(data)
    return json.loads(data)


def _plain(value: Any) -> Any:
    """A stored value as a page shows it: an id or a time as its text."""
    if isinstance(value, dict) and value.keys() == {"_type_", "_data_"}:
        return chain.canonical_id(value) if value["_type_"] == "uuid_hex" else value["_data_"]
    return value


def chained_to(db: Database) -> int:
    """The position the chain has reached (0 before any event)."""
    return db.scalar("SELECT position FROM view_tracking WHERE name = ?", (NAME,)) or 0


def heads(db: Database, place_id: str, upto: int) -> dict:
    """The store's chain and the place's chain at `upto`: position and digest (and how many events the place has)."""
    store = db.one("SELECT position, digest FROM chain_links WHERE position <= ? ORDER BY position DESC LIMIT 1",
                   (upto,))
    place = db.one("SELECT position, place_digest AS digest FROM chain_links WHERE place_id = ? AND position <= ? "
                   "ORDER BY position DESC LIMIT 1", (str(place_id), upto))
    events = db.scalar("SELECT COUNT(*) AS n FROM chain_links WHERE place_id = ? AND position <= ?",
                       (str(place_id), upto)) or 0
    return {"store": store or {"position": 0, "digest": chain.GENESIS},
            "place": {**(place or {"position": 0, "digest": chain.GENESIS}), "events": events}}


# --- export ---------------------------------------------------------------------------------------------------------
def export_lines(app: Any, db: Database, place_id: str, upto: int,
                 progress: Callable[[int, int], None] | None = None) -> Iterator[dict]:
    """The place's events up to `upto`, in log order, as JSON-able lines (docs/EXPORT.md): each with what it shows
    and the digests the chain holds for it. An event the chain holds that the store has lost is a `missing` line; an
    event of the place in the store that the chain never saw, an `unchained` line."""
    place_id = str(place_id)
    aggregates = {r["aggregate_id"] for r in db.all("SELECT aggregate_id FROM chain_places WHERE place_id = ?",
                                                    (place_id,))}
    prev, start = chain.GENESIS, 0
    while start < upto:
        events = read_store(app, start, upto)
        end = events[-1].position if events else upto
        rows = db.all("SELECT position, place_id, place_digest FROM chain_links WHERE position > ? AND position <= ? "
                      "ORDER BY position", (start, end))
        chained = {r["position"]: r for r in rows}
        held = {s.position: s for s in events}
        ours = {p for p, r in chained.items() if r["place_id"] == place_id}
        strays = {s.position for s in events if s.position not in chained and (
            chain.place_named(s.topic, s.aggregate_id, s.state) == place_id or s.aggregate_id in aggregates)}
        for position in sorted(ours | strays):
            s = held.get(position)
            if position in strays:
                yield {"position": position, "unchained": True, **_shown(s)}
                continue
            digest = chained[position]["place_digest"]
            line = {"position": position, "missing": True} if s is None else {"position": position, **_shown(s)}
            yield {**line, "prev": prev, "digest": digest}
            prev = digest
        start = end
        if progress:
            progress(end, upto)


def _shown(s: Stored) -> dict:
    shown = disclosure(s.name, s.state)
    if shown is None:
        return {"event_digest": s.digest()}
    state, withheld = shown
    line = {"id": s.aggregate_id, "version": s.version, "topic": s.topic, "time": chain.event_time(s.state),
            "state": state}
    return {**line, "withheld": withheld} if withheld else line


# --- checked from scratch --------------------------------------------------------------------------------------------
def recompute(app: Any, upto: int) -> Iterator[tuple[int, str, str | None, str | None]]:
    """The chain computed again from the stored events: (position, store digest, place, place digest) per event."""
    store, places, aggregates, start = chain.GENESIS, {}, {}, 0
    while start < upto:
        events = read_store(app, start, upto)
        if not events:
            return
        for s in events:
            event = s.digest()
            store = chain.link(store, event)
            place = chain.place_of(s.topic, s.aggregate_id, s.version, s.state, aggregates)
            if place is not None:
                places[place] = chain.link(places.get(place, chain.GENESIS), event)
            yield s.position, store, place, places.get(place) if place else None
        start = events[-1].position


def first_difference(app: Any, db: Database) -> dict | None:
    """The first position where the chain computed again from the store differs from the chain's rows (None if
    none): an event changed, removed, added or moved since the chain saw it."""
    upto = chained_to(db)
    fresh = recompute(app, upto)
    start = 0
    while start < upto:
        rows = db.all("SELECT position, digest FROM chain_links WHERE position > ? ORDER BY position LIMIT ?",
                      (start, WINDOW))
        if not rows:
            break
        for row in rows:
            found = next(fresh, None)
            if found is None or found[0] > row["position"]:   # the store lost the chained event
                return {"position": row["position"], "chained": row["digest"], "recomputed": None}
            if found[0] < row["position"]:                     # the store holds an event the chain never saw
                return {"position": found[0], "chained": None, "recomputed": found[1]}
            if found[1] != row["digest"]:
                return {"position": row["position"], "chained": row["digest"], "recomputed": found[1]}
        start = rows[-1]["position"]
    extra = next(fresh, None)
    return {"position": extra[0], "chained": None, "recomputed": extra[1]} if extra else None
