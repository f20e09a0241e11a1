"""The roundtable (议事会/圆桌会): a meeting (registration and waitlist, agenda, attendance, motions and votes,
minutes) and the resolutions it adopts.

One meeting is one aggregate, so its limits (capacity, one vote per resident per motion whichever way it comes in
— phone, worker, proxy holder —, hands never more than the voices present, proxies per holder) are race-free under
optimistic concurrency. Rules are checked in the public commands (asking `policies` where a page asks too);
the `@event` methods only assign. A resolution is its own aggregate so that the fund can refer to it."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.topics import moved
from domain.roundtable.policies import (BY_PROXY, CANCELLED, CLOSED, DEFAULT_PROXY_LIMIT, NO_QUORUM, ONLINE, OPEN,
                                        PASSED, PLANNED, PROXY_KINDS, REJECTED, SCHEDULED, WORKER, check_in_open,
                                        doors_open, hands_fit, hands_valid, is_own_item, minutes_mismatches,
                                        next_follow_up_step, not_over, owner_assignable, proposals_open,
                                        proxies_open, proxy_limit_allowed, proxy_refusal, ratings_open,
                                        registration_open, represented, reschedulable, speaker_limit_allowed,
                                        votable, voices_present, voting_open, withdrawals_open)

MODES = ("in_person", "online", "hybrid")
VOTING_RULES = ("simple", "two_thirds")
CHOICES = ("for", "against", "abstain")



# --- named errors ---------------------------------------------------------------------------
class MeetingScheduleError(InvalidInputError):
    """The meeting's time, capacity or rules are not possible."""

    message = "会议安排有误"


class MeetingPhaseError(ConflictError):
    """The meeting is not in the phase this command needs."""

    message = "会议当前阶段不能进行此操作"


class RegistrationClosedError(ConflictError):
    """Registration is past its deadline or the meeting no longer takes registrations."""

    message = "报名已截止"


class AlreadyRegisteredError(ConflictError):
    """The resident is already registered or on the waitlist."""

    message = "您已报名（或已在候补名单上）"


class NotRegisteredError(ConflictError):
    """The resident has no registration to cancel."""

    message = "您没有报名这次会议"


class AgendaItemError(ConflictError):
    """An agenda item is not in the state this command needs."""

    message = "该议题当前不能进行此操作"


class AlreadySupportedError(ConflictError):
    """The resident already supports this agenda item."""

    message = "您已支持过该议题"


class AttendanceError(ConflictError):
    """Checking in someone already present, or out someone who is not."""

    message = "签到状态有误"


class MotionError(ConflictError):
    """A motion cannot be opened or closed now."""

    message = "该表决当前不能进行此操作"


class MotionClosedError(ConflictError):
    """The vote came after the motion closed."""

    message = "该表决已结束，不能再投票"


class AlreadyVotedError(ConflictError):
    """One vote per resident per motion: this one is a second vote."""

    message = "您已经投过票了，每人每项表决只能投一次"


class NotCheckedInError(NotAllowedError):
    """Only residents checked in at the meeting may vote."""

    message = "您尚未在会场签到，不能投票"


class NotOnRollError(NotAllowedError):
    """The voter was not on the eligible roll frozen when the meeting opened."""

    message = "您不在本次会议的表决名单上（名单在会议开始时确定）"


class VotedByProxyError(AlreadyVotedError):
    """The resident's proxy holder already cast this vote for them."""

    message = "您的受托人已代您投了这一票，每人每项表决只能投一次"


class CountedByHandsError(AlreadyVotedError):
    """The resident was among those present when hands were counted: their hand is their vote."""

    message = "本项表决已举手计票，您已计入举手人数，不能再单独投票"


class ProxyError(ConflictError):
    """A proxy (委托) that cannot be given, withdrawn or used now."""

    message = "该委托当前不能进行此操作"


class ProxyHolderAbsentError(ConflictError):
    """A proxy counts only while its holder is checked in."""

    message = "受托人尚未签到（或已签退），委托投票不计入；请受托人先签到"


class HandsCountError(ConflictError):
    """More hands than the voices present who have not voted individually."""

    message = "举手人数（{hands}）超过在场且尚未投票的人数（{room}），未予记录"


class SpeakerError(ConflictError):
    """The speaker list cannot change this way now."""

    message = "发言名单当前不能进行此操作"


class MinutesMismatchError(ConflictError):
    """The tallies typed into the minutes differ from the vote record: publishing waits until they agree."""

    message = "会议纪要中有 {n} 项表决的票数与投票记录不一致，请核对标红的表决后再发布"

    def __init__(self, motions: list[str]) -> None:
        super().__init__(n=len(motions))
        self.motions = motions


def quorum_required(roll_size: int, quorum_percent: int) -> int:
    """How many of the roll must be present: the quorum share of the roll, rounded up, at least one."""
    return max(1, -(-roll_size * quorum_percent // 100))


def outcome_of(rule: str, votes_for: int, votes_against: int, quorum_met: bool) -> str:
    """Passed, rejected or no quorum. Abstentions are not votes cast for or against."""
    if not quorum_met:
        return NO_QUORUM
    if rule == "two_thirds":
        passed = votes_for > 0 and 3 * votes_for >= 2 * (votes_for + votes_against)
    else:
        passed = votes_for > votes_against
    return PASSED if passed else REJECTED


class Meeting(Aggregate):
    """One meeting of a community's roundtable, scheduled by a community worker."""

    @event("Scheduled")
    def __init__(self, id: UUID, community_id: UUID, title: str, purpose: str, starts_at: datetime,
                 ends_at: datetime, place: str, mode: str, capacity: int, registration_deadline: datetime,
                 voting_rule: str, quorum_percent: int, scheduled_by: UUID, at: datetime) -> None:
        self.community_id = community_id
        self.title = title
        self.purpose = purpose
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.place = place
        self.mode = mode
        self.capacity = capacity
        self.registration_deadline = registration_deadline
        self.voting_rule = voting_rule
        self.quorum_percent = quorum_percent
        self.status = SCHEDULED
        self.registered: list[str] = []
        self.waitlist: list[str] = []
        self.items: dict[str, dict] = {}
        self.agenda: list[str] = []
        self.present: dict[str, bool] = {}
        self.roll: dict[str, bool] = {}
        self.quorum_required = 0
        self.motions: dict[str, dict] = {}
        self.minutes = ""
        self.minutes_revision = 0
        self.sequence = 0
        # Parts added with proxies, speakers and notices (issue 14). A snapshot taken before then lacks them: they
        # are read through the properties below and created by `_part` inside the events that first change them.
        self.max_proxies = DEFAULT_PROXY_LIMIT
        self.proxies: dict[str, dict] = {}
        self.floor: dict = {}
        self.speakers: list[dict] = []
        self.notices_seen: list[str] = []

    @staticmethod
    def check_schedule(starts_at: datetime, ends_at: datetime, registration_deadline: datetime, mode: str,
                       capacity: int, voting_rule: str, quorum_percent: int, at: datetime) -> None:
        """Refuse impossible schedules: naive or past times, end before start, odd capacity or rules."""
        for value in (starts_at, ends_at, registration_deadline):
            if not isinstance(value, datetime) or value.tzinfo is None:
                raise MeetingScheduleError("时间必须带时区")
        if starts_at <= at:
            raise MeetingScheduleError("开始时间必须在将来")
        if ends_at <= starts_at:
            raise MeetingScheduleError("结束时间必须晚于开始时间")
        if ends_at - starts_at > timedelta(hours=12):
            raise MeetingScheduleError("一次会议不能超过 12 小时")
        if not at <= registration_deadline <= starts_at:
            raise MeetingScheduleError("报名截止时间应在现在和会议开始之间")
        if mode not in MODES:
            raise MeetingScheduleError("会议形式只能是线下、线上或线上线下结合")
        if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
            raise MeetingScheduleError("名额应在 1 到 10000 之间")
        if voting_rule not in VOTING_RULES:
            raise MeetingScheduleError("表决规则只能是简单多数或三分之二多数")
        if not isinstance(quorum_percent, int) or not 1 <= quorum_percent <= 100:
            raise MeetingScheduleError("法定人数比例应在 1% 到 100% 之间")

    # --- phase ------------------------------------------------------------------------------
    def reschedule(self, starts_at: datetime, ends_at: datetime, place: str, registration_deadline: datetime,
                   reason: str, by: UUID, at: datetime) -> int:
        """The worker moves a meeting that has not opened to a new time and place; registrations and the
        waitlist keep their places. Returns the new calendar sequence (1 for the first change)."""
        self._require(SCHEDULED, "只有尚未开始的会议可以改期")
        if not reschedulable(self.status, len(self.present)):
            raise MeetingPhaseError("已有居民签到，不能改期；请先为他们签退")
        Meeting.check_schedule(starts_at, ends_at, registration_deadline, self.mode, self.capacity,
                               self.voting_rule, self.quorum_percent, at)
        if (starts_at, ends_at, place, registration_deadline) == (
                self.starts_at, self.ends_at, self.place, self.registration_deadline):
            raise MeetingScheduleError("新的时间和地点与原安排相同")
        sequence = getattr(self, "sequence", 0) + 1
        self._rescheduled(starts_at=starts_at, ends_at=ends_at, place=place,
                          registration_deadline=registration_deadline, reason=reason, sequence=sequence,
                          previous_starts_at=self.starts_at, previous_place=self.place, by=by, at=at)
        return sequence

    @event("Rescheduled")
    def _rescheduled(self, starts_at: datetime, ends_at: datetime, place: str, registration_deadline: datetime,
                     reason: str, sequence: int, previous_starts_at: datetime, previous_place: str, by: UUID,
                     at: datetime) -> None:
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.place = place
        self.registration_deadline = registration_deadline
        self.sequence = sequence

    def cancel(self, reason: str, by: UUID, at: datetime) -> None:
        """The worker calls the meeting off before it opens."""
        self._require(SCHEDULED, "只有尚未开始的会议可以取消")
        self._cancelled(reason=reason, by=by, at=at)

    @event("Cancelled")
    def _cancelled(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = CANCELLED

    def open(self, roll: list[UUID], by: UUID, at: datetime) -> None:
        """The worker opens the meeting; the eligible roll (verified residents) is frozen now."""
        self._require(SCHEDULED, "会议已开始或已结束")
        if not doors_open(self.starts_at, at):
            raise MeetingPhaseError("会议开始前 2 小时内才能宣布开会")
        ids = sorted({str(a) for a in roll})
        self._opened(roll=ids, quorum_required=quorum_required(len(ids), self.quorum_percent), by=by, at=at)

    @event("Opened")
    def _opened(self, roll: list[str], quorum_required: int, by: UUID, at: datetime) -> None:
        self.status = OPEN
        self.roll = {a: True for a in roll}
        self.quorum_required = quorum_required

    def adjourn(self, by: UUID, at: datetime) -> None:
        """The worker closes the meeting once every motion is closed."""
        self._require(OPEN, "会议尚未开始或已结束")
        if self.open_motion_id() is not None:
            raise MotionError("还有表决没有结束，请先结束表决")
        if self.speaking() is not None:
            self.finish_speaker(by, at)
        self._adjourned(by=by, at=at)

    @event("Adjourned")
    def _adjourned(self, by: UUID, at: datetime) -> None:
        self.status = CLOSED

    # --- registration and waitlist --------------------------------------------------------
    def register(self, account_id: UUID, at: datetime) -> str:
        """A resident registers; beyond capacity they join the waitlist. Returns 'registered' or 'waitlisted'."""
        if not registration_open(self.status, self.registration_deadline, at):
            raise RegistrationClosedError()
        key = str(account_id)
        if key in self.registered or key in self.waitlist:
            raise AlreadyRegisteredError()
        if len(self.registered) < self.capacity:
            self._resident_registered(account_id=account_id, at=at)
            return "registered"
        self._resident_waitlisted(account_id=account_id, at=at)
        return "waitlisted"

    @event("ResidentRegistered")
    def _resident_registered(self, account_id: UUID, at: datetime) -> None:
        self.registered.append(str(account_id))

    @event("ResidentWaitlisted")
    def _resident_waitlisted(self, account_id: UUID, at: datetime) -> None:
        self.waitlist.append(str(account_id))

    def cancel_registration(self, account_id: UUID, at: datetime) -> str | None:
        """A resident withdraws; a freed place goes to the first on the waitlist. Returns who was promoted."""
        if not withdrawals_open(self.status):
            raise MeetingPhaseError("会议已开始或已结束，不能再取消报名")
        key = str(account_id)
        if key not in self.registered and key not in self.waitlist:
            raise NotRegisteredError()
        had_place = key in self.registered
        self._registration_cancelled(account_id=account_id, at=at)
        if had_place and self.waitlist:
            promoted = self.waitlist[0]
            self._waitlist_promoted(account_id=UUID(promoted), at=at)
            return promoted
        return None

    @event("RegistrationCancelled")
    def _registration_cancelled(self, account_id: UUID, at: datetime) -> None:
        key = str(account_id)
        if key in self.registered:
            self.registered.remove(key)
        if key in self.waitlist:
            self.waitlist.remove(key)

    @event("WaitlistPromoted")
    def _waitlist_promoted(self, account_id: UUID, at: datetime) -> None:
        self.waitlist.remove(str(account_id))
        self.registered.append(str(account_id))

    def registration_of(self, account_id: UUID | str) -> str | None:
        key = str(account_id)
        if key in self.registered:
            return "registered"
        if key in self.waitlist:
            return "waitlisted"
        return None

    # --- notices -------------------------------------------------------------------------
    def dismiss_promotion_notice(self, account_id: UUID, at: datetime) -> bool:
        """The resident has read that they were promoted from the waitlist. False (nothing recorded) when there is
        nothing to dismiss: not promoted, or already read."""
        key = str(account_id)
        if key not in self.registered or key in getattr(self, "notices_seen", ()):
            return False
        self._promotion_notice_seen(account_id=account_id, at=at)
        return True

    @event("PromotionNoticeSeen")
    def _promotion_notice_seen(self, account_id: UUID, at: datetime) -> None:
        self._part("notices_seen", list).append(str(account_id))

    # --- proxies (委托投票) and household representatives (户代表) ------------------------------
    @property
    def proxy_limit(self) -> int:
        """How many proxies one holder may carry at this meeting (1 for meetings scheduled before it was set)."""
        return getattr(self, "max_proxies", DEFAULT_PROXY_LIMIT)

    @property
    def active_proxies(self) -> dict[str, str]:
        """Giver → holder of every proxy given and neither withdrawn nor revoked."""
        return {giver: p["holder"] for giver, p in getattr(self, "proxies", {}).items()}

    def proxy_of(self, giver: UUID | str) -> dict | None:
        """The proxy `giver` gave (holder, kind), if any."""
        return getattr(self, "proxies", {}).get(str(giver))

    def set_proxy_limit(self, limit: int, by: UUID, at: datetime) -> None:
        """The worker sets, when scheduling, how many proxies one holder may carry (0: no proxies)."""
        self._require(SCHEDULED, "会议开始后不能再修改委托规则")
        if not proxy_limit_allowed(limit):
            raise MeetingScheduleError("每位受托人可接受的委托数应在 0 到 5 之间")
        self._proxy_limit_set(limit=limit, by=by, at=at)

    @event("ProxyLimitSet")
    def _proxy_limit_set(self, limit: int, by: UUID, at: datetime) -> None:
        self.max_proxies = limit

    def give_proxy(self, giver: UUID, holder: UUID, kind: str, by: UUID, at: datetime) -> None:
        """A resident authorises another resident of the community to vote for them at this meeting (a proxy, or
        as the household's representative), before the meeting opens; `by` is the giver, or the worker recording a
        signed paper authorisation."""
        if not proxies_open(self.status):
            raise ProxyError("会议开始后不能再委托；请本人到会投票")
        if kind not in PROXY_KINDS:
            raise InvalidInputError("请选择委托投票或户代表")
        refusal = proxy_refusal(giver, holder, self.active_proxies, self.proxy_limit)
        if refusal is not None:
            raise ProxyError(refusal)
        self._proxy_given(giver=giver, holder=holder, kind=kind, by=by, at=at)

    @event("ProxyGiven")
    def _proxy_given(self, giver: UUID, holder: UUID, kind: str, by: UUID, at: datetime) -> None:
        self._part("proxies", dict)[str(giver)] = {"holder": str(holder), "kind": kind}

    def withdraw_proxy(self, giver: UUID, by: UUID, at: datetime) -> None:
        """The giver (or the worker for them) takes a proxy back before the meeting opens."""
        if not proxies_open(self.status):
            raise ProxyError("会议已开始，委托不能撤回；本人到会投票即自动撤回委托")
        if self.proxy_of(giver) is None:
            raise ProxyError("您没有委托他人代为投票")
        self._proxy_withdrawn(giver=giver, by=by, at=at)

    @event("ProxyWithdrawn")
    def _proxy_withdrawn(self, giver: UUID, by: UUID, at: datetime) -> None:
        self._part("proxies", dict).pop(str(giver), None)

    @event("ProxyRevoked")
    def _proxy_revoked(self, giver: UUID, holder: UUID, motion_id: str, at: datetime) -> None:
        self._part("proxies", dict).pop(str(giver), None)

    def voices(self) -> set[str]:
        """Everyone on the roll who counts as present now, each once (checked in, or represented)."""
        return voices_present(self.roll, self.present, self.active_proxies)

    def represented_now(self) -> dict[str, str]:
        """Giver → holder of the proxies that count now."""
        return represented(self.roll, self.present, self.active_proxies)

    # --- speakers (发言) ------------------------------------------------------------------------
    @property
    def current_item(self) -> str | None:
        """The agenda item under discussion (taken up last), if any."""
        return getattr(self, "floor", {}).get("item_id")

    def speaker_list(self, item_id: str | None = None) -> list[dict]:
        """Requests to speak in order (all items, or one), each with its status: waiting, speaking, done or
        withdrawn."""
        return [dict(s) for s in getattr(self, "speakers", []) if item_id is None or s["item_id"] == str(item_id)]

    def speaking(self) -> dict | None:
        """Who has the floor now."""
        return next((s for s in getattr(self, "speakers", []) if s["status"] == "speaking"), None)

    def take_up_item(self, item_id: str, speaker_minutes: int, by: UUID, at: datetime) -> None:
        """The worker moves the meeting to an agenda item, with a time limit per speaker (minutes, 0 = none)."""
        self._require(OPEN, "会议开始后才能进入议题讨论")
        if self._item(item_id)["status"] != "accepted":
            raise AgendaItemError("只能讨论已列入议程的议题")
        if not speaker_limit_allowed(speaker_minutes):
            raise InvalidInputError("每人发言限时应在 0 到 60 分钟之间（0 为不限时）")
        if self.speaking() is not None:
            raise SpeakerError("请先结束当前发言")
        self._agenda_item_taken_up(item_id=str(item_id), limit_seconds=speaker_minutes * 60, by=by, at=at)

    @event("AgendaItemTakenUp")
    def _agenda_item_taken_up(self, item_id: str, limit_seconds: int, by: UUID, at: datetime) -> None:
        self.__dict__["floor"] = {"item_id": item_id, "limit_seconds": limit_seconds}

    def add_speaker(self, item_id: str, speaker: UUID, by: UUID, at: datetime) -> None:
        """A checked-in resident asks to speak on an agenda item (or the worker adds them): last in the queue."""
        self._require(OPEN, "会议开始后才能申请发言")
        if self._item(item_id)["status"] != "accepted":
            raise AgendaItemError("只能就已列入议程的议题申请发言")
        key = str(speaker)
        if key not in self.present:
            raise SpeakerError("发言人需先在会场签到")
        if any(s["speaker"] == key and s["status"] in ("waiting", "speaking") for s in self.speaker_list(item_id)):
            raise SpeakerError("已在该议题的发言名单上")
        self._speaker_added(item_id=str(item_id), speaker=speaker, seq=len(getattr(self, "speakers", [])) + 1,
                            by=by, at=at)

    @event("SpeakerAdded")
    def _speaker_added(self, item_id: str, speaker: UUID, seq: int, by: UUID, at: datetime) -> None:
        self._part("speakers", list).append({"seq": seq, "item_id": item_id, "speaker": str(speaker),
                                             "status": "waiting", "started_at": None, "seconds": 0})

    def withdraw_speaker(self, item_id: str, speaker: UUID, by: UUID, at: datetime) -> None:
        """A waiting speaker takes their request back (or the worker removes it)."""
        if self._waiting(item_id, speaker) is None:
            raise SpeakerError("该居民不在等待发言的名单上")
        self._speaker_withdrawn(item_id=str(item_id), speaker=speaker, by=by, at=at)

    @event("SpeakerWithdrawn")
    def _speaker_withdrawn(self, item_id: str, speaker: UUID, by: UUID, at: datetime) -> None:
        self._entry(item_id, speaker, "waiting")["status"] = "withdrawn"

    def start_speaker(self, item_id: str, speaker: UUID | None, by: UUID, at: datetime) -> str:
        """The worker gives the floor on the item under discussion: to `speaker`, or to the first waiting.
        Returns who speaks."""
        self._require(OPEN, "会议开始后才能安排发言")
        if self.current_item != str(item_id):
            raise SpeakerError("请先进入该议题的讨论")
        if self.speaking() is not None:
            raise SpeakerError("请先结束当前发言")
        waiting = [s for s in self.speaker_list(item_id) if s["status"] == "waiting"]
        chosen = waiting[0] if speaker is None and waiting else self._waiting(item_id, speaker) if speaker else None
        if chosen is None:
            raise SpeakerError("发言名单上没有等待发言的人")
        self._speaker_started(item_id=str(item_id), speaker=UUID(chosen["speaker"]), by=by, at=at)
        return chosen["speaker"]

    @event("SpeakerStarted")
    def _speaker_started(self, item_id: str, speaker: UUID, by: UUID, at: datetime) -> None:
        entry = self._entry(item_id, speaker, "waiting")
        entry["status"] = "speaking"
        entry["started_at"] = at

    def finish_speaker(self, by: UUID, at: datetime) -> int:
        """The worker ends the current speech; how long it took (seconds) is recorded. Returns the seconds."""
        current = self.speaking()
        if current is None:
            raise SpeakerError("现在没有人在发言")
        seconds = max(0, int((at - current["started_at"]).total_seconds()))
        limit = getattr(self, "floor", {}).get("limit_seconds", 0) if self.current_item == current["item_id"] else 0
        self._speaker_finished(item_id=current["item_id"], speaker=UUID(current["speaker"]), seconds=seconds,
                               limit_seconds=limit, by=by, at=at)
        return seconds

    @event("SpeakerFinished")
    def _speaker_finished(self, item_id: str, speaker: UUID, seconds: int, limit_seconds: int, by: UUID,
                          at: datetime) -> None:
        entry = self._entry(item_id, speaker, "speaking")
        entry["status"] = "done"
        entry["seconds"] = seconds

    def _waiting(self, item_id: str, speaker: UUID | str | None) -> dict | None:
        return next((s for s in self.speaker_list(item_id) if s["speaker"] == str(speaker)
                     and s["status"] == "waiting"), None)

    def _entry(self, item_id: str, speaker: UUID | str, status: str) -> dict:
        """The stored entry (for an event body to change) of `speaker` on the item in `status`."""
        return next(s for s in self._part("speakers", list) if s["item_id"] == str(item_id)
                    and s["speaker"] == str(speaker) and s["status"] == status)

    def _part(self, name: str, make: type) -> Any:
        """A part of the state that a snapshot taken before it existed lacks: created empty (event bodies only)."""
        if name not in self.__dict__:
            self.__dict__[name] = make()
        return self.__dict__[name]

    # --- agenda ---------------------------------------------------------------------------
    def propose_item(self, by: UUID, title: str, description: str, at: datetime) -> str:
        """Someone proposes an agenda item before the meeting; returns the item's id."""
        self._require(SCHEDULED, "会议已开始或已结束，不能再提议题")
        if not proposals_open(self.status, self.starts_at, at):
            raise AgendaItemError("会议开始后不能再提议题")
        item_id = str(len(self.items) + 1)
        self._agenda_item_proposed(item_id=item_id, title=title, description=description, by=by, at=at)
        return item_id

    @event("AgendaItemProposed")
    def _agenda_item_proposed(self, item_id: str, title: str, description: str, by: UUID, at: datetime) -> None:
        self.items[item_id] = {"title": title, "description": description, "proposed_by": str(by),
                               "status": "proposed", "supporters": [], "planned_minutes": 0, "reason": ""}

    def support_item(self, item_id: str, by: UUID, at: datetime) -> None:
        """Another resident supports a proposed item (once each; not one's own)."""
        item = self._item(item_id)
        if not not_over(self.status):
            raise AgendaItemError("会议已结束")
        if item["status"] == "declined":
            raise AgendaItemError("该议题未被采纳，不能再支持")
        if is_own_item(item["proposed_by"], by):
            raise AgendaItemError("不能支持自己提出的议题")
        if str(by) in item["supporters"]:
            raise AlreadySupportedError()
        self._agenda_item_supported(item_id=item_id, by=by, at=at)

    @event("AgendaItemSupported")
    def _agenda_item_supported(self, item_id: str, by: UUID, at: datetime) -> None:
        self.items[item_id]["supporters"].append(str(by))

    def accept_item(self, item_id: str, planned_minutes: int, position: int | None, by: UUID,
                    at: datetime) -> None:
        """The worker puts a proposed item on the agenda, at a position (1-based; default last)."""
        item = self._item(item_id)
        if not not_over(self.status):
            raise AgendaItemError("会议已结束，不能再调整议程")
        if item["status"] != "proposed":
            raise AgendaItemError("该议题已处理过")
        if not isinstance(planned_minutes, int) or not 1 <= planned_minutes <= 240:
            raise InvalidInputError("计划时长应在 1 到 240 分钟之间")
        last = len(self.agenda) + 1
        position = last if position is None else position
        if not isinstance(position, int) or not 1 <= position <= last:
            raise InvalidInputError("议程顺序应在 1 到 {last} 之间", last=last)
        self._agenda_item_accepted(item_id=item_id, planned_minutes=planned_minutes, position=position,
                                   by=by, at=at)

    @event("AgendaItemAccepted")
    def _agenda_item_accepted(self, item_id: str, planned_minutes: int, position: int, by: UUID,
                              at: datetime) -> None:
        self.items[item_id]["status"] = "accepted"
        self.items[item_id]["planned_minutes"] = planned_minutes
        self.agenda.insert(position - 1, item_id)

    def decline_item(self, item_id: str, reason: str, by: UUID, at: datetime) -> None:
        """The worker declines a proposed item, saying why."""
        item = self._item(item_id)
        if not not_over(self.status):
            raise AgendaItemError("会议已结束，不能再调整议程")
        if item["status"] != "proposed":
            raise AgendaItemError("该议题已处理过")
        self._agenda_item_declined(item_id=item_id, reason=reason, by=by, at=at)

    @event("AgendaItemDeclined")
    def _agenda_item_declined(self, item_id: str, reason: str, by: UUID, at: datetime) -> None:
        self.items[item_id]["status"] = "declined"
        self.items[item_id]["reason"] = reason

    def _item(self, item_id: str) -> dict:
        item = self.items.get(str(item_id))
        if item is None:
            raise NotFoundError("找不到该议题")
        return item

    # --- attendance -----------------------------------------------------------------------
    def check_in(self, account_id: UUID, by: UUID, at: datetime) -> None:
        """The worker checks a resident in at the meeting (from 2 hours before the start)."""
        if not not_over(self.status):
            raise AttendanceError("会议已结束或已取消，不能签到")
        if not check_in_open(self.status, self.starts_at, at):
            raise AttendanceError("会议开始前 2 小时才开始签到")
        if str(account_id) in self.present:
            raise AttendanceError("该居民已签到")
        self._checked_in(account_id=account_id, by=by, at=at)

    @event("CheckedIn")
    def _checked_in(self, account_id: UUID, by: UUID, at: datetime) -> None:
        self.present[str(account_id)] = True

    def check_out(self, account_id: UUID, by: UUID, at: datetime) -> None:
        """The worker records that a resident left."""
        if not not_over(self.status):
            raise AttendanceError("会议已结束或已取消")
        if str(account_id) not in self.present:
            raise AttendanceError("该居民不在会场")
        self._checked_out(account_id=account_id, by=by, at=at)

    @event("CheckedOut")
    def _checked_out(self, account_id: UUID, by: UUID, at: datetime) -> None:
        self.present.pop(str(account_id), None)

    def present_on_roll(self) -> int:
        """How many of the frozen roll are checked in now."""
        return sum(1 for a in self.present if a in self.roll)

    # --- motions and votes ----------------------------------------------------------------
    def open_motion(self, item_id: str, title: str, by: UUID, at: datetime, amount: int | None = None,
                    category: str | None = None) -> str:
        """The worker puts an agenda item to the vote; one motion open at a time. A motion that spends money states
        the amount (fen) and may state the fund category; its resolution authorises that much and no more, one
        without an amount authorises no money. Returns the motion id."""
        self._require(OPEN, "会议开始后才能发起表决")
        if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0):
            raise InvalidInputError("金额必须大于 0")
        if category is not None and amount is None:
            raise InvalidInputError("写明资金类别的动议须同时写明金额")
        item = self._item(item_id)
        if item["status"] != "accepted":
            raise MotionError("只能对已列入议程的议题发起表决")
        if self.open_motion_id() is not None:
            raise MotionError("已有一项表决正在进行")
        if not votable([str(item_id)], self.motions.values()):
            raise MotionError("该议题已经表决过")
        motion_id = str(len(self.motions) + 1)
        self._motion_opened(motion_id=motion_id, item_id=str(item_id), title=title or item["title"], by=by, at=at,
                            amount=amount, category=category)
        return motion_id

    @event("MotionOpened")
    def _motion_opened(self, motion_id: str, item_id: str, title: str, by: UUID, at: datetime,
                       amount: int | None = None, category: str | None = None) -> None:
        self.motions[motion_id] = {"item_id": item_id, "title": title, "status": "open", "votes": {},
                                   "outcome": "", "tally": {}, "amount": amount, "category": category}

    def _check_vote(self, motion_id: str, voter: UUID | str, choice: str) -> dict:
        """What every channel checks for one resident's vote: the motion open, a choice, no vote yet by any channel
        (nor a show of hands they were counted in), on the roll. Returns the motion."""
        motion = self._motion(motion_id)
        if not voting_open(self.status, motion["status"]):
            raise MotionClosedError()
        if choice not in CHOICES:
            raise InvalidInputError("请选择赞成、反对或弃权")
        key = str(voter)
        if key in motion["votes"]:
            if motion.get("channels", {}).get(key, {}).get("channel") == BY_PROXY:
                raise VotedByProxyError()
            raise AlreadyVotedError()
        if key in motion.get("hand_pool", ()):
            raise CountedByHandsError()
        if key not in self.roll:
            raise NotOnRollError()
        return motion

    def _revoke_proxy_of(self, voter: UUID | str, motion_id: str, at: datetime) -> None:
        """Voting oneself revokes the proxy one gave: the holder no longer speaks for them."""
        proxy = self.active_proxies.get(str(voter))
        if proxy is not None:
            self._proxy_revoked(giver=UUID(str(voter)), holder=UUID(proxy), motion_id=str(motion_id), at=at)

    def cast_vote(self, motion_id: str, voter: UUID, choice: str, at: datetime) -> None:
        """A checked-in resident on the roll votes for, against or abstains on their phone — exactly once."""
        self._check_vote(motion_id, voter, choice)
        if str(voter) not in self.present:
            raise NotCheckedInError()
        self._revoke_proxy_of(voter, motion_id, at)
        self._vote_cast(motion_id=str(motion_id), voter=voter, choice=choice, at=at)

    @event("VoteCast")
    def _vote_cast(self, motion_id: str, voter: UUID, choice: str, at: datetime) -> None:
        self.motions[motion_id]["votes"][str(voter)] = choice

    def record_vote(self, motion_id: str, voter: UUID, choice: str, by: UUID, at: datetime) -> str:
        """The worker records a resident's vote on their behalf: a checked-in resident (who has no phone, say), or
        an absent one whose proxy holder is checked in and gives the vote. Returns the channel (worker / proxy)."""
        self._check_vote(motion_id, voter, choice)
        key = str(voter)
        holder = None
        if key not in self.present:
            holder = self.active_proxies.get(key)
            if holder is None:
                raise NotCheckedInError("该居民尚未签到，也没有委托受托人，不能代录投票")
            self._require_represented(key, holder)
        else:
            self._revoke_proxy_of(voter, motion_id, at)
        self._vote_recorded(motion_id=str(motion_id), voter=voter, choice=choice,
                            holder=UUID(holder) if holder else None, by=by, at=at)
        return BY_PROXY if holder else WORKER

    @event("VoteRecorded")
    def _vote_recorded(self, motion_id: str, voter: UUID, choice: str, holder: UUID | None, by: UUID,
                       at: datetime) -> None:
        motion = self.motions[motion_id]
        motion["votes"][str(voter)] = choice
        motion.setdefault("channels", {})[str(voter)] = {
            "channel": BY_PROXY if holder else WORKER, "holder": str(holder) if holder else None, "by": str(by)}

    def cast_proxy_vote(self, motion_id: str, holder: UUID, giver: UUID, choice: str, at: datetime) -> None:
        """A checked-in proxy holder casts, on their phone, the vote of the absent resident who authorised them."""
        self._check_vote(motion_id, giver, choice)
        if self.active_proxies.get(str(giver)) != str(holder):
            raise ProxyError("该居民没有委托您代为投票（或委托已撤回）")
        self._require_represented(str(giver), str(holder))
        self._proxy_vote_cast(motion_id=str(motion_id), voter=giver, holder=holder, choice=choice, at=at)

    @event("ProxyVoteCast")
    def _proxy_vote_cast(self, motion_id: str, voter: UUID, holder: UUID, choice: str, at: datetime) -> None:
        motion = self.motions[motion_id]
        motion["votes"][str(voter)] = choice
        motion.setdefault("channels", {})[str(voter)] = {"channel": BY_PROXY, "holder": str(holder), "by": None}

    def _require_represented(self, giver: str, holder: str) -> None:
        """A proxy counts only while its holder is checked in, both are on the roll, and the giver is absent."""
        if giver in self.present:
            raise ProxyError("委托人本人已到会，请本人投票")
        if holder not in self.roll:
            raise NotOnRollError("受托人不在本次会议的表决名单上，委托投票不计入")
        if holder not in self.present:
            raise ProxyHolderAbsentError()

    def count_hands(self, motion_id: str, votes_for: int, votes_against: int, abstentions: int, by: UUID,
                    at: datetime) -> int:
        """The worker enters a show of hands (举手表决). Hands are those of the voices present (checked in, or
        represented by a checked-in proxy holder) who have not voted individually; never more. Those voices are
        remembered: none of them may vote individually on this motion afterwards. A recount replaces the count.
        Returns how many could raise a hand."""
        motion = self._motion(motion_id)
        if not voting_open(self.status, motion["status"]):
            raise MotionClosedError()
        if not hands_valid(votes_for, votes_against, abstentions):
            raise InvalidInputError("举手人数应为 0 到 10000 之间的整数")
        pool = sorted(voices_present(self.roll, self.present, self.active_proxies) - set(motion["votes"]))
        if not hands_fit(votes_for, votes_against, abstentions, len(pool)):
            raise HandsCountError(hands=votes_for + votes_against + abstentions, room=len(pool))
        self._hands_counted(motion_id=str(motion_id), votes_for=votes_for, votes_against=votes_against,
                            abstentions=abstentions, eligible=pool, by=by, at=at)
        return len(pool)

    @event("HandsCounted")
    def _hands_counted(self, motion_id: str, votes_for: int, votes_against: int, abstentions: int,
                       eligible: list[str], by: UUID, at: datetime) -> None:
        motion = self.motions[motion_id]
        motion["hands"] = {"for": votes_for, "against": votes_against, "abstain": abstentions, "by": str(by)}
        motion["hand_pool"] = list(eligible)

    def tally(self, motion_id: str) -> dict:
        """Counted from the vote record (individual votes of every channel, plus the show of hands): for, against,
        abstain, and who was present for the motion, each person once: the voices present now, whoever voted
        (then perhaps left), and whoever was present when hands were counted."""
        motion = self._motion(motion_id)
        votes = motion["votes"]
        hands = motion.get("hands") or {}
        counts = {c: sum(1 for v in votes.values() if v == c) + hands.get(c, 0) for c in CHOICES}
        present = len(voices_present(self.roll, self.present, self.active_proxies) | set(votes)
                      | set(motion.get("hand_pool", ())))
        return {"votes_for": counts["for"], "votes_against": counts["against"], "abstentions": counts["abstain"],
                "present": present, "roll_size": len(self.roll), "required": self.quorum_required}

    def methods(self, motion_id: str) -> dict:
        """How the motion's votes were taken: individual votes per channel, and the show of hands if any."""
        motion = self._motion(motion_id)
        channels = motion.get("channels", {})
        count = {ONLINE: 0, WORKER: 0, BY_PROXY: 0}
        for voter in motion["votes"]:
            count[channels.get(voter, {}).get("channel", ONLINE)] += 1
        hands = motion.get("hands")
        return {**count, "hands": None if hands is None else [hands["for"], hands["against"], hands["abstain"]],
                "hands_eligible": len(motion.get("hand_pool", ()))}

    def close_motion(self, motion_id: str, by: UUID, at: datetime) -> dict:
        """The worker closes the vote: tally, quorum check, outcome. Returns the closing tally."""
        motion = self._motion(motion_id)
        if motion["status"] != "open":
            raise MotionError("该表决已经结束")
        t = self.tally(motion_id)
        outcome = outcome_of(self.voting_rule, t["votes_for"], t["votes_against"], t["present"] >= t["required"])
        self._motion_closed(motion_id=str(motion_id), outcome=outcome, by=by, at=at, **t)
        return {**t, "outcome": outcome}

    @event("MotionClosed")
    def _motion_closed(self, motion_id: str, outcome: str, votes_for: int, votes_against: int, abstentions: int,
                       present: int, roll_size: int, required: int, by: UUID, at: datetime) -> None:
        motion = self.motions[motion_id]
        motion["status"] = "closed"
        motion["outcome"] = outcome
        motion["tally"] = {"votes_for": votes_for, "votes_against": votes_against, "abstentions": abstentions,
                           "present": present, "roll_size": roll_size, "required": required}

    def open_motion_id(self) -> str | None:
        return next((k for k, m in self.motions.items() if m["status"] == "open"), None)

    def _motion(self, motion_id: str) -> dict:
        motion = self.motions.get(str(motion_id))
        if motion is None:
            raise NotFoundError("找不到该表决")
        return motion

    # --- minutes --------------------------------------------------------------------------
    def record_tallies(self) -> dict[str, tuple[int, int, int]]:
        """Each closed motion's for / against / abstain, counted from the vote record (votes and hands)."""
        return {k: (t["votes_for"], t["votes_against"], t["abstentions"])
                for k in self.motions if self.motions[k]["status"] == "closed" for t in [self.tally(k)]}

    def publish_minutes(self, text: str, tallies: dict, by: UUID, at: datetime) -> None:
        """The worker publishes (or revises) the minutes with the tally of each motion as the minutes state it;
        a tally missing or differing from the vote record refuses the whole publication (MinutesMismatchError)."""
        self._require(CLOSED, "会议结束后才能发布会议纪要")
        stated = {str(k): tuple(v) for k, v in (tallies or {}).items()}
        record = self.record_tallies()
        wrong = minutes_mismatches(stated, record)
        if wrong:
            raise MinutesMismatchError(wrong)
        results = [{"motion_id": k, "title": m["title"], "outcome": m["outcome"],
                    **dict(zip(("votes_for", "votes_against", "abstentions"), record[k])),
                    "stated": list(stated[k]), "methods": self.methods(k)}
                   for k, m in self.motions.items() if k in record]
        self._minutes_published(text=text, results=results, revision=self.minutes_revision + 1, by=by, at=at)

    @event("MinutesPublished")
    def _minutes_published(self, text: str, results: list, revision: int, by: UUID, at: datetime) -> None:
        self.minutes = text
        self.minutes_revision = revision

    def _require(self, status: str, message: str) -> None:
        if self.status != status:
            raise MeetingPhaseError(message)



class FollowUpError(ConflictError):
    """The follow-up step is not possible in the resolution's present state."""

    message = "该决议当前不能进行此操作"


class AlreadyRatedError(ConflictError):
    """Each resident rates a resolution's outcome once."""

    message = "您已经评价过了"


class Resolution(Aggregate):
    """A motion's outcome, kept as its own aggregate so that other contexts (the fund) can refer to it: with the
    amount (fen) and fund category the motion stated, the most the fund may allocate under it. A resolution adopted
    before motions stated amounts has none (`amount` None), like one whose motion spent no money."""

    @staticmethod
    def id_for(meeting_id: UUID, motion_id: UUID | str) -> UUID:
        return stable_id("resolution", meeting_id, motion_id)

    @classmethod
    def create_id(cls, meeting_id: UUID, motion_id: str, community_id: UUID, title: str,
                  passed: bool, votes_for: int, votes_against: int, abstentions: int,
                  at: datetime, amount: int | None = None, category: str | None = None) -> UUID:
        return cls.id_for(meeting_id, motion_id)

    @event("Adopted")
    def __init__(self, meeting_id: UUID, motion_id: str, community_id: UUID, title: str,
                 passed: bool, votes_for: int, votes_against: int, abstentions: int,
                 at: datetime, amount: int | None = None, category: str | None = None) -> None:
        self.meeting_id = meeting_id
        self.motion_id = motion_id
        self.community_id = community_id
        self.title = title
        self.passed = passed
        self.votes_for = votes_for
        self.votes_against = votes_against
        self.abstentions = abstentions
        self.adopted_at = at
        self.amount = amount
        self.category = category
        self.owner = ""
        self.follow_up_status = PLANNED
        self.progress_notes = 0
        self.ratings: dict[str, int] = {}

    # --- follow-up (决议落实) ------------------------------------------------------------------
    def assign_owner(self, owner: str, by: UUID, at: datetime) -> None:
        """The worker names who carries the resolution out (a person, office or contractor)."""
        self._require_passed()
        if not owner_assignable(self.follow_up_status):
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
        if next_follow_up_step(self.owner, self.follow_up_status) != status:
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
        if not ratings_open(self.follow_up_status):
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


moved({"domain.meeting:Meeting": Meeting, "domain.resolution:Resolution": Resolution})
