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

import re
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
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
        for aggregate_id, version in (kwargs.get("expected") or {}).items():
            c.execute(f"SELECT 1 FROM {self.events_table_name} WHERE originator_id = ? AND originator_version > ? "
                      "LIMIT 1", (aggregate_id.hex, version))
            if c.fetchone() is not None:
                raise StaleReadError(f"read aggregate changed: {aggregate_id}")
        return ids


class CheckedPostgresRecorder(PostgresApplicationRecorder):
    FUNCTION = "linli_expect_versions"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema, table = _identifier(self.datastore.schema), _identifier(self.events_table_name)
        function = f"{schema}.{_identifier(self.FUNCTION)}"
        self.sql_create_expect = (
            f"CREATE OR REPLACE FUNCTION {function}(ids {_identifier(self.datastore.originator_id_type)}[], "
            "versions bigint[]) RETURNS void LANGUAGE plpgsql AS $BODY$ BEGIN "
            "IF EXISTS (SELECT 1 FROM unnest(ids, versions) AS x(id, version) WHERE EXISTS (SELECT 1 FROM "
            f"{schema}.{table} e WHERE e.originator_id = x.id AND e.originator_version > x.version)) "
            "THEN RAISE EXCEPTION 'linli: an aggregate the command read has changed' "
            "USING ERRCODE = 'integrity_constraint_violation'; END IF; END; $BODY$")
        self.sql_expect = f"SELECT {function}(%s, %s)"

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self.sql_create_expect)

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # The table lock comes first (the library's), so the check below sees every committed append. It runs in
        # the same pipeline: a stale read fails the statement, the transaction, and the append with it.
        super()._insert_stored_events(curs, stored_events, **kwargs)
        expected: Expected = kwargs.get("expected") or {}
        if expected:
            with curs.connection.cursor() as check:
                check.execute(self.sql_expect, (list(expected), list(expected.values())), prepare=True)


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


class CheckedPOPORecorder(POPOApplicationRecorder):
    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)   # under the recorder's lock
        for aggregate_id, version in (kwargs.get("expected") or {}).items():
            if max(self._stored_events_index.get(str(aggregate_id), ()), default=0) > version:
                raise StaleReadError(f"read aggregate changed: {aggregate_id}")


CHECKED = {"eventsourcing.sqlite": CheckedSQLiteRecorder, "eventsourcing.postgres": CheckedPostgresRecorder,
           "eventsourcing.popo": CheckedPOPORecorder}
