"""The Linli application: one event store, one notification log, the use cases of every context."""
from __future__ import annotations

import hashlib
import hmac
import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, OperationalError

from domain.command import ProcessedCommand
from domain.errors import BusyError, DomainError, NotFoundError
from domain.privacy import InMemoryKeyStore, KeyStore, Sealer
from domain.usecases.accounts import AccountUseCases
from domain.usecases.fund import FundUseCases
from domain.usecases.roundtable import RoundtableUseCases
from domain.usecases.volunteer import VolunteerUseCases

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
Action = Callable[[], tuple[Any, Iterable[Aggregate | None]]]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Linli(AccountUseCases, RoundtableUseCases, VolunteerUseCases, FundUseCases, Application):
    """All of Linli's use cases over one event store (one log keeps cross-context saves atomic)."""

    name = "Linli"
    # Hot aggregates (a meeting while residents vote, a fund on payment day) stay in memory and are
    # fast-forwarded from the store on every get, so other processes' writes are always seen.
    env = {"AGGREGATE_CACHE_MAXSIZE": "2000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    max_attempts = 30
    snapshotting_intervals = {
        **AccountUseCases.snapshotting,
        **RoundtableUseCases.snapshotting,
        **VolunteerUseCases.snapshotting,
        **FundUseCases.snapshotting,
    }

    def __init__(self, env: dict[str, str] | None = None, *, keys: KeyStore | None = None,
                 clock: Callable[[], datetime] = system_clock) -> None:
        super().__init__(env)
        self.sealer = Sealer(keys or InMemoryKeyStore())
        self.clock = clock
        self._secret = (self.env.get("LINLI_SECRET") or "linli-dev-secret").encode()

    # --- the one way every use case saves -------------------------------------------------
    def execute(self, use_case: str, command_id: str | None, action: Action) -> Any:
        """Run `action` (load → command) and save its aggregates atomically; retry on conflicts.

        With a command id the effect happens once: the result of the first run answers every repeat.
        """
        marker_id = ProcessedCommand.id_for(use_case, command_id) if command_id else None
        for attempt in range(self.max_attempts):
            if marker_id is not None:
                done = self._processed(marker_id)
                if done is not None:
                    return done.result
            try:
                result, aggregates = action()
            except DomainError:
                # A twin of this command may have committed since we looked: then answer as it did.
                done = self._processed(marker_id) if marker_id is not None else None
                if done is not None:
                    return done.result
                raise
            batch = [a for a in aggregates if a is not None]
            if marker_id is not None:
                batch.append(ProcessedCommand(use_case=use_case, command_id=command_id, result=result))
            try:
                self.save(*batch)
                return result
            except IntegrityError:
                pass
            except OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):  # SQLite already waited its lock timeout
                    raise BusyError() from e
                raise
            time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 6))) * random.random())
        raise BusyError()

    def _processed(self, marker_id: UUID) -> ProcessedCommand | None:
        try:
            return self.repository.get(marker_id)
        except AggregateNotFoundError:
            return None

    def load(self, cls: type[A], aggregate_id: UUID, what: str = "记录") -> A:
        """Get an aggregate of the expected type or raise a NotFoundError that names it."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError("找不到该{what}", what=what) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError("找不到该{what}", what=what)
        return aggregate

    def find(self, cls: type[A], aggregate_id: UUID) -> A | None:
        """Get an aggregate of the expected type, or None."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def phone_key(self, phone: str) -> str:
        """A keyed digest of a canonical phone number: finds the account without storing the number."""
        return hmac.new(self._secret, phone.encode(), hashlib.sha256).hexdigest()
