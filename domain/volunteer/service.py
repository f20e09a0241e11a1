"""Use cases of the volunteer station (`app.volunteer.*`): action days, shifts, sign-up/waitlist/cancel,
check-in/out, hours, certificates. Who may do what is `policies`, asked of the actor as the events say it is."""
from __future__ import annotations

import base64
from hmac import compare_digest
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.text import check_id_number, clean_text
from domain.kernel.time import local_date, local_day
from domain.volunteer import policies
from domain.volunteer.model import ActionDay, Certificate, Volunteer

if TYPE_CHECKING:
    from domain.kernel.application import Linli

MAX_DAYS_AHEAD = 2 * 366


@dataclass(frozen=True)
class Verification:
    """A certificate looked up by its code and checked against the recorded events. Its items say how their minutes
    came about (`Certificate.split`): as issued, or, for an issue older than that, as the log says for the same
    hours; if the hours have changed since, they do not say."""

    found: bool
    serial: str = ""
    org_name: str = ""
    year: str = ""
    minutes: int = 0
    items: tuple = ()
    issued_at: datetime | None = None
    account_id: UUID | None = None
    revision: int = 0
    latest_revision: int = 0
    matches_events: bool = False
    current_minutes: int = 0


class VolunteerService:
    """The volunteer station's use cases."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    # --- action days and shifts ---------------------------------------------------------------------
    def create_action_day(self, actor_id: UUID, community_id: UUID | None, street_id: UUID | None, title: str,
                          description: str, day: str, cutoff_minutes: int = 120,
                          command_id: str | None = None) -> UUID:
        """A community worker creates a community day; a street official creates a street-wide one."""
        title = clean_text(title, "标题", max_length=60)
        description = clean_text(description, "说明", max_length=2000, required=False, multiline=True)
        ActionDay.check_details(day, cutoff_minutes)
        actor = self.app.accounts.actor(actor_id)
        if community_id is not None:
            street_id = self.app.accounts.community(community_id).street_id
            if not policies.may_create_day(actor, community_id):
                raise NotAllowedError("只有本社区的社区工作者可以创建行动日")
        elif street_id is not None:
            self.app.accounts.street(street_id)
            if not policies.may_create_street_day(actor, street_id):
                raise NotAllowedError("只有街道工作人员可以创建全街道行动日")
        else:
            raise InvalidInputError("请选择社区或街道")
        today = local_day(self.app.clock())
        if date.fromisoformat(day) < today:
            raise InvalidInputError("行动日不能早于今天")
        if date.fromisoformat(day) > today + timedelta(days=MAX_DAYS_AHEAD):
            raise InvalidInputError("行动日最多提前两年安排")
        key = command_id or uuid4().hex
        day_id = ActionDay.id_for(key)

        def action():
            if self.app.find(ActionDay, day_id) is not None:
                return day_id, []
            return day_id, [ActionDay(key=key, community_id=community_id, street_id=street_id, title=title,
                                      description=description, date=day, cutoff_minutes=cutoff_minutes,
                                      created_by=actor_id, at=self.app.clock())]
        return self.app.execute("vol-create-day", command_id, action, actor=actor_id)

    def action_day(self, day_id: UUID) -> ActionDay:
        """The action day, or NotFoundError."""
        return self.app.load(ActionDay, day_id, "行动日")

    def add_shift(self, actor_id: UUID, day_id: UUID, task: str, place: str, starts_at: datetime,
                  ends_at: datetime, places: int, min_age: int | None = None,
                  command_id: str | None = None) -> UUID:
        """The day's organiser adds a shift (task, place, start/end, places, optional minimum age)."""
        task = clean_text(task, "任务", max_length=60)
        place = clean_text(place, "地点", max_length=100)
        self._require_organiser(actor_id, self.action_day(day_id))

        def action():
            day = self.action_day(day_id)
            shift_id = day.add_shift(task, place, starts_at, ends_at, places, min_age, actor_id, self.app.clock())
            return shift_id, [day]
        return self.app.execute("vol-add-shift", command_id, action, actor=actor_id)

    def _require(self, rule, actor_id: UUID, day: ActionDay, message: str) -> None:
        """NotAllowedError unless `rule` (a `policies.may_*` over a day) admits the actor as the events say."""
        if not rule(self.app.accounts.actor(actor_id), day.community_id, day.street_id):
            raise NotAllowedError(message)

    def _require_organiser(self, actor_id: UUID, day: ActionDay) -> None:
        self._require(policies.may_organise, actor_id, day, "只有组织该行动日的社区工作者或街道工作人员可以进行此操作")

    def _require_manager(self, actor_id: UUID, day: ActionDay) -> None:
        self._require(policies.may_manage, actor_id, day,
                      "只有该行动日的主办方（社区工作者；全街道行动日为街道工作人员）可以取消或调整班次")

    # --- the organiser changes plans ----------------------------------------------------------------------
    def cancel_whole_shift(self, actor_id: UUID, day_id: UUID, shift_id: UUID, reason: str,
                           command_id: str | None = None) -> list[str]:
        """Call one shift off for everyone; each volunteer is told (in-app notice) and their time is freed.
        Hours already recorded stay. Returns the account ids told."""
        reason = clean_text(reason, "理由", max_length=200)
        self._require_manager(actor_id, self.action_day(day_id))

        def action():
            day = self.action_day(day_id)
            told = day.cancel_by_organiser(shift_id, reason, actor_id, self.app.clock())
            return told, [day, *self._release_all(told, {str(shift_id): told})]
        return self.app.execute("vol-cancel-shift", command_id, action, actor=actor_id)

    def cancel_action_day(self, actor_id: UUID, day_id: UUID, reason: str, command_id: str | None = None) -> int:
        """Call the whole day off: every shift not yet over is cancelled as above. Returns how many were told."""
        reason = clean_text(reason, "理由", max_length=200)
        self._require_manager(actor_id, self.action_day(day_id))

        def action():
            day = self.action_day(day_id)
            affected = day.cancel_day(reason, actor_id, self.app.clock())
            people = sorted({a for told in affected.values() for a in told})
            return len(people), [day, *self._release_all(people, affected)]
        return self.app.execute("vol-cancel-day", command_id, action, actor=actor_id)

    def _release_all(self, people: list[str], affected: dict[str, list[str]]) -> list[Volunteer]:
        """Free the cancelled shifts' intervals in each affected volunteer's bookings."""
        changed = []
        for account_id in people:
            volunteer = self.app.find(Volunteer, Volunteer.id_for(UUID(account_id)))
            if volunteer is None:
                continue
            for shift_id, told in affected.items():
                if account_id in told:
                    volunteer.release(UUID(shift_id))
            changed.append(volunteer)
        return changed

    def change_shift_places(self, actor_id: UUID, day_id: UUID, shift_id: UUID, places: int,
                            command_id: str | None = None) -> list[UUID]:
        """Set a shift's places (never below those signed up); a rise promotes the waitlist in order."""
        self._require_manager(actor_id, self.action_day(day_id))

        def action():
            day = self.action_day(day_id)
            return day.change_places(shift_id, places, actor_id, self.app.clock()), [day]
        return self.app.execute("vol-change-places", command_id, action, actor=actor_id)

    def walk_in(self, worker_id: UUID, day_id: UUID, shift_id: UUID, phone: str,
                          beyond_places: bool = False, command_id: str | None = None) -> UUID:
        """A worker adds a verified resident who turned up without signing up, found by their phone number,
        and checks them in. Returns their account id."""
        day = self.action_day(day_id)
        self._require_organiser(worker_id, day)
        account_id = self.app.accounts.account_id_for(phone)
        if not policies.may_volunteer(self.app.accounts.actor(account_id), day.community_id, day.street_id):
            raise NotFoundError("找不到使用该手机号的已核实居民（现场加入只限本社区已核实的居民）")

        def action():
            day = self.action_day(day_id)
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id)) or Volunteer(account_id=account_id)
            shift = day.shift(shift_id)
            day.walk_in(shift_id, account_id, worker_id, self.app.clock(), beyond_places=beyond_places,
                        age=self._age(volunteer, shift["starts_at"]) if shift["min_age"] else None)
            if str(shift_id) not in volunteer.bookings:  # a waitlisted volunteer already holds the interval
                volunteer.book(day_id, shift_id, shift["task"], shift["starts_at"], shift["ends_at"])
            return account_id, [day, volunteer]
        return self.app.execute("vol-walk-in", command_id, action, actor=worker_id)

    # --- sign-up, waitlist, cancel ---------------------------------------------------------------------
    def sign_up_for_shift(self, account_id: UUID, day_id: UUID, shift_id: UUID, waitlist: bool = False,
                          command_id: str | None = None) -> str:
        """A verified resident takes a place (or, when full and asked to, a waitlist place). Returns the status."""
        def action():
            day = self.action_day(day_id)
            self._require(policies.may_volunteer, account_id, day, "只有经过核实的本社区居民可以报名志愿服务")
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id)) or Volunteer(account_id=account_id)
            shift = day.shift(shift_id)
            status = day.sign_up(shift_id, account_id, self.app.clock(), waitlist=waitlist,
                                 age=self._age(volunteer, shift["starts_at"]) if shift["min_age"] else None)
            volunteer.book(day_id, shift_id, shift["task"], shift["starts_at"], shift["ends_at"])
            return status, [day, volunteer]
        return self.app.execute("vol-sign-up", command_id, action, actor=account_id)

    def cancel_shift(self, account_id: UUID, day_id: UUID, shift_id: UUID, command_id: str | None = None) -> None:
        """The volunteer gives up their place (or waitlist place); the first waiting is promoted."""
        def action():
            day = self.action_day(day_id)
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id))
            day.cancel(shift_id, account_id, self.app.clock())
            if volunteer is not None:
                volunteer.release(shift_id)
            return None, [day, volunteer]
        return self.app.execute("vol-cancel", command_id, action, actor=account_id)

    def register_identity(self, account_id: UUID, id_number: str, command_id: str | None = None) -> None:
        """The volunteer records their ID number, sealed with their personal key (age checks, certificates)."""
        id_number = check_id_number(id_number)
        if _birth_date(id_number) is None:
            raise InvalidInputError("身份证号中的出生日期不正确")
        self.app.accounts.account(account_id)

        def action():
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id)) or Volunteer(account_id=account_id)
            volunteer.register_identity(self.app.sealer.seal(account_id, {"id_number": id_number}), self.app.clock())
            return None, [volunteer]
        return self.app.execute("vol-identity", command_id, action, actor=account_id)

    def dismiss_notices(self, account_id: UUID, command_id: str | None = None) -> None:
        """The volunteer has read their notices (e.g. "you were promoted from the waitlist")."""
        def action():
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id))
            if volunteer is None:
                return None, []
            volunteer.mark_notices_seen(self.app.clock())
            return None, [volunteer]
        return self.app.execute("vol-notices-seen", command_id, action, actor=account_id)

    def _age(self, volunteer: Volunteer, on: datetime) -> int | None:
        fields = self.app.sealer.unseal(volunteer.account_id, volunteer.personal) if volunteer.personal else None
        born = _birth_date(fields["id_number"]) if fields else None
        if born is None:
            return None
        day = local_day(on)
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    # --- check-in / check-out / corrections ------------------------------------------------------------
    def check_in(self, worker_id: UUID, day_id: UUID, shift_id: UUID, account_id: UUID,
                 command_id: str | None = None) -> None:
        """The organiser records a volunteer's arrival."""
        self._attendance(worker_id, day_id, command_id, "vol-check-in",
                         lambda day: day.check_in(shift_id, account_id, worker_id, self.app.clock()))

    def check_out(self, worker_id: UUID, day_id: UUID, shift_id: UUID, account_id: UUID,
                  command_id: str | None = None) -> int:
        """The organiser records a volunteer's departure; returns the credited minutes."""
        return self._attendance(worker_id, day_id, command_id, "vol-check-out",
                                lambda day: day.check_out(shift_id, account_id, worker_id, self.app.clock()))

    def correct_hours(self, worker_id: UUID, day_id: UUID, shift_id: UUID, account_id: UUID, minutes: int,
                      reason: str, command_id: str | None = None) -> None:
        """The organiser sets a volunteer's credited minutes for a shift, saying why. The reason may name the
        volunteer, so it is sealed under their key and erased with them."""
        reason = clean_text(reason, "理由", max_length=200)
        sealed = self.app.sealer.seal_text(account_id, reason)
        self._attendance(worker_id, day_id, command_id, "vol-correct",
                         lambda day: day.correct_hours(shift_id, account_id, minutes, sealed, worker_id,
                                                       self.app.clock()))

    def _attendance(self, worker_id: UUID, day_id: UUID, command_id: str | None, name: str, change):
        self._require_organiser(worker_id, self.action_day(day_id))

        def action():
            day = self.action_day(day_id)
            return change(day), [day]
        return self.app.execute(name, command_id, action, actor=worker_id)

    # --- certificates ----------------------------------------------------------------------------------
    def issue_certificate(self, account_id: UUID, org_id: UUID, year: str, command_id: str | None = None) -> dict:
        """Issue the volunteer a certificate of the hours credited by one community (or street) in one year."""
        if not (len(year) == 4 and year.isdigit() and 2000 <= int(year) <= 2100):
            raise InvalidInputError("年份格式不正确")
        org_kind, org = self.app.accounts.community_or_street(org_id)
        if org is None:
            raise NotFoundError("找不到该社区")
        certificate_id = Certificate.id_for(org_id, account_id, year)

        def action():
            volunteer = self.app.find(Volunteer, Volunteer.id_for(account_id))
            items = self._credited_items(volunteer, org_id, org_kind, year)
            minutes = sum(i["minutes"] for i in items)
            certificate = self.app.find(Certificate, certificate_id) or Certificate(
                org_id=org_id, org_kind=org_kind, account_id=account_id, year=year)
            revision = len(certificate.issues) + 1
            serial = Certificate.serial_for(org.code, year, certificate_id, revision)
            issued = certificate.issue(serial, self.certificate_code(serial), org.name, minutes, items, account_id,
                                       self.app.clock())
            return {"certificate_id": str(certificate_id), "revision": issued["revision"],
                    "serial": issued["serial"], "code": issued["code"]}, [certificate]
        return self.app.execute("vol-certificate", command_id, action, actor=account_id)

    def certificate_code(self, serial: str) -> str:
        """A verification code nobody can make up: a keyed digest of the serial number."""
        code = base64.b32encode(self.app.keyed_digest(("certificate:" + serial).encode())).decode()[:12]
        return f"{code[:4]}-{code[4:8]}-{code[8:]}"

    def verify_certificate(self, certificate_id: UUID, code: str) -> Verification:
        """Find the issue with this code and check that the recorded events still credit the same hours."""
        certificate = self.app.find(Certificate, certificate_id)
        issue = next((i for i in certificate.issues if compare_digest(i["code"], code)), None) \
            if certificate else None
        if issue is None:
            return Verification(found=False)
        volunteer = self.app.find(Volunteer, Volunteer.id_for(certificate.account_id))
        items = self._credited_items(volunteer, certificate.org_id, certificate.org_kind, certificate.year)
        current = sum(i["minutes"] for i in items)
        matches = Certificate.same_items(issue["items"], items)
        shown = issue["items"]
        if matches and not Certificate.split(shown)["known"]:
            shown = items   # issued before the split was recorded: the log still says how the same hours came about
        return Verification(
            found=True, serial=issue["serial"], org_name=issue["org_name"], year=certificate.year,
            minutes=issue["minutes"], items=tuple(shown), issued_at=issue["at"],
            account_id=certificate.account_id, revision=issue["revision"],
            latest_revision=len(certificate.issues), matches_events=matches, current_minutes=current)

    def _credited_items(self, volunteer: Volunteer | None, org_id: UUID, org_kind: str, year: str) -> list[dict]:
        """Every shift of the organisation's days in the year with minutes credited to the volunteer."""
        if volunteer is None:
            return []
        items = []
        for day_id in volunteer.days:
            day = self.app.find(ActionDay, UUID(day_id))
            if day is None:
                continue
            if org_kind == "community" and day.community_id != org_id:
                continue
            if org_kind == "street" and (day.community_id is not None or day.street_id != org_id):
                continue
            for sid in day.order:
                shift = day.shifts[sid]
                minutes = day.credited_minutes(UUID(sid), volunteer.account_id)
                if minutes > 0 and local_date(shift["starts_at"])[:4] == year:
                    items.append({"day_id": day_id, "shift_id": sid, "date": local_date(shift["starts_at"]),
                                  "title": day.title, "task": shift["task"], "minutes": minutes,
                                  **day.how_credited(UUID(sid), volunteer.account_id)})
        items.sort(key=lambda i: (i["date"], i["shift_id"]))
        return items


def _birth_date(id_number: str) -> date | None:
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None
