"""The roundtable's participation rules, asked by the service and the model before they act and by the pages before
they show a button. Meeting state comes in as plain values, so the `Meeting` aggregate and a view row can both ask."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from domain.kernel import people
from domain.kernel.actor import Actor
from domain.kernel.people import InDistrict
from domain.kernel.time import as_moment

SCHEDULED, OPEN, CLOSED, CANCELLED = "scheduled", "open", "closed", "cancelled"
PASSED, REJECTED, NO_QUORUM = "passed", "rejected", "no_quorum"
REGISTERED, WAITLISTED = "registered", "waitlisted"
PLANNED, IN_PROGRESS, DONE = "planned", "in_progress", "done"
FOLLOW_UP_STEPS = {PLANNED: IN_PROGRESS, IN_PROGRESS: DONE}
DOORS_OPEN_BEFORE = timedelta(hours=2)   # check-in starts, and the meeting may be opened, this long before the start

Moment = datetime | str


# --- who ---------------------------------------------------------------------------------------
def may_run_meetings(actor: Actor, community: InDistrict) -> bool:
    """Schedules, opens and chairs the community's meetings, checks residents in: its community workers."""
    return people.is_worker(actor, community)


def may_take_part(actor: Actor, community: InDistrict) -> bool:
    """Registers, supports agenda items, votes and rates resolutions: a verified resident of the community."""
    return people.is_resident(actor, community)


def may_propose_items(actor: Actor, community: InDistrict) -> bool:
    """Proposes agenda items: a verified resident or a worker of the community."""
    return people.is_resident(actor, community) or people.is_worker(actor, community)


def may_see_names(actor: Actor, community: InDistrict) -> bool:
    """Sees who proposed what: members of the community (residents and staff)."""
    return people.is_member(actor, community)


# --- registration ------------------------------------------------------------------------------
def registration_open(status: str, deadline: Moment, now: Moment) -> bool:
    """Registration takes names until its deadline, while the meeting is still scheduled."""
    return status == SCHEDULED and as_moment(now) <= as_moment(deadline)


def may_register(actor: Actor, community: InDistrict, registration: str | None, status: str, deadline: Moment,
                 now: Moment) -> bool:
    """A verified resident not yet registered (nor waitlisted) registers while registration is open."""
    return may_take_part(actor, community) and registration is None and registration_open(status, deadline, now)


def withdrawals_open(status: str) -> bool:
    """Registrations are withdrawn only while the meeting is still scheduled."""
    return status == SCHEDULED


def may_withdraw(registration: str | None, status: str) -> bool:
    """Whoever is registered or waitlisted withdraws, while withdrawals are open."""
    return registration in (REGISTERED, WAITLISTED) and withdrawals_open(status)


# --- agenda ------------------------------------------------------------------------------------
def proposals_open(status: str, starts_at: Moment, now: Moment) -> bool:
    """Agenda items are proposed before the meeting starts."""
    return status == SCHEDULED and as_moment(now) < as_moment(starts_at)


def may_propose(actor: Actor, community: InDistrict, status: str, starts_at: Moment, now: Moment) -> bool:
    """A resident or worker of the community proposes an item while proposals are open."""
    return may_propose_items(actor, community) and proposals_open(status, starts_at, now)


def not_over(status: str) -> bool:
    """Until the meeting closes (or is cancelled) items are supported, accepted or declined, and people check in."""
    return status in (SCHEDULED, OPEN)


def is_own_item(proposed_by: Any, account_id: Any) -> bool:
    """Nobody supports the item they proposed themselves."""
    return str(proposed_by) == str(account_id)


def may_support(actor: Actor, community: InDistrict, proposed_by: Any, item_status: str, status: str) -> bool:
    """Another verified resident supports a proposed (not declined) item while the meeting is not over."""
    return (may_take_part(actor, community) and not_over(status) and item_status != "declined"
            and actor.authenticated and not is_own_item(proposed_by, actor.account_id))


def may_decide_items(actor: Actor, community: InDistrict, status: str) -> bool:
    """The community's worker accepts or declines proposed items while the meeting is not over."""
    return may_run_meetings(actor, community) and not_over(status)


# --- the meeting itself ------------------------------------------------------------------------
def doors_open(starts_at: Moment, now: Moment) -> bool:
    """From 2 hours before the start people check in and the meeting may be opened."""
    return as_moment(now) >= as_moment(starts_at) - DOORS_OPEN_BEFORE


def may_open_meeting(actor: Actor, community: InDistrict, status: str, starts_at: Moment, now: Moment) -> bool:
    """The worker opens a scheduled meeting once its doors are open."""
    return may_run_meetings(actor, community) and status == SCHEDULED and doors_open(starts_at, now)


def reschedulable(status: str, present: int) -> bool:
    """A meeting is moved while still scheduled and before anybody is checked in."""
    return status == SCHEDULED and present == 0


def check_in_open(status: str, starts_at: Moment, now: Moment) -> bool:
    """People are checked in from when the doors open until the meeting is over."""
    return not_over(status) and doors_open(starts_at, now)


# --- votes -------------------------------------------------------------------------------------
def votable(accepted_item_ids: Iterable[str], motions: Iterable[Mapping[str, Any]]) -> list[str]:
    """Accepted items that can still be put to the vote: not open now, not already passed or rejected."""
    decided = {str(m["item_id"]) for m in motions if m["outcome"] in (PASSED, REJECTED) or m["status"] == "open"}
    return [i for i in accepted_item_ids if str(i) not in decided]


def voting_open(status: str, motion_status: str) -> bool:
    """Votes are cast on an open motion of an open meeting."""
    return status == OPEN and motion_status == "open"


def may_vote(actor: Actor, community: InDistrict, status: str, motion_status: str, voted: Any, on_roll: bool,
             present: bool, counted_by_hands: bool = False) -> bool:
    """A verified resident on the meeting's roll who is checked in votes once on an open motion (by any channel:
    a vote a proxy holder cast for them, or a show of hands they were counted in, is their vote)."""
    return (may_take_part(actor, community) and voting_open(status, motion_status) and not voted and on_roll
            and present and not counted_by_hands)


# --- follow-up of resolutions ------------------------------------------------------------------
def may_follow_up(actor: Actor, community: InDistrict, passed: Any) -> bool:
    """The community's worker follows a passed resolution up: owner, steps and progress notes."""
    return may_run_meetings(actor, community) and bool(passed)


def owner_assignable(follow_up_status: str) -> bool:
    """An owner is named (or renamed) until the resolution is done."""
    return follow_up_status != DONE


def next_follow_up_step(owner: str, follow_up_status: str) -> str | None:
    """The one step the follow-up may take next (planned → in progress → done), once it has an owner."""
    return FOLLOW_UP_STEPS.get(follow_up_status) if owner else None


def ratings_open(follow_up_status: str) -> bool:
    """Residents rate a resolution's outcome once its follow-up is done."""
    return follow_up_status == DONE


def may_rate(actor: Actor, community: InDistrict, follow_up_status: str) -> bool:
    """A verified resident of the community rates a done resolution."""
    return may_take_part(actor, community) and ratings_open(follow_up_status)


# --- who cannot take part yet, and why -----------------------------------------------------------
def participation_gap(actor: Actor, community: InDistrict) -> str | None:
    """Why the person may not register or vote here (None: they may, or they run the meeting): `anonymous`,
    `pending` (asked to join, not verified yet), `rejected`, or `not_joined` (no residency in this community)."""
    if not actor.authenticated:
        return "anonymous"
    if may_take_part(actor, community) or may_run_meetings(actor, community):
        return None
    status = actor.residency(community.id)
    return status if status in ("pending", "rejected") else "not_joined"


# --- proxies (委托投票) and household representatives (户代表) -------------------------------------------
PROXY = "proxy"              # a resident authorises another resident of the community for one meeting
HOUSEHOLD = "household"      # the same, naming them the household's representative (居民代表/户代表)
PROXY_KINDS = (PROXY, HOUSEHOLD)
DEFAULT_PROXY_LIMIT = 1      # proxies one holder may carry, unless the worker set another number when scheduling
MAX_PROXY_LIMIT = 5


def proxy_limit_allowed(limit: Any) -> bool:
    """The per-meeting maximum of proxies one holder carries: a whole number from 0 (no proxies) to 5."""
    return isinstance(limit, int) and not isinstance(limit, bool) and 0 <= limit <= MAX_PROXY_LIMIT


def proxies_open(status: str) -> bool:
    """Proxies are given (and withdrawn) before the meeting opens."""
    return status == SCHEDULED


def proxy_refusal(giver: Any, holder: Any, proxies: Mapping[str, str], proxy_limit: int) -> str | None:
    """Why `giver` may not authorise `holder` now (a message), or None. `proxies` maps each giver of an active
    proxy to its holder. No proxy to oneself, one proxy per giver, no chains (a holder gives none, a giver holds
    none), and at most `proxy_limit` proxies per holder."""
    giver, holder = str(giver), str(holder)
    if giver == holder:
        return "不能委托给自己"
    if giver in proxies:
        return "您已委托他人代为投票；如需更换，请先撤回原委托"
    if holder in proxies:
        return "受托人本人已委托他人投票，不能再接受委托"
    if any(h == giver for h in proxies.values()):
        return "您已接受他人委托，不能再委托别人"
    if proxy_limit < 1:
        return "本次会议不接受委托投票"
    if sum(1 for h in proxies.values() if h == holder) >= proxy_limit:
        return "受托人已接受的委托数已达本次会议的上限"
    return None


def may_give_proxy(actor: Actor, community: InDistrict, status: str, gave: Any, holds: int, proxy_limit: int
                   ) -> bool:
    """A verified resident who has given no proxy and holds none authorises someone, before the meeting opens."""
    return (may_take_part(actor, community) and proxies_open(status) and not gave and holds == 0
            and proxy_limit >= 1)


def may_withdraw_proxy(gave: Any, status: str) -> bool:
    """Whoever gave a proxy withdraws it before the meeting opens (afterwards voting in person revokes it)."""
    return bool(gave) and proxies_open(status)


def may_record_proxies(actor: Actor, community: InDistrict, status: str, proxy_limit: int) -> bool:
    """The worker records a signed paper authorisation (委托书) before the meeting opens."""
    return may_run_meetings(actor, community) and proxies_open(status) and proxy_limit >= 1


def represented(roll: Iterable[str], present: Iterable[str], proxies: Mapping[str, str]) -> dict[str, str]:
    """Giver → holder for the proxies that count now: both on the roll, the holder checked in, the giver not
    (a giver who came in person speaks for themselves)."""
    roll, present = set(roll), set(present)
    return {g: h for g, h in proxies.items() if g in roll and h in roll and h in present and g not in present}


def voices_present(roll: Iterable[str], present: Iterable[str], proxies: Mapping[str, str]) -> set[str]:
    """Everyone on the roll who counts as present, each person once: checked in, or represented by a proxy
    holder who is checked in."""
    roll, present = set(roll), set(present)
    return (roll & present) | set(represented(roll, present, proxies))


# --- votes by channel: on one's phone, recorded by the worker, by proxy, by show of hands ---------------------
ONLINE, WORKER, BY_PROXY, HANDS = "online", "worker", "proxy", "hands"
MAX_HANDS = 10_000


def may_vote_by_proxy(actor: Actor, community: InDistrict, status: str, motion_status: str, holder_present: bool,
                      giver_represented: bool, giver_voted: Any, counted_by_hands: bool = False) -> bool:
    """A checked-in proxy holder casts the vote of the resident who authorised them, once, while that resident is
    absent and not yet counted (individually or in a show of hands)."""
    return (may_take_part(actor, community) and voting_open(status, motion_status) and holder_present
            and giver_represented and not giver_voted and not counted_by_hands)


def may_record_votes(actor: Actor, community: InDistrict, status: str, motion_status: str) -> bool:
    """The worker records votes on residents' behalf and counts hands while a motion is open."""
    return may_run_meetings(actor, community) and voting_open(status, motion_status)


def hands_room(voices: Iterable[str], voted: Iterable[str]) -> int:
    """How many hands may be counted: the voices present who have not voted individually (they are asked not
    to raise their hands, and the count may not exceed what is left)."""
    return len(set(voices) - set(voted))


def hands_valid(votes_for: Any, votes_against: Any, abstentions: Any) -> bool:
    """Each count of a show of hands is a whole number from 0 to 10,000."""
    return all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_HANDS
               for n in (votes_for, votes_against, abstentions))


def hands_fit(votes_for: int, votes_against: int, abstentions: int, room: int) -> bool:
    """The hands counted are no more than the voices present who have not voted individually."""
    return votes_for + votes_against + abstentions <= room


# --- speakers -------------------------------------------------------------------------------------
MAX_SPEAKER_MINUTES = 60


def speaker_limit_allowed(minutes: Any) -> bool:
    """A speaker's time limit in whole minutes: 0 (no limit) to 60."""
    return isinstance(minutes, int) and not isinstance(minutes, bool) and 0 <= minutes <= MAX_SPEAKER_MINUTES


def may_ask_to_speak(actor: Actor, community: InDistrict, status: str, present: bool, on_list: bool) -> bool:
    """A checked-in resident asks to speak on an agenda item while the meeting is open, once at a time."""
    return may_take_part(actor, community) and status == OPEN and present and not on_list


def may_withdraw_from_speaking(actor: Actor, speaker: Any, waiting: bool) -> bool:
    """A speaker still waiting takes their own request back."""
    return waiting and actor.is_self(speaker)


def may_chair(actor: Actor, community: InDistrict, status: str) -> bool:
    """The worker chairs an open meeting: takes up agenda items, adds and calls speakers."""
    return may_run_meetings(actor, community) and status == OPEN


def over_time(seconds: int, limit_seconds: int) -> bool:
    """A speaker with a time limit spoke longer than it."""
    return bool(limit_seconds) and seconds > limit_seconds


# --- the minutes' tallies against the vote record ----------------------------------------------------
def minutes_mismatches(stated: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    """The motions whose tally in the minutes (for, against, abstain) is missing or differs from the record."""
    return [mid for mid, counts in record.items()
            if stated.get(mid) is None or tuple(stated[mid]) != tuple(counts)]


# --- notices ------------------------------------------------------------------------------------
def notice_current(status: str, starts_at: Moment, now: Moment) -> bool:
    """A promotion from the waitlist is news until the meeting starts (or is called off)."""
    return status == SCHEDULED and as_moment(now) < as_moment(starts_at)
