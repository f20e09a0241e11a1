"""What the benchmarks share: the baselines (raw eventsourcing, raw sqlite3) and the table they print."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Thing(Aggregate):
    """The raw-library baseline aggregate: a creation event, then one small event per command."""

    @event("Registered")
    def __init__(self, body: str) -> None:
        self.body = body
        self.count = 0

    @event("Touched")
    def touch(self, body: str) -> None:
        self.count += 1


class Raw(Application):
    name = "Raw"


def raw_creates(folder: Path, n: int, body: str) -> tuple[float, list]:
    """Create + save, one event per aggregate."""
    app = Raw(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "raw-create.sqlite3")})
    start = time.perf_counter()
    ids = []
    for _ in range(n):
        thing = Thing(body=body)
        app.save(thing)
        ids.append(thing.id)
    rate = n / (time.perf_counter() - start)
    app.close()
    return rate, ids


def raw_appends(folder: Path, n: int, body: str, one_aggregate: bool, snapshot_every: int = 0,
                cache: bool = False) -> float:
    """Get + append + save: on one aggregate that grows to n events, or on n separate aggregates."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
           "SQLITE_DBNAME": str(folder / f"raw-{one_aggregate}-{snapshot_every}-{cache}.sqlite3")}
    if cache:  # the same aggregate cache Linli uses (fast-forwarded from the store on every get)
        env.update({"AGGREGATE_CACHE_MAXSIZE": "2000", "AGGREGATE_CACHE_FASTFORWARD": "y"})

    class RawApp(Raw):
        snapshotting_intervals = {Thing: snapshot_every} if snapshot_every else {}
    app = RawApp(env=env)
    things = [Thing(body=body) for _ in range(1 if one_aggregate else n)]
    app.save(*things)
    start = time.perf_counter()
    for i in range(n):
        thing = app.repository.get(things[0 if one_aggregate else i].id)
        thing.touch(body)
        app.save(thing)
    rate = n / (time.perf_counter() - start)
    app.close()
    return rate


def raw_sqlite(folder: Path, n: int) -> float:
    """INSERT one ~400-byte row per transaction, WAL, synchronous=FULL."""
    conn = sqlite3.connect(folder / "plain.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
    body = b"x" * 400
    start = time.perf_counter()
    for _ in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (body) VALUES (?)", (body,))
        conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    conn.close()
    return rate


def print_table(title: str, rows: list[tuple[str, float, float]], sqlite_rate: float) -> None:
    """rows: (operation, per second, the raw-eventsourcing rate it compares with)."""
    print(f"\n{title}\n")
    print(f"| {'operation':<66} | {'per second':>10} | {'vs raw eventsourcing':>20} | {'vs raw sqlite3':>14} |")
    print(f"|{'-' * 68}|{'-' * 12}|{'-' * 22}|{'-' * 16}|")
    for name, rate, base in rows:
        print(f"| {name:<66} | {rate:>10,.0f} | {rate / base:>19.2f}x | {rate / sqlite_rate:>13.2f}x |")
