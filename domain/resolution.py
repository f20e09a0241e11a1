"""A resolution (决议): what a roundtable decided. The fund may only allocate money against a passed one."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidInputError
from domain.ids import stable_id

PLANNED, IN_PROGRESS, DONE = "planned", "in_progress", "done"
FOLLOW_UP_STEPS = {PLANNED: IN_PROGRESS, IN_PROGRESS: DONE}


class FollowUpError(ConflictError):
    """The follow-up step is not possible in the resolution's present state."""

    message = "该决议当前不能进行此操作"


class AlreadyRatedError(ConflictError):
    """Each resident rates a resolution's outcome once."""

    message = "您已经评价过了"


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
        self.owner = ""
        self.follow_up_status = PLANNED
        self.progress_notes = 0
        self.ratings: dict[str, int] = {}

    # --- follow-up (决议落实) ------------------------------------------------------------------
    def assign_owner(self, owner: str, by: UUID, at: datetime) -> None:
        """The worker names who carries the resolution out (a person, office or contractor)."""
        self._require_passed()
        if self.follow_up_status == DONE:
            raise FollowUpError("该决议已落实完毕")
        self._owner_assigned(owner=owner, by=by, at=at)

    @event("OwnerAssigned")
    def _owner_assigned(self, owner: str, by: UUID, at: datetime) -> None:
        self.owner = owner

    def advance(self, status: str, by: UUID, at: datetime) -> None:
        """Move the follow-up one step: planned → in progress → done."""
        self._require_passed()
        if not self.owner:
            raise FollowUpError("请先指定负责人")
        if FOLLOW_UP_STEPS.get(self.follow_up_status) != status:
            raise FollowUpError("落实状态只能按 计划中 → 进行中 → 已完成 的顺序推进")
        self._follow_up_status_changed(status=status, by=by, at=at)

    @event("FollowUpStatusChanged")
    def _follow_up_status_changed(self, status: str, by: UUID, at: datetime) -> None:
        self.follow_up_status = status

    def note_progress(self, note: str, noted_on: str, by: UUID, at: datetime) -> None:
        """A dated progress note (noted_on is an ISO date, e.g. 2026-05-20)."""
        self._require_passed()
        self._progress_noted(note=note, noted_on=noted_on, by=by, at=at)

    @event("ProgressNoted")
    def _progress_noted(self, note: str, noted_on: str, by: UUID, at: datetime) -> None:
        self.progress_notes += 1

    def rate(self, resident: UUID, stars: int, at: datetime) -> None:
        """A resident rates the outcome, 1–5 stars, once, when the follow-up is done."""
        self._require_passed()
        if self.follow_up_status != DONE:
            raise FollowUpError("决议落实完成后才能评价")
        if not isinstance(stars, int) or not 1 <= stars <= 5:
            raise InvalidInputError("评分应为 1 到 5 星")
        if str(resident) in self.ratings:
            raise AlreadyRatedError()
        self._rated(resident=resident, stars=stars, at=at)

    @event("Rated")
    def _rated(self, resident: UUID, stars: int, at: datetime) -> None:
        self.ratings[str(resident)] = stars

    def _require_passed(self) -> None:
        if not self.passed:
            raise FollowUpError("未通过的表决没有落实跟进")
