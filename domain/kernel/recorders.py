"""The event store's recorders, with one addition: a command's reads are checked where its events are written.

Inside a command an aggregate comes from this process's cache as it is, without asking the store for newer events
first (a sign-up read its day, the voting roll and the volunteer: three round trips before the one that writes).
What makes that safe is this check. The append carries `expected`: the version each aggregate the command read
*but did not write* had when it was read (0 for one it looked for and did not find). Inside the append's
transaction, holding the store's write lock, the recorder compares them with the store and refuses the whole append
with an `IntegrityError` when one has moved on: the command is retried on fresh state, exactly like a conflict on an
aggregate it writes (those need no check: their next version already exists). So a decision never rests on a read
another process has since changed, which is stronger than fast-forwarding before the command (the store could move
on between that read and the append)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

Expected = Mapping[UUID, int]


class StaleReadError(IntegrityError):
    """An aggregate the command decided on has changed since it was read: run the command again."""


class CheckedSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        expected: Expected = kwargs.get("expected") or {}
        # After the inserts this transaction holds the write lock and reads the newest state (WAL: a writer's
        # snapshot is the latest commit, or its first write would have failed busy). One index seek per aggregate
        # (a MAX grouped by aggregate read every version of a big one).
        for aggregate_id, version in expected.items():
            c.execute(f"SELECT 1 FROM {self.events_table_name} WHERE originator_id = ? AND originator_version > ? "
                      "LIMIT 1", (aggregate_id.hex, version))
            if c.fetchone() is not None:
                raise StaleReadError(f"read aggregate changed: {aggregate_id}")
        return ids


class CheckedPOPORecorder(POPOApplicationRecorder):
    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)   # under the recorder's lock
        for aggregate_id, version in (kwargs.get("expected") or {}).items():
            if max(self._stored_events_index.get(str(aggregate_id), ()), default=0) > version:
                raise StaleReadError(f"read aggregate changed: {aggregate_id}")


# The recorder for each of the library's persistence modules, by topic: PostgreSQL's lives apart
# (`recorders_postgres`), so a process on SQLite never imports psycopg (a sixth of `linli rebuild`'s start-up).
CHECKED = {"eventsourcing.sqlite": f"{__name__}:CheckedSQLiteRecorder",
           "eventsourcing.postgres": "domain.kernel.recorders_postgres:CheckedPostgresRecorder",
           "eventsourcing.popo": f"{__name__}:CheckedPOPORecorder"}
