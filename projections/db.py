"""The views database: one small interface over SQLite (default) and PostgreSQL, written with `?` params."""
from __future__ import annotations

import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Row = dict[str, Any]


class Tx:
    """A cursor inside one transaction; SQL uses `?` placeholders on both back ends.

    `pipelined` (PostgreSQL's pipeline mode): each read gets a cursor of its own. The answer to an earlier statement
    may reach the shared cursor after a read was sent on it, and the read would then fetch that answer instead of its
    own ("the last operation didn't produce records": seen under load with one cursor)."""

    def __init__(self, cursor: Any, postgres: bool, pipelined: bool = False) -> None:
        self._cursor = cursor
        self._postgres = postgres
        self._pipelined = pipelined

    def _sql(self, sql: str) -> str:
        """`?` placeholders as the back end takes them (psycopg: `%s`, and a literal `%` doubled)."""
        return sql.replace("%", "%%").replace("?", "%s") if self._postgres else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Tx:
        self._cursor.execute(self._sql(sql), tuple(params))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(self._sql(sql), [tuple(r) for r in rows])

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._reading(sql, params) as cursor:
            row = cursor.fetchone()
            return _as_dict(cursor, row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._reading(sql, params) as cursor:
            return [_as_dict(cursor, r) for r in cursor.fetchall()]

    @contextmanager
    def _reading(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        if not self._pipelined:
            self.execute(sql, params)
            yield self._cursor
            return
        with self._cursor.connection.cursor() as cursor:
            cursor.execute(self._sql(sql), tuple(params))
            yield cursor

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else next(iter(row.values()))

    def lock(self, key: str) -> None:
        """Serialise writers of `key` until this transaction ends (SQLite's BEGIN IMMEDIATE already does)."""
        if self._postgres:
            self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (key,))

    def replayable(self) -> None:
        """What this transaction writes rebuilds from the events (view rows with their tracking position, committed
        together): on PostgreSQL its commit need not wait for the WAL flush (`synchronous_commit = off` for this
        transaction only). A crash may lose the last such commits, rows and positions together, and the runner applies
        those events again; the events themselves stay durable. SQLite views already commit with synchronous=NORMAL."""
        if self._postgres:
            self.execute("SET LOCAL synchronous_commit TO off")

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


def unavailable(error: BaseException) -> bool:
    """The database could not do its part just now, through no fault of the request or the event: a connection lost,
    refused or timed out, a server shutting down or starting (PostgreSQL's operational errors: classes 08, 53, 57,
    deadlock and serialization failures), or SQLite's lock timeout. Trying again later may work; the web answers 503.
    Known by the driver's error class (and for SQLite its message), looking through the causes (`raise … from`),
    since eventsourcing wraps the driver's errors."""
    import psycopg

    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True
        if isinstance(cause, sqlite3.OperationalError) and ("locked" in str(cause) or "busy" in str(cause)):
            return True
        cause = cause.__cause__
    return False


def _as_dict(cursor: Any, row: Any) -> Row:
    if isinstance(row, dict):
        return row
    return {d[0]: v for d, v in zip(cursor.description, row)}


class Database:
    """Connections to the views store. `transaction()` writes; `read()` reads a consistent snapshot."""

    postgres = False

    @contextmanager
    def transaction(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    @contextmanager
    def read(self) -> Iterator[Tx]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    @contextmanager
    def batch(self) -> Iterator[Tx]:
        """A write transaction whose statements need not wait for each other's answers: the runner's batches."""
        with self.transaction() as tx:
            yield tx

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.read() as tx:
            return tx.all(sql, params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self.read() as tx:
            return tx.one(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.read() as tx:
            return tx.scalar(sql, params)

    def close(self) -> None:
        pass

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """For a rebuild from the events: this thread's writes need not survive a power cut (a crash means
        rebuilding again), so commits need not wait for the disk."""
        yield

    def scrub(self) -> None:
        """Leave no copy of deleted rows behind in the database's files (after an erasure)."""


class SQLiteDatabase(Database):
    """One connection per thread; WAL; writes take the lock up front (BEGIN IMMEDIATE)."""

    def __init__(self, path: str, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout
        self._local = threading.local()
        self._uri = path.startswith("file:")
        if not self._uri and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                   check_same_thread=False, uri=self._uri)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA secure_delete=ON")   # a deleted or overwritten row is zeroed in its page
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield Tx(conn.cursor(), postgres=False)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            yield Tx(conn.cursor(), postgres=False)
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def bulk(self) -> Iterator[None]:
        conn = self._connection()
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-65536")   # 64 MB of pages while the whole log goes through
        try:
            yield
        finally:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-2000")

    def scrub(self) -> None:
        """Zeroed pages go from the WAL into the file and the WAL is truncated to nothing, so the old versions of
        erased rows are in no file (secure_delete already zeroed them in their pages)."""
        conn = self._connection()
        for _ in range(50):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                break
            time.sleep(0.05)
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


PING_AFTER = 1.0   # seconds a pooled views connection may sit idle and still be used without asking it first


class PostgresDatabase(Database):
    """A psycopg connection pool; the views live in their own schema."""

    postgres = True

    def __init__(self, conninfo: str, schema: str = "linli_views", pool_size: int = 5) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool

        if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
            raise ValueError(f"bad schema name {schema!r}")
        self.schema = schema

        def configure(conn: Any) -> None:
            try:
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            except psycopg.errors.UniqueViolation:   # made at this moment by another new connection
                conn.rollback()
            conn.execute(f"SET search_path TO {schema}")
            conn.commit()

        self.pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, configure=configure, open=True)
        self._used: dict[int, float] = {}   # when each pooled connection last answered (by id; at most pool_size)
        self._lost = (psycopg.OperationalError, psycopg.InterfaceError)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A pooled connection that answers. One the server has closed since it was pooled (the database restarted)
        is dropped, and the pool makes a new one, so no request fails on it once the database is back. A connection
        idle for `PING_AFTER` seconds is asked first (one round trip); one that answered just now is not (a restart
        takes longer than that): asking every time cost a round trip per page query and per views batch. Not the
        pool's own `check`, which waits 1, 2, 4… seconds before trying each next stale one."""
        for attempt in range(self.pool.max_size + 1):
            with self.pool.connection() as conn:
                if time.monotonic() - self._used.get(id(conn), 0.0) > PING_AFTER:
                    try:
                        self.pool.check_connection(conn)
                    except self._lost:
                        if attempt == self.pool.max_size:
                            raise
                        continue   # returned broken: the pool discards it and connects anew
                yield conn
                if len(self._used) > 4 * self.pool.max_size:   # ids of connections the pool has since dropped
                    self._used.clear()
                self._used[id(conn)] = time.monotonic()   # it answered (not after an error: then it is asked again)
                return

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._connection() as conn:
            with conn.transaction():
                yield Tx(conn.cursor(), postgres=True)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._connection() as conn:
            with conn.transaction():
                yield Tx(conn.cursor(), postgres=True)

    @contextmanager
    def batch(self) -> Iterator[Tx]:
        """Pipelined: writes are sent without waiting for their answers, a read waits for everything before it, and
        the commit for the rest (a sign-up's views were a dozen round trips, one per statement). An error shows at the
        next wait and ends the transaction as in `transaction`."""
        with self._connection() as conn:
            with conn.pipeline(), conn.transaction():
                yield Tx(conn.cursor(), postgres=True, pipelined=True)

    def scrub(self) -> None:
        """Rewrite this schema's tables (VACUUM FULL), so no dead copy of an erased row stays in them. PostgreSQL's
        own WAL recycles its segments itself; keep its archives on the same rotation as key backups."""
        with self._connection() as conn:
            conn.autocommit = True
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)).fetchall()]
            for table in tables:
                conn.execute(f'VACUUM FULL "{self.schema}"."{table}"')

    def close(self) -> None:
        self.pool.close()


class MemoryDatabase(Database):
    """Throw-away views in memory (SQLite): one connection, used by one thread at a time; gone once dropped."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield Tx(self._conn.cursor(), postgres=False)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self._lock:
            yield Tx(self._conn.cursor(), postgres=False)

    def close(self) -> None:
        self._conn.close()
