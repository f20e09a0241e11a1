"""Volunteer action days (集中行动日): shifts with limited places, waitlist, check-in/out, credited hours.

Every place of every shift of one day lives in ONE event stream (the `ActionDay`), so two concurrent
sign-ups for the last place cannot both be saved: the second append conflicts and is retried on fresh
state, where the shift is full. A `Volunteer` aggregate per person holds the time intervals they have
booked on every day, saved in the same atomic append, so overlapping shifts across days are refused
just as race-free; it also holds the sealed ID number (for age checks and certificates) and the
notices-seen mark. A `Certificate` per organisation × volunteer × year records each issued certificate
of service hours."""
from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.time import local_date, parse_date
from domain.kernel.topics import moved
from domain.volunteer.policies import sign_up_closes_at, sign_up_open

DEFAULT_CUTOFF_MINUTES = 120
MAX_CUTOFF_MINUTES = 7 * 24 * 60
MAX_PLACES = 1000
MAX_SHIFT = timedelta(hours=24)
CHECK_IN_OPENS = timedelta(hours=1)      # before the shift starts
CHECK_IN_CLOSES = timedelta(hours=12)    # after the shift ends (later: a correction)
MAX_MINUTES = 24 * 60

CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"


# --- named errors -----------------------------------------------------------------------------------
class ShiftFullError(ConflictError):
    """Every place of the shift is taken."""

    message = "该班次名额已满"


class AlreadySignedUpError(ConflictError):
    """The volunteer already holds a place or a waitlist place in this shift."""

    message = "您已报名该班次"


class NotSignedUpError(ConflictError):
    """The volunteer holds no place (or waitlist place) in this shift."""

    message = "您没有报名该班次"


class OverlappingShiftError(ConflictError):
    """The volunteer is already booked for a shift at the same time."""

    message = "您在这个时间已报名了其他班次（{task}）"


class SignUpClosedError(ConflictError):
    """The cut-off before the shift has passed: sign-up and cancel are closed."""

    message = "报名和取消已截止（班次开始前 {hours} 小时截止）"


class ShiftInPastError(InvalidInputError):
    """A shift must start in the future."""

    message = "班次开始时间必须晚于现在"


class ShiftTimesError(InvalidInputError):
    """A shift must end after it starts, and last at most a day."""

    message = "班次结束时间必须晚于开始时间，且不超过 24 小时"


class ShiftDateError(InvalidInputError):
    """A shift starts on the action day's own date."""

    message = "班次应在行动日当天（{date}）开始"


class PlacesError(InvalidInputError):
    """Places must be a whole number from 1 to 1000."""

    message = "名额应为 1 到 1000 之间的整数"


class AgeRequirementError(NotAllowedError):
    """The volunteer is younger than the shift requires."""

    message = "该班次要求年满 {age} 周岁"


class IdentityRequiredError(ConflictError):
    """The shift has an age requirement and the volunteer has not registered an ID number."""

    message = "该班次有年龄要求，请先在“我的志愿服务”中登记身份证号"


class CheckInClosedError(ConflictError):
    """Check-in opens an hour before the shift and closes twelve hours after it ends."""

    message = "现在不在签到时间内（班次开始前 1 小时至结束后 12 小时）"


class NotCheckedInError(ConflictError):
    """Check-out needs a check-in first."""

    message = "该志愿者尚未签到"


class AlreadyCheckedError(ConflictError):
    """A volunteer checks in once and out once per shift."""

    message = "该志愿者已签到"


class HoursError(InvalidInputError):
    """Corrected hours are between 0 and 24 and need a reason."""

    message = "服务时长应在 0 到 24 小时之间"


class ShiftCancelledError(ConflictError):
    """The organiser called the shift (or the whole day) off: nothing more can be booked or checked in."""

    message = "该班次已取消"


class DayCancelledError(ConflictError):
    """The organiser called the whole day off."""

    message = "该行动日已取消"


class ShiftOverError(ConflictError):
    """A shift that has ended cannot be called off or resized any more."""

    message = "该班次已结束"


class PlacesBelowSignedUpError(ConflictError):
    """Places may shrink, but never below the number of volunteers already holding a place."""

    message = "名额不能少于已报名的 {n} 人"


class WalkInFullError(ConflictError):
    """Every place is taken; the worker may still add the walk-in beyond places, on purpose."""

    message = "该班次名额已满；如确需现场加入，请勾选“超出名额”"


class ShiftNotFoundError(NotFoundError):
    """The shift does not belong to this action day."""

    message = "找不到该班次"


class ActionDay(Aggregate):
    """One action day of a community (or of a whole street) with all its shifts and their places."""

    @staticmethod
    def id_for(key: str) -> UUID:
        """A day's id comes from a key the use case chooses (the command id, so a repeat collides)."""
        return stable_id("action-day", key)

    @classmethod
    def create_id(cls, key: str, **kwargs: object) -> UUID:
        return cls.id_for(key)

    @event("Created")
    def __init__(self, key: str, community_id: UUID | None, street_id: UUID, title: str, description: str,
                 date: str, cutoff_minutes: int, created_by: UUID, at: datetime) -> None:
        self.community_id = community_id
        self.street_id = street_id
        self.title = title
        self.description = description
        self.date = date
        self.cutoff_minutes = cutoff_minutes
        self.created_by = created_by
        self.shifts: dict[str, dict] = {}
        self.order: list[str] = []
        self.cancelled: dict | None = None

    @staticmethod
    def shift_id_for(day_id: UUID, number: int) -> UUID:
        """Shift ids are deterministic: the n-th shift of a day."""
        return stable_id("shift", day_id, number)

    @classmethod
    def check_details(cls, date_text: str, cutoff_minutes: int) -> None:
        """Refuse a malformed date or cut-off before anything is created."""
        parse_date(date_text, "日期")
        if not 0 <= cutoff_minutes <= MAX_CUTOFF_MINUTES:
            raise InvalidInputError("截止时间应在班次开始前 0 到 168 小时之间")

    # --- shifts ---------------------------------------------------------------------------------
    def add_shift(self, task: str, place: str, starts_at: datetime, ends_at: datetime, places: int,
                  min_age: int | None, by: UUID, at: datetime) -> UUID:
        """Add a shift: a task at a place and time, with a number of places and an optional minimum age."""
        if starts_at.tzinfo is None or ends_at.tzinfo is None:
            raise ShiftTimesError()
        if starts_at <= at:
            raise ShiftInPastError()
        if not (starts_at < ends_at and ends_at - starts_at <= MAX_SHIFT):
            raise ShiftTimesError()
        if local_date(starts_at) != self.date:
            raise ShiftDateError(date=self.date)
        if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
            raise PlacesError()
        if min_age is not None and not 1 <= min_age <= 100:
            raise InvalidInputError("年龄要求应在 1 到 100 周岁之间")
        if getattr(self, "cancelled", None):
            raise DayCancelledError()
        if len(self.order) >= 100:
            raise ConflictError("一个行动日最多 100 个班次")
        shift_id = self.shift_id_for(self.id, len(self.order) + 1)
        self._shift_added(shift_id=shift_id, task=task, place=place, starts_at=starts_at, ends_at=ends_at,
                          places=places, min_age=min_age, by=by, at=at)
        return shift_id

    @event("ShiftAdded")
    def _shift_added(self, shift_id: UUID, task: str, place: str, starts_at: datetime, ends_at: datetime,
                     places: int, min_age: int | None, by: UUID, at: datetime) -> None:
        self.shifts[str(shift_id)] = {
            "task": task, "place": place, "starts_at": starts_at, "ends_at": ends_at, "places": places,
            "min_age": min_age, "confirmed": [], "waitlist": [], "attendance": {}}
        self.order.append(str(shift_id))

    def shift(self, shift_id: UUID) -> dict:
        """The shift's state, or ShiftNotFoundError when it is not one of this day's."""
        shift = self.shifts.get(str(shift_id))
        if shift is None:
            raise ShiftNotFoundError()
        return shift

    def open_places(self, shift_id: UUID) -> int:
        shift = self.shift(shift_id)
        return shift["places"] - len(shift["confirmed"])

    def status_of(self, shift_id: UUID, account_id: UUID) -> str | None:
        """`confirmed`, `waitlisted` or None."""
        shift = self.shift(shift_id)
        if str(account_id) in shift["confirmed"]:
            return CONFIRMED
        if str(account_id) in shift["waitlist"]:
            return WAITLISTED
        return None

    def cutoff(self, shift_id: UUID) -> datetime:
        """When sign-up and cancel close for a shift."""
        return sign_up_closes_at(self.shift(shift_id)["starts_at"], self.cutoff_minutes)

    def is_cancelled(self, shift_id: UUID) -> bool:
        """The organiser called this shift (or its day) off."""
        return bool(self.shift(shift_id).get("cancelled"))

    def _require_open(self, shift_id: UUID, at: datetime) -> dict:
        shift = self.shift(shift_id)
        if shift.get("cancelled"):
            raise ShiftCancelledError()
        if not sign_up_open(shift["starts_at"], self.cutoff_minutes, at):
            raise SignUpClosedError(hours=_hours_text(self.cutoff_minutes))
        return shift

    # --- sign-up, waitlist, cancel -----------------------------------------------------------------
    def sign_up(self, shift_id: UUID, account_id: UUID, at: datetime, *, waitlist: bool = False,
                age: int | None = None) -> str:
        """Take a place; when the shift is full, join its waitlist if asked to, else ShiftFullError."""
        shift = self._require_open(shift_id, at)
        if self.status_of(shift_id, account_id) is not None:
            raise AlreadySignedUpError()
        if shift["min_age"]:
            if age is None:
                raise IdentityRequiredError()
            if age < shift["min_age"]:
                raise AgeRequirementError(age=shift["min_age"])
        clash = self.overlapping(account_id, shift["starts_at"], shift["ends_at"])
        if clash is not None:
            raise OverlappingShiftError(task=self.shifts[clash]["task"])
        if len(shift["confirmed"]) < shift["places"]:
            self._signed_up(shift_id=shift_id, account_id=account_id, at=at)
            return CONFIRMED
        if not waitlist:
            raise ShiftFullError()
        self._waitlisted(shift_id=shift_id, account_id=account_id, at=at)
        return WAITLISTED

    def overlapping(self, account_id: UUID, starts_at: datetime, ends_at: datetime) -> str | None:
        """The id of a shift of this day, held or waited for by the volunteer, that overlaps the interval."""
        person = str(account_id)
        for sid in self.order:
            other = self.shifts[sid]
            if other["starts_at"] < ends_at and starts_at < other["ends_at"] and not other.get("cancelled") and \
                    (person in other["confirmed"] or person in other["waitlist"]):
                return sid
        return None

    @event("SignedUp")
    def _signed_up(self, shift_id: UUID, account_id: UUID, at: datetime) -> None:
        self.shifts[str(shift_id)]["confirmed"].append(str(account_id))

    @event("Waitlisted")
    def _waitlisted(self, shift_id: UUID, account_id: UUID, at: datetime) -> None:
        self.shifts[str(shift_id)]["waitlist"].append(str(account_id))

    def cancel(self, shift_id: UUID, account_id: UUID, at: datetime) -> UUID | None:
        """Give up a place or a waitlist place; the first on the waitlist takes a freed place. Returns them."""
        shift = self._require_open(shift_id, at)
        status = self.status_of(shift_id, account_id)
        if status is None:
            raise NotSignedUpError()
        self._cancelled(shift_id=shift_id, account_id=account_id, at=at)
        if status == CONFIRMED and shift["waitlist"] and len(shift["confirmed"]) < shift["places"]:
            promoted = UUID(shift["waitlist"][0])
            self._promoted(shift_id=shift_id, account_id=promoted, at=at)
            return promoted
        return None

    @event("Cancelled")
    def _cancelled(self, shift_id: UUID, account_id: UUID, at: datetime) -> None:
        shift = self.shifts[str(shift_id)]
        for key in ("confirmed", "waitlist"):
            if str(account_id) in shift[key]:
                shift[key].remove(str(account_id))

    @event("Promoted")
    def _promoted(self, shift_id: UUID, account_id: UUID, at: datetime) -> None:
        shift = self.shifts[str(shift_id)]
        shift["waitlist"].remove(str(account_id))
        shift["confirmed"].append(str(account_id))

    # --- the organiser changes plans: call off a shift or the day, change places ----------------------
    def cancel_by_organiser(self, shift_id: UUID, reason: str, by: UUID, at: datetime) -> list[str]:
        """Call a shift off for everyone, with a reason. Returns who held a place or waited (to be told).
        Places, waitlist and any recorded attendance stay in the record; nothing more can be booked."""
        shift = self.shift(shift_id)
        if shift.get("cancelled"):
            raise ShiftCancelledError()
        if at >= shift["ends_at"]:
            raise ShiftOverError()
        if not reason:
            raise InvalidInputError("取消需要填写理由")
        confirmed, waitlisted = list(shift["confirmed"]), list(shift["waitlist"])
        self._shift_cancelled(shift_id=shift_id, reason=reason, by=by, at=at, confirmed=confirmed,
                              waitlisted=waitlisted)
        return confirmed + waitlisted

    @event("ShiftCancelled")
    def _shift_cancelled(self, shift_id: UUID, reason: str, by: UUID, at: datetime, confirmed: list,
                         waitlisted: list) -> None:
        self.shifts[str(shift_id)]["cancelled"] = {"reason": reason, "by": str(by), "at": at}

    def cancel_day(self, reason: str, by: UUID, at: datetime) -> dict[str, list[str]]:
        """Call the whole day off: every shift not yet ended or cancelled is cancelled with the same reason.
        Returns shift id → the people to tell."""
        if getattr(self, "cancelled", None):
            raise DayCancelledError()
        if not reason:
            raise InvalidInputError("取消需要填写理由")
        affected = {}
        for sid in self.order:
            shift = self.shifts[sid]
            if not shift.get("cancelled") and at < shift["ends_at"]:
                affected[sid] = self.cancel_by_organiser(UUID(sid), reason, by, at)
        self._day_cancelled(reason=reason, by=by, at=at)
        return affected

    @event("DayCancelled")
    def _day_cancelled(self, reason: str, by: UUID, at: datetime) -> None:
        self.cancelled = {"reason": reason, "by": str(by), "at": at}

    def change_places(self, shift_id: UUID, places: int, by: UUID, at: datetime) -> list[UUID]:
        """Set a shift's places: never below those already holding one; a rise promotes the waitlist in order.
        Returns who was promoted."""
        shift = self.shift(shift_id)
        if shift.get("cancelled"):
            raise ShiftCancelledError()
        if at >= shift["ends_at"]:
            raise ShiftOverError()
        if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= MAX_PLACES:
            raise PlacesError()
        if places < len(shift["confirmed"]):
            raise PlacesBelowSignedUpError(n=len(shift["confirmed"]))
        if places == shift["places"]:
            return []
        self._places_changed(shift_id=shift_id, places=places, was=shift["places"], by=by, at=at)
        promoted = []
        while shift["waitlist"] and len(shift["confirmed"]) < shift["places"]:
            account_id = UUID(shift["waitlist"][0])
            self._promoted(shift_id=shift_id, account_id=account_id, at=at)
            promoted.append(account_id)
        return promoted

    @event("PlacesChanged")
    def _places_changed(self, shift_id: UUID, places: int, was: int, by: UUID, at: datetime) -> None:
        self.shifts[str(shift_id)]["places"] = places

    def walk_in(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime, *, beyond_places: bool = False,
                age: int | None = None) -> None:
        """A worker adds a verified resident who turns up without a place and checks them in at once.
        A free place is taken like a sign-up; when none is left the worker must say `beyond_places`, and the
        walk-in is recorded as over the planned number (it never takes a waiting volunteer's place)."""
        shift = self.shift(shift_id)
        if shift.get("cancelled"):
            raise ShiftCancelledError()
        if not shift["starts_at"] - CHECK_IN_OPENS <= at <= shift["ends_at"] + CHECK_IN_CLOSES:
            raise CheckInClosedError()
        if str(account_id) in shift["confirmed"]:
            raise AlreadySignedUpError("该志愿者已报名该班次，请直接签到")
        if shift["min_age"]:
            if age is None:
                raise IdentityRequiredError("该班次有年龄要求，该志愿者需先登记身份证号")
            if age < shift["min_age"]:
                raise AgeRequirementError(age=shift["min_age"])
        clash = self.overlapping(account_id, shift["starts_at"], shift["ends_at"])
        if clash is not None and clash != str(shift_id):
            raise OverlappingShiftError("该志愿者在这个时间已报名了其他班次（{task}）", task=self.shifts[clash]["task"])
        over = len(shift["confirmed"]) >= shift["places"]
        if over and not beyond_places:
            raise WalkInFullError()
        self._walked_in(shift_id=shift_id, account_id=account_id, by=by, at=at, beyond_places=over)
        self._checked_in(shift_id=shift_id, account_id=account_id, by=by, at=at)

    @event("WalkedIn")
    def _walked_in(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime, beyond_places: bool) -> None:
        shift = self.shifts[str(shift_id)]
        if str(account_id) in shift["waitlist"]:
            shift["waitlist"].remove(str(account_id))
        shift["confirmed"].append(str(account_id))

    # --- check-in / check-out / corrections ---------------------------------------------------------
    def check_in(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime) -> None:
        """A worker records the volunteer's arrival (the start of their credited time)."""
        shift = self._require_attending(shift_id, account_id, at)
        if shift.get("cancelled"):
            raise ShiftCancelledError()
        if str(account_id) in shift["attendance"]:
            raise AlreadyCheckedError("该志愿者已签到")
        self._checked_in(shift_id=shift_id, account_id=account_id, by=by, at=at)

    @event("CheckedIn")
    def _checked_in(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime) -> None:
        self.shifts[str(shift_id)]["attendance"][str(account_id)] = {"in": at, "out": None, "minutes": 0}

    def check_out(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime) -> int:
        """A worker records the volunteer's departure; the credited minutes are check-out minus check-in."""
        shift = self._require_attending(shift_id, account_id, at)
        record = shift["attendance"].get(str(account_id))
        if record is None:
            raise NotCheckedInError()
        if record["out"] is not None:
            raise AlreadyCheckedError("该志愿者已签退")
        minutes = max(0, int((at - record["in"]).total_seconds() // 60))
        self._checked_out(shift_id=shift_id, account_id=account_id, by=by, at=at, minutes=minutes)
        return minutes

    @event("CheckedOut")
    def _checked_out(self, shift_id: UUID, account_id: UUID, by: UUID, at: datetime, minutes: int) -> None:
        record = self.shifts[str(shift_id)]["attendance"][str(account_id)]
        record["out"] = at
        record["minutes"] = minutes

    def correct_hours(self, shift_id: UUID, account_id: UUID, minutes: int, reason: str, by: UUID,
                      at: datetime) -> None:
        """A worker sets a volunteer's credited minutes for a shift, with a reason; the record keeps both."""
        shift = self.shift(shift_id)
        if str(account_id) not in shift["confirmed"]:
            raise NotSignedUpError("该志愿者没有报名该班次")
        if at < shift["starts_at"] - CHECK_IN_OPENS:
            raise ConflictError("签到开始后才能更正服务时长")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
            raise HoursError()
        if not reason:
            raise InvalidInputError("更正服务时长需要填写理由")
        self._hours_corrected(shift_id=shift_id, account_id=account_id, minutes=minutes, reason=reason, by=by,
                              at=at)

    @event("HoursCorrected")
    def _hours_corrected(self, shift_id: UUID, account_id: UUID, minutes: int, reason: str, by: UUID,
                         at: datetime) -> None:
        attendance = self.shifts[str(shift_id)]["attendance"]
        record = attendance.setdefault(str(account_id), {"in": None, "out": None, "minutes": 0})
        record["minutes"] = minutes
        record["corrected"] = True

    def credited_minutes(self, shift_id: UUID, account_id: UUID) -> int:
        """Minutes credited to the volunteer for a shift: from check-in/out, or as corrected."""
        record = self.shift(shift_id)["attendance"].get(str(account_id))
        if record is None or (record["out"] is None and not record.get("corrected")):
            return 0
        return record["minutes"]

    def how_credited(self, shift_id: UUID, account_id: UUID) -> dict:
        """How the credited minutes came about: `checked_minutes` from check-in to check-out (None without a
        check-out) and whether a worker's correction set them (`corrected`)."""
        record = self.shift(shift_id)["attendance"].get(str(account_id)) or {}
        checked = None
        if record.get("in") is not None and record.get("out") is not None:
            checked = max(0, int((record["out"] - record["in"]).total_seconds() // 60))
        return {"checked_minutes": checked, "corrected": bool(record.get("corrected"))}

    def _require_attending(self, shift_id: UUID, account_id: UUID, at: datetime) -> dict:
        shift = self.shift(shift_id)
        if str(account_id) not in shift["confirmed"]:
            raise NotSignedUpError("该志愿者没有报名该班次")
        if not shift["starts_at"] - CHECK_IN_OPENS <= at <= shift["ends_at"] + CHECK_IN_CLOSES:
            raise CheckInClosedError()
        return shift


def _hours_text(minutes: int) -> str:
    return f"{minutes // 60}" if minutes % 60 == 0 else f"{minutes / 60:.1f}"


class Volunteer(Aggregate):
    """One person as a volunteer: booked intervals across all action days, sealed ID number, notices seen."""

    @staticmethod
    def id_for(account_id: UUID) -> UUID:
        return stable_id("volunteer", account_id)

    @classmethod
    def create_id(cls, account_id: UUID) -> UUID:
        return cls.id_for(account_id)

    @event("Enrolled")
    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id
        self.bookings: dict[str, dict] = {}
        self.days: list[str] = []
        self.personal = ""

    def book(self, day_id: UUID, shift_id: UUID, task: str, starts_at: datetime, ends_at: datetime) -> None:
        """Hold an interval for a shift (a place or a waitlist place); refuse one that overlaps another."""
        if str(shift_id) in self.bookings:
            raise AlreadySignedUpError()
        for booking in self.bookings.values():
            if booking["starts_at"] < ends_at and starts_at < booking["ends_at"]:
                raise OverlappingShiftError(task=booking["task"])
        self._booked(day_id=day_id, shift_id=shift_id, task=task, starts_at=starts_at, ends_at=ends_at)

    @event("Booked")
    def _booked(self, day_id: UUID, shift_id: UUID, task: str, starts_at: datetime, ends_at: datetime) -> None:
        self.bookings[str(shift_id)] = {"day_id": str(day_id), "task": task, "starts_at": starts_at,
                                        "ends_at": ends_at}
        if str(day_id) not in self.days:
            self.days.append(str(day_id))

    def release(self, shift_id: UUID) -> None:
        """Free the interval of a cancelled shift."""
        if str(shift_id) in self.bookings:
            self._released(shift_id=shift_id)

    @event("Released")
    def _released(self, shift_id: UUID) -> None:
        self.bookings.pop(str(shift_id), None)

    def register_identity(self, personal: str, at: datetime) -> None:
        """Record the sealed ID number (needed for age requirements and shown masked on certificates)."""
        self._identity_registered(personal=personal, at=at)

    @event("IdentityRegistered")
    def _identity_registered(self, personal: str, at: datetime) -> None:
        self.personal = personal

    def mark_notices_seen(self, at: datetime) -> None:
        """The volunteer has read every notice given to them up to `at`."""
        self._notices_seen(at=at)

    @event("NoticesSeen")
    def _notices_seen(self, at: datetime) -> None:
        pass


class Certificate(Aggregate):
    """The certificates of service hours one organisation issued to one volunteer for one year."""

    @staticmethod
    def id_for(org_id: UUID, account_id: UUID, year: str) -> UUID:
        return stable_id("volunteer-certificate", org_id, account_id, year)

    @classmethod
    def create_id(cls, org_id: UUID, org_kind: str, account_id: UUID, year: str) -> UUID:
        return cls.id_for(org_id, account_id, year)

    @event("Opened")
    def __init__(self, org_id: UUID, org_kind: str, account_id: UUID, year: str) -> None:
        self.org_id = org_id
        self.org_kind = org_kind
        self.account_id = account_id
        self.year = year
        self.issues: list[dict] = []

    @staticmethod
    def serial_for(org_code: str, year: str, certificate_id: UUID, revision: int) -> str:
        """Deterministic: the same organisation, volunteer, year and revision give the same serial number."""
        return f"ZYFW-{org_code}-{year}-{certificate_id.hex[:8].upper()}-{revision:02d}"

    def latest(self) -> dict | None:
        return self.issues[-1] if self.issues else None

    # Since issue 15 each item also says how its minutes came about (`ActionDay.how_credited`); items issued before
    # have only the hours.
    SPLIT = ("checked_minutes", "corrected")

    @classmethod
    def same_items(cls, issued: list[dict], items: list[dict]) -> bool:
        """The items of an issue say what `items` say: the same hours and, when the issue records it, the same split."""
        if all(all(k in i for k in cls.SPLIT) for i in issued):
            return issued == items
        return [cls.hours_only(i) for i in issued] == [cls.hours_only(i) for i in items]

    @classmethod
    def hours_only(cls, item: dict) -> dict:
        return {k: v for k, v in item.items() if k not in cls.SPLIT}

    @classmethod
    def split(cls, items: list[dict]) -> dict:
        """Minutes from check-in/out and minutes a worker's correction set, over the items; `known` is False when
        an item does not say (issued before the split was recorded)."""
        known = all(all(k in i for k in cls.SPLIT) for i in items)
        corrected = sum(i["minutes"] for i in items if i.get("corrected"))
        return {"known": known, "checked": sum(i["minutes"] for i in items) - corrected if known else 0,
                "corrected": corrected if known else 0}

    def issue(self, serial: str, code: str, org_name: str, minutes: int, items: list[dict], by: UUID,
              at: datetime) -> dict:
        """Issue a certificate for the credited hours; unchanged hours give back the last one, not a new one."""
        if minutes <= 0:
            raise ConflictError("该期间没有可证明的服务时长")
        last = self.latest()
        if last is not None and last["minutes"] == minutes and self.same_items(last["items"], items):
            return last
        self._issued(revision=len(self.issues) + 1, serial=serial, code=code, account_id=self.account_id,
                     org_id=self.org_id, org_kind=self.org_kind, org_name=org_name, year=self.year,
                     minutes=minutes, items=items, by=by, at=at)
        return self.issues[-1]

    @event("Issued")
    def _issued(self, revision: int, serial: str, code: str, account_id: UUID, org_id: UUID, org_kind: str,
                org_name: str, year: str, minutes: int, items: list[dict], by: UUID, at: datetime) -> None:
        self.issues.append({"revision": revision, "serial": serial, "code": code, "org_name": org_name,
                            "minutes": minutes, "items": items, "at": at})


moved({"domain.action_day:ActionDay": ActionDay, "domain.action_day:Volunteer": Volunteer,
       "domain.action_day:Certificate": Certificate})
