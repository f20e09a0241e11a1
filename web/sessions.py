"""Server-side sessions: the cookie holds a random token, the views database holds only its hash."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from projections.db import Database

SESSIONS_DDL = """CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL)"""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Create, find (with an idle timeout) and end login sessions."""

    def __init__(self, db: Database, idle_minutes: int) -> None:
        self.db = db
        self.idle = timedelta(minutes=idle_minutes)
        with db.transaction() as tx:
            tx.execute(SESSIONS_DDL)

    def start(self, account_id: str) -> str:
        """A new session (a new id at every login, so a planted cookie is useless)."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc).isoformat()
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO web_sessions (token_hash, account_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
                       (_hash(token), account_id, now, now))
        return token

    def account_for(self, token: str | None) -> str | None:
        """The account a live session belongs to; an idle or unknown session gives None."""
        if not token or len(token) > 100:
            return None
        row = self.db.one("SELECT account_id, last_seen FROM web_sessions WHERE token_hash = ?", (_hash(token),))
        if row is None:
            return None
        now = datetime.now(timezone.utc)
        last_seen = datetime.fromisoformat(row["last_seen"])
        if now - last_seen > self.idle:
            self.end(token)
            return None
        if now - last_seen > timedelta(minutes=1):
            with self.db.transaction() as tx:
                tx.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (now.isoformat(), _hash(token)))
        return row["account_id"]

    def end(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as tx:
                tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))

    def end_all(self, account_id: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE account_id = ?", (account_id,))
