"""The directory view and the runner: exactly once, rebuildable, loud on failure — on SQLite and PostgreSQL."""
import threading
import time
from datetime import timedelta
from uuid import uuid4

import pytest

from domain.accounts.model import Account
from domain.kernel.time import SHANGHAI
from domain.kernel.command import ProcessedCommand
from projections import accounts as directory
from projections.base import Projection
from projections.runner import ProjectionFailed, Runner
from tests.builders import Places, make_resident, make_worker, new_phone
from tests.projections.builders import snapshot

TABLES = ["dir_places", "dir_people", "dir_residencies", "dir_grants"]


def populate(app):
    places = Places(app)
    worker = make_worker(app, places.community)
    for i in range(5):
        make_resident(app, places.community, worker, name=f"居民{i}")
    rejected = app.accounts.sign_up(new_phone(), "路人", "hash", places.community)
    app.accounts.reject_residency(worker, rejected, places.community, "不在本社区")
    app.accounts.sign_up(new_phone(), "等待者", "hash", places.community)
    return places, worker


def test_views_show_people_residencies_and_roles(services):
    places, worker = populate(services.app)
    services.runner.catch_up()
    community = str(places.community)
    assert directory.count_residents(services.views, community, "verified") == 5
    assert directory.count_residents(services.views, community, "pending") == 1
    assert [r["reason"] for r in directory.residents(services.views, community, "rejected")] == ["不在本社区"]
    assert ("worker", community) in {(g["role"], g["scope_id"]) for g in directory.grants(services.views, str(worker))}
    assert len(directory.communities(services.views)) == 2


def test_rebuilding_from_zero_gives_the_same_rows_as_building_incrementally(services):
    populate(services.app)
    for _ in range(3):  # incrementally, in several small steps
        services.runner.catch_up()
        services.app.accounts.sign_up(new_phone(), "后来者", "hash", None)
    services.runner.catch_up()
    before = snapshot(services, TABLES)
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before


def test_two_runners_at_once_apply_every_event_exactly_once(services):
    populate(services.app)
    second = Runner(services.app, services.views, services.runner.projections, batch_size=3)
    services.runner.batch_size = 2
    threads = [threading.Thread(target=services.runner.catch_up), threading.Thread(target=second.catch_up)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    before = snapshot(services, TABLES)
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
    assert services.runner.position() == services.runner.head()


def test_a_stopped_runner_resumes_from_its_tracking_position(services):
    populate(services.app)
    services.runner.catch_up(stop=5)
    assert services.runner.position() == 5
    fresh = Runner(services.app, services.views, services.runner.projections)
    fresh.catch_up()
    assert fresh.position() == services.runner.head()
    before = snapshot(services, TABLES)
    fresh.rebuild()
    assert snapshot(services, TABLES) == before


def test_a_failing_projection_stops_loudly_and_never_skips_the_event(services):
    calls = []
    poison = Projection(name="poison", tables={})

    @poison.on(Account.Registered)
    def _explode(tx, e, ctx):
        calls.append(ctx.position)
        raise ValueError("bad event")

    runner = Runner(services.app, services.views, [*services.runner.projections, poison])
    runner.setup()
    services.app.accounts.sign_up(new_phone(), "张三", "hash", None)
    with pytest.raises(ProjectionFailed):
        runner.catch_up()
    assert runner.positions()["poison"] == 0
    with pytest.raises(ProjectionFailed):
        runner.catch_up()  # stays stopped until someone fixes it
    assert len(calls) == 1


def test_read_your_writes_waits_until_the_views_show_the_command(services):
    services.runner.start(interval=5)
    try:
        places = Places(services.app)
        position = services.app.recorder.max_notification_id()
        assert services.runner.wait(position, timeout=5)
        assert directory.place(services.views, str(places.community)).name == "江苏路社区"
    finally:
        services.runner.stop()


def test_erasing_a_person_blanks_them_in_the_views(services):
    places, worker = populate(services.app)
    victim = make_resident(services.app, places.community, worker, name="要删除的人")
    services.app.accounts.erase_person(victim)
    services.runner.catch_up()
    row = directory.person(services.views, str(victim))
    assert row["name"] == "（已删除）" and row["phone"] == ""
    services.runner.rebuild()
    assert directory.person(services.views, str(victim))["name"] == "（已删除）"


def test_views_ahead_of_their_event_store_are_rebuilt_at_start_up(tmp_path):
    """E.g. views restored from a later backup than the events: they would otherwise skip new events."""
    import shutil

    from web.settings import Settings
    from web.wiring import build
    first = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "a")}))
    Places(first.app)
    first.runner.catch_up()
    shutil.copy(tmp_path / "a" / "events.sqlite3", tmp_path / "events-early.sqlite3")
    first.app.accounts.sign_up(new_phone(), "后来者", "hash", None)
    first.runner.catch_up()
    first.close()
    shutil.copy(tmp_path / "events-early.sqlite3", tmp_path / "a" / "events.sqlite3")
    for suffix in ("-wal", "-shm"):
        (tmp_path / "a" / f"events.sqlite3{suffix}").unlink(missing_ok=True)
    restored = build(Settings.from_env({"LINLI_DATA_DIR": str(tmp_path / "a")}))
    try:
        assert restored.runner.position() == restored.runner.head()
        restored.app.accounts.sign_up(new_phone(), "新来者", "hash", None)
        restored.runner.catch_up()
        names = {r["name"] for r in restored.views.all("SELECT name FROM dir_people")}
        assert "新来者" in names and "后来者" not in names
    finally:
        restored.close()


def test_read_your_writes_applies_the_log_itself_only_until_the_request_must_answer(services):
    """Views far behind (another process rebuilding them, say): a request that finds nobody applying the log does
    it itself, but only until its own deadline; the runner thread then goes on."""
    slow = Projection(name="slow", tables={})

    @slow.on(Account.Registered)
    def _slowly(tx, e, ctx):
        time.sleep(0.03)

    runner = Runner(services.app, services.views, [*services.runner.projections, slow], batch_size=5)
    runner.setup()
    runner.catch_up()
    runner.start(interval=60)   # one catch-up at start (nothing to do), then asleep until woken
    try:
        deadline = time.monotonic() + 5
        while runner._lock.locked() and time.monotonic() < deadline:
            time.sleep(0.01)
        for _ in range(60):     # 1.8 s of the slow view
            services.app.accounts.sign_up(new_phone(), "张三", "hash", None)
        position = services.app.recorder.max_notification_id()
        started = time.monotonic()
        assert not runner.wait(position, timeout=0.2)
        assert time.monotonic() - started < 1.0, "the request stayed to apply the whole log"
        assert runner.wait(position, timeout=10), "the runner thread applies the rest"
    finally:
        runner.stop()


def test_the_views_take_this_process_own_events_from_memory_and_anyone_elses_from_the_store(services):
    app = services.app
    services.runner.catch_up()
    start = services.runner.position()
    for _ in range(3):
        app.accounts.sign_up(new_phone(), "张三", "hash", None)
    head = services.runner.head()
    from_memory = app.recent_notifications(start, head, 100)
    from_store = app.recorder.select_notifications(start=start, limit=100, stop=head, inclusive_of_start=False)
    assert from_memory == from_store and len(from_store) >= 3

    asked = []
    select = app.recorder.select_notifications
    app.recorder.select_notifications = lambda *a, **k: asked.append(k) or select(*a, **k)
    try:
        services.runner.catch_up(stop=head)
        assert asked == [] and services.runner.position() == head
        marker = ProcessedCommand(use_case="elsewhere", command_id=uuid4().hex, result=None)
        app.recorder.insert_events([app.mapper.to_stored_event(e) for e in marker.collect_events()])   # not ours
        assert app.recent_notifications(head, head + 1, 100) is None
        services.runner.catch_up()
        assert len(asked) == 1 and services.runner.position() == head + 1
    finally:
        app.recorder.select_notifications = select


@pytest.mark.parametrize("services", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_on_postgres_a_batch_after_this_runners_own_says_where_the_views_stand_instead_of_asking(services,
                                                                                                  monkeypatch):
    from projections import db as views_db
    app, runner = services.app, services.runner
    runner.catch_up()
    app.accounts.sign_up(new_phone(), "张三", "hash", None)
    runner.catch_up()                     # this runner's own commit: it knows where the views stand
    reads, all_ = [], views_db.Tx.all
    monkeypatch.setattr(views_db.Tx, "all", lambda tx, sql, params=(): reads.append(sql) or all_(tx, sql, params))
    app.accounts.sign_up(new_phone(), "李四", "hash", None)
    runner.catch_up()
    assert not [sql for sql in reads if "view_tracking" in sql]
    other = Runner(app, services.views, runner.projections)    # `linli project` beside it: the views move on
    app.accounts.sign_up(new_phone(), "王五", "hash", None)
    other.catch_up()
    app.accounts.sign_up(new_phone(), "赵六", "hash", None)
    runner.catch_up()                     # its expectation fails; it reads, and applies only what is new
    assert runner.failure is None and runner.position() == runner.head()
    assert [sql for sql in reads if "view_tracking" in sql]
    names = [r["name"] for r in services.views.all("SELECT name FROM dir_people")]
    assert sorted(n for n in names if n in ("张三", "李四", "王五", "赵六")) == ["张三", "李四", "王五", "赵六"]


def test_the_audit_trail_asks_for_an_aggregates_scope_once_and_not_at_all_for_a_new_one(services, monkeypatch):
    """A new volunteer's first event names no community; the runner's memo keeps that, so the next events of that
    aggregate do not ask the table for it (on PostgreSQL a round trip in each sign-up's views)."""
    from projections import db as views_db
    app, runner = services.app, services.runner
    places = Places(app)
    worker = make_worker(app, places.community)
    residents = [make_resident(app, places.community, worker) for _ in range(2)]
    runner.catch_up()
    starts = (app.clock() + timedelta(days=3)).astimezone(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    day = app.volunteer.create_action_day(worker, places.community, None, "集中行动日", "", starts.date().isoformat())
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", starts, starts + timedelta(hours=2), 5)
    runner.catch_up()
    reads, one = [], views_db.Tx.one
    monkeypatch.setattr(views_db.Tx, "one", lambda tx, sql, params=(): reads.append(sql) or one(tx, sql, params))
    for resident in residents:
        app.volunteer.sign_up_for_shift(resident, day, shift)
        runner.catch_up()
    assert not [sql for sql in reads if "audit_scopes" in sql]
    monkeypatch.undo()
    got = snapshot(services, ["audit_log", "audit_scopes"])
    assert {str(r) for r in residents} <= {r["actor_id"] for r in got["audit_log"] if r["aggregate_type"] == "Volunteer"}
    runner.rebuild(everything=True)      # each event read on its own, the same rows
    assert snapshot(services, ["audit_log", "audit_scopes"]) == got


def test_a_rebuild_with_a_kept_view_ahead_of_the_store_rebuilds_that_view_too(services):
    """E.g. the chain restored from another backup than the events: `linli rebuild` keeps the chain, but one ahead of
    the store would skip what comes next, so it goes too (this used to hang: the rebuild's setup asked for a
    second rebuild under the lock the first one held)."""
    app, runner = services.app, services.runner
    app.accounts.sign_up(new_phone(), "张三", "hash", None)
    runner.catch_up()
    with services.views.transaction() as tx:
        tx.execute("UPDATE view_tracking SET position = position + 100 WHERE name = 'chain'")
    done = []
    rebuilding = threading.Thread(target=lambda: done.append(runner.rebuild()), daemon=True)
    rebuilding.start()
    rebuilding.join(20)
    assert done, "the rebuild did not finish"
    assert runner.positions()["chain"] == runner.head() == runner.position()
