"""Pulls new notifications from the event store and feeds every projection, exactly once.

Each projection's rows and its tracking position change in ONE views transaction, and the position is read
inside that transaction, so several runners (web workers, `linli project`) may run at once without
double-applying anything. A handler that fails stops the runner loudly; it never skips an event."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from projections.base import Context, Projection, canonical_topic
from projections.db import Database

log = logging.getLogger("linli.projections")

TRACKING_DDL = "CREATE TABLE IF NOT EXISTS view_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"


def _is_transient(e: Exception) -> bool:
    """A locked database or a dropped connection: try again, it is not the event's fault."""
    text = str(e).lower()
    return "database is locked" in text or "connection" in text and "closed" in text


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
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- schema --------------------------------------------------------------------------
    def setup(self) -> None:
        """Create the tracking table and every projection's tables (idempotent).

        Views ahead of the event store (restored from mismatched backups, or a store swapped underneath)
        would silently skip the next events, so they are rebuilt from zero instead."""
        with self.db.transaction() as tx:
            tx.execute(TRACKING_DDL)
            for projection in self.projections:
                projection.create(tx)
        if max(self.positions().values(), default=0) > self.head():
            log.warning("views are ahead of the event store; rebuilding them from zero")
            self.rebuild()

    def drop(self) -> None:
        """Drop every view table and its tracking row."""
        with self.db.transaction() as tx:
            tx.execute(TRACKING_DDL)
            for projection in self.projections:
                projection.drop(tx)
                tx.execute("DELETE FROM view_tracking WHERE name = ?", (projection.name,))

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
        """Apply every notification not yet applied (up to `stop`); returns how many were read."""
        if self.failure is not None:
            raise ProjectionFailed(str(self.failure)) from self.failure
        total = 0
        with self._lock:
            target = self.head() if stop is None else stop
            while True:
                start = self.position()
                if start >= target:
                    break
                notifications = self.app.recorder.select_notifications(
                    start=start, limit=self.batch_size, stop=target, inclusive_of_start=False)
                if not notifications:
                    break
                self._apply(notifications)
                total += len(notifications)
                if progress:
                    progress(notifications[-1].id, target)
        return total

    def _apply(self, notifications: Sequence[Any]) -> None:
        """One views transaction for the whole batch: every projection's rows and tracking commit together."""
        decoded: dict[int, Any] = {}
        current = None
        try:
            with self.db.transaction() as tx:
                for projection in sorted(self.projections, key=lambda p: p.name):
                    tx.lock(f"projection:{projection.name}")  # fixed order: runners never deadlock
                for projection in self.projections:
                    current = projection
                    row = tx.one("SELECT position FROM view_tracking WHERE name = ?", (projection.name,))
                    done = row["position"] if row else 0
                    last = done
                    for n in notifications:
                        if n.id <= done:
                            continue
                        topic = canonical_topic(n.topic)
                        if projection.handles(topic):
                            event = decoded.get(n.id)
                            if event is None:
                                event = decoded[n.id] = self.app.mapper.to_domain_event(n)
                            projection.handle(tx, topic, event, Context(n.id, self.app.sealer))
                        last = n.id
                    if last > done:
                        tx.execute("INSERT INTO view_tracking (name, position) VALUES (?, ?) "
                                   "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                                   (projection.name, last))
        except Exception as e:
            if _is_transient(e):
                raise
            self.failure = e
            name = current.name if current else "?"
            log.exception("projection %s failed; views stop here until fixed", name)
            raise ProjectionFailed(f"{name}: {e!r}") from e

    def wait(self, position: int, timeout: float = 5.0) -> bool:
        """Read-your-writes: return once every view has reached `position` (True), or on timeout (False)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.position() >= position:
                return True
            if self._thread is None:
                self.catch_up(stop=position)
                continue
            self._wake.set()
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop the views and replay every event from the start."""
        with self._lock:
            self.failure = None
            self.drop()
            self.setup()
        return self.catch_up(progress=progress)

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
