"""A projection: named tables plus one handler per event class; handlers write rows through a `Tx`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic, resolve_topic

from projections.db import Tx

Handler = Callable[[Tx, Any, "Context"], None]
_canonical: dict[str, str] = {}


def canonical_topic(stored: str) -> str:
    """The topic a stored event's class has now: an event recorded before its class moved keeps its old topic in
    the store, which resolves (through `domain.kernel.topics.moved`) to the class and so to its new topic."""
    topic = _canonical.get(stored)
    if topic is None:
        topic = _canonical[stored] = get_topic(resolve_topic(stored))
    return topic


@dataclass
class Context:
    """What a handler may use besides the event: its log position, the sealer for personal fields, the
    notification as the store holds it (None when replaying decoded events, e.g. "as of" pages), and `memo`.

    `memo` (the runner's, one per projection) remembers what a handler read or wrote of its own rows, across the
    runner's batches: the runner hands over the same dict only while every row of that projection since the dict was
    started was written by this runner and committed; otherwise a new one (another runner applied some events, a
    batch failed, the views were dropped). So a fact in it is what the projection's tables hold; a handler bounds
    what it keeps there (it can always read again). None outside the runner: a handler then reads its tables."""

    position: int
    sealer: Any
    stored: Any = None
    memo: dict | None = None


@dataclass
class Projection:
    """One read model. `tables` are CREATE TABLE statements; `on(Event)` registers a handler."""

    name: str
    tables: dict[str, str]
    handlers: dict[str, Handler] = field(default_factory=dict)
    indexes: list[str] = field(default_factory=list)
    every_event: Handler | None = None   # a read model of the whole log (the audit trail) handles each event
    # Kept across `linli rebuild` (the hash chain): evidence of what the store held when each event was first seen
    # is not recomputed over a store that may have changed since; `linli rebuild --chain` does, on purpose.
    kept: bool = False

    def on(self, *event_classes: type) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for cls in event_classes:
                self.handlers[get_topic(cls)] = handler
            return handler
        return register

    @property
    def topics(self) -> set[str]:
        return set(self.handlers)

    def handles(self, topic: str) -> bool:
        return self.every_event is not None or topic in self.handlers

    def create(self, tx: Tx) -> None:
        for ddl in self.tables.values():
            tx.execute(ddl)
        for ddl in self.indexes:
            tx.execute(ddl)

    def drop(self, tx: Tx) -> None:
        for table in reversed(list(self.tables)):
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def handle(self, tx: Tx, topic: str, event: Any, context: Context) -> None:
        handler = self.handlers.get(topic, self.every_event)
        if handler is not None:
            handler(tx, event, context)
