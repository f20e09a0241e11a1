"""Deterministic ids: the same natural key always gives the same aggregate id, so a second create collides."""
from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c1e2a-6c1b-5d8e-9a57-2b8f0d4c6a11")


def stable_id(kind: str, *parts: object) -> UUID:
    """The id of the `kind` aggregate named by `parts`."""
    return uuid5(NAMESPACE, ":".join([kind, *(str(p) for p in parts)]))
