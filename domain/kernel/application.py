"""The Linli application: one event store, one notification log, and one service per context on top of it.

Every context's service is reached as an attribute (`app.volunteer.sign_up_for_shift(...)`); all of them save
through the one `execute` here, so a cross-context save (a passed motion and its resolution) is one atomic
append and every command is idempotent by its id in the same way."""
from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, OperationalError

from domain.kernel.command import ProcessedCommand
from domain.kernel.errors import BusyError, DomainError, InvalidInputError, NotFoundError
from domain.kernel.privacy import InMemoryKeyStore, KeyStore, Sealer

A = TypeVar("A", bound=Aggregate)
Action = Callable[[], tuple[Any, Iterable[Aggregate | None]]]
DEV_SECRET = "linli-dev-secret"
MAX_COMMAND_ID = 128   # the web's forms send 32 hex characters; only a digest of the id is ever stored


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class DomainContext:
    """A bounded context's domain part: its service (built over the application) and snapshot intervals."""

    name: str
    service: Callable[[Linli], Any]
    snapshots: Mapping[type[Aggregate], int] = field(default_factory=dict)


class Linli(Application):
    """The event store, `execute`, `load`/`find`, the clock and the sealer; the contexts' services on top."""

    name = "Linli"
    # Hot aggregates (a meeting while residents vote, a fund on payment day) stay in memory and are
    # fast-forwarded from the store on every get, so other processes' writes are always seen.
    env = {"AGGREGATE_CACHE_MAXSIZE": "2000", "AGGREGATE_CACHE_FASTFORWARD": "y"}
    is_snapshotting_enabled = True
    max_attempts = 30

    def __init__(self, env: Mapping[str, str] | None = None, *, contexts: Iterable[DomainContext] = (),
                 keys: KeyStore | None = None, clock: Callable[[], datetime] = system_clock,
                 secret: str = DEV_SECRET, fund_budget_fen: int = 20_000_000) -> None:
        contexts = list(contexts)
        self.snapshotting_intervals = {cls: n for c in contexts for cls, n in c.snapshots.items()}
        super().__init__(dict(env) if env is not None else None)
        self.sealer = Sealer(keys or InMemoryKeyStore())
        self.clock = clock
        self.fund_budget_fen = fund_budget_fen
        self._secret = secret.encode()
        self.contexts = tuple(c.name for c in contexts)
        self.outcomes: Counter[str] = Counter()   # ok, conflict_retried, refused, busy: what `execute` saw
        for context in contexts:
            setattr(self, context.name, context.service(self))

    # --- the one way every use case saves -------------------------------------------------
    def execute(self, use_case: str, command_id: str | None, action: Action, *, actor: object = None,
                binding: tuple = (), replay: Callable[[Any], Any] | None = None) -> Any:
        """Run `action` (load → command) and save its aggregates atomically; retry on conflicts.

        With a command id the effect happens once per actor: the first run's result answers every repeat by the
        same actor (through `replay`, when given, so a caller can tell a repeat). An anonymous command binds its
        id to its arguments instead (`binding`). A command id from anyone else is a new command."""
        digest = self._command_digest(use_case, command_id, actor, binding) if command_id is not None else None
        marker_id = ProcessedCommand.id_for(use_case, digest) if digest is not None else None
        for attempt in range(self.max_attempts):
            if marker_id is not None:
                done = self._processed(marker_id)
                if done is not None:
                    return replay(done.result) if replay else done.result
            try:
                result, aggregates = action()
            except DomainError as e:
                # A twin of this command may have committed since we looked: then answer as it did.
                done = self._processed(marker_id) if marker_id is not None else None
                if done is not None:
                    return replay(done.result) if replay else done.result
                self.outcomes["busy" if isinstance(e, BusyError) else "refused"] += 1
                raise
            batch = [a for a in aggregates if a is not None]
            if marker_id is not None:
                batch.append(ProcessedCommand(use_case=use_case, command_id=digest, result=result))
            try:
                self.save(*batch)
                self.outcomes["ok"] += 1
                return result
            except IntegrityError:
                self.outcomes["conflict_retried"] += 1
            except OperationalError as e:
                if "locked" in str(e) or "busy" in str(e):  # SQLite already waited its lock timeout
                    self.outcomes["busy"] += 1
                    raise BusyError() from e
                raise
            time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 6))) * random.random())
        self.outcomes["busy"] += 1
        raise BusyError()

    def _command_digest(self, use_case: str, command_id: str, actor: object, binding: tuple) -> str:
        """What the processed-command marker stores and its id derives from: a keyed digest of use case, actor,
        command id and binding (the command id itself is never stored)."""
        if not isinstance(command_id, str) or not 0 < len(command_id) <= MAX_COMMAND_ID:
            raise InvalidInputError("页面已过期，请刷新页面后重试")
        if actor is None and not binding:
            raise TypeError(f"{use_case}: a command id must be bound to its actor (or, anonymous, to its arguments)")
        key = json.dumps([use_case, str(actor) if actor is not None else None, command_id, [str(b) for b in binding]],
                         ensure_ascii=False)
        return hmac.new(self._secret, key.encode(), hashlib.sha256).hexdigest()

    def _processed(self, marker_id: UUID) -> ProcessedCommand | None:
        try:
            return self.repository.get(marker_id)
        except AggregateNotFoundError:
            return None

    def load(self, cls: type[A], aggregate_id: UUID, what: str = "记录") -> A:
        """Get an aggregate of the expected type or raise a NotFoundError that names it."""
        aggregate = self.find(cls, aggregate_id)
        if aggregate is None:
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

    def keyed_digest(self, message: bytes) -> bytes:
        """HMAC-SHA256 of `message` under the deployment's secret (verification codes nobody can make up)."""
        return hmac.new(self._secret, message, hashlib.sha256).digest()
