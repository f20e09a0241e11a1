"""Party-member registration (在职党员到社区报到): an in-service Party member registers with the community where they
live, the community confirms, their service there accrues, and a yearly two-way feedback report (双向反馈) goes
back to their workplace Party organisation.

A person's registrations live in ONE small stream (`Registration`, id = f(account)): each time they register
with a community is a numbered *stint*, so "one active registration per person" is race-free, and moving (a stint
in a new community) ends the old stint in the same append. Membership details are sealed twice (under the
person's key and under a key of the stint) by the service: `linli erase` and a withdrawal or a move each leave them
unreadable. Service the community records directly is a `ServiceRecord` per task (a worker confirms it); the
report of one member × community × year is a `FeedbackReport`; the community's list of service kinds is
`ServiceKinds`; a need posted on the board links to a volunteer shift (`Need`). Volunteer shifts and roundtable
meetings are never copied here: the service record reads them from their own events (`domain/party/record.py`)."""
from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from domain.kernel.ids import stable_id
from domain.party.policies import (CONFIRMED, CONSENTED, ENDED, MOVED, RATINGS, RETURNED, SUBMITTED, WITHDRAWN,
                                   is_active, may_decide, may_submit)

MAX_SERVICE_KINDS = 30
MAX_SERVICE_MINUTES = 24 * 60


# --- named errors ------------------------------------------------------------------------------------------
class AlreadyRegisteredError(ConflictError):
    """The person already has an active registration with this community."""

    message = "您已在本社区报到"


class NotRegisteredError(NotFoundError):
    """No active registration of the person with this community."""

    message = "找不到该社区的党员报到"


class RegistrationStateError(ConflictError):
    """The registration is not in the step this command needs."""

    message = "该报到当前不能进行此操作"


class StaleRegistrationError(ConflictError):
    """The form named an earlier registration of the person (they withdrew or moved since)."""

    message = "该报到已有变化，请刷新页面后重试"


class ServiceRecordStateError(ConflictError):
    """A directly recorded service was already confirmed or declined."""

    message = "该服务记录已处理过"


class ServiceKindError(InvalidInputError):
    """A service kind that is not on the community's list (or a list change that makes no sense)."""

    message = "请从社区的服务类别中选择"


class RatingError(InvalidInputError):
    """An evaluation is one of the four grades, or none."""

    message = "评价等级应为优秀、良好、一般或较差"


class NeedStateError(ConflictError):
    """A need is already on the board, or already taken off it."""

    message = "该服务需求当前不能进行此操作"


# --- a person's registrations --------------------------------------------------------------------------------
class Registration(Aggregate):
    """One person's registrations as an in-service Party member, one numbered stint per community they registered
    with; at most one stint is active at a time."""

    @staticmethod
    def id_for(account_id: UUID) -> UUID:
        return stable_id("party-registration", account_id)

    @classmethod
    def create_id(cls, account_id: UUID) -> UUID:
        return cls.id_for(account_id)

    @staticmethod
    def stint_key(registration_id: UUID, stint: int) -> UUID:
        """The id under which one stint's details are sealed a second time (deleted when the stint ends)."""
        return stable_id("party-stint", registration_id, stint)

    @event("Started")
    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id
        self.stints: list[dict] = []

    # --- reading ------------------------------------------------------------------------------------------
    def current(self) -> dict | None:
        """The active stint (consented, submitted, returned or confirmed), or None."""
        last = self.stints[-1] if self.stints else None
        return last if last is not None and is_active(last["state"]) else None

    def current_in(self, community_id: UUID, stint: int | None = None) -> dict:
        """The active stint in this community (and with this number, when the form named one), else an error."""
        current = self.current()
        if current is None or current["community_id"] != str(community_id):
            raise NotRegisteredError()
        if stint is not None and stint != current["stint"]:
            raise StaleRegistrationError()
        return current

    def is_confirmed_in(self, community_id: UUID) -> bool:
        current = self.current()
        return current is not None and current["community_id"] == str(community_id) and current["state"] == CONFIRMED

    # --- the member -----------------------------------------------------------------------------------------
    def give_consent(self, community_id: UUID, version: str, at: datetime) -> tuple[int, int | None]:
        """Separate, explicit consent to the processing of Party membership in this community (the text version
        agreed to is recorded). An active stint elsewhere ends first (the person moved). Returns the new stint's
        number and the number of the stint that ended, if any."""
        current = self.current()
        if current is not None and current["community_id"] == str(community_id):
            raise AlreadyRegisteredError()
        ended = None
        if current is not None:
            ended = current["stint"]
            self._ended(stint=ended, community_id=UUID(current["community_id"]), reason=MOVED,
                        to_community_id=community_id, at=at)
        stint = len(self.stints) + 1
        self._consent_given(stint=stint, community_id=community_id, version=version, at=at)
        return stint, ended

    @event("ConsentGiven")
    def _consent_given(self, stint: int, community_id: UUID, version: str, at: datetime) -> None:
        self.stints.append({"stint": stint, "community_id": str(community_id), "state": CONSENTED,
                            "version": version, "consented_at": at, "confirmed_at": None, "ended_at": None})

    def submit(self, community_id: UUID, stint: int, details: str, disclose: list[str], at: datetime) -> None:
        """The member gives (or corrects) their workplace, workplace Party organisation, service kinds and
        availability (`details`, sealed), and what the public check of their reports may show."""
        current = self.current_in(community_id, stint)
        if not may_submit(current["state"]):
            raise RegistrationStateError("报到已确认，不能再修改")
        self._submitted(stint=stint, community_id=community_id, details=details, disclose=list(disclose), at=at)

    @event("Submitted")
    def _submitted(self, stint: int, community_id: UUID, details: str, disclose: list[str], at: datetime) -> None:
        stint_ = self.stints[stint - 1]
        stint_["state"] = SUBMITTED
        stint_["details"] = details
        stint_["disclose"] = list(disclose)

    def withdraw(self, community_id: UUID, stint: int | None, at: datetime) -> int:
        """The member withdraws consent: the registration ends here. Returns the stint's number."""
        current = self.current_in(community_id, stint)
        self._withdrawn(stint=current["stint"], community_id=community_id, at=at)
        return current["stint"]

    @event("Withdrawn")
    def _withdrawn(self, stint: int, community_id: UUID, at: datetime) -> None:
        self.stints[stint - 1]["state"] = WITHDRAWN
        self.stints[stint - 1]["ended_at"] = at

    @event("Ended")
    def _ended(self, stint: int, community_id: UUID, reason: str, to_community_id: UUID, at: datetime) -> None:
        self.stints[stint - 1]["state"] = ENDED
        self.stints[stint - 1]["ended_at"] = at

    # --- the community's worker -------------------------------------------------------------------------------
    def confirm(self, community_id: UUID, stint: int, by: UUID, at: datetime) -> None:
        """A worker of the community confirms the registration."""
        current = self.current_in(community_id, stint)
        if not may_decide(current["state"]):
            raise RegistrationStateError("只有待确认的报到可以确认")
        self._confirmed(stint=stint, community_id=community_id, by=by, at=at)

    @event("Confirmed")
    def _confirmed(self, stint: int, community_id: UUID, by: UUID, at: datetime) -> None:
        self.stints[stint - 1]["state"] = CONFIRMED
        self.stints[stint - 1]["confirmed_at"] = at

    def return_for_correction(self, community_id: UUID, stint: int, reason: str, by: UUID, at: datetime) -> None:
        """A worker returns the registration with a reason (sealed) the member reads; they correct and resubmit."""
        current = self.current_in(community_id, stint)
        if not may_decide(current["state"]):
            raise RegistrationStateError("只有待确认的报到可以退回")
        if not reason:
            raise InvalidInputError("退回需要填写理由")
        self._returned(stint=stint, community_id=community_id, reason=reason, by=by, at=at)

    @event("Returned")
    def _returned(self, stint: int, community_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.stints[stint - 1]["state"] = RETURNED


# --- service the community records directly ------------------------------------------------------------------
class ServiceRecord(Aggregate):
    """One piece of service a confirmed member did for the community outside the volunteer station (e.g. a
    neighbourhood-help task), recorded by the member and counted once a worker of the community confirms it."""

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("party-service", key)

    @classmethod
    def create_id(cls, key: str, **kwargs: object) -> UUID:
        return cls.id_for(key)

    @event("Logged")
    def __init__(self, key: str, account_id: UUID, registration_id: UUID, stint: int, community_id: UUID,
                 kind: str, on: str, minutes: int, description: str, at: datetime) -> None:
        self.account_id = account_id
        self.registration_id = registration_id
        self.stint = stint
        self.community_id = community_id
        self.kind = kind
        self.on = on
        self.minutes = minutes
        self.status = "pending"

    @staticmethod
    def check_minutes(minutes: int) -> None:
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_SERVICE_MINUTES:
            raise InvalidInputError("服务时长应在 0.1 到 24 小时之间")

    def confirm(self, by: UUID, at: datetime) -> None:
        """A worker of the community confirms the service took place: it counts from now on."""
        if self.status != "pending":
            raise ServiceRecordStateError()
        self._confirmed(community_id=self.community_id, by=by, at=at)

    @event("Confirmed")
    def _confirmed(self, community_id: UUID, by: UUID, at: datetime) -> None:
        self.status = "confirmed"

    def decline(self, reason: str, by: UUID, at: datetime) -> None:
        """A worker declines it with a reason (sealed); it never counts."""
        if self.status != "pending":
            raise ServiceRecordStateError()
        if not reason:
            raise InvalidInputError("不予确认需要填写理由")
        self._declined(community_id=self.community_id, reason=reason, by=by, at=at)

    @event("Declined")
    def _declined(self, community_id: UUID, reason: str, by: UUID, at: datetime) -> None:
        self.status = "declined"


# --- the two-way feedback report ----------------------------------------------------------------------------
class FeedbackReport(Aggregate):
    """The feedback reports (双向反馈) one community issued about one member for one year; a reissue is a new
    revision with a new serial, the earlier ones stay verifiable as superseded."""

    @staticmethod
    def id_for(account_id: UUID, community_id: UUID, year: str) -> UUID:
        return stable_id("party-report", account_id, community_id, year)

    @classmethod
    def create_id(cls, account_id: UUID, registration_id: UUID, community_id: UUID, year: str) -> UUID:
        return cls.id_for(account_id, community_id, year)

    @event("Opened")
    def __init__(self, account_id: UUID, registration_id: UUID, community_id: UUID, year: str) -> None:
        self.account_id = account_id
        self.registration_id = registration_id
        self.community_id = community_id
        self.year = year
        self.issues: list[dict] = []

    @staticmethod
    def serial_for(community_code: str, year: str, report_id: UUID, revision: int) -> str:
        """Deterministic: the same community, member, year and revision give the same serial."""
        return f"DYBD-{community_code}-{year}-{report_id.hex[:8].upper()}-{revision:02d}"

    @staticmethod
    def check_rating(rating: str | None) -> None:
        if rating is not None and rating not in RATINGS:
            raise RatingError()

    def issue(self, serial: str, code: str, stint: int, community_name: str, registered_on: str, figures: dict,
              items: list[dict], evaluation: str, disclose: list[str], public: str, by: UUID,
              at: datetime) -> dict:
        """Issue the report: what the events say the member did for the community that year (`figures`, `items`),
        the worker's evaluation (rating and comment, sealed), and what its public check may show."""
        self._issued(revision=len(self.issues) + 1, serial=serial, code=code, stint=stint,
                     community_id=self.community_id, community_name=community_name, year=self.year,
                     registered_on=registered_on, figures=dict(figures), items=list(items), evaluation=evaluation,
                     disclose=list(disclose), public=public, by=by, at=at)
        return self.issues[-1]

    @event("Issued")
    def _issued(self, revision: int, serial: str, code: str, stint: int, community_id: UUID, community_name: str,
                year: str, registered_on: str, figures: dict, items: list, evaluation: str, disclose: list,
                public: str, by: UUID, at: datetime) -> None:
        self.issues.append({"revision": revision, "serial": serial, "code": code, "stint": stint,
                            "figures": figures, "items": items, "disclose": disclose, "public": public,
                            "evaluation": evaluation, "registered_on": registered_on,
                            "community_name": community_name, "at": at})


# --- the community's list of service kinds -------------------------------------------------------------------
class ServiceKinds(Aggregate):
    """The kinds of service a community asks members to choose from (the defaults until its workers change them)."""

    @staticmethod
    def id_for(community_id: UUID) -> UUID:
        return stable_id("party-service-kinds", community_id)

    @classmethod
    def create_id(cls, community_id: UUID, kinds: list[str]) -> UUID:
        return cls.id_for(community_id)

    @event("Started")
    def __init__(self, community_id: UUID, kinds: list[str]) -> None:
        self.community_id = community_id
        self.kinds = list(kinds)

    def add(self, kind: str, by: UUID, at: datetime) -> None:
        """A worker adds a kind to the list."""
        if kind in self.kinds:
            raise ServiceKindError("该服务类别已在列表中")
        if len(self.kinds) >= MAX_SERVICE_KINDS:
            raise ServiceKindError("服务类别最多 30 个")
        self._kind_added(community_id=self.community_id, kind=kind, by=by, at=at)

    @event("KindAdded")
    def _kind_added(self, community_id: UUID, kind: str, by: UUID, at: datetime) -> None:
        self.kinds.append(kind)

    def remove(self, kind: str, by: UUID, at: datetime) -> None:
        """A worker takes a kind off the list (registrations that chose it keep it)."""
        if kind not in self.kinds:
            raise ServiceKindError("该服务类别不在列表中")
        if len(self.kinds) == 1:
            raise ServiceKindError("至少保留一个服务类别")
        self._kind_removed(community_id=self.community_id, kind=kind, by=by, at=at)

    @event("KindRemoved")
    def _kind_removed(self, community_id: UUID, kind: str, by: UUID, at: datetime) -> None:
        self.kinds.remove(kind)


# --- the service needs board ----------------------------------------------------------------------------------
class Need(Aggregate):
    """A task the community asks Party members to take on, posted on the board as a link to a shift of one of its
    volunteer action days: members sign up for the shift at the volunteer station (no second sign-up system)."""

    @staticmethod
    def id_for(shift_id: UUID) -> UUID:
        return stable_id("party-need", shift_id)

    @classmethod
    def create_id(cls, community_id: UUID, day_id: UUID, shift_id: UUID, **kwargs: object) -> UUID:
        return cls.id_for(shift_id)

    @event("Posted")
    def __init__(self, community_id: UUID, day_id: UUID, shift_id: UUID, kind: str, note: str, by: UUID,
                 at: datetime) -> None:
        self.community_id = community_id
        self.day_id = day_id
        self.shift_id = shift_id
        self.kind = kind
        self.note = note
        self.open = True

    def repost(self, kind: str, note: str, by: UUID, at: datetime) -> None:
        """Put a need taken off the board back on it (with its kind and note as now given)."""
        if self.open:
            raise NeedStateError("该班次已在需求栏中")
        self._reposted(community_id=self.community_id, kind=kind, note=note, by=by, at=at)

    @event("Reposted")
    def _reposted(self, community_id: UUID, kind: str, note: str, by: UUID, at: datetime) -> None:
        self.kind = kind
        self.note = note
        self.open = True

    def remove(self, by: UUID, at: datetime) -> None:
        """Take the need off the board (the shift itself stays at the volunteer station)."""
        if not self.open:
            raise NeedStateError("该需求已撤下")
        self._removed(community_id=self.community_id, by=by, at=at)

    @event("Removed")
    def _removed(self, community_id: UUID, by: UUID, at: datetime) -> None:
        self.open = False

