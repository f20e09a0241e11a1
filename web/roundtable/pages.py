"""Page contexts of the roundtable pages (meetings with what happens in the room — proxies, votes by channel,
hands, speakers, the minutes form —, check-in, the printable notice and sign-in sheet, resolutions; live or rebuilt
"as of" a moment from events), and what the roundtable adds to other pages: the next meeting on the community
overview, a person's coming meetings in their schedule, their promotions from a waitlist on the home page, and the
street's count of coming meetings.

Contexts carry rows and facts only; the templates ask `rules.roundtable.*` (domain/roundtable/policies.py), the
same functions the service and the meeting enforce, which buttons to show."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from domain.kernel.errors import NotFoundError
from domain.roundtable import policies
from domain.roundtable.inputs import TALLY_FIELDS, asks_for_digits, tally_field
from projections import chain as chain_views
from projections import roundtable as views
from web import asof
from web.http import Pager, is_tls, me, parse_uuid, services, url_for
from web.localtime import local_time, now
from web.panels import AgendaItem, Column, Panel, Task
from web.places import Place

MODE_NAMES = {"in_person": "线下", "online": "线上", "hybrid": "线上线下结合"}
RULE_NAMES = {"simple": "简单多数（赞成票多于反对票）", "two_thirds": "三分之二多数（赞成票不少于赞成与反对票之和的三分之二）"}
STATUS_NAMES = {"scheduled": "报名中", "open": "进行中", "closed": "已结束", "cancelled": "已取消"}
OUTCOME_NAMES = {"passed": "通过", "rejected": "未通过", "no_quorum": "未达法定人数"}
CHOICE_NAMES = {"for": "赞成", "against": "反对", "abstain": "弃权"}
FOLLOW_UP_NAMES = {"planned": "计划中", "in_progress": "进行中", "done": "已完成"}
PROXY_KIND_NAMES = {"proxy": "委托投票", "household": "户代表"}
CHANNEL_NAMES = {"online": "手机投票", "worker": "工作人员代录", "proxy": "委托投票"}
SPEAKER_STATUS_NAMES = {"waiting": "等待发言", "speaking": "正在发言", "done": "已发言", "withdrawn": "已撤回"}
# The events behind a motion's tally (the `record` page's `?type=`): every vote by every channel, the hands, the close.
TALLY_EVENTS = "Meeting.VoteCast,Meeting.VoteRecorded,Meeting.ProxyVoteCast,Meeting.HandsCounted,Meeting.MotionClosed"
# What every roundtable template names things by (msgids, translated in the templates).
NAMES = dict(modes=MODE_NAMES, rules=RULE_NAMES, statuses=STATUS_NAMES, outcomes=OUTCOME_NAMES,
             choices=CHOICE_NAMES, follow_up=FOLLOW_UP_NAMES, proxy_kinds=PROXY_KIND_NAMES, channels=CHANNEL_NAMES,
             speaker_statuses=SPEAKER_STATUS_NAMES, tally_fields=TALLY_FIELDS, tally_events=TALLY_EVENTS)
SCHEDULE_DEFAULTS = {"mode": "in_person", "capacity": "30", "voting_rule": "simple", "quorum_percent": "50",
                     "proxy_limit": str(policies.DEFAULT_PROXY_LIMIT)}


# --- what the path names ---------------------------------------------------------------------------
def meeting_or_404(request: Request, community: Place) -> dict:
    """The meeting in the path, only if it belongs to the community in the path."""
    meeting_id = parse_uuid(request.path_params.get("meeting_id", "").removesuffix(".ics"), "会议")
    row = views.meeting(services(request).views, str(meeting_id))
    if row is None or row["community_id"] != community.id:
        raise NotFoundError("找不到该会议")
    return row


def resolution_or_404(request: Request, community: Place) -> dict:
    """The resolution in the path, only if it belongs to the community in the path."""
    rid = parse_uuid(request.path_params.get("resolution_id"), "决议")
    row = views.resolution(services(request).views, str(rid))
    if row is None or row["community_id"] != community.id:
        raise NotFoundError("找不到该决议")
    return row


# --- the roundtable tab ----------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexPage:
    """The tab: upcoming meetings (first page only), one page of past ones, the viewer's own registrations."""

    upcoming: list[dict]
    past: list[dict]
    pager: Pager
    mine: dict[str, str]


def index_page(request: Request, community: Place) -> IndexPage:
    """The community's meetings as the tab lists them."""
    db, moment = services(request).views, now(request)
    pager = Pager.from_request(request, views.count_past_meetings(db, community.id, moment))
    return IndexPage(
        upcoming=views.upcoming_meetings(db, community.id, moment) if pager.page == 1 else [],
        past=views.past_meetings(db, community.id, moment, pager.per_page, pager.offset), pager=pager,
        mine=views.viewer_registrations(db, community.id, me(request).account_id))


# --- check-in --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckIn:
    """The check-in search and its rows: on the worker's phone screen, or inside the meeting page."""

    community: Place
    meeting: dict
    now: datetime
    q: str = ""
    rows: list[dict] = field(default_factory=list)
    in_meeting: bool = False

    @property
    def asks_for_digits(self) -> bool:
        """Digits that are not a phone's last 4 found nobody: the screen says to type the last 4."""
        return asks_for_digits(self.q)


def check_in(request: Request, community: Place, meeting: dict, q: str, in_meeting: bool = False) -> CheckIn:
    """The search for `q` (name fragment or the phone's last 4 digits; nothing typed: the people expected)."""
    rows = views.check_in_search(services(request).views, community.id, meeting["id"], q)
    return CheckIn(community, meeting, now(request), q, rows, in_meeting)


def check_in_row(request: Request, community: Place, meeting_id: str, account_id: str) -> dict | None:
    """One resident's row after a check-in or check-out (None: not a verified resident of the community)."""
    return views.check_in_person(services(request).views, community.id, meeting_id, account_id)


def check_in_of_row(request: Request, community: Place, meeting_id: str, q: str) -> CheckIn:
    """The context a single row renders in on the check-in screen (the meeting as it is now)."""
    return CheckIn(community, views.meeting(services(request).views, meeting_id), now(request), q)


# --- the meeting page ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinutesForm:
    """The worker's minutes form: the text, each closed motion's tally as typed (strings, blank to start with; a
    revision starts from the tallies the minutes stated), and, after a refusal, which motions disagree."""

    text: str
    record: dict[str, tuple[int, int, int]]
    values: dict[str, dict[str, str]]
    mismatches: list[str] = field(default_factory=list)

    def value(self, motion_id: str, choice: str) -> str:
        return self.values.get(motion_id, {}).get(choice, "")

    @staticmethod
    def field(motion_id: str, choice: str) -> str:
        """The form field for one motion's count of one choice."""
        return tally_field(motion_id, choice)


def minutes_form(db: views.Database, meeting: dict, typed: dict[str, str] | None = None,
                 text: str | None = None, stated: dict[str, tuple[int, int, int]] | None = None) -> MinutesForm:
    """The minutes form: as first shown (the published tallies, if any), or as the worker typed it with the motions
    whose tally differs from the record marked, by the same rule the meeting applies (`minutes_mismatches`)."""
    record = views.closed_tallies(db, meeting["id"])
    if typed is None:
        previous = views.stated_tallies(db, meeting["id"])
        values = {mid: {c: str(n) for c, n in zip(TALLY_FIELDS, previous[mid])} for mid in record if mid in previous}
        return MinutesForm(meeting["minutes"] or "", record, values)
    values = {mid: {c: typed.get(tally_field(mid, c), "") for c in TALLY_FIELDS} for mid in record}
    return MinutesForm(text or "", record, values, policies.minutes_mismatches(stated or {}, record))


@dataclass(frozen=True)
class Room:
    """Proxies, votes by channel, hands and speakers: what the meeting page shows about the meeting in the room."""

    proxies: list[dict] = field(default_factory=list)          # all active proxies (the worker's list)
    my_proxy: dict | None = None                               # the proxy the viewer gave
    held: list[dict] = field(default_factory=list)             # the proxies the viewer holds, each `represented`
    my_vote_details: dict[str, dict] = field(default_factory=dict)
    individual_votes: list[dict] = field(default_factory=list)  # the open motion's votes (who and how, no choice)
    to_record: list[dict] = field(default_factory=list)        # whose vote the worker may still record
    held_votes: dict[str, dict] = field(default_factory=dict)   # the open motion's votes of the givers held
    hand_pool: set[str] = field(default_factory=set)            # counted in the open motion's show of hands
    hands_room: int = 0                                        # how many hands may still be counted
    methods: dict[str, dict] = field(default_factory=dict)      # motion id → how its votes are taken
    floor: dict | None = None
    speakers: dict[str, list[dict]] = field(default_factory=dict)
    promotion_unseen: bool = False

    def on_list(self, item_id: str, account_id: str | None) -> bool:
        """The person waits or speaks on the item now."""
        return any(s["account_id"] == account_id and s["status"] in ("waiting", "speaking")
                   for s in self.speakers.get(str(item_id), []))


def room_of(request: Request, db: views.Database, meeting: dict, open_motion: dict | None, worker: bool) -> Room:
    """The meeting-in-the-room context, from view queries; the counting rules are the domain's own policies."""
    who, mid = me(request), meeting["id"]
    proxies = views.proxies(db, mid)
    roll, present = views.roll_ids(db, mid), views.present_ids(db, mid)
    active = {x["giver_id"]: x["holder_id"] for x in proxies}
    counting = policies.represented(roll, present, active)
    proxies = [{**x, "represented": x["giver_id"] in counting} for x in proxies]
    held = [x for x in proxies if x["holder_id"] == who.account_id]
    pool, votes, to_record, room, held_votes = set(), [], [], 0, {}
    if open_motion is not None:
        pool = views.hand_pool(db, mid, open_motion["motion_id"])
        held_votes = views.votes_of(db, mid, open_motion["motion_id"], [x["giver_id"] for x in held])
        votes = views.individual_votes(db, mid, open_motion["motion_id"])
        room = policies.hands_room(policies.voices_present(roll, present, active), {v["account_id"] for v in votes})
        to_record = views.voters_to_record(db, mid, open_motion["motion_id"]) if worker else []
    notices = views.unseen_promotions(db, who.account_id, now(request)) if who.authenticated else []
    return Room(
        proxies=proxies if worker else [], my_proxy=next((x for x in proxies if x["giver_id"] == who.account_id), None),
        held=held, held_votes=held_votes, my_vote_details=views.my_vote_details(db, mid, who.account_id),
        individual_votes=votes if worker else [], to_record=to_record, hand_pool=pool, hands_room=room,
        methods=views.vote_methods(db, mid), floor=views.floor(db, mid), speakers=views.speakers(db, mid),
        promotion_unseen=any(n["meeting_id"] == mid for n in notices))


@dataclass(frozen=True)
class MeetingView:
    """Everything the meeting page and its partials show, from view queries only (live, or rebuilt as of a moment:
    then `as_of` is set, `now` is that moment and the page offers no actions)."""

    community: Place
    meeting: dict
    now: datetime
    agenda: dict
    motions: list[dict]
    resolutions: list[dict]
    minutes_check: list[dict]
    reschedules: list[dict] = field(default_factory=list)
    my_registration: dict | None = None
    my_supports: set[str] = field(default_factory=set)
    my_votes: dict[str, str] = field(default_factory=dict)
    i_am_present: bool = False
    i_am_on_roll: bool = False
    registrations: list[dict] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)
    check_in: CheckIn | None = None
    votable_items: list[dict] = field(default_factory=list)
    as_of: str | None = None
    room: Room = field(default_factory=Room)
    minutes_form: MinutesForm | None = None
    minutes_stamp: chain_views.Stamp | None = None   # the record the published minutes follow from

    @property
    def live(self) -> bool:
        """The page as it is now (actions offered), not a rebuild of the past."""
        return self.as_of is None

    @property
    def my_registration_status(self) -> str | None:
        return self.my_registration["status"] if self.my_registration else None

    @property
    def open_motion(self) -> dict | None:
        return next((m for m in self.motions if m["status"] == "open"), None)


def meeting_view(request: Request, community: Place, meeting: dict, db: views.Database, moment: datetime | None = None,
                 minutes: MinutesForm | None = None) -> MeetingView:
    """Build the meeting page's context from `db`: the live views, or (with `moment`) an as-of rebuild; `minutes`
    is the minutes form as the worker typed it (after a refusal)."""
    who, mid = me(request), meeting["id"]
    agenda, motions = views.agenda(db, mid), views.motions(db, mid)
    worker = policies.may_run_meetings(who, community)
    live = moment is None
    search = None
    if worker and live and policies.not_over(meeting["status"]):
        expected = views.check_in_search(db, community.id, mid, "", limit=50)
        search = CheckIn(community, meeting, now(request), rows=[r for r in expected if not r["present"]][:20],
                         in_meeting=True)
    votable_ids = policies.votable([a["item_id"] for a in agenda["accepted"]], motions)
    open_motion = next((m for m in motions if m["status"] == "open"), None)
    if worker and live and meeting["status"] == policies.CLOSED and minutes is None:
        minutes = minutes_form(db, meeting)
    return MeetingView(
        community=community, meeting=meeting, now=now(request) if live else moment, agenda=agenda, motions=motions,
        resolutions=views.meeting_resolutions(db, mid), minutes_check=views.minutes_check(db, mid),
        reschedules=views.reschedules(db, mid),
        my_registration=views.my_registration(db, mid, who.account_id),
        my_supports=views.my_supports(db, mid, who.account_id), my_votes=views.my_votes(db, mid, who.account_id),
        i_am_present=who.authenticated and who.account_id in views.present_ids(db, mid),
        i_am_on_roll=views.is_on_roll(db, mid, who.account_id),
        registrations=views.registrations(db, mid) if worker else [],
        attendance=views.attendance(db, mid) if worker else [],
        check_in=search, votable_items=[a for a in agenda["accepted"] if a["item_id"] in votable_ids],
        as_of=None if live else local_time(views.iso(moment)),
        room=room_of(request, db, meeting, open_motion, worker), minutes_form=minutes,
        minutes_stamp=chain_views.stamp_of_latest(db, mid, "MinutesPublished") if meeting["minutes_revision"] else None)


def current_meeting(request: Request, community: Place, meeting_id: str, minutes: MinutesForm | None = None
                    ) -> MeetingView:
    """The meeting page from the views (the live ones, or those as of `?as_of=`: then no actions)."""
    db = services(request).views
    return meeting_view(request, community, views.meeting(db, meeting_id), db, asof.moment_of(request),
                        minutes=minutes)


def typed_minutes(request: Request, meeting_id: str, typed: dict[str, str], text: str,
                  stated: dict[str, tuple[int, int, int]]) -> MinutesForm:
    """The minutes form as the worker sent it, the motions whose tally disagrees with the record marked."""
    db = services(request).views
    return minutes_form(db, views.meeting(db, meeting_id), typed, text, stated)


# --- printable pages: the notice for the board, the sign-in sheet -------------------------------------
@dataclass(frozen=True)
class Notice:
    """The A4 notice (会议通知) for the notice board: the meeting, its agenda, how to register, a QR code."""

    community: Place
    meeting: dict
    agenda: list[dict]
    meeting_url: str
    qr: str                      # an SVG data URI of the QR code for `meeting_url`


def public_base(request: Request) -> str:
    """The site's public address: the deployment's configured one when it has it (`public_url`), else what the
    request says (https when served over TLS, directly or behind a trusted proxy). The latter comes from the Host
    header, which a client chooses: the notice prints the address in words beside the code, so the worker printing
    it sees what it leads to."""
    configured = services(request).settings.public_url
    if configured:
        return configured
    base = request.base_url
    return str(base.replace(scheme="https") if is_tls(request) else base).rstrip("/")


def notice(request: Request, community: Place, meeting: dict, qr_svg_uri) -> Notice:
    """The notice of `meeting`; `qr_svg_uri(text)` draws the QR code."""
    address = public_base(request) + url_for(request, "roundtable_meeting", community_id=community.id,
                                             meeting_id=meeting["id"])
    return Notice(community, meeting, views.agenda(services(request).views, meeting["id"])["accepted"], address,
                  qr_svg_uri(address))


@dataclass(frozen=True)
class SignInSheet:
    """The printable sign-in sheet (签到表): the frozen roll (or, before opening, the verified residents), names as the
    directory shows them, the proxies, and an empty column to sign."""

    community: Place
    meeting: dict
    rows: list[dict]
    frozen: bool


def sign_in_sheet(request: Request, community: Place, meeting: dict) -> SignInSheet:
    frozen = meeting["status"] in (policies.OPEN, policies.CLOSED)
    return SignInSheet(community, meeting, views.sign_in_sheet(services(request).views, community.id, meeting["id"],
                                                                frozen), frozen)


# --- resolutions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResolutionsPage:
    """One page of the community's resolutions board."""

    rows: list[dict]
    pager: Pager


def resolutions_page(request: Request, community: Place) -> ResolutionsPage:
    db = services(request).views
    pager = Pager.from_request(request, views.count_resolutions(db, community.id))
    return ResolutionsPage(views.resolutions(db, community.id, pager.per_page, pager.offset), pager)


@dataclass(frozen=True)
class ResolutionView:
    """A resolution, its follow-up log and the viewer's rating (live, or rebuilt as of a moment: no actions)."""

    community: Place
    resolution: dict
    log: list[dict]
    my_rating: int | None = None
    as_of: str | None = None
    stamp: chain_views.Stamp | None = None   # the record the page follows from: the resolution's latest event

    @property
    def live(self) -> bool:
        return self.as_of is None


def resolution_view(request: Request, community: Place, row: dict) -> ResolutionView:
    """The resolution page's context for `row`, from the views (the live ones, or those as of `?as_of=`)."""
    db, moment = services(request).views, asof.moment_of(request)
    return ResolutionView(community=community, resolution=row, log=views.progress(db, row["id"]),
                          my_rating=views.my_rating(db, row["id"], me(request).account_id),
                          as_of=None if moment is None else local_time(views.iso(moment)),
                          stamp=chain_views.stamp_of_aggregate(db, row["id"]))


# --- hooks for other pages -------------------------------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel:
    """The community's next meeting."""
    upcoming = views.upcoming_meetings(services(request).views, community.id, now(request))
    meeting = upcoming[0] if upcoming else None
    return Panel("roundtable/_overview_card.html", {"community": community, "meeting": meeting,
                                                     "starts_at": local_time(meeting["starts_at"]) if meeting else ""})


def agenda(request: Request, community_ids: list[str]) -> list[AgendaItem]:
    """The meetings the person registered (or waits) for."""
    db, account_id = services(request).views, me(request).account_id
    items = []
    for community_id in community_ids:
        registered = views.viewer_registrations(db, community_id, account_id)
        for m in views.upcoming_meetings(db, community_id, now(request)):
            if m["id"] in registered:
                items.append(AgendaItem(
                    kind="议事会", title=m["title"], starts_at=m["starts_at"], when=local_time(m["starts_at"]),
                    place=m["place"], waitlisted=registered[m["id"]] == "waitlisted",
                    url=url_for(request, "roundtable_meeting", community_id=community_id, meeting_id=m["id"]),
                    rescheduled=bool(views.reschedules(db, m["id"]))))
    return items


def tasks(request: Request, community_id: str) -> list[Task]:
    """Vote (a meeting with a motion open now) and register for the next meeting, one tap from home."""
    db = services(request).views
    upcoming = views.upcoming_meetings(db, community_id, now(request))
    found = []
    voting = next((m for m in upcoming if views.open_motion(db, m["id"])), None)
    if voting is not None:
        found.append(Task("去表决", url_for(request, "roundtable_meeting", community_id=community_id,
                                            meeting_id=voting["id"]), 10))
    if upcoming:
        found.append(Task("报名参加议事会", url_for(request, "roundtable_meeting", community_id=community_id,
                                                 meeting_id=upcoming[0]["id"]), 20))
    else:
        found.append(Task("议事会", url_for(request, "roundtable_index", community_id=community_id), 20))
    return found


def notices(request: Request) -> list[Panel]:
    """Promotions from a meeting's waitlist the person has not read yet (until the meeting starts)."""
    rows = views.unseen_promotions(services(request).views, me(request).account_id, now(request))
    return [Panel("roundtable/_notice.html", {"notice": n, "when": local_time(n["starts_at"])}) for n in rows]


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """How many meetings each community has coming."""
    db, moment = services(request).views, now(request)
    return [Column("即将召开的会议", {c.id: str(len(views.upcoming_meetings(db, c.id, moment))) for c in communities})]


def my_data(request: Request) -> dict:
    """What the roundtable holds about the person asking (Chinese labels, as "my data" shows them)."""
    record = views.person_record(services(request).views, me(request).account_id)
    return {"报名的会议": record["registrations"], "提出的议题": record["items"], "签到记录": record["attendance"],
            "投票记录": record["votes"], "对决议的评价": record["ratings"], "委托投票": record["proxies"],
            "发言记录": record["speeches"], "代录或委托代投的投票": record["recorded_votes"]}


def audit_labels() -> dict[str, str]:
    """The roundtable's event types as the audit trail names them."""
    return {
        "Meeting.Scheduled": "已安排会议", "Meeting.Rescheduled": "已会议改期", "Meeting.Cancelled": "已取消会议",
        "Meeting.Opened": "已宣布开会", "Meeting.Adjourned": "已宣布散会", "Meeting.ResidentRegistered": "已报名参会",
        "Meeting.ResidentWaitlisted": "已候补参会", "Meeting.RegistrationCancelled": "已取消报名",
        "Meeting.WaitlistPromoted": "已候补转正", "Meeting.AgendaItemProposed": "已提出议题",
        "Meeting.AgendaItemSupported": "已支持议题", "Meeting.AgendaItemAccepted": "已议题列入议程",
        "Meeting.AgendaItemDeclined": "已议题不予采纳", "Meeting.CheckedIn": "已会议签到", "Meeting.CheckedOut": "已会议签退",
        "Meeting.MotionOpened": "已发起表决", "Meeting.VoteCast": "已投票", "Meeting.MotionClosed": "已结束表决",
        "Meeting.MinutesPublished": "已发布会议纪要", "Resolution.Adopted": "已形成决议", "Resolution.OwnerAssigned": "已指定负责人",
        "Resolution.FollowUpStatusChanged": "已更新落实状态", "Resolution.ProgressNoted": "已记录落实进展",
        "Resolution.Rated": "已评价决议",
        "Meeting.ProxyLimitSet": "已设定委托上限", "Meeting.ProxyGiven": "已委托投票", "Meeting.ProxyWithdrawn": "已撤回委托",
        "Meeting.ProxyRevoked": "已因本人投票撤销委托", "Meeting.VoteRecorded": "已代录投票",
        "Meeting.ProxyVoteCast": "已代委托人投票", "Meeting.HandsCounted": "已举手计票",
        "Meeting.AgendaItemTakenUp": "已进入议题讨论", "Meeting.SpeakerAdded": "已申请发言",
        "Meeting.SpeakerWithdrawn": "已撤回发言申请", "Meeting.SpeakerStarted": "已开始发言",
        "Meeting.SpeakerFinished": "已结束发言", "Meeting.PromotionNoticeSeen": "已阅读递补通知",
    }
