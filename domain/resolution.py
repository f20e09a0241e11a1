"""A resolution (决议): what a roundtable decided. The fund may only allocate money against a passed one."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stable_id


class Resolution(Aggregate):
    """A motion's outcome, kept as its own aggregate so that other contexts (the fund) can refer to it."""

    @staticmethod
    def id_for(meeting_id: UUID, motion_id: UUID | str) -> UUID:
        return stable_id("resolution", meeting_id, motion_id)

    @classmethod
    def create_id(cls, meeting_id: UUID, motion_id: str, community_id: UUID, title: str,
                  passed: bool, votes_for: int, votes_against: int, abstentions: int,
                  at: datetime) -> UUID:
        return cls.id_for(meeting_id, motion_id)

    @event("Adopted")
    def __init__(self, meeting_id: UUID, motion_id: str, community_id: UUID, title: str,
                 passed: bool, votes_for: int, votes_against: int, abstentions: int,
                 at: datetime) -> None:
        self.meeting_id = meeting_id
        self.motion_id = motion_id
        self.community_id = community_id
        self.title = title
        self.passed = passed
        self.votes_for = votes_for
        self.votes_against = votes_against
        self.abstentions = abstentions
        self.adopted_at = at
