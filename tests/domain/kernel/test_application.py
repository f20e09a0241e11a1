"""The one way use cases save: atomic, retried on conflicts, idempotent by command id."""
import threading

import pytest

from domain.kernel.application import Linli
from web.contexts import domain_contexts
from domain.kernel.errors import BusyError
from domain.kernel.privacy import InMemoryKeyStore
from tests.builders import make_worker, new_phone


def test_a_conflicting_save_is_retried_on_fresh_state(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)
    calls = []

    def action():
        account = linli.repository.get(account_id)
        if not calls:  # someone else changes the account between our load and our save
            other = linli.repository.get(account_id)
            other.grant_role("worker", places.other_community, None, linli.clock())
            linli.save(other)
        calls.append(1)
        account.grant_role("worker", places.community, None, linli.clock())
        return "done", [account]

    assert linli.execute("test", None, action) == "done"
    assert len(calls) == 2
    account = linli.repository.get(account_id)
    assert account.has_role("worker", places.community) and account.has_role("worker", places.other_community)


def test_a_command_that_keeps_conflicting_gives_up_with_a_retryable_error(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)
    linli.max_attempts = 3

    def action():
        account = linli.repository.get(account_id)
        other = linli.repository.get(account_id)
        other.change_password("x", linli.clock())
        linli.save(other)
        account.change_password("y", linli.clock())
        return None, [account]

    with pytest.raises(BusyError):
        linli.execute("test", None, action)


def test_parallel_repeats_of_one_command_have_one_effect(tmp_path, clock):
    app = Linli(contexts=domain_contexts(), env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "e.db")},
                keys=InMemoryKeyStore(), clock=clock)
    district = app.accounts.found_district("1", "区")
    street = app.accounts.found_street("2", "街道", district)
    community = app.accounts.found_community("3", "社区", street)
    worker = make_worker(app, community)
    account_id = app.accounts.sign_up(new_phone(), "张三", "hash", community)
    results, errors = [], []

    def verify():
        try:
            results.append(app.accounts.verify_residency(worker, account_id, community, command_id="same-click"))
        except Exception as e:  # pragma: no cover - the assertion below shows it
            errors.append(e)

    threads = [threading.Thread(target=verify) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    verified = [e for e in app.recorder.select_events(account_id) if e.topic.endswith("ResidencyVerified")]
    assert len(verified) == 1
