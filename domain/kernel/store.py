"""The store's format: which Linli wrote it, so an older Linli never runs on a store it cannot read.

Format 1 is every store written before the format was recorded (up to commit 050025d: classes in `domain/*.py`);
format 2 has one package per context (old topics still resolve through `domain.kernel.topics.moved`). Raise
`CURRENT` whenever stored events or snapshots change shape in a way an older release would misread, and ship the
upcasters (`class_version` and `upcast_vN_vM` on the event or snapshot class) with the change."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.ids import stable_id

CURRENT = 2


class StoreFormat(Aggregate):
    """The format of the whole event store: one aggregate with a fixed id."""

    ID: UUID = stable_id("store-format", "linli")

    @classmethod
    def create_id(cls, version: int) -> UUID:
        return cls.ID

    @event("Initialised")
    def __init__(self, version: int) -> None:
        self.version = version

    def upgrade(self, version: int) -> None:
        """A newer Linli took over the store (after its upcasters, if any, made old events readable)."""
        if version > self.version:
            self._upgraded(previous=self.version, version=version)

    @event("Upgraded")
    def _upgraded(self, previous: int, version: int) -> None:
        self.version = version
