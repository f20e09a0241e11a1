"""The benchmark harness: the district generator is deterministic, and `bench/run.py` prints the issue's table."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.district import Manifest, cached, generate
from tests.builders import ROOT

pytestmark = pytest.mark.slow
SEED, EVENTS = 7, 1_500


def topics(folder: Path) -> list[str]:
    with sqlite3.connect(folder / "events.sqlite3") as conn:
        return [row[0] for row in conn.execute("SELECT topic FROM stored_events ORDER BY rowid")]


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A cache folder holding one small generated district."""
    folder = tmp_path_factory.mktemp("bench-cache")
    cached(SEED, EVENTS, folder, progress=False)
    return folder


def test_the_same_seed_generates_the_same_events_in_the_same_order(cache, tmp_path):
    first = cache / f"{SEED}-{EVENTS}"
    again = generate(tmp_path / "again", SEED, EVENTS, progress=False)
    assert again.events == Manifest.load(first).events
    assert topics(tmp_path / "again") == topics(first)


def test_the_district_holds_every_kind_of_activity(cache):
    kinds = {topic.split(":")[1] for topic in topics(cache / f"{SEED}-{EVENTS}")}
    assert {"Meeting.VoteCast", "Resolution.Adopted", "ActionDay.SignedUp", "ActionDay.CheckedOut",
            "Certificate.Issued", "Fund.PaymentApproved", "Request.Rated", "Application.Scored"} <= kinds


def test_a_quick_run_prints_the_table_for_the_rows_asked(cache):
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--only", "storage,fund,ryw", "--cache", str(cache),
         "--small", str(EVENTS), "--big", str(EVENTS), "--n", "20"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert [cell.strip() for cell in table[0].split("|")[1:-1]] == [
        "measure", "Linli", "reference (same run)", "ratio", "target", "met?"]
    text = "\n".join(table)
    for measure in ("bytes on disk per event", "loading a fund with", "commit → visible"):
        assert measure in text
    assert "error:" not in text
