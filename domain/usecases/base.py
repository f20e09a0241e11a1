"""What every use-case mixin may rely on from the Linli application (for readers and type checkers)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

if TYPE_CHECKING:
    from domain.privacy import Sealer

A = TypeVar("A", bound=Aggregate)


class UseCases:
    """Base of the mixins: `execute`, `load`, `find`, `clock` and `sealer` come from `Linli`."""

    snapshotting: ClassVar[dict[type[Aggregate], int]] = {}

    if TYPE_CHECKING:
        clock: Callable[[], datetime]
        sealer: Sealer

        def execute(self, use_case: str, command_id: str | None, action: Callable[[], tuple[Any, Any]]) -> Any: ...

        def load(self, cls: type[A], aggregate_id: UUID, what: str = ...) -> A: ...

        def find(self, cls: type[A], aggregate_id: UUID) -> A | None: ...
