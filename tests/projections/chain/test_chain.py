"""The chain read model: a link per event for the store and for the event's place, the same rows after a rebuild,
untouched by an erasure, checkable from scratch, and the stamps pages publish."""
from __future__ import annotations

from domain.kernel import chain, roles
from projections import chain as views
from tests.builders import Places, make_resident, make_worker
from tests.domain.builders import YEAR, make_resolution
from tests.projections.builders import snapshot

TABLES = list(views.projection_tables)


def some_history(services):
    app = services.app
    places = Places(app)
    worker = make_worker(app, places.community)
    resident = make_resident(app, places.community, worker, "王小明")
    maker = make_worker(app, places.community, roles.FUND_MANAGER)
    resolution = make_resolution(app, places.community)
    project = app.fund.allocate(maker, places.community, YEAR, resolution, "楼道扶手", "elderly", "1,000")
    services.runner.catch_up()
    return places, resident, project


def test_every_event_has_a_link_and_a_rebuild_gives_the_same_rows(services):
    places, _, _ = some_history(services)
    head = services.runner.head()
    assert services.views.scalar("SELECT COUNT(*) AS n FROM chain_links") == head
    before = snapshot(services, TABLES)
    services.runner.rebuild()
    assert snapshot(services, TABLES) == before
    ours = services.views.all("SELECT * FROM chain_links WHERE place_id = ? ORDER BY position",
                              (str(places.community),))
    running = chain.GENESIS
    for row, fresh in zip(ours, [r for r in views.recompute(services.app, head) if r[2] == str(places.community)]):
        assert (row["position"], row["place_digest"]) == (fresh[0], fresh[3])
        running = row["place_digest"]
    assert views.stamp(services.views, str(places.community)).digest == running
    assert views.first_difference(services.app, services.views) is None


def test_each_place_has_its_own_chain_and_events_of_no_place_only_the_stores(services):
    places, resident, _ = some_history(services)
    rows = services.views.all("SELECT place_id, COUNT(*) AS n FROM chain_links GROUP BY place_id")
    counts = {r["place_id"]: r["n"] for r in rows}
    assert counts[str(places.district)] == 1 and counts[str(places.street)] == 1    # their founding
    assert counts[str(places.community)] > counts[str(places.other_community)] >= 1
    registered = services.views.one("SELECT place_id FROM chain_links WHERE aggregate_id = ? AND version = 1",
                                    (str(resident),))
    assert registered["place_id"] is None                                           # an account is of no place


def test_erasing_a_person_changes_no_link(services):
    places, resident, _ = some_history(services)
    before = services.views.all("SELECT * FROM chain_links ORDER BY position")
    services.app.accounts.erase_person(resident)
    services.runner.catch_up()
    after = services.views.all("SELECT * FROM chain_links ORDER BY position")
    assert after[:len(before)] == before and len(after) > len(before)
    assert views.first_difference(services.app, services.views) is None


def test_a_stamp_names_the_places_chain_at_or_before_a_position(services):
    places, _, _ = some_history(services)
    community = str(places.community)
    latest = views.stamp(services.views, community)
    assert latest.position == services.views.scalar(
        "SELECT MAX(position) AS n FROM chain_links WHERE place_id = ?", (community,))
    assert latest.short == latest.digest[:16] and latest.expect == f"{latest.position}:{latest.digest}"
    earlier = views.stamp(services.views, community, latest.position - 1)
    assert earlier.position < latest.position and earlier.digest != latest.digest
    assert views.stamp(services.views, community, 0) is None
    founded = views.stamp_of_event(services.views, community, 1)
    assert founded.place_id == community and founded.position == services.views.scalar(
        "SELECT MIN(position) AS n FROM chain_links WHERE place_id = ?", (community,))


def test_every_event_of_the_public_records_aggregates_has_a_decision_on_what_an_export_shows():
    """A new event of a meeting, a fund, an action day, … is shown in exports only once someone has looked at its
    fields and listed it in `projections.chain.SHOWN` (until then it is one line with its digest)."""
    import importlib
    import inspect
    import pkgutil

    import domain
    from eventsourcing.domain import Aggregate
    undecided = []
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, Aggregate) or cls.__name__ not in views.SHOWN:
                continue
            for attr, value in vars(cls).items():
                own = set(getattr(value, "__annotations__", {})) - {"originator_id", "originator_version", "timestamp",
                                                                    "originator_topic"}
                if attr == "Event" or (attr == "Created" and not own):
                    continue   # the library's base classes
                shown = views.SHOWN[cls.__name__]
                if inspect.isclass(value) and issubclass(value, Aggregate.Event) and attr not in shown:
                    undecided.append(f"{cls.__name__}.{attr}")
    assert undecided == [], f"decide whether an export shows these (projections/chain.py SHOWN): {undecided}"


def test_the_runner_remembers_the_heads_only_while_its_own_commits_made_them(services, monkeypatch):
    """Between its batches the runner keeps the chain's heads (no query per event for them); another runner's batches
    in between (`linli project` beside the web), or a batch of its own that rolled back, make it read them again."""
    from projections import db as views_db
    from projections.runner import Runner

    app, runner = services.app, services.runner
    places = Places(app)
    worker = make_worker(app, places.community)
    runner.catch_up()                                          # the memo now holds the heads
    other = Runner(app, services.views, runner.projections)    # another runner on the same views
    make_resident(app, places.community, worker, "甲")
    other.catch_up()
    make_resident(app, places.community, worker, "乙")
    runner.catch_up()
    assert views.first_difference(app, services.views) is None

    execute, failed = views_db.Tx.execute, []

    def lost_once(tx, sql, params=()):
        if sql.startswith("INSERT INTO view_tracking") and not failed:
            failed.append(sql)   # the links of this batch were written, then the transaction is lost
            raise views_db.sqlite3.OperationalError("database is locked")
        return execute(tx, sql, params)

    monkeypatch.setattr(views_db.Tx, "execute", lost_once)
    make_resident(app, places.community, worker, "丙")
    runner.catch_up()                                          # rolled back, then tried again
    assert failed and runner.position() == runner.head()
    assert views.first_difference(app, services.views) is None
    ours = services.views.all("SELECT * FROM chain_links ORDER BY position")
    assert [(r["position"], r["digest"]) for r in ours] == [(r[0], r[1]) for r in views.recompute(app, runner.head())]


def test_a_runner_starts_from_where_the_views_are_not_from_where_it_last_saw_them(services):
    """Another process rebuilds the views (they go back to zero) while this runner is live and a command arrives:
    this runner must not apply only the new event and mark the views as far as its own last position."""
    from projections.runner import Runner
    from tests.projections.builders import snapshot

    app, runner = services.app, services.runner
    places = Places(app)
    worker = make_worker(app, places.community)
    for name in ("甲", "乙", "丙"):
        make_resident(app, places.community, worker, name)
    runner.catch_up()
    rebuilding = Runner(app, services.views, runner.projections)   # `linli rebuild` in another process
    rebuilding.drop(everything=True)
    rebuilding.setup()
    make_resident(app, places.community, worker, "丁")
    runner.catch_up()
    rebuilding.catch_up()
    tables = ["dir_places", "dir_people", "dir_residencies"]
    got = snapshot(services, tables)
    Runner(app, services.views, runner.projections).rebuild(everything=True)
    assert snapshot(services, tables) == got
