"""Party membership is sealed twice: inside, under a key of the registration's stint; outside, under the person's own
key. Deleting the person's key (`linli erase`) or the stint's key (withdrawal, moving) leaves it unreadable in every
event, snapshot and backup; the service and the read model open it through these two functions only."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.kernel.privacy import Sealer


def seal(sealer: Sealer, account_id: UUID, stint_key: UUID, fields: dict[str, Any]) -> str:
    """`fields` sealed under the stint's key, then under the person's key."""
    inner = sealer.seal(stint_key, fields)
    return sealer.seal(account_id, {"stint": inner})


def unseal(sealer: Sealer, account_id: UUID | str, stint_key: UUID, sealed: str | None) -> dict[str, Any] | None:
    """The fields, or None once either key is gone (or nothing was sealed)."""
    if not sealed:
        return None
    outer = sealer.unseal(UUID(str(account_id)), sealed)
    if not outer:
        return None
    return sealer.unseal(stint_key, outer["stint"])


def shred(sealer: Sealer, stint_key: UUID) -> None:
    """Delete the stint's key: everything sealed for that stint is unreadable from now on."""
    sealer.keys.delete(stint_key)
