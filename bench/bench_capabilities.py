"""The three views Linli is known for, one hot command each, against the raw library doing the same appends.

- volunteer station: n residents sign up for one shift (one ActionDay stream grows to n events)
- roundtable: n checked-in residents vote on one motion (one Meeting stream grows)
- fund ledger: n payments recorded by one manager and approved by another (one Fund stream, snapshots)
Each Linli rate includes the rule checks, the command-id marker and the views catching up (read-your-writes).
Run: make bench   (or .venv/bin/python bench/bench_capabilities.py --n 200 --trials 3)"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import print_table, raw_appends, raw_sqlite  # noqa: E402
from domain.kernel import roles  # noqa: E402
from domain.roundtable.model import Resolution  # noqa: E402
from web.passwords import hash_password  # noqa: E402
from web.settings import Settings  # noqa: E402
from web.wiring import build  # noqa: E402

NOW = datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def setup(folder: Path, n: int):
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(folder)}))
    app = svc.app
    app.clock = Clock()
    community = app.accounts.found_community("3", "社区", app.accounts.found_street("2", "街道", app.accounts.found_district("1", "区")))
    password_hash = hash_password("benchmark-password")
    worker = app.accounts.sign_up("13700000000", "社工", password_hash, None)
    app.accounts.grant_role(worker, roles.WORKER, community)
    residents = []
    for i in range(n):
        account = app.accounts.sign_up(f"139{i:08d}", f"居民{i}", password_hash, community)
        app.accounts.verify_residency(worker, account, community)
        residents.append(account)
    svc.runner.catch_up()
    return svc, app, community, worker, residents


def timed(svc, commands) -> float:
    start = time.perf_counter()
    count = 0
    for command in commands:
        command()
        svc.runner.wait(svc.app.recorder.max_notification_id())
        count += 1
    return count / (time.perf_counter() - start)


def bench_volunteer(svc, app, community, worker, residents) -> float:
    day = app.volunteer.create_action_day(worker, community, None, "集中行动日", "", "2026-06-08")
    start = datetime(2026, 6, 8, 1, 0, tzinfo=timezone.utc)
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", start, start + timedelta(hours=2), len(residents))
    return timed(svc, (lambda r=r: app.volunteer.sign_up_for_shift(r, day, shift, command_id=f"v-{r}") for r in residents))


def bench_vote(svc, app, community, worker, residents) -> float:
    starts = NOW + timedelta(hours=1)
    meeting = app.roundtable.schedule_meeting(worker, community, "议事会", "讨论", starts, starts + timedelta(hours=2), "活动室",
                                   "in_person", len(residents), NOW + timedelta(minutes=30), "simple", 50)
    item = app.roundtable.propose_agenda_item(residents[0], meeting, "加装电梯", "方案")
    app.roundtable.accept_agenda_item(worker, meeting, item, 20)
    app.roundtable.open_meeting(worker, meeting)
    for r in residents:
        app.roundtable.check_in(worker, meeting, r)
    motion = app.roundtable.open_motion(worker, meeting, item)
    svc.runner.catch_up()
    return timed(svc, (lambda r=r: app.roundtable.cast_vote(r, meeting, motion, "for", command_id=f"m-{r}") for r in residents))


def bench_fund(svc, app, community, worker, residents, n: int) -> float:
    maker = app.accounts.sign_up("13600000001", "会计", hash_password("benchmark-password"), None)
    checker = app.accounts.sign_up("13600000002", "出纳", hash_password("benchmark-password"), None)
    app.accounts.grant_role(maker, roles.FUND_MANAGER, community)
    app.accounts.grant_role(checker, roles.FUND_MANAGER, community)
    resolution = Resolution(meeting_id=uuid4(), motion_id="m1", community_id=community, title="楼道扶手", passed=True,
                            votes_for=10, votes_against=1, abstentions=0, at=NOW)
    app.save(resolution)
    project = app.fund.allocate(maker, community, 2026, resolution.id, "楼道扶手", "elderly", "150000")
    svc.runner.catch_up()

    def pay(i: int) -> None:
        payment = app.fund.record_payment(maker, community, 2026, project, None, "100", "organisation", "装修公司",
                                     "2026-06-01", "扶手", f"R{i}", command_id=f"p-{i}")
        app.fund.approve_payment(checker, community, 2026, payment, command_id=f"a-{i}")
    return timed(svc, (lambda i=i: pay(i) for i in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    keys = ("signup", "vote", "pay", "grow", "grow_snap", "grow_cache", "sqlite")
    rows: dict[str, list[float]] = {k: [] for k in keys}
    for trial in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            (folder / "linli").mkdir()
            svc, app, community, worker, residents = setup(folder / "linli", args.n)
            rows["signup"].append(bench_volunteer(svc, app, community, worker, residents))
            rows["vote"].append(bench_vote(svc, app, community, worker, residents))
            rows["pay"].append(bench_fund(svc, app, community, worker, residents, args.n))
            svc.close()
            rows["grow"].append(raw_appends(folder, args.n, "x" * 60, one_aggregate=True))
            rows["grow_snap"].append(raw_appends(folder, args.n, "x" * 60, one_aggregate=True, snapshot_every=100))
            rows["grow_cache"].append(raw_appends(folder, args.n, "x" * 60, one_aggregate=True, snapshot_every=100,
                                                  cache=True))
            rows["sqlite"].append(raw_sqlite(folder, args.n))
        print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print_table(f"SQLite, WAL, synchronous=FULL; n={args.n} per trial, median of {args.trials} trials; "
                "one aggregate stream grows to n events; ratios against the raw library with the same cache", [
        ("volunteer sign-up for one shift (+ Volunteer slot, marker, view)", med["signup"], med["grow_cache"]),
        ("roundtable vote on one motion (+ marker, view)", med["vote"], med["grow_cache"]),
        ("fund payment: record (maker) + approve (checker), both with views", med["pay"] * 2, med["grow_cache"]),
        ("raw eventsourcing: get + append + save, one growing aggregate", med["grow"], med["grow_cache"]),
        ("raw eventsourcing: same, snapshot every 100", med["grow_snap"], med["grow_cache"]),
        ("raw eventsourcing: same, snapshots + Linli's aggregate cache", med["grow_cache"], med["grow_cache"]),
        ("raw sqlite3: INSERT, one row per transaction", med["sqlite"], med["grow_cache"]),
    ], med["sqlite"])
    print("\n(fund row counts commands: a payment is two commands, record + approve)")


if __name__ == "__main__":
    main()
