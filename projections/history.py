"""Views as they stood at a point of the log: what every "as of" page is drawn from.

The point is a log position: the last event recorded by a moment (`position_at`). The views then are built by
replaying, through the very projections the live views use, the events up to that position — bounded to what a page
can show: the events of one place's aggregates (a community with its street and district, as `chain_places` knows
them) whose types the page's read models handle. They go into throw-away views in memory (`MemoryDatabase`).

Some views are copied from the live ones instead of replayed: the directory (names, places, residencies and roles as
they are now, so a person erased since stays erased), and the chain's links and the audit trail of those places up to
the position (so the page shows the stamp of the record it was drawn from, which anyone can check against an
export)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from uuid import UUID

from projections import accounts as directory
from projections import audit, chain
from projections.base import Context, Projection, canonical_topic
from projections.db import Database, MemoryDatabase, Tx

COPIED = tuple(directory.projection.tables)          # the directory: dir_places, dir_people, …
CHAIN_TABLES = ("chain_links", "chain_places")


def position_at(db: Database, moment: datetime) -> int:
    """The log position of a moment: the last event recorded at or before it (0 before the first)."""
    at = moment.astimezone(timezone.utc).isoformat()
    return db.scalar("SELECT MAX(position) AS p FROM audit_log WHERE at <= ?", (at,)) or 0


def _types(projections: Sequence[Projection]) -> set[str] | None:
    """The aggregate types whose events the read models handle (None: every type)."""
    if any(p.every_event is not None for p in projections):
        return None
    return {topic.rsplit(":", 1)[-1].split(".")[0] for p in projections for topic in p.topics}


def events_of(live: Database, place_ids: Sequence[str], upto: int, types: set[str] | None) -> list[dict]:
    """The places' events up to `upto` (position, aggregate id, version), in log order, of the aggregate `types`."""
    marks = ", ".join("?" * len(place_ids))
    sql = ("SELECT c.position, c.aggregate_id, c.version FROM chain_links c JOIN audit_log a ON a.position = c.position "
           f"WHERE c.place_id IN ({marks}) AND c.position <= ?")
    params: tuple = (*place_ids, upto)
    if types is not None:
        sql += f" AND a.aggregate_type IN ({', '.join('?' * len(types))})"
        params += tuple(sorted(types))
    return live.all(sql + " ORDER BY c.position", params)


def replay(app, live: Database, projections: Sequence[Projection], place_ids: Sequence[str],
           upto: int) -> MemoryDatabase:
    """Throw-away views of `projections` as they stood at log position `upto`, from the events of `place_ids`, with
    the live directory and the places' chain links up to `upto` copied in."""
    rows = events_of(live, place_ids, upto, _types(projections))
    versions: dict[str, int] = {}
    for r in rows:
        versions[r["aggregate_id"]] = max(versions.get(r["aggregate_id"], 0), r["version"])
    stored = {}
    for aggregate_id, version in versions.items():
        for s in app.recorder.select_events(UUID(aggregate_id), lte=version):
            stored[(aggregate_id, s.originator_version)] = s
    view = MemoryDatabase()
    try:
        with view.transaction() as tx:
            directory.projection.create(tx)
            audit.projection.create(tx)
            for ddl in chain.projection_tables.values():
                tx.execute(ddl)
            for projection in projections:
                projection.create(tx)
            for table in COPIED:
                _copy(tx, table, live.all(f"SELECT * FROM {table}"))
            marks = ", ".join("?" * len(place_ids))
            _copy(tx, "chain_links", live.all(f"SELECT * FROM chain_links WHERE place_id IN ({marks}) AND position <= ?",
                                              (*place_ids, upto)))
            _copy(tx, "chain_places", live.all(f"SELECT * FROM chain_places WHERE place_id IN ({marks})",
                                               tuple(place_ids)))
            _copy(tx, "audit_log", live.all(f"SELECT a.* FROM audit_log a JOIN chain_links c ON c.position = a.position "
                                            f"WHERE c.place_id IN ({marks}) AND c.position <= ?", (*place_ids, upto)))
            for r in rows:
                s = stored.get((r["aggregate_id"], r["version"]))
                if s is None:   # the store no longer holds an event the chain saw: `linli verify --store` names it
                    continue
                topic = canonical_topic(s.topic)
                event = None
                for projection in projections:
                    if projection.handles(topic):
                        event = event or app.mapper.to_domain_event(s)
                        projection.handle(tx, topic, event, Context(r["position"], app.sealer))
    except BaseException:
        view.close()
        raise
    return view


def _copy(tx: Tx, table: str, rows: list[dict]) -> None:
    if rows:
        columns = list(rows[0])
        tx.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                       [[r[c] for c in columns] for r in rows])
