"""A processed command: its deterministic id makes a repeated command collide instead of acting twice.

The id is derived from a keyed digest of the use case, the actor and the command id (and, for an anonymous
command such as sign-up, its arguments), so a command id belongs to the person who sent it: the same id from
anyone else is a new command. Only that digest is stored, never the command id itself."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.ids import stable_id
from domain.kernel.topics import moved


class ProcessedCommand(Aggregate):
    """Saved in the same atomic append as the command's effects; holds the result to answer repeats."""

    @staticmethod
    def id_for(use_case: str, command_id: str) -> UUID:
        """`command_id` is the keyed digest the application computes (`Linli.execute`)."""
        return stable_id("command", use_case, command_id)

    @classmethod
    def create_id(cls, use_case: str, command_id: str, result: Any) -> UUID:
        return cls.id_for(use_case, command_id)

    @event("Processed")
    def __init__(self, use_case: str, command_id: str, result: Any) -> None:
        self.result = result


moved({"domain.command:ProcessedCommand": ProcessedCommand})
