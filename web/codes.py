"""One-time codes that prove a person owns a phone number: 6 digits, valid 10 minutes, 5 tries, used once.

Kept in the views database (like sessions: every web worker sees them; they are not domain facts). Only a keyed
digest of the number and of the code is stored, never either in clear."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from projections.db import Database

CODES_DDL = """CREATE TABLE IF NOT EXISTS web_phone_codes (
    phone_key TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL, expires_at TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (phone_key, purpose))"""
VALID_FOR = timedelta(minutes=10)
MAX_TRIES = 5
PURPOSES = ("signup", "reset", "phone")


class OneTimeCodes:
    """Issue a code for (number, purpose) and check it once."""

    def __init__(self, db: Database, secret: str, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.secret = secret.encode()
        self.clock = clock
        with db.transaction() as tx:
            tx.execute(CODES_DDL)

    def issue(self, phone_key: str, purpose: str) -> str:
        """A fresh code (any earlier one for the same number and purpose stops working)."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM web_phone_codes WHERE expires_at < ?", (now.isoformat(),))
            tx.execute("INSERT INTO web_phone_codes (phone_key, purpose, code_hash, expires_at, tries) "
                       "VALUES (?, ?, ?, ?, 0) ON CONFLICT (phone_key, purpose) DO UPDATE SET "
                       "code_hash = excluded.code_hash, expires_at = excluded.expires_at, tries = 0",
                       (phone_key, purpose, self._hash(phone_key, purpose, code), (now + VALID_FOR).isoformat()))
        return code

    def check(self, phone_key: str, purpose: str, code: str) -> bool:
        """True once for the right code within its time and tries; the code is then used up."""
        code = (code or "").strip()
        with self.db.transaction() as tx:
            row = tx.one("SELECT code_hash, expires_at, tries FROM web_phone_codes WHERE phone_key = ? AND purpose = ?",
                         (phone_key, purpose))
            if row is None:
                return False
            expired = datetime.fromisoformat(row["expires_at"]) < self.clock() or row["tries"] >= MAX_TRIES
            right = len(code) == 6 and code.isascii() and code.isdigit() and \
                hmac.compare_digest(row["code_hash"], self._hash(phone_key, purpose, code))
            if right and not expired:
                tx.execute("DELETE FROM web_phone_codes WHERE phone_key = ? AND purpose = ?", (phone_key, purpose))
                return True
            tx.execute("UPDATE web_phone_codes SET tries = tries + 1 WHERE phone_key = ? AND purpose = ?",
                       (phone_key, purpose))
            return False

    def _hash(self, phone_key: str, purpose: str, code: str) -> str:
        return hmac.new(self.secret, f"{phone_key}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()
