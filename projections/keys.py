"""Per-person keys, kept in their own database table apart from the events and the views."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.cryptography import AESCipher

from projections.db import Database

KEYS_DDL = "CREATE TABLE IF NOT EXISTS person_keys (person_id TEXT PRIMARY KEY, key TEXT NOT NULL)"


class SQLKeyStore:
    """A `domain.privacy.KeyStore` on SQLite or PostgreSQL. Deleting a row erases that person.

    No cache: an erasure in one process must take effect in every other at once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as tx:
            tx.execute(KEYS_DDL)

    def get(self, person_id: UUID) -> str | None:
        return self.db.scalar("SELECT key FROM person_keys WHERE person_id = ?", (str(person_id),))

    def get_or_create(self, person_id: UUID) -> str:
        key = self.get(person_id)
        if key is not None:
            return key
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO person_keys (person_id, key) VALUES (?, ?) ON CONFLICT (person_id) DO NOTHING",
                       (str(person_id), AESCipher.create_key(32)))
            key = tx.scalar("SELECT key FROM person_keys WHERE person_id = ?", (str(person_id),))
        return key

    def delete(self, person_id: UUID) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM person_keys WHERE person_id = ?", (str(person_id),))
