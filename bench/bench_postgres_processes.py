"""Throughput of 1 vs 2 web processes on PostgreSQL, over HTTP, for the command mix of the faults-at-scale tests
(tests/scale: shift sign-ups, votes, fund payments and approvals, a few resident sign-ups), against the raw
`eventsourcing` library on the same PostgreSQL, measured in the same run.

Each layout gets a fresh schema, `linli serve --workers W` × P processes with LINLI_PROJECTIONS=external and one
`linli project`, all on 127.0.0.1; the commands are arranged through the use cases, then N clients send them (each
client one after the other, alternating between the web processes) and the rate is commands answered per second
(every command answered, its view updated before the answer: read-your-writes). The raw library: create + save, and
get + append + save, on aggregates of its own, one thread and then N threads.
Needs the PostgreSQL of `make test` (POSTGRES_* variables, default 127.0.0.1:5432 linli/linli/linli_test).
Run: .venv/bin/python bench/bench_postgres_processes.py [--clients 12] [--commands 1200] [--workers-too]"""
from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402

from tests.builders import admin_sql, postgres_available, postgres_env  # noqa: E402
from tests.scale.builders import Deployment, Load, arrange, server_errors  # noqa: E402


class Entry(Aggregate):
    """The raw library's aggregate: created once, then one small event per command (as a sign-up or a vote)."""

    @event("Started")
    def __init__(self, title: str) -> None:
        self.title = title
        self.entries: dict[str, str] = {}

    @event("Added")
    def add(self, key: str, by: str) -> None:
        self.entries[key] = by


class RawBench(Application):
    name = "RawBench"


def new_schema() -> str:
    schema = "bench_" + secrets.token_hex(5)
    admin_sql(f"CREATE SCHEMA {schema}")
    return schema


def drop(*schemas: str) -> None:
    admin_sql(*(f"DROP SCHEMA IF EXISTS {s} CASCADE" for s in schemas))


def raw_rates(n: int, threads: int) -> dict[str, float]:
    """create + save (1 thread); get + append + save (1 thread; `threads` threads), on separate aggregates."""
    schema = new_schema()
    try:
        app = RawBench(env={**postgres_env(), "POSTGRES_SCHEMA": schema, "POSTGRES_POOL_SIZE": str(threads)})
        start = time.perf_counter()
        ids = []
        for i in range(n):
            entry = Entry(title=f"entry {i}")
            app.save(entry)
            ids.append(entry.id)
        create = n / (time.perf_counter() - start)

        def append(aggregate_id) -> None:
            entry = app.repository.get(aggregate_id)
            entry.add(secrets.token_hex(4), "someone")
            app.save(entry)
        start = time.perf_counter()
        for aggregate_id in ids:
            append(aggregate_id)
        one = n / (time.perf_counter() - start)
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(append, ids))
        many = n / (time.perf_counter() - start)
        app.close()
        return {"create": create, "append": one, "append_threads": many}
    finally:
        drop(schema)


def http_rate(processes: int, workers: int, clients: int, commands: int) -> tuple[float, int, Counter, float]:
    """Commands per second over HTTP for one layout; also the count of 5xx answers, the outcomes and the load's
    seconds."""
    residents = max(2, clients - 2 * max(1, clients // 6))
    funds = (clients - residents) // 2
    per = max(10, commands // clients)
    signups = max(1, round(per * 0.02))
    shifts = (per - signups) // 2
    schema = new_schema()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**postgres_env(), "POSTGRES_SCHEMA": schema, "LINLI_SECRET": "bench-" + secrets.token_hex(8)}
            deployment = Deployment(Path(tmp), env, web_processes=processes, workers=workers)
            try:
                plan = arrange(deployment.services(), residents=residents, funds=funds, shifts_per_resident=shifts,
                               votes_per_resident=per - shifts - signups, signups_per_resident=signups,
                               payments_per_maker=per, approvals_per_checker=per, places=max(1, residents * 12 // 14))
                deployment.ready()
                load = Load(deployment.servers, plan)
                load.run()
                if load.errors:
                    raise RuntimeError(f"clients failed: {load.errors[:3]}")
                outcomes = Counter((c.kind, c.status) for c in plan.commands)
                return len(plan.commands) / load.seconds, len(server_errors(plan)), outcomes, load.seconds
            finally:
                deployment.stop()
    finally:
        drop(schema, f"{schema}_views", f"{schema}_keys")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=12, help="concurrent HTTP clients (default 12)")
    parser.add_argument("--commands", type=int, default=1200, help="commands per layout (default 1200)")
    parser.add_argument("--raw", type=int, default=500, help="raw-library operations per row (default 500)")
    parser.add_argument("--workers-too", action="store_true",
                        help="also 2 processes × 2 workers (the layout of tests/scale)")
    parser.add_argument("--max-seconds", type=float, default=300, help="skip layouts not started by then")
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable (make postgres starts it); nothing measured")
    started = time.monotonic()
    raw = raw_rates(args.raw, args.clients)
    print(f"raw eventsourcing measured ({time.monotonic() - started:.0f}s)", file=sys.stderr)
    layouts = [(1, 1), (2, 1)] + ([(2, 2)] if args.workers_too else [])
    http: dict[tuple[int, int], tuple[float, int, Counter, float]] = {}
    for processes, workers in layouts:
        if time.monotonic() - started > args.max_seconds:
            print(f"skipped {processes}×{workers}: past --max-seconds", file=sys.stderr)
            continue
        http[(processes, workers)] = http_rate(processes, workers, args.clients, args.commands)
        rate, errors, outcomes, seconds = http[(processes, workers)]
        print(f"{processes} process(es) × {workers} worker(s): {rate:.1f}/s in {seconds:.1f}s, {errors} 5xx, "
              f"{dict(outcomes)} ({time.monotonic() - started:.0f}s)", file=sys.stderr)

    base = raw["append"]
    one = http.get((1, 1), (0.0,))[0]
    print(f"\nPostgreSQL, {args.clients} clients, {args.commands} commands per layout over HTTP "
          f"(shift sign-ups, votes, payments, approvals, a few resident sign-ups); raw library: {args.raw} per row\n")
    print(f"| {'operation':<68} | {'per second':>10} | {'vs raw get+append+save':>22} | {'vs 1 process':>12} |")
    print(f"|{'-' * 70}|{'-' * 12}|{'-' * 24}|{'-' * 14}|")
    rows = [("raw eventsourcing: create + save, 1 thread", raw["create"], None),
            ("raw eventsourcing: get + append + save, 1 thread", raw["append"], None),
            (f"raw eventsourcing: get + append + save, {args.clients} threads", raw["append_threads"], None)]
    for (processes, workers), (rate, errors, _, _) in http.items():
        rows.append((f"Linli over HTTP: {processes} web process{'es' if processes > 1 else ''} × {workers} "
                     f"worker{'s' if workers > 1 else ''} + linli project{f' ({errors} 5xx)' if errors else ''}",
                     rate, rate / one if one else None))
    for name, rate, vs_one in rows:
        print(f"| {name:<68} | {rate:>10,.1f} | {rate / base:>21.3f}x | "
              f"{f'{vs_one:.2f}x' if vs_one is not None else '':>12} |")
    print(f"\ntotal {time.monotonic() - started:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
