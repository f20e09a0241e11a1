"""Use cases of the roundtable (`app.roundtable.*`): meetings, registration, agenda, attendance, votes, minutes,
follow-up.

Workers of the meeting's community run meetings; its verified residents take part (`policies` says who, and the
pages ask the same). Every use case saves through `app.execute`, so a command id makes repeats harmless, and the
meeting's own stream makes its limits (capacity, one vote per resident per motion) hold under concurrency."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.fund.policies import CATEGORIES
from domain.kernel.actor import Actor
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.money import parse_fen
from domain.kernel.people import InDistrict
from domain.kernel.text import clean_text
from domain.kernel.time import local_date, parse_date
from domain.roundtable.model import PASSED, Meeting, Resolution
from domain.roundtable.policies import (DEFAULT_PROXY_LIMIT, PROXY, may_propose_items, may_run_meetings,
                                        may_take_part)

if TYPE_CHECKING:
    from domain.kernel.application import Linli

Rule = Callable[[Actor, InDistrict], bool]
REFUSALS: dict[Rule, str] = {
    may_run_meetings: "只有本社区的社区工作者可以进行此操作",
    may_take_part: "只有经过核实的本社区居民可以进行此操作",
    may_propose_items: "只有本社区经过核实的居民或社区工作者可以提议题",
}


class RoundtableService:
    """The roundtable's use cases."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    def meeting(self, meeting_id: UUID) -> Meeting:
        """The meeting, or NotFoundError."""
        return self.app.load(Meeting, meeting_id, "会议")

    def resolution(self, resolution_id: UUID) -> Resolution:
        """The resolution, or NotFoundError."""
        return self.app.load(Resolution, resolution_id, "决议")

    def _require(self, rule: Rule, account_id: UUID, community_id: UUID) -> None:
        """NotAllowedError unless `rule` admits the account (as the events say it is) in the community."""
        accounts = self.app.accounts
        if not rule(accounts.actor(account_id), accounts.community(community_id)):
            raise NotAllowedError(REFUSALS[rule])

    def _by(self, rule: Rule, account_id: UUID) -> Callable[[Meeting | Resolution], None]:
        """A check for `_meeting_action`/`_resolution_action`: `rule` must admit the account in the community.
        The check also names who acts (`account_id`), to whom the command id belongs."""
        def check(subject: Meeting | Resolution) -> None:
            self._require(rule, account_id, subject.community_id)
        check.account_id = account_id  # type: ignore[attr-defined]
        return check

    def _meeting_action(self, use_case: str, command_id: str | None, meeting_id: UUID, check, act, *,
                        actor: UUID | None = None) -> Any:
        """Load the meeting fresh, check who may act on it, run the command, save the meeting."""
        def action():
            meeting = self.meeting(meeting_id)
            check(meeting)
            return act(meeting), [meeting]
        return self.app.execute(use_case, command_id, action, actor=actor or check.account_id)

    # --- scheduling ------------------------------------------------------------------------
    def schedule_meeting(self, worker_id: UUID, community_id: UUID, title: str, purpose: str,
                         starts_at: datetime, ends_at: datetime, place: str, mode: str, capacity: int,
                         registration_deadline: datetime, voting_rule: str, quorum_percent: int,
                         command_id: str | None = None, proxy_limit: int = DEFAULT_PROXY_LIMIT) -> UUID:
        """A community worker schedules a meeting of the community's roundtable, with how many proxies one holder
        may carry (`Meeting.ProxyLimitSet` in the same append)."""
        self.app.accounts.community(community_id)
        self._require(may_run_meetings, worker_id, community_id)
        title = clean_text(title, "会议主题", max_length=80)
        purpose = clean_text(purpose, "会议目的", max_length=2000, multiline=True)
        place = clean_text(place, "地点", max_length=200)
        meeting_id = uuid.uuid4()

        def action():
            at = self.app.clock()
            Meeting.check_schedule(starts_at, ends_at, registration_deadline, mode, capacity, voting_rule,
                                   quorum_percent, at)
            meeting = Meeting(id=meeting_id, community_id=community_id, title=title, purpose=purpose,
                              starts_at=starts_at, ends_at=ends_at, place=place, mode=mode, capacity=capacity,
                              registration_deadline=registration_deadline, voting_rule=voting_rule,
                              quorum_percent=quorum_percent, scheduled_by=worker_id, at=at)
            meeting.set_proxy_limit(proxy_limit, worker_id, at)
            return meeting.id, [meeting]
        return self.app.execute("rt-schedule", command_id, action, actor=worker_id)

    def reschedule_meeting(self, worker_id: UUID, meeting_id: UUID, starts_at: datetime, ends_at: datetime,
                           place: str, registration_deadline: datetime, reason: str = "",
                           command_id: str | None = None) -> int:
        """The worker moves a meeting that has not opened; registered and waitlisted residents keep their places.
        Returns the calendar sequence number of the change."""
        place = clean_text(place, "地点", max_length=200)
        reason = clean_text(reason, "改期原因", max_length=200, required=False)
        return self._meeting_action(
            "rt-reschedule", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.reschedule(starts_at, ends_at, place, registration_deadline, reason, worker_id,
                                   self.app.clock()))

    def cancel_meeting(self, worker_id: UUID, meeting_id: UUID, reason: str, command_id: str | None = None) -> None:
        """The worker calls a meeting off before it opens, saying why."""
        reason = clean_text(reason, "取消原因", max_length=200)
        return self._meeting_action(
            "rt-cancel", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.cancel(reason, worker_id, self.app.clock()))

    def open_meeting(self, worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> int:
        """The worker opens the meeting; its roll is frozen: the community's verified residents, read from the
        community's own events (never from a view, which may lag). Returns the roll's size."""
        def act(m: Meeting) -> int:
            m.open(self.app.accounts.verified_residents(m.community_id), worker_id, self.app.clock())
            return len(m.roll)
        return self._meeting_action(
            "rt-open", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            act)

    def adjourn_meeting(self, worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> None:
        """The worker closes the meeting after its motions are closed."""
        return self._meeting_action(
            "rt-adjourn", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.adjourn(worker_id, self.app.clock()))

    # --- registration --------------------------------------------------------------------
    def register_for_meeting(self, account_id: UUID, meeting_id: UUID, command_id: str | None = None) -> str:
        """A verified resident registers; 'registered', or 'waitlisted' when the meeting is full."""
        return self._meeting_action(
            "rt-register", command_id, meeting_id, self._by(may_take_part, account_id),
            lambda m: m.register(account_id, self.app.clock()))

    def cancel_registration(self, account_id: UUID, meeting_id: UUID, command_id: str | None = None) -> str | None:
        """A resident withdraws; returns the id of the waitlisted resident promoted in their place, if any."""
        return self._meeting_action(
            "rt-unregister", command_id, meeting_id, lambda m: None,
            lambda m: m.cancel_registration(account_id, self.app.clock()), actor=account_id)

    def dismiss_promotion_notice(self, account_id: UUID, meeting_id: UUID, command_id: str | None = None) -> bool:
        """The resident has read that they were promoted from the waitlist (nothing recorded if nothing to read)."""
        return self._meeting_action(
            "rt-notice-seen", command_id, meeting_id, lambda m: None,
            lambda m: m.dismiss_promotion_notice(account_id, self.app.clock()), actor=account_id)

    # --- proxies ------------------------------------------------------------------------
    def _resident_by_phone(self, phone: str, community_id: UUID) -> UUID:
        """The verified resident of the community holding this phone number (NotFoundError otherwise, the same
        answer whether the number is unknown or belongs to someone else)."""
        account_id = self.app.accounts.account_id_for(phone)
        if account_id is None or not self.app.accounts.is_verified_resident(account_id, community_id):
            raise NotFoundError("找不到该手机号对应的本社区已核实居民")
        return account_id

    def give_proxy(self, account_id: UUID, meeting_id: UUID, holder_phone: str, kind: str = PROXY,
                   command_id: str | None = None) -> str:
        """A verified resident authorises another verified resident of the community (named by their phone
        number) to vote for them at this meeting, before it opens. Returns the holder's id."""
        def act(m: Meeting) -> str:
            holder = self._resident_by_phone(holder_phone, m.community_id)
            m.give_proxy(account_id, holder, kind, account_id, self.app.clock())
            return str(holder)
        return self._meeting_action("rt-give-proxy", command_id, meeting_id, self._by(may_take_part, account_id),
                                    act)

    def record_proxy(self, worker_id: UUID, meeting_id: UUID, giver_phone: str, holder_phone: str,
                     kind: str = PROXY, command_id: str | None = None) -> str:
        """The worker records a signed paper authorisation (委托书) between two verified residents, before the
        meeting opens. Returns the giver's id."""
        def act(m: Meeting) -> str:
            giver = self._resident_by_phone(giver_phone, m.community_id)
            holder = self._resident_by_phone(holder_phone, m.community_id)
            m.give_proxy(giver, holder, kind, worker_id, self.app.clock())
            return str(giver)
        return self._meeting_action("rt-record-proxy", command_id, meeting_id,
                                    self._by(may_run_meetings, worker_id), act)

    def withdraw_proxy(self, account_id: UUID, meeting_id: UUID, command_id: str | None = None) -> None:
        """The giver takes their proxy back before the meeting opens."""
        return self._meeting_action(
            "rt-withdraw-proxy", command_id, meeting_id, lambda m: None,
            lambda m: m.withdraw_proxy(account_id, account_id, self.app.clock()), actor=account_id)

    # --- agenda --------------------------------------------------------------------------
    def propose_agenda_item(self, account_id: UUID, meeting_id: UUID, title: str, description: str,
                            command_id: str | None = None) -> str:
        """A resident (or the worker) proposes an agenda item before the meeting; returns its id."""
        title = clean_text(title, "议题", max_length=80)
        description = clean_text(description, "议题说明", max_length=2000, required=False, multiline=True)
        return self._meeting_action(
            "rt-propose", command_id, meeting_id, self._by(may_propose_items, account_id),
            lambda m: m.propose_item(account_id, title, description, self.app.clock()))

    def support_agenda_item(self, account_id: UUID, meeting_id: UUID, item_id: str,
                            command_id: str | None = None) -> None:
        """Another resident supports a proposed item."""
        return self._meeting_action(
            "rt-support", command_id, meeting_id, self._by(may_take_part, account_id),
            lambda m: m.support_item(str(item_id), account_id, self.app.clock()))

    def accept_agenda_item(self, worker_id: UUID, meeting_id: UUID, item_id: str, planned_minutes: int,
                           position: int | None = None, command_id: str | None = None) -> None:
        """The worker puts an item on the agenda with its planned minutes and place in the order."""
        return self._meeting_action(
            "rt-accept", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.accept_item(str(item_id), planned_minutes, position, worker_id, self.app.clock()))

    def decline_agenda_item(self, worker_id: UUID, meeting_id: UUID, item_id: str, reason: str,
                            command_id: str | None = None) -> None:
        """The worker declines an item with a reason the proposer can read."""
        reason = clean_text(reason, "理由", max_length=200)
        return self._meeting_action(
            "rt-decline", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.decline_item(str(item_id), reason, worker_id, self.app.clock()))

    # --- attendance ----------------------------------------------------------------------
    def check_in(self, worker_id: UUID, meeting_id: UUID, account_id: UUID, command_id: str | None = None) -> None:
        """The worker checks a verified resident of the community in."""
        def check(m: Meeting) -> None:
            self._require(may_run_meetings, worker_id, m.community_id)
            if not self.app.accounts.is_verified_resident(account_id, m.community_id):
                raise NotAllowedError("只有本社区经过核实的居民可以签到参会")
        return self._meeting_action("rt-check-in", command_id, meeting_id, check,
                                    lambda m: m.check_in(account_id, worker_id, self.app.clock()), actor=worker_id)

    def check_out(self, worker_id: UUID, meeting_id: UUID, account_id: UUID, command_id: str | None = None) -> None:
        """The worker records that a resident left the meeting."""
        return self._meeting_action(
            "rt-check-out", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.check_out(account_id, worker_id, self.app.clock()))

    # --- motions and votes ---------------------------------------------------------------
    def open_motion(self, worker_id: UUID, meeting_id: UUID, item_id: str, title: str = "",
                    command_id: str | None = None, amount: str | int | None = None,
                    category: str | None = None) -> str:
        """The worker puts an agenda item to the vote; a motion that spends money states the amount (yuan as typed,
        or fen) and may state the fund category. Returns the motion id."""
        title = clean_text(title, "表决事项", max_length=120, required=False)
        fen = parse_fen(amount) if amount is not None and str(amount).strip() else None
        category = category or None
        if category is not None and category not in CATEGORIES:
            raise InvalidInputError("请选择资金类别")
        return self._meeting_action(
            "rt-open-motion", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.open_motion(str(item_id), title, worker_id, self.app.clock(), fen, category))

    def cast_vote(self, account_id: UUID, meeting_id: UUID, motion_id: str, choice: str,
                  command_id: str | None = None) -> str:
        """A checked-in resident of the community votes for / against / abstain, once per motion."""
        return self._meeting_action(
            "rt-vote", command_id, meeting_id, self._by(may_take_part, account_id),
            lambda m: (m.cast_vote(str(motion_id), account_id, choice, self.app.clock()), choice)[1])

    def cast_proxy_vote(self, holder_id: UUID, meeting_id: UUID, motion_id: str, giver_id: UUID, choice: str,
                        command_id: str | None = None) -> str:
        """A checked-in proxy holder casts the absent giver's vote on their own phone."""
        return self._meeting_action(
            "rt-proxy-vote", command_id, meeting_id, self._by(may_take_part, holder_id),
            lambda m: (m.cast_proxy_vote(str(motion_id), holder_id, giver_id, choice, self.app.clock()), choice)[1])

    def record_vote(self, worker_id: UUID, meeting_id: UUID, motion_id: str, voter_id: UUID, choice: str,
                    command_id: str | None = None) -> str:
        """The worker records a resident's vote on their behalf (present, or through their checked-in proxy
        holder); the vote is marked as recorded by this worker. Returns the channel (worker / proxy)."""
        return self._meeting_action(
            "rt-record-vote", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.record_vote(str(motion_id), voter_id, choice, worker_id, self.app.clock()))

    def count_hands(self, worker_id: UUID, meeting_id: UUID, motion_id: str, votes_for: int, votes_against: int,
                    abstentions: int, command_id: str | None = None) -> int:
        """The worker enters a show of hands for / against / abstain; returns how many could raise a hand."""
        return self._meeting_action(
            "rt-count-hands", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.count_hands(str(motion_id), votes_for, votes_against, abstentions, worker_id,
                                    self.app.clock()))

    # --- speakers ------------------------------------------------------------------------
    def take_up_item(self, worker_id: UUID, meeting_id: UUID, item_id: str, speaker_minutes: int = 0,
                     command_id: str | None = None) -> None:
        """The worker moves the meeting to an agenda item, with an optional time limit per speaker."""
        return self._meeting_action(
            "rt-take-up", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.take_up_item(str(item_id), speaker_minutes, worker_id, self.app.clock()))

    def ask_to_speak(self, account_id: UUID, meeting_id: UUID, item_id: str, command_id: str | None = None) -> None:
        """A checked-in resident asks, from their phone, to speak on an agenda item."""
        return self._meeting_action(
            "rt-ask-to-speak", command_id, meeting_id, self._by(may_take_part, account_id),
            lambda m: m.add_speaker(str(item_id), account_id, account_id, self.app.clock()))

    def add_speaker(self, worker_id: UUID, meeting_id: UUID, item_id: str, speaker_id: UUID,
                    command_id: str | None = None) -> None:
        """The worker puts a checked-in resident on an item's speaker list."""
        return self._meeting_action(
            "rt-add-speaker", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.add_speaker(str(item_id), speaker_id, worker_id, self.app.clock()))

    def withdraw_speaker(self, account_id: UUID, meeting_id: UUID, item_id: str, speaker_id: UUID,
                         command_id: str | None = None) -> None:
        """A waiting speaker takes their own request back, or the worker removes it."""
        def check(m: Meeting) -> None:
            if account_id != speaker_id:
                self._require(may_run_meetings, account_id, m.community_id)
        return self._meeting_action(
            "rt-withdraw-speaker", command_id, meeting_id, check,
            lambda m: m.withdraw_speaker(str(item_id), speaker_id, account_id, self.app.clock()), actor=account_id)

    def start_speaker(self, worker_id: UUID, meeting_id: UUID, item_id: str, speaker_id: UUID | None = None,
                      command_id: str | None = None) -> str:
        """The worker gives the floor to the next waiting speaker (or a chosen one); returns who speaks."""
        return self._meeting_action(
            "rt-start-speaker", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.start_speaker(str(item_id), speaker_id, worker_id, self.app.clock()))

    def finish_speaker(self, worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> int:
        """The worker ends the current speech; returns how many seconds it took."""
        return self._meeting_action(
            "rt-finish-speaker", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.finish_speaker(worker_id, self.app.clock()))

    def close_motion(self, worker_id: UUID, meeting_id: UUID, motion_id: str,
                     command_id: str | None = None) -> dict:
        """The worker closes a vote; a passed motion becomes a Resolution in the same atomic save."""
        def action():
            meeting = self.meeting(meeting_id)
            self._require(may_run_meetings, worker_id, meeting.community_id)
            at = self.app.clock()
            result = meeting.close_motion(str(motion_id), worker_id, at)
            resolution = None
            if result["outcome"] == PASSED:
                motion = meeting.motions[str(motion_id)]
                resolution = Resolution(
                    meeting_id=meeting.id, motion_id=str(motion_id), community_id=meeting.community_id,
                    title=motion["title"], passed=True, votes_for=result["votes_for"],
                    votes_against=result["votes_against"], abstentions=result["abstentions"], at=at,
                    amount=motion.get("amount"), category=motion.get("category"))
                result["resolution_id"] = str(resolution.id)
            return result, [meeting, resolution]
        return self.app.execute("rt-close-motion", command_id, action, actor=worker_id)

    # --- minutes -------------------------------------------------------------------------
    def publish_minutes(self, worker_id: UUID, meeting_id: UUID, text: str,
                        tallies: dict[str, tuple[int, int, int]] | None = None,
                        command_id: str | None = None) -> None:
        """The worker publishes the minutes with each motion's tally (motion id → for, against, abstain) as the
        minutes state it; they must equal the vote record (MinutesMismatchError otherwise, nothing recorded)."""
        text = clean_text(text, "会议纪要", max_length=10_000, multiline=True)
        return self._meeting_action(
            "rt-minutes", command_id, meeting_id, self._by(may_run_meetings, worker_id),
            lambda m: m.publish_minutes(text, tallies or {}, worker_id, self.app.clock()))

    def meeting_history(self, meeting_id: UUID) -> list:
        """Every stored event of the meeting and of its resolutions, in order (for "as of" pages)."""
        meeting = self.meeting(meeting_id)
        events = list(self.app.repository.event_store.get(meeting.id))
        for motion_id in meeting.motions:
            events.extend(self.app.repository.event_store.get(Resolution.id_for(meeting.id, motion_id)))
        return sorted(events, key=lambda e: e.at)  # stable: at equal times the meeting comes first

    # --- follow-up of resolutions --------------------------------------------------------
    def _resolution_action(self, use_case: str, command_id: str | None, resolution_id: UUID, check, act) -> Any:
        def action():
            resolution = self.resolution(resolution_id)
            check(resolution)
            return act(resolution), [resolution]
        return self.app.execute(use_case, command_id, action, actor=check.account_id)

    def assign_resolution_owner(self, worker_id: UUID, resolution_id: UUID, owner: str,
                                command_id: str | None = None) -> None:
        """The worker names who carries out a resolution."""
        owner = clean_text(owner, "负责人", max_length=60)
        return self._resolution_action(
            "rt-owner", command_id, resolution_id, self._by(may_run_meetings, worker_id),
            lambda r: r.assign_owner(owner, worker_id, self.app.clock()))

    def advance_resolution(self, worker_id: UUID, resolution_id: UUID, status: str,
                           command_id: str | None = None) -> None:
        """The worker moves the follow-up on: planned → in_progress → done."""
        return self._resolution_action(
            "rt-advance", command_id, resolution_id, self._by(may_run_meetings, worker_id),
            lambda r: r.advance(status, worker_id, self.app.clock()))

    def note_resolution_progress(self, worker_id: UUID, resolution_id: UUID, note: str, noted_on: str | None = None,
                                 command_id: str | None = None) -> None:
        """The worker adds a dated progress note (the date defaults to today in Asia/Shanghai)."""
        note = clean_text(note, "进展", max_length=1000, multiline=True)
        day = parse_date(noted_on).isoformat() if noted_on else None

        def act(r: Resolution) -> None:
            at = self.app.clock()
            r.note_progress(note, day or local_date(at), worker_id, at)
        return self._resolution_action(
            "rt-progress", command_id, resolution_id, self._by(may_run_meetings, worker_id), act)

    def rate_resolution(self, account_id: UUID, resolution_id: UUID, stars: int,
                        command_id: str | None = None) -> None:
        """A verified resident of the community rates a done resolution, 1–5, once."""
        return self._resolution_action(
            "rt-rate", command_id, resolution_id, self._by(may_take_part, account_id),
            lambda r: r.rate(account_id, stars, self.app.clock()))
