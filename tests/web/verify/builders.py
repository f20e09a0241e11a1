"""What the export and verify tests build with: a community's recorded history in every context the verifier
re-derives (a meeting with votes by phone, by the worker, by proxy and by show of hands; its resolution paid from
the fund, with a refund and a payment sent back; an action day whose hours came from check-in/out and from
corrections, and the certificates issued for them), a copy of a store to tamper with, and the verifier run both ways."""
from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from domain.kernel import roles
from tests.builders import PASSWORD_HASH, ROOT, Places, make_worker, new_phone

VERIFIER = ROOT / "tools" / "verify_linli.py"
YEAR = 2026


@dataclass
class History:
    """Who and what the recorded history has."""

    places: Places
    worker: UUID
    residents: list[UUID]
    phones: list[str]
    meeting: UUID
    resolution: UUID
    fund: UUID
    day: UUID
    shift: UUID
    certificates: list[dict]

    @property
    def community(self) -> UUID:
        return self.places.community


def resident(app, community, worker, name: str) -> tuple[UUID, str]:
    phone = new_phone()
    account_id = app.accounts.sign_up(phone, name, PASSWORD_HASH, community)
    app.accounts.verify_residency(worker, account_id, community)
    return account_id, phone


def record_history(svc, clock) -> History:
    """Everything the verifier re-derives, through the real use cases, on the clock the test moves."""
    app = svc.app
    places = Places(app)
    community = places.community
    worker = make_worker(app, community, name="李社工")
    people = [resident(app, community, worker, f"居民{i}") for i in range(1, 7)]
    r = [p[0] for p in people]
    maker = make_worker(app, community, roles.FUND_MANAGER, "赵会计")
    checker = make_worker(app, community, roles.FUND_MANAGER, "钱出纳")

    rt = app.roundtable
    starts = clock() + timedelta(days=1, hours=10)            # 2026-05-02 19:00 in Shanghai
    meeting = rt.schedule_meeting(worker, community, "楼道扶手议事会", "讨论加装扶手", starts,
                                  starts + timedelta(hours=2), "社区活动室", "in_person", 30,
                                  starts - timedelta(hours=2), "simple", 50)
    handrails = rt.propose_agenda_item(r[0], meeting, "为高龄老人加装楼道扶手", "3 号楼、5 号楼")
    painting = rt.propose_agenda_item(r[1], meeting, "粉刷楼道", "3 号楼")
    rt.accept_agenda_item(worker, meeting, handrails, 30)
    rt.accept_agenda_item(worker, meeting, painting, 20)
    rt.give_proxy(r[5], meeting, people[4][1])                 # the sixth resident sends the fifth in their place
    clock.now = starts - timedelta(minutes=20)
    rt.open_meeting(worker, meeting)
    for voter in r[:5]:
        rt.check_in(worker, meeting, voter)
    clock.now = starts + timedelta(minutes=30)
    first = rt.open_motion(worker, meeting, handrails, amount="15,000", category="elderly")
    rt.cast_vote(r[0], meeting, first, "for")
    rt.cast_vote(r[1], meeting, first, "for")
    rt.record_vote(worker, meeting, first, r[2], "against")
    rt.cast_vote(r[3], meeting, first, "abstain")
    rt.cast_proxy_vote(r[4], meeting, first, r[5], "for")
    resolution = UUID(rt.close_motion(worker, meeting, first)["resolution_id"])
    clock.now = starts + timedelta(minutes=60)
    second = rt.open_motion(worker, meeting, painting)
    rt.cast_vote(r[0], meeting, second, "against")
    rt.count_hands(worker, meeting, second, 1, 2, 0)
    rt.close_motion(worker, meeting, second)
    clock.now = starts + timedelta(hours=2)
    rt.adjourn_meeting(worker, meeting)
    rt.publish_minutes(worker, meeting, "同意加装扶手；粉刷未获通过。", {first: (3, 1, 1), second: (1, 3, 0)})

    vol = app.volunteer
    day = vol.create_action_day(worker, community, None, "楼道清洁日", "清理楼道杂物", "2026-05-03")
    shift_start = starts + timedelta(hours=14)                # 2026-05-03 09:00 in Shanghai
    shift = vol.add_shift(worker, day, "清理杂物", "3 号楼", shift_start, shift_start + timedelta(hours=2), 3)
    for volunteer in r[:3]:
        vol.sign_up_for_shift(volunteer, day, shift)
    clock.now = shift_start
    vol.check_in(worker, day, shift, r[0])
    vol.check_in(worker, day, shift, r[1])
    clock.now = shift_start + timedelta(hours=2)
    vol.check_out(worker, day, shift, r[0])                    # 120 minutes from check-in/out
    vol.correct_hours(worker, day, shift, r[1], 90, "居民1 忘记签退，按实际离开时间")   # checked in, never out
    vol.correct_hours(worker, day, shift, r[2], 60, "未签到，现场帮忙一小时")       # never checked in
    certificates = [vol.issue_certificate(v, community, str(YEAR)) for v in r[:3]]

    fund = app.fund
    clock.now = shift_start + timedelta(hours=4)
    project = fund.allocate(maker, community, YEAR, resolution, "楼道扶手加装", "elderly", "12,000")
    commitment = fund.commit(maker, community, YEAR, project, "5,000", "扶手安装合同")
    paid = fund.record_payment(maker, community, YEAR, project, commitment, "3,000", "organisation", "南京安居装修有限公司",
                               "2026-05-03", "扶手首期款", "FP-2026-001")
    fund.approve_payment(checker, community, YEAR, paid)
    refused = fund.record_payment(maker, community, YEAR, project, None, "200", "individual", "张三", "2026-05-03",
                                  "交通补贴", "FP-2026-002")
    fund.reject_payment(checker, community, YEAR, refused, "缺少票据")
    refund = fund.request_refund(maker, community, YEAR, paid, "500", "多付")
    fund.approve_refund(checker, community, YEAR, refund)
    svc.runner.catch_up()
    from domain.fund.model import Fund
    return History(places=places, worker=worker, residents=r, phones=[p[1] for p in people], meeting=meeting,
                   resolution=resolution, fund=Fund.id_for(community, YEAR), day=day, shift=shift,
                   certificates=certificates)


# --- exporting and verifying ------------------------------------------------------------------------------------------
def run_cli(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`linli …` in this process: exit code, stdout, stderr."""
    import os

    from web.cli import main
    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(argv))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out.getvalue(), err.getvalue()


def standalone(path: Path, *expect: str) -> tuple[int, str]:
    """`python3 tools/verify_linli.py FILE` as a resident would run it: the system's Python, outside the venv."""
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    args = [python, "-I", str(VERIFIER), str(path), *(a for e in expect for a in ("--expect", e))]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd="/")
    return done.returncode, done.stdout + done.stderr


def copy_store(data_dir: Path, to: Path) -> Path:
    """A copy of a SQLite deployment's files (events, views, keys, secret), to tamper with."""
    to.mkdir(parents=True, exist_ok=True)
    for name in ("events.sqlite3", "views.sqlite3", "keys.sqlite3"):
        with closing(sqlite3.connect(data_dir / name)) as src, closing(sqlite3.connect(to / name)) as dst:
            src.backup(dst)
    return to


# --- tampering with a copy of a SQLite store --------------------------------------------------------------------------
def _rows(conn, topic: str) -> list[tuple]:
    return conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
                        "WHERE topic LIKE ? ORDER BY rowid", ("%:" + topic,)).fetchall()


def tamper(events: Path, how: str) -> int:
    """Change the store's events behind Linli's back; returns the position of the first event that is now wrong."""
    with closing(sqlite3.connect(events)) as conn, conn:
        if how == "amount":          # the allocation says ¥19,000 instead of ¥12,000
            rowid, *_, state = _rows(conn, "Fund.Allocated")[0]
            conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?",
                         (state.replace(b'"amount":1200000', b'"amount":1900000'), rowid))
            return rowid
        if how == "vote":            # the vote against disappears
            rowid = _rows(conn, "Meeting.VoteRecorded")[0][0]
            conn.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid,))
            return rowid
        if how == "swap":            # two votes change places in the log
            (a, oid, va, ta, sa), (b, _, vb, tb, sb) = _rows(conn, "Meeting.VoteCast")[:2]
            conn.execute("UPDATE stored_events SET originator_version = -1 WHERE rowid = ?", (a,))
            conn.execute("UPDATE stored_events SET originator_version = ?, topic = ?, state = ? WHERE rowid = ?",
                         (va, ta, sa, b))
            conn.execute("UPDATE stored_events SET originator_version = ?, topic = ?, state = ? WHERE rowid = ?",
                         (vb, tb, sb, a))
            return a
        if how == "last":            # the last event is gone
            rowid = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
            conn.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid,))
            return rowid
    raise ValueError(how)
