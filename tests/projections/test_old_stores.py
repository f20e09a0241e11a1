"""A store written before the contexts moved (commit 050025d, `tests/fixtures/store-v1`) still loads and replays
into the very same views: its events carry the old topics (`domain.action_day:ActionDay.SignedUp`, …)."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from web.settings import Settings
from web.wiring import build

STORE = Path(__file__).resolve().parents[1] / "fixtures" / "store-v1"


def dump_views(path: Path) -> dict[str, list[dict]]:
    """Every view table, rows sorted, as `views.json` was written."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                         "'sqlite_%' AND name <> 'view_tracking' ORDER BY name")]
    dump = {t: sorted((dict(r) for r in conn.execute(f"SELECT * FROM {t}")),
                      key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False)) for t in tables}
    conn.close()
    return dump


@pytest.fixture
def old_store(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("events.sqlite3", "keys.sqlite3"):
        shutil.copy(STORE / name, data / name)
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(data)}))
    yield svc, data
    svc.close()


def test_the_old_store_still_holds_its_old_topics():
    conn = sqlite3.connect(STORE / "events.sqlite3")
    topics = {r[0] for r in conn.execute("SELECT DISTINCT topic FROM stored_events")}
    conn.close()
    assert "domain.action_day:ActionDay.SignedUp" in topics and "domain.command:ProcessedCommand.Processed" in topics


def expected_now(written: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The views as the store's writer saw them, with the changes made on purpose since, each named here:
    - issue 9: an erased person's residencies say `erased` (they no longer count as residents) and lose the reason."""
    erased = {row["id"] for row in written["dir_people"] if row["erased"]}
    residencies = [{**row, "status": "erased", "reason": None} if row["account_id"] in erased else row
                   for row in written["dir_residencies"]]
    return {**written, "dir_residencies": sorted(residencies, key=lambda row: json.dumps(row, sort_keys=True,
                                                                                            ensure_ascii=False))}


def test_an_old_store_replays_into_the_same_views(old_store):
    svc, data = old_store
    svc.runner.catch_up()
    expected = expected_now(json.loads((STORE / "views.json").read_text()))
    actual = dump_views(data / "views.sqlite3")
    for table, rows in expected.items():
        assert actual.get(table) == rows, table


def test_every_aggregate_of_an_old_store_loads_snapshots_included(old_store):
    svc, _ = old_store
    ids = {n.originator_id for n in svc.app.recorder.select_notifications(start=1, limit=10_000)}
    loaded = [svc.app.repository.get(UUID(str(i))) for i in ids]
    assert len(loaded) == len(ids) and {type(a).__module__ for a in loaded} >= {
        "domain.accounts.model", "domain.roundtable.model", "domain.volunteer.model", "domain.fund.model",
        "domain.kernel.command"}


def test_an_old_communitys_roll_is_built_from_its_account_events(old_store):
    svc, _ = old_store
    svc.runner.catch_up()
    for community in svc.views.all("SELECT id FROM dir_places WHERE kind = 'community'"):
        verified = svc.views.all("SELECT r.account_id FROM dir_residencies r JOIN dir_people p ON p.id = r.account_id "
                                 "WHERE r.community_id = ? AND r.status = 'verified' AND p.erased = 0",
                                 (community["id"],))
        assert {str(a) for a in svc.app.accounts.verified_residents(UUID(community["id"]))} == \
            {r["account_id"] for r in verified}
