"""What the benchmarks share: the raw-library references, statistics, and the one table they print."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Grown(Aggregate):
    """The raw-library reference aggregate: every event adds one entry to its state, as a sign-up, a vote or a
    payment adds one to an action day, a meeting or a fund, so its snapshots grow the same way."""

    @event("Started")
    def __init__(self, title: str) -> None:
        self.title = title
        self.entries: dict[str, dict] = {}

    @event("EntryAdded")
    def add(self, key: str, by: str, at: datetime) -> None:
        self.entries[key] = {"by": by, "at": at, "status": "confirmed"}


class Raw(Application):
    """The raw library with its defaults: no aggregate cache."""

    name = "Raw"


def raw_app(env: dict[str, str], snapshot_every: int | None) -> Raw:
    class RawApp(Raw):
        name = "Raw"
        snapshotting_intervals = {Grown: snapshot_every} if snapshot_every else {}
    return RawApp(env=env)


def raw_appends(env: dict[str, str], start_version: int, n: int, snapshot_every: int | None) -> float:
    """get + add + save per second on one `Grown` that has `start_version` events when timing starts, snapshots
    every `snapshot_every` events (as the Linli aggregate it stands for), no cache."""
    app = raw_app(env, snapshot_every)
    try:
        grown = Grown(title="reference")
        app.save(grown)
        while grown.version < start_version:   # untimed: the same size as the Linli aggregate
            grown = app.repository.get(grown.id)
            grown.add(uuid4().hex, uuid4().hex, datetime.now(timezone.utc))
            app.save(grown)
        started = time.perf_counter()
        for _ in range(n):
            grown = app.repository.get(grown.id)
            grown.add(uuid4().hex, uuid4().hex, datetime.now(timezone.utc))
            app.save(grown)
        return n / (time.perf_counter() - started)
    finally:
        app.close()


def raw_read_decode(app: Application, batch: int = 500) -> tuple[int, float]:
    """Read every notification of the store in batches and decode each into its domain event: (events, seconds)."""
    started, position, count = time.perf_counter(), 0, 0
    while True:
        notifications = app.recorder.select_notifications(start=position, limit=batch, inclusive_of_start=False)
        if not notifications:
            break
        for n in notifications:
            app.mapper.to_domain_event(n)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# --- the table --------------------------------------------------------------------------------------------------
@dataclass
class Row:
    """One measure: Linli, the reference measured in the same run, their ratio, the target and whether it is met."""

    measure: str
    linli: str = ""
    reference: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    @classmethod
    def failed(cls, measure: str, target: str, error: BaseException) -> "Row":
        text = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "/")
        return cls(measure, f"error: {text[:160]}", "", None, target, None)


def at_least(ratio: float, bound: float) -> bool:
    return ratio >= bound


def guarded(measure: str, target: str, fn: Callable[[], list[Row]]) -> list[Row]:
    """The rows `fn` measures, or one row saying what failed (every row prints, whatever breaks)."""
    try:
        return fn()
    except Exception as e:  # a part that breaks must not take the table down
        import traceback
        traceback.print_exc()
        return [Row.failed(measure, target, e)]


def print_table(rows: list[Row], header: list[str], out: Any) -> None:
    """The issue's table: measure | Linli | reference (same run) | ratio | target | met?"""
    cells = [["measure", "Linli", "reference (same run)", "ratio", "target", "met?"]]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        cells.append([r.measure, r.linli, r.reference, ratio, r.target, met])
    widths = [max(len(c[i]) for c in cells) for i in range(6)]
    for line in header:
        print(line, file=out)
    print("", file=out)
    for n, c in enumerate(cells):
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths)) + " |", file=out)
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=out)
    out.flush()
