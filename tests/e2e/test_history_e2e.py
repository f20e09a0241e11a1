"""A real Chromium against a real server: a fund manager opens the ledger as it stood at a past moment through the
查看历史 picker (the banner, the older balance, no actions), goes from a figure to the events behind it, and the
digest the public disclosure publishes is checked the way a resident would: `linli export`, then `linli verify
--expect` and the standalone `verify_linli.py` on the system's Python."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

import pytest

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from tests.builders import ARTIFACTS, ROOT, LiveServer, wait_for_views
from tests.e2e.builders import log_in, save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "history"
shot = partial(save_shot, SHOTS)
COMMUNITY = Community.id_for("320106001001")   # the demo's 江苏路社区（演示）
STAMP = re.compile(r"记录位置 (\d+) · 摘要 ([0-9a-f]{16})…")
EXPECT = re.compile(r"--expect (\d+):([0-9a-f]{64})")


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "data")
    yield live
    live.stop()


def paid(app, maker, checker, year: int, project, amount: str, receipt: str) -> None:
    """One payment recorded by the maker and approved by the checker."""
    payment = app.fund.record_payment(maker, COMMUNITY, year, project, None, amount, "organisation",
                                      "南京安居装修有限公司", datetime.now(SHANGHAI).date().isoformat(), "扶手材料", receipt)
    app.fund.approve_payment(checker, COMMUNITY, year, payment)


def passed_resolution(app, worker, voters: list) -> UUID:
    """A resolution passed at a meeting held now through the use cases (the verifier re-tallies it), authorising
    ¥15,000 for elderly care."""
    rt = app.roundtable
    starts = datetime.now(SHANGHAI) + timedelta(hours=1)
    meeting = rt.schedule_meeting(worker, COMMUNITY, "楼道扶手议事会", "讨论加装扶手", starts, starts + timedelta(hours=2),
                                  "社区活动室", "in_person", 30, starts - timedelta(minutes=30), "simple", 50)
    item = rt.propose_agenda_item(voters[0], meeting, "为高龄老人加装楼道扶手", "3 号楼")
    rt.accept_agenda_item(worker, meeting, item, 20)
    for voter in voters:
        rt.check_in(worker, meeting, voter)
    rt.open_meeting(worker, meeting)
    motion = rt.open_motion(worker, meeting, item, amount="15,000", category="elderly")
    for voter, choice in zip(voters, ("for", "for", "against")):
        rt.cast_vote(voter, meeting, motion, choice)
    return UUID(rt.close_motion(worker, meeting, motion)["resolution_id"])


def linli(server: LiveServer, *argv: str) -> subprocess.CompletedProcess:
    """`linli …` as its own process, on the server's data folder."""
    return subprocess.run([sys.executable, "-m", "web.cli", *argv], cwd=ROOT, env=server.env, capture_output=True,
                          text=True, timeout=180)


def test_the_ledger_as_of_a_past_moment_its_events_and_a_published_digest_checked_by_the_verifier(page, server,
                                                                                                   tmp_path):
    year = datetime.now(SHANGHAI).year
    svc = server.services()
    try:
        app = svc.app
        resident, worker, maker, checker = (Account.id_for(app.phone_key(f"1380000000{i}")) for i in range(1, 5))
        resolution = passed_resolution(app, worker, [resident, maker, checker])
        app.fund.open_fund(maker, COMMUNITY, year)
        project = app.fund.allocate(maker, COMMUNITY, year, resolution, "楼道扶手加装", "elderly", "12,000")
        paid(app, maker, checker, year, project, "1,000", "FP-1")
        # T: the first whole minute after that; the second payment comes after it.
        t = (datetime.now(SHANGHAI) + timedelta(minutes=1)).replace(second=0, microsecond=0)
        time.sleep((t - datetime.now(SHANGHAI)).total_seconds() + 1.0)
        paid(app, maker, checker, year, project, "2,500", "FP-2")
    finally:
        svc.close()
    wait_for_views(server)
    as_of = t.strftime("%Y-%m-%dT%H:%M")

    # 1. Today's ledger: both payments, and the forms a fund manager works with.
    log_in(page, server, "13800000003")
    page.goto(f"{server.url}/c/{COMMUNITY}/fund")
    assert "¥3,500.00" in page.inner_text(".fund-figure-paid")
    assert page.locator("#as-of-banner").count() == 0 and page.locator("main form[method=post]").count() > 0
    shot(page, "1-ledger-now")

    # 2. 查看历史: the ledger as it stood at T — the banner, the older balance, nothing to act on.
    page.click("#history-picker summary")
    page.fill("#history-picker input[name=as_of]", as_of)
    page.click("#history-picker button[type=submit]")
    page.wait_for_selector("#as-of-banner")
    assert f"as_of={as_of.replace(':', '%3A')}" in page.url or f"as_of={as_of}" in page.url
    banner = page.inner_text("#as-of-banner")
    assert f"这是 {as_of.replace('T', ' ')} 时的页面" in banner and "看现在" in banner
    position_then, short_then = STAMP.search(banner).groups()
    assert "¥1,000.00" in page.inner_text(".fund-figure-paid")
    assert "3,500.00" not in page.inner_text("main") and "2,500.00" not in page.inner_text("main")
    assert page.locator("main form[method=post]").count() == 0
    assert page.locator("fieldset.as-of-frozen").count() == 1
    assert page.locator("fieldset.as-of-frozen button:enabled, fieldset.as-of-frozen input:enabled").count() == 0
    page.click("#as-of-banner summary")                      # 如何核验: the command with the stamp's full digest
    [(expect_position, digest_then)] = EXPECT.findall(page.inner_text("#as-of-banner"))
    assert expect_position == position_then and digest_then.startswith(short_then)
    shot(page, "2-ledger-as-of")

    # 3. From a figure (what the resolution's money was allocated) to the events behind it, each with its digest.
    figure = page.locator("table.fund-resolutions a[href^='/record/']")
    assert figure.inner_text().strip() == "¥12,000.00"
    figure.click()
    page.wait_for_url(re.compile(r"/record/"))
    rows = page.locator("tr[id^='event-']")
    assert rows.count() == 1, page.inner_text("main")
    allocated_position = rows.first.get_attribute("id").removeprefix("event-")
    title = rows.first.locator("code[title]").get_attribute("title")
    assert title.startswith(f"{allocated_position}:") and re.fullmatch(r"\d+:[0-9a-f]{64}", title)
    assert "1200000" in rows.first.inner_text() and "赵会计（演示）" in rows.first.inner_text()
    shot(page, "3-record")

    # 4. The public disclosure publishes the stamp of the record its figures follow from.
    page.goto(f"{server.url}/c/{COMMUNITY}/fund/{year}/disclosure")
    stamp = page.locator(".chain-stamp").last
    published_position, published_short = STAMP.search(stamp.inner_text()).groups()
    stamp.locator("summary").click()
    [(full_position, published_digest)] = EXPECT.findall(stamp.inner_text())
    assert full_position == published_position and published_digest.startswith(published_short)
    assert int(published_position) > int(position_then)
    shot(page, "4-disclosure")

    # 5. A resident exports the record and checks the published digests against it.
    record = tmp_path / "record.jsonl"
    exported = linli(server, "export", "--community", str(COMMUNITY), "--out", str(record))
    assert exported.returncode == 0, exported.stderr
    header, *events = (json.loads(line) for line in record.read_text(encoding="utf-8").splitlines())
    by_position = {str(e["position"]): e for e in events}
    assert by_position[published_position]["digest"] == published_digest
    assert by_position[position_then]["digest"] == digest_then
    assert by_position[allocated_position]["digest"] == title.split(":")[1]
    assert by_position[allocated_position]["topic"].endswith("Fund.Allocated")
    assert header["head"]["place"]["position"] >= int(published_position)

    checked = linli(server, "verify", str(record), "--expect", f"{published_position}:{published_short}",
                    "--expect", f"{position_then}:{digest_then}")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("OK 江苏路社区（演示）") and "1 funds" in checked.stdout
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    standalone = subprocess.run([python, "-I", str(ROOT / "tools" / "verify_linli.py"), str(record), "--expect",
                                 f"{published_position}:{published_digest}"], capture_output=True, text=True,
                                timeout=120, cwd="/")
    assert standalone.returncode == 0 and standalone.stdout.startswith("OK "), standalone.stdout + standalone.stderr
    wrong = linli(server, "verify", str(record), "--expect", f"{published_position}:{'0' * 16}")
    assert wrong.returncode == 1                               # a digest the record does not give is refused
