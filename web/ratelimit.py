"""Limits on guessing and flooding, kept in the views database so they hold across web workers and restarts.

Each key counts failures (or sends) in a window; at the limit the key is blocked for a while, longer with each
further failure when `growing`. Old rows are purged as new ones are written. Over a limit the answer is 429 (or
the page says when to try again), never 500."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from projections.db import Database

THROTTLE_DDL = """CREATE TABLE IF NOT EXISTS web_throttle (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_start TEXT NOT NULL, blocked_until TEXT,
    updated_at TEXT NOT NULL)"""
THROTTLE_INDEX = "CREATE INDEX IF NOT EXISTS web_throttle_by_age ON web_throttle (updated_at)"
MAX_DELAY = timedelta(hours=1)


class Throttle:
    """Counts per key; `wait(key)` says how many seconds until the key may try again (0: now)."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock
        with db.transaction() as tx:
            tx.execute(THROTTLE_DDL)
            tx.execute(THROTTLE_INDEX)

    def wait(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        row = self.db.one("SELECT blocked_until FROM web_throttle WHERE key = ?", (key,))
        if row is None or not row["blocked_until"]:
            return 0
        left = (datetime.fromisoformat(row["blocked_until"]) - self.clock()).total_seconds()
        return max(0, int(left + 0.999))

    def hit(self, key: str, limit: int, window: timedelta, *, growing: bool = False) -> int:
        """Count one failure (or send) for `key`; returns the seconds it is now blocked for (0: not blocked).
        Reaching `limit` within `window` blocks it for `window`; with `growing`, for one minute doubling with each
        further failure, at most an hour."""
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_throttle WHERE updated_at < ?", ((now - 2 * MAX_DELAY).isoformat(),))
            row = tx.one("SELECT count, window_start FROM web_throttle WHERE key = ?", (key,))
            if row is None or now - datetime.fromisoformat(row["window_start"]) > window:
                count, start = 1, now
            else:
                count, start = row["count"] + 1, datetime.fromisoformat(row["window_start"])
            blocked = None
            if count >= limit:
                delay = min(MAX_DELAY, timedelta(minutes=2 ** (count - limit))) if growing else window
                blocked = now + delay
            tx.execute("INSERT INTO web_throttle (key, count, window_start, blocked_until, updated_at) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                       "window_start = excluded.window_start, blocked_until = excluded.blocked_until, "
                       "updated_at = excluded.updated_at",
                       (key, count, start.isoformat(), blocked.isoformat() if blocked else None, now.isoformat()))
        return int((blocked - now).total_seconds()) if blocked else 0

    def clear(self, key: str) -> None:
        """Forget `key` (a successful login clears its failures)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_throttle WHERE key = ?", (key,))
