"""The PostgreSQL recorder with the check of a command's reads (see `recorders`); apart, so psycopg is only imported
where PostgreSQL is used."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry

from domain.kernel.recorders import Expected


class CheckedPostgresRecorder(PostgresApplicationRecorder):
    FUNCTION = "linli_expect_versions"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.datastore.enable_db_functions:   # the library's function path would skip the check below
            raise ValueError("Linli checks a command's reads in the append: unset POSTGRES_ENABLE_DB_FUNCTIONS")
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
        self._select_with_snapshot: dict[str, str] = {}

    # As the library's own reads: a pooled connection the server closed (a restart) is replaced and asked again.
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_with_snapshot(self, originator_id: Any, snapshots: Any) -> tuple[StoredEvent | None,
                                                                                list[StoredEvent]] | None:
        """An aggregate's newest snapshot and the events after it, in one round trip (the library asks twice: an
        absent aggregate cost a sign-up two). None when the snapshots are kept elsewhere."""
        if getattr(snapshots, "datastore", None) is not self.datastore:
            return None
        sql = self._select_with_snapshot.get(snapshots.events_table_name)
        if sql is None:
            schema = _identifier(self.datastore.schema)
            events, kept = _identifier(self.events_table_name), _identifier(snapshots.events_table_name)
            sql = self._select_with_snapshot[snapshots.events_table_name] = (
                f"WITH s AS (SELECT originator_version, topic, state FROM {schema}.{kept} WHERE originator_id = %s "
                "ORDER BY originator_version DESC LIMIT 1) "
                "SELECT true AS snapshot, originator_version, topic, state FROM s UNION ALL "
                f"SELECT false, originator_version, topic, state FROM {schema}.{events} WHERE originator_id = %s "
                "AND originator_version > COALESCE((SELECT originator_version FROM s), 0) "
                "ORDER BY snapshot DESC, originator_version")
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, (originator_id, originator_id), prepare=True)
            rows = curs.fetchall()
        stored = [(row["snapshot"], StoredEvent(originator_id=originator_id, originator_version=row["originator_version"],
                                                topic=row["topic"], state=bytes(row["state"]))) for row in rows]
        snapshot = stored[0][1] if stored and stored[0][0] else None
        return snapshot, [event for is_snapshot, event in stored if not is_snapshot]

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
