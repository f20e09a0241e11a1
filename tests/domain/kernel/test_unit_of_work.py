"""Inside a command, aggregates are the cached instances themselves, locked for the command: commands on one
aggregate take turns instead of conflicting, and nothing a command did without saving stays in the cache.
Snapshots are taken from the instance just saved, and only the newest is kept."""
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain.accounts.model import Account, Community
from domain.kernel.application import Linli
from domain.kernel.errors import NotAllowedError
from domain.kernel.privacy import InMemoryKeyStore
from domain.volunteer.model import ActionDay
from tests.builders import Places, admin_sql, drop_schemas, make_resident, make_worker, new_phone, new_schema, postgres_env
from web.contexts import domain_contexts

DAY = datetime(2026, 6, 8, 1, 0, tzinfo=timezone.utc)


def sqlite_app(path, clock) -> Linli:
    return Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock,
                 env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})


def test_a_refused_command_leaves_nothing_behind_in_the_cache(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)
    before = linli.find(Account, account_id).version

    def action():
        account = linli.find(Account, account_id)
        account.change_password("changed", linli.clock())   # changed in memory ...
        raise NotAllowedError("不行")                         # ... then refused

    with pytest.raises(NotAllowedError):
        linli.execute("test-refused", None, action)
    account = linli.find(Account, account_id)
    assert account.version == before and account.password_hash == "hash"


def test_a_change_the_command_does_not_save_does_not_stay_in_the_cache(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)
    before = linli.find(Account, account_id).version

    def forgetful():
        linli.find(Account, account_id).change_password("changed", linli.clock())
        return None, []   # the change is never saved

    linli.execute("test-forgetful", None, forgetful)
    assert linli.find(Account, account_id).version == before
    # a real command after it saves normally (its version follows the store's, not the forgotten change)
    linli.execute("test-then", None, lambda: (None, [_changed(linli, account_id)]))
    assert linli.find(Account, account_id).version == before + 1


def _changed(linli: Linli, account_id) -> Account:
    account = linli.find(Account, account_id)
    account.change_password("saved", linli.clock())
    return account


def test_a_command_gets_the_same_instance_each_time_it_asks(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)

    def action():
        return linli.find(Account, account_id) is linli.find(Account, account_id), []

    assert linli.execute("test-same", None, action) is True
    assert linli.find(Account, account_id) is not linli.find(Account, account_id)   # outside: copies


def test_many_commands_on_one_aggregate_take_turns_instead_of_conflicting(tmp_path, clock):
    app = sqlite_app(tmp_path / "events.db", clock)
    places = Places(app)
    worker = make_worker(app, places.community)
    residents = [make_resident(app, places.community, worker) for _ in range(24)]
    day = app.volunteer.create_action_day(worker, places.community, None, "集中行动日", "", "2026-06-08")
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", DAY, DAY + timedelta(hours=2), 24)
    app.outcomes.clear()
    barrier = threading.Barrier(len(residents))
    errors: list[BaseException] = []

    def sign_up(resident):
        barrier.wait()
        try:
            app.volunteer.sign_up_for_shift(resident, day, shift, command_id=f"c-{resident}")
        except BaseException as e:   # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=sign_up, args=(r,)) for r in residents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(app.find(ActionDay, day).shift(shift)["confirmed"]) == 24
    assert app.outcomes["ok"] == 24 and app.outcomes["conflict_retried"] == 0
    app.close()


def test_another_process_writes_are_seen_by_the_next_command(tmp_path, clock):
    path = tmp_path / "events.db"
    first, second = sqlite_app(path, clock), sqlite_app(path, clock)
    account_id = first.accounts.sign_up(new_phone(), "张三", "hash", None)
    assert first.find(Account, account_id) is not None   # now cached in the first process
    second.execute("other-process", None, lambda: (None, [_changed(second, account_id)]))
    first.execute("this-process", None, lambda: (None, [_changed(first, account_id)]))
    assert first.find(Account, account_id).version == second.find(Account, account_id).version == 3
    # The cached copy was one version behind: its append collided, and the retry read the store.
    assert first.outcomes["conflict_retried"] == 1 and first.outcomes["ok"] == 2
    # Another process writes too, so from now on the first fast-forwards what it loads: no more collisions.
    for _ in range(3):
        second.execute("other-process", None, lambda: (None, [_changed(second, account_id)]))
        first.execute("this-process", None, lambda: (None, [_changed(first, account_id)]))
    assert first.find(Account, account_id).version == second.find(Account, account_id).version == 9
    assert first.outcomes["conflict_retried"] == 1 and first.outcomes["ok"] == 5
    first.close()
    second.close()


def two_processes(store: str, tmp_path, clock):
    if store == "sqlite":
        path = tmp_path / "events.db"
        return sqlite_app(path, clock), sqlite_app(path, clock), None
    schema = new_schema()
    env = {**postgres_env(), "POSTGRES_SCHEMA": schema}
    apps = [Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock, env=env) for _ in range(2)]
    return apps[0], apps[1], schema


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_decision_on_an_aggregate_another_process_changed_is_taken_again_on_fresh_state(store, tmp_path, clock):
    """A command reads one aggregate (not writing it) and writes another from what it read. Its copy comes from the
    cache without asking the store; the append finds the read aggregate moved on, and the retry decides again."""
    first, second, schema = two_processes(store, tmp_path, clock)
    try:
        read_id = first.accounts.sign_up(new_phone(), "张三", "hash", None)
        written_id = first.accounts.sign_up(new_phone(), "李四", "hash", None)
        assert first.find(Account, read_id).password_hash == "hash"   # cached in the first process
        second.execute("other-process", None, lambda: (None, [_changed(second, read_id)]))

        def decide():
            seen = first.find(Account, read_id).password_hash     # read only
            written = first.find(Account, written_id)
            written.change_password(f"copied {seen}", first.clock())
            return seen, [written]

        assert first.execute("decide", None, decide) == "saved"
        assert first.find(Account, written_id).password_hash == "copied saved"
        assert first.outcomes["conflict_retried"] == 1
    finally:
        first.close()
        second.close()
        if schema:
            drop_schemas(schema)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_aggregate_looked_for_and_not_found_must_still_be_absent_when_the_decision_is_saved(store, tmp_path,
                                                                                             clock):
    first, second, schema = two_processes(store, tmp_path, clock)
    try:
        missing = uuid4()
        written_id = first.accounts.sign_up(new_phone(), "李四", "hash", None)
        runs = []

        def decide():
            found = first.find(Account, missing)
            if not runs:   # between this read and the append, another process opens that account
                second.save(Account.open(missing, "key", "sealed", "hash", clock()))
            runs.append(found is not None)
            written = first.find(Account, written_id)
            written.change_password("absent" if found is None else "present", first.clock())
            return None, [written]

        first.execute("decide", None, decide)
        assert runs == [False, True]
        assert first.find(Account, written_id).password_hash == "present"
    finally:
        first.close()
        second.close()
        if schema:
            drop_schemas(schema)


def test_in_memory_too_a_read_that_changed_before_the_append_retries_the_command(linli, places):
    read_id = linli.accounts.sign_up(new_phone(), "张三", "hash", None)
    written_id = linli.accounts.sign_up(new_phone(), "李四", "hash", None)
    runs = []

    def decide():
        seen = linli.find(Account, read_id).password_hash
        if not runs:   # a change that bypasses this command's locks, as another process's would
            other = linli.repository.get(read_id)
            other.change_password("saved", linli.clock())
            linli.save(other)
        runs.append(seen)
        written = linli.find(Account, written_id)
        written.change_password(f"copied {seen}", linli.clock())
        return None, [written]

    linli.execute("decide", None, decide)
    assert runs == ["hash", "saved"]
    assert linli.find(Account, written_id).password_hash == "copied saved"


def test_a_repeat_that_would_succeed_again_answers_as_the_first_and_saves_nothing(tmp_path, clock):
    app = sqlite_app(tmp_path / "events.db", clock)
    account_id = app.accounts.sign_up(new_phone(), "张三", "hash", None)
    runs = []

    def change():
        runs.append(1)
        return f"run {len(runs)}", [_changed(app, account_id)]

    assert app.execute("change", "same-click", change, actor=account_id) == "run 1"
    version = app.find(Account, account_id).version
    assert app.execute("change", "same-click", change, actor=account_id) == "run 1"
    assert app.find(Account, account_id).version == version   # the repeat's append collided on its marker
    assert app.outcomes["repeat"] == 1 and app.outcomes["conflict_retried"] == 0   # a repeat, not a conflict
    assert app.execute("change", "same-click", change, actor=uuid4()) == "run 3"   # someone else's: a new command
    app.close()


def test_two_commands_locking_two_aggregates_in_opposite_order_both_finish(tmp_path, clock):
    app = sqlite_app(tmp_path / "events.db", clock)
    a = app.accounts.sign_up(new_phone(), "甲", "hash", None)
    b = app.accounts.sign_up(new_phone(), "乙", "hash", None)
    both_hold_one = threading.Barrier(2, timeout=5)
    done: list[str] = []

    def crossing(first_id, second_id, name):
        waited = []

        def action():
            one = _changed(app, first_id)
            if not waited:   # only the first attempt waits for the other to hold its first lock
                waited.append(1)
                try:
                    both_hold_one.wait()
                except threading.BrokenBarrierError:
                    pass
            return None, [one, _changed(app, second_id)]

        app.execute(f"crossing-{name}", None, action)
        done.append(name)

    threads = [threading.Thread(target=crossing, args=(a, b, "ab")), threading.Thread(target=crossing, args=(b, a, "ba"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(done) == ["ab", "ba"]
    assert app.outcomes["contended"] >= 1
    assert app.find(Account, a).version == app.find(Account, b).version == 3
    app.close()


def a_day_with_sign_ups(app: Linli, sign_ups: int):
    """An action day (snapshots every 50 events) with one shift and `sign_ups` residents signed up for it."""
    places = Places(app)
    worker = make_worker(app, places.community)
    day = app.volunteer.create_action_day(worker, places.community, None, "集中行动日", "", "2026-06-08")
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", DAY, DAY + timedelta(hours=2), 200)
    for _ in range(sign_ups):
        app.volunteer.sign_up_for_shift(make_resident(app, places.community, worker), day, shift)
    return day


def test_a_snapshot_is_the_saved_state_and_only_the_newest_is_kept(tmp_path, clock):
    path = tmp_path / "events.db"
    app = sqlite_app(path, clock)
    day = a_day_with_sign_ups(app, 120)
    with sqlite3.connect(path) as db:
        kept = db.execute("SELECT originator_version FROM stored_snapshots WHERE originator_id = ?",
                          (day.hex,)).fetchall()
    assert kept == [(100,)]   # ActionDay snapshots every 50 events: the one at 50 is gone
    fresh = sqlite_app(path, clock)   # from the snapshot and the events after it
    replayed = None
    for event in app.events.get(day):   # every event from the start, no snapshot
        replayed = event.mutate(replayed)
    assert fresh.find(ActionDay, day).__dict__ == replayed.__dict__
    app.close()
    fresh.close()


@pytest.mark.postgres
def test_only_the_newest_snapshot_is_kept_on_both_stores(services):
    app = services.app
    day = a_day_with_sign_ups(app, 110)
    assert [s.originator_version for s in app.snapshots.recorder.select_events(day)] == [100]


@pytest.mark.postgres
def test_on_postgres_a_cold_load_is_one_query_for_the_snapshot_and_the_events_after_it(clock):
    schema = new_schema()
    env = {**postgres_env(), "POSTGRES_SCHEMA": schema}
    first, fresh = Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock, env=env), None
    try:
        day = a_day_with_sign_ups(first, 60)
        fresh = Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock, env=env)
        asked = []
        for recorder in (fresh.events.recorder, fresh.snapshots.recorder):
            recorder.select_events = lambda *a, **k: asked.append(a) or []   # the library's two queries: unused
        loaded = fresh.find(ActionDay, day)
        replayed = None
        for event in first.events.get(day):   # every event from the start, no snapshot
            replayed = event.mutate(replayed)
        assert loaded.__dict__ == replayed.__dict__ and loaded.version > 50   # from the snapshot at 50 on
        assert fresh.find(ActionDay, uuid4()) is None and asked == []
    finally:
        first.close()
        if fresh is not None:
            fresh.close()
        drop_schemas(schema)


@pytest.mark.postgres
def test_on_postgres_a_cold_load_on_a_connection_the_server_closed_is_asked_again(clock):
    """What a database restart leaves in the pool: the one-statement load retries as the library's reads do."""
    schema = new_schema()
    env = {**postgres_env(), "POSTGRES_SCHEMA": schema, "POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}
    first = Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock, env=env)
    fresh = None
    try:
        places = Places(first)
        fresh = Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock, env=env)
        with fresh.recorder.datastore.get_connection() as conn:
            pid = conn.info.backend_pid
        admin_sql(f"SELECT pg_terminate_backend({int(pid)})")
        assert fresh.find(Community, places.community) is not None
    finally:
        first.close()
        if fresh is not None:
            fresh.close()
        drop_schemas(schema)


def test_a_command_that_changes_nothing_still_rests_on_current_reads(tmp_path, clock):
    """Granting a role the cached copy already shows changes nothing; another process has since revoked it, so the
    command must see that and grant it again."""
    path = tmp_path / "events.db"
    first, second = sqlite_app(path, clock), sqlite_app(path, clock)
    places = Places(first)
    account_id = first.accounts.sign_up(new_phone(), "张三", "hash", None)
    first.accounts.grant_role(account_id, "worker", places.community)   # cached with the role
    second.accounts.revoke_role(account_id, "worker", places.community)
    first.accounts.grant_role(account_id, "worker", places.community)
    fresh = sqlite_app(path, clock)
    assert fresh.accounts.has_role(account_id, "worker", places.community)
    for app in (first, second, fresh):
        app.close()


@pytest.mark.postgres
def test_the_check_of_reads_cannot_be_switched_off_by_the_librarys_database_functions(clock):
    schema = new_schema()
    try:
        with pytest.raises(ValueError, match="POSTGRES_ENABLE_DB_FUNCTIONS"):
            Linli(contexts=domain_contexts(), keys=InMemoryKeyStore(), clock=clock,
                  env={**postgres_env(), "POSTGRES_SCHEMA": schema, "POSTGRES_ENABLE_DB_FUNCTIONS": "y"})
    finally:
        drop_schemas(schema)
