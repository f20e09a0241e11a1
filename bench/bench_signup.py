"""Resident sign-up through Linli (command → event store → view) against raw eventsourcing and raw sqlite3.

Prints a table of medians over several trials and the ratios, all measured in the same run on the same
SQLite settings (WAL, synchronous=FULL), because these 2-core machines are noisy.
Run: make bench   (or .venv/bin/python bench/bench_signup.py --n 300 --trials 5)"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402

from web.passwords import hash_password  # noqa: E402
from web.settings import Settings  # noqa: E402
from web.wiring import build  # noqa: E402


class Person(Aggregate):
    """The raw-library baseline: one creation event with about the same payload as a Linli sign-up."""

    @event("Registered")
    def __init__(self, personal: str, password_hash: str) -> None:
        self.personal = personal
        self.password_hash = password_hash


class Raw(Application):
    name = "Raw"


def bench_linli(folder: Path, n: int, password_hash: str) -> tuple[float, float]:
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(folder)}))
    app = svc.app
    district = app.found_district("1", "区")
    community = app.found_community("3", "社区", app.found_street("2", "街道", district))
    svc.runner.catch_up()
    start = time.perf_counter()
    for i in range(n):
        app.sign_up(f"139{i:08d}", "张三", password_hash, community, command_id=f"c{i}")
        svc.runner.wait(app.recorder.max_notification_id())  # the view shows it: read-your-writes
    signups = n / (time.perf_counter() - start)
    # get + append + save: a worker verifies each of them
    worker = app.sign_up("13700000000", "社工", password_hash, None)
    app.grant_role(worker, "worker", community)
    ids = [row["id"] for row in svc.views.all("SELECT account_id AS id FROM dir_residencies WHERE status='pending'")]
    start = time.perf_counter()
    from uuid import UUID
    for account_id in ids:
        app.verify_residency(worker, UUID(account_id), community)
        svc.runner.wait(app.recorder.max_notification_id())
    verifies = len(ids) / (time.perf_counter() - start)
    svc.close()
    return signups, verifies


def bench_raw_eventsourcing(folder: Path, n: int, password_hash: str) -> tuple[float, float]:
    app = Raw(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(folder / "raw.sqlite3")})
    sealed = "x" * 120  # about the size of Linli's sealed name + phone
    start = time.perf_counter()
    ids = []
    for _ in range(n):
        person = Person(personal=sealed, password_hash=password_hash)
        app.save(person)
        ids.append(person.id)
    creates = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for person_id in ids:
        person = app.repository.get(person_id)
        person.trigger_event(Aggregate.Event)
        app.save(person)
    updates = n / (time.perf_counter() - start)
    app.close()
    return creates, updates


def bench_raw_sqlite(folder: Path, n: int) -> float:
    conn = sqlite3.connect(folder / "plain.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
    body = b"x" * 400
    start = time.perf_counter()
    for _ in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (body) VALUES (?)", (body,))
        conn.execute("COMMIT")
    rate = n / (time.perf_counter() - start)
    conn.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    password_hash = hash_password("benchmark-password")
    rows: dict[str, list[float]] = {k: [] for k in ("linli_signup", "linli_verify", "es_create", "es_update", "sqlite")}
    for trial in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "linli").mkdir()
            s, v = bench_linli(folder / "linli", args.n, password_hash)
            c, u = bench_raw_eventsourcing(folder, args.n, password_hash)
            rows["linli_signup"].append(s)
            rows["linli_verify"].append(v)
            rows["es_create"].append(c)
            rows["es_update"].append(u)
            rows["sqlite"].append(bench_raw_sqlite(folder, args.n))
        print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"\nSQLite, WAL, synchronous=FULL; n={args.n} per trial, median of {args.trials} trials\n")
    print(f"| {'operation':<62} | {'per second':>10} | {'vs raw eventsourcing':>20} | {'vs raw sqlite3':>14} |")
    print(f"|{'-' * 64}|{'-' * 12}|{'-' * 22}|{'-' * 16}|")
    table = [
        ("Linli sign-up: seal + command id + append + view updated", med["linli_signup"], med["es_create"]),
        ("Linli verify residency: get + append + view updated", med["linli_verify"], med["es_update"]),
        ("raw eventsourcing: create + save (1 event)", med["es_create"], med["es_create"]),
        ("raw eventsourcing: get + append + save", med["es_update"], med["es_update"]),
        ("raw sqlite3: INSERT, one row per transaction", med["sqlite"], med["es_create"]),
    ]
    for name, rate, base in table:
        print(f"| {name:<62} | {rate:>10,.0f} | {rate / base:>19.2f}x | {rate / med['sqlite']:>13.2f}x |")


if __name__ == "__main__":
    main()
