"""`linli export` writes a community's public record with the chain's digests; `linli verify` and the standalone
`tools/verify_linli.py` recompute the chain, re-tally the votes, re-derive the fund and the certificates, and name
the first event that breaks anything — on an untouched store, after an erasure, and after the store was changed
behind Linli's back (an amount, a deleted vote, two events swapped, the last event dropped)."""
from __future__ import annotations

import json
import re

import pytest

from projections import chain as chain_views
from tests.builders import Clock, drop_schemas, new_schema, postgres_env
from tests.web.verify.builders import copy_store, record_history, run_cli, standalone, tamper
from web.settings import Settings
from web.wiring import build

SECRET = "verify-test-secret"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A SQLite deployment with a recorded history (built once; tests work on copies)."""
    data = tmp_path_factory.mktemp("recorded") / "data"
    svc = build(Settings.from_env({"LINLI_DATA_DIR": str(data), "LINLI_SECRET": SECRET}))
    clock = Clock()
    svc.app.clock = clock
    history = record_history(svc, clock)
    stamp = chain_views.stamp(svc.views, str(history.community))
    svc.close()
    return data, history, stamp


def env_for(data) -> dict[str, str]:
    return {"LINLI_DATA_DIR": str(data), "LINLI_SECRET": SECRET}


def export(data, history, out) -> tuple[int, str]:
    code, _, err = run_cli("export", "--community", str(history.community), "--out", str(out), env=env_for(data))
    return code, err


def both_verifiers(data, path, *expect: str) -> list[tuple[int, str]]:
    """(exit code, output) of `linli verify` and of the standalone script on the system's Python."""
    args = [a for e in expect for a in ("--expect", e)]
    code, out, err = run_cli("verify", str(path), *args, env=env_for(data))
    return [(code, out + err), standalone(path, *expect)]


def lines(path) -> list[dict]:
    return [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines()]


def test_an_untouched_export_verifies_clean_with_both_verifiers_and_a_published_digest(recorded, tmp_path):
    data, history, stamp = recorded
    out = tmp_path / "record.jsonl"
    code, err = export(data, history, out)
    assert code == 0 and "100.0%" in err and "exported" in err
    header, *events = lines(out)
    assert header["format"] == "linli-export" and header["place"]["name"] == "江苏路社区"
    assert header["head"]["place"] == {"position": stamp.position, "digest": stamp.digest, "events": len(events)}
    for code, text in both_verifiers(data, out, stamp.expect, f"{stamp.position}:{stamp.short}"):
        assert code == 0, text
        assert text.startswith("OK 江苏路社区") and "2 motions re-tallied, 1 funds and 3 certificates" in text


def test_the_export_shows_the_public_record_and_withholds_what_is_personal(recorded, tmp_path):
    data, history, _ = recorded
    out = tmp_path / "record.jsonl"
    export(data, history, out)
    text = out.read_text(encoding="utf-8")
    header, *events = lines(out)
    shown = {e["topic"].rsplit(":", 1)[1] for e in events if "state" in e}
    assert {"Meeting.VoteCast", "Meeting.VoteRecorded", "Meeting.ProxyVoteCast", "Meeting.HandsCounted",
            "Resolution.Adopted", "Fund.PaymentApproved", "ActionDay.HoursCorrected", "Certificate.Issued"} <= shown
    assert not any(e["topic"].rsplit(":", 1)[1].startswith(("Account.", "Residents.")) for e in events if "state" in e)
    assert any("event_digest" in e for e in events)                  # accounts and the roll: their digest only
    for secret in ("argon2", "phone_key", "居民1", "张三", "缺少票据", "FP-2026-001",
                   *(c["code"] for c in history.certificates), *history.phones):
        assert secret not in text
    corrected = next(e for e in events if e.get("topic", "").endswith("ActionDay.HoursCorrected"))
    assert corrected["state"]["reason"].startswith("sealed:v1:")      # sealed under the volunteer's key
    issued = next(e for e in events if e.get("topic", "").endswith("Certificate.Issued"))
    assert "code" not in issued["state"] and set(issued["withheld"]) == {"code"}


@pytest.mark.parametrize("how", ["amount", "vote", "swap", "last"])
def test_both_verifiers_find_a_change_behind_linlis_back_and_name_the_first_bad_event(recorded, tmp_path, how):
    data, history, _ = recorded
    copy = copy_store(data, tmp_path / "copy")
    bad = tamper(copy / "events.sqlite3", how)
    out = tmp_path / "record.jsonl"
    assert export(copy, history, out)[0] == 0
    for code, text in both_verifiers(copy, out):
        assert code == 1, text
        assert re.match(rf"FAIL at position {bad} \(", text), text
    code, said, _ = run_cli("verify", "--store", env=env_for(copy))
    assert code == 1 and f"FAIL at position {bad}:" in said


def test_an_export_taken_after_an_erasure_still_verifies(recorded, tmp_path):
    data, history, stamp = recorded
    copy = copy_store(data, tmp_path / "copy")
    voter_phone = history.phones[2]              # voted through the worker and had hours corrected
    assert run_cli("erase", voter_phone, "--yes", env=env_for(copy))[0] == 0
    out = tmp_path / "record.jsonl"
    assert export(copy, history, out)[0] == 0
    for code, text in both_verifiers(copy, out, stamp.expect):   # the digest published before the erasure holds
        assert code == 0, text


def test_a_chain_rebuilt_over_a_changed_store_is_caught_by_the_retally_and_a_published_digest(recorded, tmp_path):
    data, history, stamp = recorded
    copy = copy_store(data, tmp_path / "copy")
    bad = tamper(copy / "events.sqlite3", "vote")
    assert run_cli("rebuild", "--chain", env=env_for(copy))[0] == 0   # the chain recomputed over the changed store
    out = tmp_path / "record.jsonl"
    export(copy, history, out)
    code, text = both_verifiers(copy, out)[1]
    assert code == 1 and "Meeting.MotionClosed" in text and "the votes recorded give 3/0/1" in text
    code, text = both_verifiers(copy, out, stamp.expect)[1]
    assert code == 1 and "rewritten after it was published" in text
    assert bad < stamp.position


def test_a_plain_rebuild_keeps_the_chain_so_a_changed_store_is_still_named(recorded, tmp_path):
    data, history, _ = recorded
    copy = copy_store(data, tmp_path / "copy")
    bad = tamper(copy / "events.sqlite3", "amount")
    code, said, _ = run_cli("rebuild", env=env_for(copy))   # the views follow the store; the chain stays as it was
    assert code == 0 and "hash chain kept" in said
    code, said, _ = run_cli("verify", "--store", env=env_for(copy))
    assert code == 1 and f"FAIL at position {bad}:" in said


def test_money_allocated_beyond_what_its_resolution_authorised_is_named_though_the_chain_holds(recorded, tmp_path):
    """A Linli that skipped the rule (an older or an altered one) chains its event like any other: both verifiers
    still add up every allocation under the resolution, and the ledger's published sums."""
    from uuid import uuid4

    data, history, _ = recorded
    copy = copy_store(data, tmp_path / "copy")
    svc = build(Settings.from_env(env_for(copy)))
    try:
        fund = svc.app.repository.get(history.fund)       # 12,000 of the 15,000 the motion stated are allocated
        fund._allocated(project_id=uuid4(), resolution_id=history.resolution, resolution_title="为高龄老人加装楼道扶手",
                        title="超出决议的项目", category="elderly", amount=400_000, by=history.worker,
                        at=svc.app.clock())
        svc.app.save(fund)
        position = svc.app.recorder.max_notification_id()
        svc.runner.catch_up()
    finally:
        svc.close()
    out = tmp_path / "record.jsonl"
    assert export(copy, history, out)[0] == 0
    header = lines(out)[0]
    assert {"id": str(history.resolution), "authorised": 1_500_000, "allocated": 1_600_000} in \
        header["published"]["resolutions"]
    for code, text in both_verifiers(copy, out):
        assert code == 1 and f"FAIL at position {position} (Fund.Allocated)" in text, text
        assert "allocates 16,000.00 yuan in all under a resolution that authorised 15,000.00 yuan" in text


def test_verify_refuses_a_file_that_is_no_export_and_a_malformed_expectation(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": 1}\n', encoding="utf-8")
    assert run_cli("verify", str(path))[0] == 1
    assert standalone(path)[0] == 1
    assert run_cli("verify", str(path), "--expect", "12:xyz")[0] == 2


@pytest.mark.postgres
def test_on_postgresql_the_export_verifies_and_a_changed_amount_is_named(tmp_path):
    import psycopg

    schema = new_schema()
    env = {**postgres_env(), "POSTGRES_SCHEMA": schema, "LINLI_DATA_DIR": str(tmp_path / "data"),
           "LINLI_SECRET": SECRET}
    try:
        svc = build(Settings.from_env(env))
        clock = Clock()
        svc.app.clock = clock
        history = record_history(svc, clock)
        svc.close()
        out = tmp_path / "record.jsonl"
        assert run_cli("export", "--community", str(history.community), "--out", str(out), env=env)[0] == 0
        assert run_cli("verify", str(out), env=env)[0] == 0 and standalone(out)[0] == 0
        pg = postgres_env()
        with psycopg.connect(host=pg["POSTGRES_HOST"], port=pg["POSTGRES_PORT"], user=pg["POSTGRES_USER"],
                             password=pg["POSTGRES_PASSWORD"], dbname=pg["POSTGRES_DBNAME"], autocommit=True) as conn:
            position, state = conn.execute(f"SELECT notification_id, state FROM {schema}.linli_events "
                                           "WHERE topic LIKE '%:Fund.Allocated'").fetchone()
            conn.execute(f"UPDATE {schema}.linli_events SET state = %s WHERE notification_id = %s",
                         (bytes(state).replace(b'"amount":1200000', b'"amount":1900000'), position))
        assert run_cli("export", "--community", str(history.community), "--out", str(out), env=env)[0] == 0
        code, said, _ = run_cli("verify", str(out), env=env)
        assert code == 1 and said.startswith(f"FAIL at position {position} (Fund.Allocated)")
        code, said = standalone(out)
        assert code == 1 and said.startswith(f"FAIL at position {position} (Fund.Allocated)")
    finally:
        drop_schemas(schema)


def test_an_old_stores_export_verifies_its_hours_tallies_and_closed_fund(tmp_path):
    import shutil

    from tests.builders import ROOT
    data = tmp_path / "data"
    data.mkdir()
    for name in ("events.sqlite3", "keys.sqlite3"):
        shutil.copy(ROOT / "tests" / "fixtures" / "store-v1" / name, data / name)
    env = {"LINLI_DATA_DIR": str(data)}
    svc = build(Settings.from_env(env))
    svc.runner.catch_up()
    community = svc.views.scalar("SELECT id FROM dir_places WHERE code = '320106001001'")
    svc.close()
    out = tmp_path / "record.jsonl"
    assert run_cli("export", "--community", community, "--out", str(out), env=env)[0] == 0
    code, text = standalone(out)
    assert code == 0 and "2 motions re-tallied, 1 funds and 2 certificates re-derived" in text, text
    assert "忘记签退" not in out.read_text(encoding="utf-8")     # a correction's reason written in clear is withheld


def test_an_event_of_the_place_the_chain_never_recorded_is_named(recorded, tmp_path):
    import sqlite3
    from contextlib import closing

    data, history, _ = recorded
    copy = copy_store(data, tmp_path / "copy")
    with closing(sqlite3.connect(copy / "events.sqlite3")) as events:
        slipped = events.execute("SELECT MIN(rowid) FROM stored_events "
                                 "WHERE topic LIKE '%:Meeting.VoteCast'").fetchone()[0]
    with closing(sqlite3.connect(copy / "views.sqlite3")) as views, views:
        views.execute("DELETE FROM chain_links WHERE position = ?", (slipped,))   # as if slipped in behind the chain
    out = tmp_path / "record.jsonl"
    assert export(copy, history, out)[0] == 0
    assert any(line.get("unchained") and line["position"] == slipped for line in lines(out))
    for code, text in both_verifiers(copy, out):
        assert code == 1 and text.startswith(f"FAIL at position {slipped} (Meeting.VoteCast): this event of the place "
                                             "is in the store, but the chain never recorded it"), text
