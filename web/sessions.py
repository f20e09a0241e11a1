"""Server-side sessions: the cookie holds a random token, the views database holds only its hash.

A session ends after `idle` without a request and, whatever happens, `lifetime` after login; ended sessions are
purged as new ones start. Each session has its own CSRF token (a keyed digest of the session token), so a token
read from one session's page is worthless in another."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from projections.db import Database

SESSIONS_DDL = """CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, created_at TEXT NOT NULL, last_seen TEXT NOT NULL)"""
SESSIONS_INDEX = "CREATE INDEX IF NOT EXISTS web_sessions_by_account ON web_sessions (account_id)"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Sessions:
    """Create, find (within the idle timeout and the absolute lifetime) and end login sessions."""

    def __init__(self, db: Database, idle_minutes: int, lifetime_hours: int = 12, secret: str = "",
                 clock: Callable[[], datetime] = _utc_now) -> None:
        self.db = db
        self.idle = timedelta(minutes=idle_minutes)
        self.lifetime = timedelta(hours=lifetime_hours)
        self.secret = secret.encode()
        self.clock = clock
        with db.transaction() as tx:
            tx.execute(SESSIONS_DDL)
            tx.execute(SESSIONS_INDEX)

    def start(self, account_id: str) -> str:
        """A new session (a new id at every login, so a planted cookie is useless); ended ones are purged."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE last_seen < ? OR created_at < ?",
                       ((now - self.idle).isoformat(), (now - self.lifetime).isoformat()))
            tx.execute("INSERT INTO web_sessions (token_hash, account_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
                       (_hash(token), account_id, now.isoformat(), now.isoformat()))
        return token

    def account_for(self, token: str | None) -> str | None:
        """The account a live session belongs to; an idle, expired or unknown session gives None."""
        if not token or len(token) > 100:
            return None
        row = self.db.one("SELECT account_id, created_at, last_seen FROM web_sessions WHERE token_hash = ?",
                          (_hash(token),))
        if row is None:
            return None
        now = self.clock()
        last_seen = datetime.fromisoformat(row["last_seen"])
        if now - last_seen > self.idle or now - datetime.fromisoformat(row["created_at"]) > self.lifetime:
            self.end(token)
            return None
        if now - last_seen > timedelta(minutes=1):
            with self.db.transaction() as tx:
                tx.execute("UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (now.isoformat(), _hash(token)))
        return row["account_id"]

    def csrf_token(self, token: str) -> str:
        """The CSRF token of this session's forms."""
        return hmac.new(self.secret, b"csrf:" + _hash(token).encode(), hashlib.sha256).hexdigest()

    def end(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as tx:
                tx.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))

    def end_all(self, account_id: str) -> None:
        """Every session of the account ends (password changed, account erased)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_sessions WHERE account_id = ?", (account_id,))
