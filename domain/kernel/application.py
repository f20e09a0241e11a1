"""The Linli application: one event store, one notification log, and one service per context on top of it.

Every context's service is reached as an attribute (`app.volunteer.sign_up_for_shift(...)`); all of them save
through the one `execute` here, so a cross-context save (a passed motion and its resolution) is one atomic
append and every command is idempotent by its id in the same way."""
from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, Recording
from eventsourcing.utils import resolve_topic

from domain.kernel.command import ProcessedCommand
from domain.kernel.errors import BusyError, DomainError, InvalidInputError, NotFoundError
from domain.kernel.privacy import InMemoryKeyStore, KeyStore, Sealer
from domain.kernel.recorders import CHECKED, CheckedPOPORecorder, StaleReadError

A = TypeVar("A", bound=Aggregate)
LOCK_STRIPES = 1024      # aggregates share a lock only when their ids hash alike
FIRST_LOCK_WAIT = 30.0   # a command holding no lock yet cannot deadlock: it waits its turn (a popular day queues)
MORE_LOCK_WAIT = 0.2     # holding one, it waits briefly for another, then lets go of all and starts again
FASTFORWARD_SECONDS = 60.0   # after a conflict (another process writes too), commands fast-forward what they load
RECENT_KEPT = 1024      # notifications kept for this process's own views (`recent_notifications`)
Action = Callable[[], tuple[Any, Iterable[Aggregate | None]]]
DEV_SECRET = "linli-dev-secret"
MAX_COMMAND_ID = 128   # the web's forms send 32 hex characters; only a digest of the id is ever stored


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class _Contended(Exception):
    """Another command in this process holds an aggregate this one needs next: let go of all and start again,
    this time taking every lock the failed run needed first, in one order shared by all such retries (two
    commands that cross would otherwise meet again and again, each holding what the other waits for)."""

    def __init__(self, needed: list[UUID]) -> None:
        super().__init__()
        self.needed = needed


@dataclass
class _Work:
    """One command's run: the aggregates it loaded (None for one not found) and the locks it holds."""

    loaded: dict[UUID, Aggregate | None] = field(default_factory=dict)
    locks: list[threading.RLock] = field(default_factory=list)
    saved: bool = False

    def read_only(self, batch: list[Aggregate]) -> dict[UUID, int]:
        """What the append must find unchanged: each aggregate this command read but writes no event to, at the
        version it was read (0: looked for and not there). One it writes needs no check: a newer version in the
        store makes its own append conflict."""
        written = {a.id for a in batch if a.pending_events}
        return {aggregate_id: (a.version - len(a.pending_events) if a is not None else 0)
                for aggregate_id, a in self.loaded.items() if aggregate_id not in written}


@dataclass(frozen=True)
class DomainContext:
    """A bounded context's domain part: its service (built over the application) and snapshot intervals."""

    name: str
    service: Callable[[Linli], Any]
    snapshots: Mapping[type[Aggregate], int] = field(default_factory=dict)


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` without its per-event `isinstance` against a runtime-checkable Protocol
    (6 µs an event on Python 3.11: a sixth of loading a fund of 1,000 payments from its snapshot). Every stored
    event here is a library event or snapshot, which has `mutate`."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class _Repository(Repository):
    """The library's repository; a cold load on a store that can (PostgreSQL) gets the newest snapshot and the
    events after it in one round trip, from one view of the store."""

    def _reconstruct_aggregate(self, aggregate_id: Any, version: int | None, projector_func: Any) -> Any:
        select = getattr(self.event_store.recorder, "select_with_snapshot", None)
        found = None
        if select is not None and version is None and self.snapshot_store is not None:
            found = select(aggregate_id, self.snapshot_store.recorder)
        if found is None:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        snapshot, events = found
        decoded = [self.snapshot_store.mapper.to_domain_event(snapshot)] if snapshot is not None else []
        decoded.extend(self.event_store.mapper.to_domain_event(e) for e in events)
        aggregate = projector_func(None, decoded)
        if aggregate is None:
            raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} not found.")
        return aggregate


class Linli(Application):
    """The event store, `execute`, `load`/`find`, the clock and the sealer; the contexts' services on top."""

    name = "Linli"
    # Hot aggregates (a meeting while residents vote, a fund on payment day) stay in memory. A command takes them
    # from the cache as they are and the append checks what it read (`recorders`); a read outside a command
    # fast-forwards them from the store, so other processes' writes are always seen.
    env = {"AGGREGATE_CACHE_MAXSIZE": "2000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    is_snapshotting_enabled = True
    max_attempts = 30

    def __init__(self, env: Mapping[str, str] | None = None, *, contexts: Iterable[DomainContext] = (),
                 keys: KeyStore | None = None, clock: Callable[[], datetime] = system_clock,
                 secret: str = DEV_SECRET, fund_budget_fen: int = 20_000_000) -> None:
        contexts = list(contexts)
        self.snapshotting_intervals = {cls: n for c in contexts for cls, n in c.snapshots.items()}
        self._recent: OrderedDict[int, Any] = OrderedDict()   # notifications this process appended, newest last
        self._recent_lock = threading.Lock()
        super().__init__(dict(env) if env is not None else None)
        self.sealer = Sealer(keys or InMemoryKeyStore())
        self.clock = clock
        self.fund_budget_fen = fund_budget_fen
        self._secret = secret.encode()
        self.contexts = tuple(c.name for c in contexts)
        self.outcomes: Counter[str] = Counter()   # ok, conflict_retried, refused, busy: what `execute` saw
        self._saved = threading.local()
        self._work = threading.local()
        self._stripes = tuple(threading.RLock() for _ in range(LOCK_STRIPES))
        self._fastforward_until = 0.0
        for context in contexts:
            setattr(self, context.name, context.service(self))

    # --- the one way every use case saves -------------------------------------------------
    def execute(self, use_case: str, command_id: str | None, action: Action, *, actor: object = None,
                binding: tuple = (), replay: Callable[[Any], Any] | None = None) -> Any:
        """Run `action` (load → command) and save its aggregates atomically; retry on conflicts.

        With a command id the effect happens once per actor: the first run's result answers every repeat by the
        same actor (through `replay`, when given, so a caller can tell a repeat). An anonymous command binds its
        id to its arguments instead (`binding`). A command id from anyone else is a new command.

        A repeat is found where it collides: its marker is appended with its events, the append fails, and the
        marker is then read (a refused repeat reads it at once). So an action may run once more for a
        repeat before it is known; actions therefore touch nothing outside the aggregates they return except
        through idempotent calls (a person's key is got or created). Asking the store for the marker before every
        command cost each command one more round trip."""
        digest = self._command_digest(use_case, command_id, actor, binding) if command_id is not None else None
        marker_id = ProcessedCommand.id_for(use_case, digest) if digest is not None else None
        self._saved.position = None
        needed: list[UUID] = []
        for attempt in range(self.max_attempts):
            with self._unit_of_work(needed) as work:
                try:
                    result, aggregates = action()
                except _Contended as e:
                    self.outcomes["contended"] += 1
                    needed = e.needed
                    continue
                except DomainError as e:
                    # A twin of this command may have committed since we looked: then answer as it did.
                    done = self._processed(marker_id) if marker_id is not None else None
                    if done is not None:
                        return replay(done.result) if replay else done.result
                    self.outcomes["busy" if isinstance(e, BusyError) else "refused"] += 1
                    raise
                batch = [a for a in aggregates if a is not None]
                if marker_id is not None:
                    batch.append(ProcessedCommand(use_case=use_case, command_id=digest, result=result))
                try:
                    recordings = self.save(*batch, expected=work.read_only(batch))
                    work.saved = True
                    self.outcomes["ok"] += 1
                    self._saved.position = max((r.notification.id for r in recordings), default=None)
                    return result
                except IntegrityError:
                    done = self._processed(marker_id) if marker_id is not None else None
                    if done is not None:   # a repeat: its marker collided (not another process's write)
                        self.outcomes["repeat"] += 1
                        return replay(done.result) if replay else done.result
                    self.outcomes["conflict_retried"] += 1
                    self._fastforward_until = time.monotonic() + FASTFORWARD_SECONDS
                except OperationalError as e:
                    if "locked" in str(e) or "busy" in str(e):  # SQLite already waited its lock timeout
                        self.outcomes["busy"] += 1
                        raise BusyError() from e
                    raise
            time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 6))) * random.random())
        self.outcomes["busy"] += 1
        raise BusyError()

    @contextmanager
    def _unit_of_work(self, needed: list[UUID] = ()) -> Iterator[_Work]:
        """The aggregates one command loads are locked for it (in this process) and taken from the cache as they
        are, without a copy; unless the command saves them, they leave the cache (the next get rebuilds them
        from the store), so a refused or conflicting command never leaves state behind that the store lacks.
        Commands on one aggregate take turns instead of conflicting; other processes' writes still conflict and
        are retried, as before."""
        work, outer = _Work(), getattr(self._work, "current", None)
        self._work.current = work
        try:
            for stripe in sorted({self._stripe_index(i) for i in needed}):   # a retry: all at once, in order
                if not self._stripes[stripe].acquire(timeout=FIRST_LOCK_WAIT):
                    raise BusyError()
                work.locks.append(self._stripes[stripe])
            yield work
        finally:
            self._work.current = outer
            cache = self.repository.cache
            for aggregate_id, aggregate in work.loaded.items():
                # Saved, an aggregate is as the store has it; one changed but not saved is not.
                if cache is not None and (not work.saved or (aggregate is not None and aggregate.pending_events)):
                    try:
                        cache.get(aggregate_id, evict=True)
                    except KeyError:
                        pass
            for stripe in reversed(work.locks):
                stripe.release()

    def construct_repository(self) -> Repository:
        repository = super().construct_repository()
        repository.__class__ = _Repository   # built by the library from the same settings; only cold loads differ
        return repository

    def construct_recorder(self) -> Any:
        """The library's recorder for the store, with the check of a command's reads (`recorders`)."""
        topic = CHECKED.get(type(self.factory).__module__)
        if topic is None:
            raise RuntimeError(f"Linli cannot run on {type(self.factory).__module__}: its reads are not checked")
        checked = resolve_topic(topic)
        if checked is CheckedPOPORecorder:   # the library's in-memory factory takes no recorder topic
            return CheckedPOPORecorder()
        self.factory.env[self.factory.APPLICATION_RECORDER_TOPIC] = topic
        recorder = self.factory.application_recorder()
        assert isinstance(recorder, checked), type(recorder)
        return recorder

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording]:
        """As the library's, but an aggregate is known by its class: the library's runtime protocol checks asked
        every attribute of each aggregate and cost a tenth of a sign-up."""
        processing_event: ProcessingEvent = ProcessingEvent()
        others = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                others.append(obj)
        processing_event.collect_events(*others, **kwargs)
        if processing_event.events:
            recordings = self._record(processing_event)
        else:   # a command that changed nothing appends nothing; what it answered must still rest on current reads
            recordings = []
            for aggregate_id, version in (kwargs.get("expected") or {}).items():
                if self.recorder.select_events(aggregate_id, gt=version, limit=1):
                    raise StaleReadError(f"read aggregate changed: {aggregate_id}")
        cache = self.repository.cache
        if cache is not None:   # saved, each is what the store holds (a new one is cached now, not on its next get)
            for aggregate_id, aggregate in processing_event.aggregates.items():
                if not isinstance(aggregate, ProcessedCommand):   # read only on a repeat: it would crowd the cache
                    cache.put(aggregate_id, aggregate)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _notify(self, recordings: list[Recording]) -> None:
        with self._recent_lock:
            for recording in recordings:
                self._recent[recording.notification.id] = recording.notification
            while len(self._recent) > RECENT_KEPT:
                self._recent.popitem(last=False)

    def recent_notifications(self, start: int, stop: int, limit: int) -> list[Any] | None:
        """The notifications after `start`, up to `stop` and at most `limit`, when this process appended every one of
        them: read from memory, not from the store (on PostgreSQL a round trip for each command's views). None when
        one is missing: another process's event, or one older than the last `RECENT_KEPT`; ids are unique, so
        an unbroken run leaves no room for anyone else's."""
        found = []
        with self._recent_lock:
            for position in range(start + 1, min(stop, start + limit) + 1):
                notification = self._recent.get(position)
                if notification is None:
                    return None
                found.append(notification)
        return found or None

    def _take_snapshots(self, processing_event: Any) -> None:
        """Snapshot an aggregate whose save crossed its interval, from the instance just saved (it is exactly
        what the store now holds: rebuilding it from the store first doubled the cost of that command), and
        keep only its newest snapshot (older ones only cost disk: a day of 5,000 sign-ups kept 100 of them)."""
        if not self.snapshots or not self.snapshotting_intervals:
            return
        crossed: dict[UUID, Aggregate] = {}
        for stored in processing_event.events:
            aggregate = processing_event.aggregates.get(stored.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate)) if aggregate is not None else None
            if interval and stored.originator_version % interval == 0:
                crossed[stored.originator_id] = aggregate
        for aggregate_id, aggregate in crossed.items():
            snapshot_class = getattr(type(aggregate), "Snapshot", type(self).snapshot_class)
            self.snapshots.put([snapshot_class.take(aggregate)])
            self._drop_older_snapshots(aggregate_id, aggregate.version)

    def _drop_older_snapshots(self, aggregate_id: UUID, version: int) -> None:
        recorder = self.snapshots.recorder
        datastore = getattr(recorder, "datastore", None)
        if datastore is None:   # in memory (tests): nothing on disk to save
            return
        if getattr(datastore, "schema", None) is not None and hasattr(datastore, "pool"):   # PostgreSQL
            schema, table = datastore.schema, recorder.events_table_name
            if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) for name in (schema, table)):
                return
            statement = f'DELETE FROM "{schema}"."{table}" WHERE originator_id = %s AND originator_version < %s'
            params: tuple = (aggregate_id, version)
        else:
            statement = f"DELETE FROM {recorder.events_table_name} WHERE originator_id = ? AND originator_version < ?"
            params = (aggregate_id.hex, version)
        try:
            with datastore.transaction(commit=True) as cursor:
                cursor.execute(statement, params)
        except (OperationalError, InterfaceError):
            # The command's events are saved: a connection lost here (a stale one after a database restart) must not
            # answer it as failed. Older snapshots only cost disk; the next snapshot drops them.
            pass

    def _command_digest(self, use_case: str, command_id: str, actor: object, binding: tuple) -> str:
        """What the processed-command marker stores and its id derives from: a keyed digest of use case, actor,
        command id and binding (the command id itself is never stored)."""
        if not isinstance(command_id, str) or not 0 < len(command_id) <= MAX_COMMAND_ID:
            raise InvalidInputError("页面已过期，请刷新页面后重试")
        if actor is None and not binding:
            raise TypeError(f"{use_case}: a command id must be bound to its actor (or, anonymous, to its arguments)")
        key = json.dumps([use_case, str(actor) if actor is not None else None, command_id, [str(b) for b in binding]],
                         ensure_ascii=False)
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()

    def saved_position(self, *, reset: bool = False) -> int | None:
        """Where this thread's last command landed in the log (None when it saved nothing or answered a repeat):
        the position its caller waits for before reading the views. `reset` forgets it (before a new call)."""
        position = getattr(self._saved, "position", None)
        if reset:
            self._saved.position = None
        return position

    def _processed(self, marker_id: UUID) -> ProcessedCommand | None:
        """The marker of a command already done (one event, never changed: read straight from the store)."""
        for stored in self.events.get(marker_id, limit=1):
            return stored.mutate(None)
        return None

    def load(self, cls: type[A], aggregate_id: UUID, what: str = "记录") -> A:
        """Get an aggregate of the expected type or raise a NotFoundError that names it."""
        aggregate = self.find(cls, aggregate_id)
        if aggregate is None:
            raise NotFoundError("找不到该{what}", what=what)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Get an aggregate of the expected type, or None.

        Inside a command (`execute`) the aggregate is locked for the command and is the cached instance itself, the
        same one each time the command asks; outside, a copy taken while no command is changing it."""
        work: _Work | None = getattr(self._work, "current", None)
        if work is not None and aggregate_id in work.loaded:
            aggregate = work.loaded[aggregate_id]
        elif work is not None:
            stripe = self._stripe(aggregate_id)
            if not stripe.acquire(timeout=MORE_LOCK_WAIT if work.locks else FIRST_LOCK_WAIT):
                if work.locks:
                    raise _Contended([*work.loaded, aggregate_id])
                raise BusyError()
            work.locks.append(stripe)
            aggregate = work.loaded[aggregate_id] = self._cached(aggregate_id)
        else:
            with self._stripe(aggregate_id):
                aggregate = self._get(aggregate_id, copy=True)
        return aggregate if isinstance(aggregate, cls) else None

    def _stripe(self, aggregate_id: UUID) -> threading.RLock:
        return self._stripes[self._stripe_index(aggregate_id)]

    @staticmethod
    def _stripe_index(aggregate_id: UUID) -> int:
        return hash(aggregate_id) % LOCK_STRIPES

    def _cached(self, aggregate_id: UUID) -> Aggregate | None:
        """A command's read: the cached instance as it is (the append checks it is still current), else the store's.

        While another process is writing too (an append of this one conflicted lately), the cached instance is
        fast-forwarded from the store first (a round trip): a stale copy would make the append fail, and the retry
        then rebuilds every aggregate the command loaded (two processes on one busy day halved each other)."""
        cache = self.repository.cache
        if cache is not None and time.monotonic() >= self._fastforward_until:
            try:
                return cache.get(aggregate_id)
            except KeyError:
                pass
        return self._get(aggregate_id, copy=False)

    def _get(self, aggregate_id: UUID, *, copy: bool) -> Aggregate | None:
        try:
            return self.repository.get(aggregate_id, deepcopy_from_cache=copy, projector_func=project)
        except AggregateNotFoundError:
            return None

    def phone_key(self, phone: str) -> str:
        """A keyed digest of a canonical phone number: finds the account without storing the number."""
        return hmac.new(self._secret, phone.encode(), hashlib.sha256).hexdigest()

    def keyed_digest(self, message: bytes) -> bytes:
        """HMAC-SHA256 of `message` under the deployment's secret (verification codes nobody can make up)."""
        return hmac.new(self._secret, message, hashlib.sha256).digest()
