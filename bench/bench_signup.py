"""Resident sign-up through Linli (command → event store → view) against raw eventsourcing and raw sqlite3.

Prints a table of medians over several trials and the ratios, all measured in the same run on the same
SQLite settings (WAL, synchronous=FULL), because these 2-core machines are noisy.
Run: make bench   (or .venv/bin/python bench/bench_signup.py --n 300 --trials 5)"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, raw_appends, raw_creates, raw_sqlite  # noqa: E402
from web.passwords import hash_password  # noqa: E402
from web.settings import Settings  # noqa: E402
from web.wiring import build  # noqa: E402


def bench_linli(folder: Path, n: int, password_hash: str) -> tuple[float, float]:
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(folder)}))
    app = svc.app
    district = app.accounts.found_district("1", "区")
    community = app.accounts.found_community("3", "社区", app.accounts.found_street("2", "街道", district))
    svc.runner.catch_up()
    start = time.perf_counter()
    for i in range(n):
        app.accounts.sign_up(f"139{i:08d}", "张三", password_hash, community, command_id=f"c{i}")
        svc.runner.wait(app.recorder.max_notification_id())  # the view shows it: read-your-writes
    signups = n / (time.perf_counter() - start)
    worker = app.accounts.sign_up("13700000000", "社工", password_hash, None)
    app.accounts.grant_role(worker, "worker", community)
    ids = [row["id"] for row in svc.views.all("SELECT account_id AS id FROM dir_residencies WHERE status='pending'")]
    start = time.perf_counter()
    for account_id in ids:
        app.accounts.verify_residency(worker, UUID(account_id), community)
        svc.runner.wait(app.recorder.max_notification_id())
    verifies = len(ids) / (time.perf_counter() - start)
    svc.close()
    return signups, verifies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    password_hash = hash_password("benchmark-password")
    rows: dict[str, list[float]] = {k: [] for k in ("signup", "verify", "create", "append", "sqlite")}
    for trial in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "linli").mkdir()
            signup, verify = bench_linli(folder / "linli", args.n, password_hash)
            rows["signup"].append(signup)
            rows["verify"].append(verify)
            rows["create"].append(raw_creates(folder, args.n, "x" * 120 + password_hash)[0])
            rows["append"].append(raw_appends(folder, args.n, "x" * 40, one_aggregate=False))
            rows["sqlite"].append(raw_sqlite(folder, args.n))
        print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print_table(f"SQLite, WAL, synchronous=FULL; n={args.n} per trial, median of {args.trials} trials", [
        ("Linli sign-up: seal + command id + append + view updated", med["signup"], med["create"]),
        ("Linli verify residency: get + append + view updated", med["verify"], med["append"]),
        ("raw eventsourcing: create + save (1 event)", med["create"], med["create"]),
        ("raw eventsourcing: get + append + save", med["append"], med["append"]),
        ("raw sqlite3: INSERT, one row per transaction", med["sqlite"], med["create"]),
    ], med["sqlite"])


if __name__ == "__main__":
    main()
