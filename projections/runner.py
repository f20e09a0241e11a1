"""Pulls new notifications from the event store and feeds every projection, exactly once.

Each projection's rows and its tracking position change in ONE views transaction, and the position is read
inside that transaction, so several runners (web workers, `linli project`) may run at once without
double-applying anything. A handler that fails stops the runner loudly; it never skips an event."""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from projections.base import Context, Projection, canonical_topic
from projections.db import Database, unavailable

log = logging.getLogger("linli.projections")

REBUILD_BATCH = 5000   # events per views transaction while rebuilding (the live runner takes what is new)
RETRY_SECONDS = 30.0   # how long catch_up keeps trying through a lost connection or a locked database
TRACKING_DDL = "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
# PostgreSQL: a batch that knows where the views stand (this runner committed last) says so in its pipeline instead
# of reading it first (a round trip); the function fails the transaction when they stand elsewhere.
MOVED = "LV001"
EXPECT_TRACKING_DDL = (
    "CREATE OR REPLACE FUNCTION linli_expect_tracking(names text[], positions bigint[]) RETURNS void "
    "LANGUAGE plpgsql AS $body$ BEGIN IF EXISTS (SELECT 1 FROM unnest(names, positions) AS x(name, position) "
    "WHERE COALESCE((SELECT t.position FROM view_tracking t WHERE t.name = x.name), 0) <> x.position) THEN "
    f"RAISE EXCEPTION 'linli: the views moved on' USING ERRCODE = '{MOVED}'; END IF; END $body$")


def _moved(e: BaseException | None) -> bool:
    """The batch's expectation of the views' positions failed (`EXPECT_TRACKING_DDL`)."""
    while e is not None:
        if getattr(e, "sqlstate", None) == MOVED:
            return True
        e = e.__cause__ or e.__context__
    return False


def _is_transient(e: Exception) -> bool:
    """A locked database, a dropped connection, a database restarting: try again, it is not the event's fault.
    (By the driver's error class, not its wording: PostgreSQL says "terminating connection due to administrator
    command" when it restarts, and that once marked the views as stopped on a poison event for good.)"""
    return not isinstance(e, ProjectionFailed) and unavailable(e)


class ProjectionFailed(RuntimeError):
    """A projection could not apply an event; the views stop at the event before it."""


class Runner:
    """Keeps the views caught up with the application's notification log."""

    def __init__(self, app: Any, db: Database, projections: Sequence[Projection], batch_size: int = 500) -> None:
        self.app = app
        self.db = db
        self.projections = list(projections)
        self.batch_size = batch_size
        self.failure: BaseException | None = None
        self._recent = getattr(app, "recent_notifications", None)   # what this process appended, from memory
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        # Read-your-writes: each waiting request is woken once, when the views reach its own position (a heap of
        # (position, seq, Event)); waking every waiter on every batch cost more than the views themselves.
        self._waiting: list[tuple[int, int, threading.Event]] = []
        self._waiting_lock = threading.Lock()
        self._seq = itertools.count()
        self._reached = 0
        self._thread: threading.Thread | None = None
        self._memos: dict[str, dict] = {}      # each projection's `Context.memo` ...
        self._committed: dict[str, int] = {}   # ... valid while its tracking position is the one this runner committed

    # --- schema --------------------------------------------------------------------------
    def setup(self) -> None:
        """Create the tracking table and every projection's tables (idempotent).

        Views ahead of the event store (restored from mismatched backups, or a store swapped underneath)
        would silently skip the next events, so they are rebuilt from zero instead."""
        self._create()
        if self._ahead():
            log.warning("views are ahead of the event store; rebuilding them from zero")
            self.rebuild(everything=True)

    def _create(self) -> None:
        with self.db.transaction() as tx:
            tx.lock("projections")   # two processes starting together: one creates, the other finds
            tx.execute(TRACKING_DDL)
            if self.db.postgres:
                tx.execute(EXPECT_TRACKING_DDL)
            for projection in self.projections:
                projection.create(tx)

    def _ahead(self) -> bool:
        return max(self.positions().values(), default=0) > self.head()

    def drop(self, everything: bool = True) -> None:
        """Drop every view table and its tracking row (but the kept ones', unless `everything`)."""
        with self.db.transaction() as tx:
            tx.execute(TRACKING_DDL)
            for projection in self.projections:
                if projection.kept and not everything:
                    continue
                projection.drop(tx)
                tx.execute("DELETE FROM view_tracking WHERE name = ?", (projection.name,))
        with self._waiting_lock:
            self._reached = 0
        self._memos, self._committed = {}, {}

    # --- positions -----------------------------------------------------------------------
    def positions(self) -> dict[str, int]:
        rows = self.db.all("SELECT name, position FROM view_tracking")
        known = {r["name"]: r["position"] for r in rows}
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def position(self) -> int:
        """The position every projection has reached."""
        return min(self.positions().values(), default=0)

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    # --- processing ----------------------------------------------------------------------
    def catch_up(self, stop: int | None = None, progress: Callable[[int, int], None] | None = None) -> int:
        """Apply every notification not yet applied (up to `stop`); returns how many were read.

        A lost connection or a locked database (`_is_transient`) is tried again, for up to `RETRY_SECONDS`, so a
        database restart neither ends `linli project` nor fails a request that is waiting for its views; each try
        goes on from the tracking position the last committed batch left. Past that the error is raised."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay, total = 0.05, [0]
        while True:
            try:
                return self._catch_up(stop, progress, total)
            except Exception as e:
                if not _is_transient(e) or time.monotonic() + delay > deadline:
                    raise
                log.warning("projection catch-up interrupted (%r); trying again in %.2fs", e, delay)
                time.sleep(delay)
                delay = min(2 * delay, 1.0)

    def _catch_up(self, stop: int | None, progress: Callable[[int, int], None] | None, counted: list[int]) -> int:
        with self._lock:
            return self._catch_up_locked(stop, progress, counted)

    def _catch_up_locked(self, stop: int | None, progress: Callable[[int, int], None] | None,
                         counted: list[int], deadline: float | None = None) -> int:
        if self.failure is not None:
            raise ProjectionFailed(str(self.failure)) from self.failure
        target = self.head() if stop is None else stop
        # Where this process saw the views reach (no query); `_apply` finds out in its transaction whether the views
        # are behind that (another process rebuilt them), and then this starts again from their own position.
        start = self._reached or self.position()
        while True:
            self._advance(start)
            if start >= target or deadline is not None and time.monotonic() >= deadline:
                break
            notifications = self._recent(start, target, self.batch_size) if self._recent is not None else None
            if notifications is None:
                notifications = self.app.recorder.select_notifications(
                    start=start, limit=self.batch_size, stop=target, inclusive_of_start=False)
            if not notifications:
                break
            if not self._apply(notifications, start):
                start = self.position()
                continue
            start = notifications[-1].id   # every projection has now reached it
            counted[0] += len(notifications)
            if progress:
                progress(notifications[-1].id, target)
        return counted[0]

    def _advance(self, position: int) -> None:
        """Wake whoever waits for a position the views have now reached."""
        with self._waiting_lock:
            if position <= self._reached:
                return
            self._reached = position
            while self._waiting and self._waiting[0][0] <= position:
                heapq.heappop(self._waiting)[2].set()

    def _apply(self, notifications: Sequence[Any], after: int) -> bool:
        """One views transaction for the whole batch: every projection's rows and tracking commit together. False
        (nothing applied) when a view is behind `after`, where the batch starts: the events between would be lost."""
        decoded: dict[int, Any] = {}
        current = None
        try:
            with self.db.batch() as tx:
                tx.lock("projections")   # one batch at a time, whichever runner (one round trip on PostgreSQL)
                tx.replayable()          # these rows rebuild from the events: no wait for their WAL flush
                # Read inside the transaction, after the locks: another runner may have applied some of these. On
                # PostgreSQL, when this runner committed last, expect that instead (no wait; `_moved` if wrong).
                known = self._committed
                if self.db.postgres and all(p.name in known for p in self.projections):
                    tracked = dict(known)
                    tx.execute("SELECT linli_expect_tracking(?::text[], ?::bigint[])",
                               (list(tracked), list(tracked.values())))
                else:
                    tracked = {r["name"]: r["position"] for r in tx.all("SELECT name, position FROM view_tracking")}
                if any(tracked.get(p.name, 0) < after for p in self.projections):
                    return False
                moved: list[Any] = []
                memos, committed = self._memos, dict(self._committed)
                self._memos = {}   # until this batch commits (below): it may add to them what is then rolled back
                for projection in self.projections:
                    current = projection
                    done = tracked.get(projection.name, 0)
                    last = done
                    memo = memos.get(projection.name) if committed.get(projection.name) == done else None
                    if memo is None:
                        memo = {}
                    for n in notifications:
                        if n.id <= done:
                            continue
                        topic = canonical_topic(n.topic)
                        if projection.handles(topic):
                            event = decoded.get(n.id)
                            if event is None:
                                event = decoded[n.id] = self.app.mapper.to_domain_event(n)
                            projection.handle(tx, topic, event, Context(n.id, self.app.sealer, n, memo))
                        last = n.id
                    if last > done:
                        moved.extend((projection.name, last))
                    memos[projection.name], committed[projection.name] = memo, last
                if moved:   # one statement for every projection that moved on
                    tx.execute("INSERT INTO view_tracking (name, position) VALUES "
                               + ", ".join(["(?, ?)"] * (len(moved) // 2))
                               + " ON CONFLICT (name) DO UPDATE SET position = excluded.position", tuple(moved))
            self._memos, self._committed = memos, committed   # committed: the memos hold what the tables hold
            return True
        except Exception as e:
            self._committed = {}   # the memos may hold what was just rolled back
            if _moved(e):          # another runner's batches, or a rebuild: read where the views stand, and again
                return False
            if _is_transient(e):
                raise
            self.failure = e
            name = current.name if current else "?"
            log.exception("projection %s failed; views stop here until fixed", name)
            raise ProjectionFailed(f"{name}: {e!r}") from e

    def wait(self, position: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: return once every view has reached `position` (True), or on timeout (False).

        With the runner thread, the caller wakes it and sleeps until the runner reaches its position (no polling
        of the views from every request); without one (inline), the caller catches up itself."""
        deadline = time.monotonic() + timeout
        if self._thread is None:
            while self.position() < position:
                if time.monotonic() >= deadline:
                    return False
                self.catch_up(stop=position)
            return True
        with self._waiting_lock:
            if self._reached >= position:
                return True
        # Nobody is applying the log: the caller does it now, up to its own position, in its own thread (handing
        # it to the runner thread and back cost a sign-up 1.4 ms of its 3.4). Whoever applies wakes the others. It
        # stops at the request's deadline: when another process is rebuilding the views, the way to this position
        # is the whole log, and that is the runner thread's work, not one request's.
        if self.failure is None and self._lock.acquire(blocking=False):
            try:
                self._catch_up_locked(position, None, [0], deadline)
            except Exception:   # a failed projection or a lost connection: the runner thread's loop deals with it
                log.warning("read-your-writes catch-up failed; waiting for the runner", exc_info=True)
            finally:
                self._lock.release()
        with self._waiting_lock:
            if self._reached >= position:
                return True
            reached = threading.Event()
            heapq.heappush(self._waiting, (position, next(self._seq), reached))
        self._wake.set()
        return reached.wait(max(0.0, deadline - time.monotonic())) or self.position() >= position

    def rebuild(self, progress: Callable[[int, int], None] | None = None, everything: bool = False) -> int:
        """Drop the views and replay every event from the start (the kept read models too, with `everything`)."""
        with self._lock:
            self.failure = None
            self.drop(everything)
            self._create()
            if not everything and self._ahead():   # a kept view ahead of the store: it goes too (as in `setup`)
                log.warning("kept views are ahead of the event store; rebuilding them from zero too")
                self.drop(everything=True)
                self._create()
        batch_size, self.batch_size = self.batch_size, max(self.batch_size, REBUILD_BATCH)
        try:
            with self.db.bulk():
                return self.catch_up(progress=progress)
        finally:
            self.batch_size = batch_size

    # --- background -----------------------------------------------------------------------
    def start(self, interval: float = 0.5) -> None:
        """Follow the log in a thread (polling: SQLite recorders cannot subscribe)."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.catch_up()
                except ProjectionFailed:
                    return
                except Exception:  # a locked database or a lost connection: try again shortly
                    log.warning("projection catch-up failed; retrying", exc_info=True)
                self._wake.wait(interval)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="linli-projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._thread = None
