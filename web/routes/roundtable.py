"""The roundtable tab: meetings, registration, agenda, attendance, votes, minutes, resolutions and follow-up.

Routes are thin: parse → one use case (through `command`, read-your-writes) → render. Forms work without
JavaScript (POST → 303); with htmx the same forms swap the `_meeting.html` partial in place. Times are typed and
shown in Asia/Shanghai and stored as aware UTC. Running totals stay hidden from residents until a motion closes;
the worker's meeting-room screen (server-sent events) shows how many votes are in, never the split, until then."""
from __future__ import annotations

import asyncio
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from icalendar import Calendar, Event
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from domain.kernel.errors import DomainError, InvalidInputError, NotFoundError
from projections import roundtable as views
from web.routes._legacy import auth
from web.auth import Principal
from web.localtime import SHANGHAI, local_time
from web.http import (Form, Pager, action, command, error_text, gettext_for, is_htmx, me, page, parse_uuid,
                      redirect, render, services)
from web.routes._legacy import community_or_404, require

LIVE_SECONDS = 10 * 60          # one server-sent-events connection lives at most this long
LIVE_INTERVAL = 1.0             # the room screen polls the views this often
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$")
_INT = re.compile(r"^\d{1,6}$")

MODE_NAMES = {"in_person": "线下", "online": "线上", "hybrid": "线上线下结合"}
RULE_NAMES = {"simple": "简单多数（赞成票多于反对票）", "two_thirds": "三分之二多数（赞成票不少于赞成与反对票之和的三分之二）"}
STATUS_NAMES = {"scheduled": "报名中", "open": "进行中", "closed": "已结束", "cancelled": "已取消"}
OUTCOME_NAMES = {"passed": "通过", "rejected": "未通过", "no_quorum": "未达法定人数"}
CHOICE_NAMES = {"for": "赞成", "against": "反对", "abstain": "弃权"}
FOLLOW_UP_NAMES = {"planned": "计划中", "in_progress": "进行中", "done": "已完成"}
NAMES = dict(modes=MODE_NAMES, rules=RULE_NAMES, statuses=STATUS_NAMES, outcomes=OUTCOME_NAMES,
             choices=CHOICE_NAMES, follow_up=FOLLOW_UP_NAMES)


# --- who may do what (named predicates; the domain checks again) ---------------------------------
def may_run_meetings(me_: Principal, community: dict) -> bool:
    """A community worker of this community runs its roundtable."""
    return auth.is_worker(me_, community)


def may_take_part(me_: Principal, community: dict) -> bool:
    """A verified resident of this community registers, proposes, supports, votes and rates."""
    return auth.is_resident(me_, community)


def may_see_names(me_: Principal, community: dict) -> bool:
    """Names of proposers are for members of the community; registration and attendance lists for workers."""
    return auth.is_member(me_, community)


# --- parsing and formatting (web layer: strings ↔ domain values) ----------------------------------
def local_input(value: str | None) -> str:
    """A stored UTC ISO time as the value of an <input type=datetime-local>."""
    return local_time(value, "%Y-%m-%dT%H:%M")


def parse_local(text: str | None, field_name: str) -> datetime:
    """'2026-05-02T19:00' typed in Asia/Shanghai → an aware datetime (UTC)."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not _LOCAL_TIME.match(raw):
        raise InvalidInputError("{field}格式应为 2026-05-02 19:00", field=field_name)
    try:
        naive = datetime.fromisoformat(raw.replace(" ", "T"))
    except ValueError:
        raise InvalidInputError("{field}不是有效的时间", field=field_name) from None
    if not 2000 <= naive.year <= 2999:  # also keeps year 1 and 9999 clear of overflow when shifted to UTC
        raise InvalidInputError("{field}不是有效的时间", field=field_name)
    return naive.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


def parse_int(text: str | None, field_name: str, *, required: bool = True) -> int | None:
    """A small whole number typed in a form (full-width digits accepted)."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw and not required:
        return None
    if not _INT.match(raw):
        raise InvalidInputError("{field}应为整数", field=field_name)
    return int(raw)


def _uuid(value: Any) -> UUID:
    return parse_uuid(value)


def _me_id(request: Request) -> UUID:
    return parse_uuid(me(request).account_id, "账号")


def _meeting_or_404(request: Request, community: dict, db: Any = None) -> dict:
    """The meeting in the path, only if it belongs to the community in the path."""
    meeting_id = parse_uuid(request.path_params.get("meeting_id", "").removesuffix(".ics"), "会议")
    row = views.meeting(db or services(request).views, str(meeting_id))
    if row is None or row["community_id"] != community["id"]:
        raise NotFoundError("找不到该会议")
    return row


def _resolution_or_404(request: Request, community: dict) -> dict:
    rid = parse_uuid(request.path_params.get("resolution_id"), "决议")
    row = views.resolution(services(request).views, str(rid))
    if row is None or row["community_id"] != community["id"]:
        raise NotFoundError("找不到该决议")
    return row


def _base(community: dict) -> str:
    return f"/c/{community['id']}/roundtable"


# --- page contexts -------------------------------------------------------------------------------
@dataclass
class MeetingView:
    """Everything the meeting page and its partials show, from view queries only."""

    community: dict
    meeting: dict
    agenda: dict
    motions: list[dict]
    resolutions: list[dict]
    minutes_check: list[dict]
    reschedules: list[dict] = field(default_factory=list)
    my_registration: dict | None = None
    my_supports: set[str] = field(default_factory=set)
    my_votes: dict[str, str] = field(default_factory=dict)
    i_am_present: bool = False
    registrations: list[dict] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)
    check_in_rows: list[dict] = field(default_factory=list)
    votable_items: list[dict] = field(default_factory=list)
    is_worker: bool = False
    is_resident: bool = False
    see_names: bool = False
    registration_open: bool = False
    as_of: str | None = None

    @property
    def readonly(self) -> bool:
        return self.as_of is not None

    @property
    def open_motion(self) -> dict | None:
        return next((m for m in self.motions if m["status"] == "open"), None)


def meeting_view(request: Request, community: dict, meeting: dict, db: Any, as_of: str | None = None) -> MeetingView:
    """Build the meeting page's context from `db` (the live views, or an as-of rebuild)."""
    who = me(request)
    mid = meeting["id"]
    worker = may_run_meetings(who, community) and as_of is None
    resident = may_take_part(who, community) and as_of is None
    agenda = views.agenda(db, mid)
    motions = views.motions(db, mid)
    view = MeetingView(community=community, meeting=meeting, agenda=agenda, motions=motions,
                       resolutions=views.meeting_resolutions(db, mid), minutes_check=views.minutes_check(db, mid),
                       reschedules=views.reschedules(db, mid),
                       is_worker=worker, is_resident=resident, see_names=may_see_names(who, community), as_of=as_of)
    view.registration_open = (as_of is None and meeting["status"] == "scheduled"
                              and views.iso(services(request).app.clock()) <= meeting["registration_deadline"])
    if who.authenticated:
        view.my_registration = views.my_registration(db, mid, who.account_id)
        view.my_supports = views.my_supports(db, mid, who.account_id)
        view.my_votes = views.my_votes(db, mid, who.account_id)
        view.i_am_present = who.account_id in views.present_ids(db, mid)
    if may_run_meetings(who, community):
        view.registrations = views.registrations(db, mid)
        view.attendance = views.attendance(db, mid)
    if worker:
        if meeting["status"] in ("scheduled", "open"):
            expected = views.check_in_search(services(request).views, community["id"], mid, "", limit=50)
            view.check_in_rows = [r for r in expected if not r["present"]][:20]
        decided = {m["item_id"] for m in motions if m["outcome"] in ("passed", "rejected") or m["status"] == "open"}
        view.votable_items = [a for a in agenda["accepted"] if a["item_id"] not in decided]
    return view


def _render_meeting(request: Request, community: dict, meeting_id: str, template: str = "roundtable/meeting.html",
                    status_code: int = 200, error: str | None = None, notice: str | None = None) -> Response:
    db = services(request).views
    row = views.meeting(db, meeting_id)
    return render(request, template, status_code=status_code, v=meeting_view(request, community, row, db),
                  community=community, tab="roundtable", error=error, notice=notice, **_helpers())


def _helpers() -> dict:
    return dict(local_time=local_time, local_input=local_input, names=NAMES)


def _meeting_command(request: Request, form: Form, fn: Any, *args: Any, done: Any) -> Response:
    """Run one meeting use case. htmx: swap the meeting partial in place (errors shown inside it);
    plain forms: 303 back to the meeting page with a one-time message (errors as a 4xx page)."""
    community = community_or_404(request)
    meeting = _meeting_or_404(request, community)
    try:
        result = command(request, fn, *args, command_id=form.get("command_id") or None)
    except DomainError as e:
        if not is_htmx(request):
            raise
        return _render_meeting(request, community, meeting["id"], "roundtable/_meeting.html",
                               error=error_text(request, e))
    done = done(result) if callable(done) else done
    if is_htmx(request):
        return _render_meeting(request, community, meeting["id"], "roundtable/_meeting.html",
                               notice=gettext_for(request)(done))
    return redirect(request, f"{_base(community)}/{meeting['id']}", done)


def _command_on_meeting(request: Request, form: Form, fn: Any, *args: Any, done: Any) -> Response:
    """`fn(me, the meeting in the path, *args)` run as a meeting command (see _meeting_command)."""
    return _meeting_command(request, form, fn, _me_id(request), _uuid(request.path_params["meeting_id"]), *args,
                            done=done)


# --- index, scheduling ----------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    svc = services(request)
    now = svc.app.clock()
    pager = Pager.from_request(request, views.count_past_meetings(svc.views, community["id"], now))
    past = views.past_meetings(svc.views, community["id"], now, pager.per_page, pager.offset)
    upcoming = views.upcoming_meetings(svc.views, community["id"], now) if pager.page == 1 else []
    mine = views.viewer_registrations(svc.views, community["id"], me(request).account_id)
    return render(request, "roundtable/index.html", community=community, tab="roundtable", upcoming=upcoming,
                  past=past, pager=pager, mine=mine, is_worker=may_run_meetings(me(request), community),
                  **_helpers())


SCHEDULE_FIELDS = ("title", "purpose", "starts_at", "ends_at", "place", "mode", "capacity", "registration_deadline",
                   "voting_rule", "quorum_percent")


@page
def new_meeting(request: Request) -> Response:
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "只有本社区的社区工作者可以安排议事会")
    values = {"mode": "in_person", "capacity": "30", "voting_rule": "simple", "quorum_percent": "50"}
    return render(request, "roundtable/new.html", community=community, tab="roundtable", values=values, error=None,
                  **_helpers())


@action
def schedule(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "只有本社区的社区工作者可以安排议事会")
    values = {k: form.get(k, "") for k in SCHEDULE_FIELDS}
    try:
        meeting_id = command(
            request, services(request).app.roundtable.schedule_meeting, _me_id(request), _uuid(community["id"]),
            values["title"], values["purpose"], parse_local(values["starts_at"], "开始时间"),
            parse_local(values["ends_at"], "结束时间"), values["place"], values["mode"],
            parse_int(values["capacity"], "名额"), parse_local(values["registration_deadline"], "报名截止时间"),
            values["voting_rule"], parse_int(values["quorum_percent"], "法定人数比例"),
            command_id=form.get("command_id") or None)
    except InvalidInputError as e:
        return render(request, "roundtable/new.html", status_code=e.status, community=community, tab="roundtable",
                      values=values, error=error_text(request, e), **_helpers())
    return redirect(request, f"{_base(community)}/{meeting_id}", "会议已安排，居民现在可以报名")


# --- the meeting page -----------------------------------------------------------------------------
@page(public=True)
def meeting_page(request: Request) -> Response:
    community = community_or_404(request)
    svc = services(request)
    meeting = _meeting_or_404(request, community)
    as_of_text = request.query_params.get("as_of")
    if not as_of_text:
        return _render_meeting(request, community, meeting["id"])
    moment = parse_local(as_of_text, "查看时间")
    history = svc.app.roundtable.meeting_history(_uuid(meeting["id"]))
    with views.as_of_database(history, moment, svc.views) as then:
        row = views.meeting(then, meeting["id"])
        if row is None:
            raise NotFoundError("该时间点会议尚未安排")
        view = meeting_view(request, community, row, then, as_of=local_time(views.iso(moment)))
        return render(request, "roundtable/meeting.html", v=view, community=community, tab="roundtable",
                      error=None, notice=None, **_helpers())


@page(public=True)
def meeting_status(request: Request) -> Response:
    """The live part of the meeting page (quorum, motions, voting) for htmx polling."""
    community = community_or_404(request)
    meeting = _meeting_or_404(request, community)
    return _render_meeting(request, community, meeting["id"], "roundtable/_live.html")


@action
def register(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.register_for_meeting,
                               done=lambda status: "报名成功" if status == "registered" else "名额已满，您已进入候补名单")


@action
def unregister(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.cancel_registration, done="已取消报名")


@action
def propose(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.propose_agenda_item, form.get("title", ""),
                               form.get("description", ""), done="议题已提交，等待社区工作者审核")


@action
def support(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.support_agenda_item, request.path_params["item_id"],
                               done="已支持该议题")


@action
def accept(request: Request, form: Form) -> Response:
    # Not _command_on_meeting: a bad meeting id in the path answers 404 before the typed numbers are read.
    return _meeting_command(request, form, services(request).app.roundtable.accept_agenda_item, _me_id(request),
                            _uuid(request.path_params["meeting_id"]), request.path_params["item_id"],
                            parse_int(form.get("planned_minutes"), "计划时长"),
                            parse_int(form.get("position"), "议程顺序", required=False), done="议题已列入议程")


@action
def decline(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.decline_agenda_item, request.path_params["item_id"],
                               form.get("reason", ""), done="已说明理由并不予采纳")


# --- check-in: search by name or the phone's last 4 digits, big buttons, masked phones ---------------
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def search_text(raw: str | None) -> str:
    """What the worker typed into the check-in search: NFKC, no control or bidi characters, at most 40 chars;
    a phone typed with spaces or dashes becomes its digits."""
    text = _CONTROL.sub("", unicodedata.normalize("NFKC", raw or "")).strip()[:40]
    compact = re.sub(r"[\s\-]", "", text)
    return compact if compact.isdigit() else text


def _check_in_context(request: Request, community: dict, meeting: dict, q: str) -> dict:
    rows = views.check_in_search(services(request).views, community["id"], meeting["id"], q)
    return dict(community=community, tab="roundtable", m=meeting, q=q, rows=rows,
                base=f"{_base(community)}/{meeting['id']}", short_query=bool(q) and q.isdigit() and len(q) < 4,
                **_helpers())


@page
def check_in_screen(request: Request) -> Response:
    """The worker's phone-friendly check-in screen; with htmx only the result rows are sent."""
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "只有本社区的社区工作者可以为居民签到")
    meeting = _meeting_or_404(request, community)
    context = _check_in_context(request, community, meeting, search_text(request.query_params.get("q")))
    if is_htmx(request) and request.headers.get("hx-target") == "rt-checkin-rows":
        in_meeting = request.query_params.get("in") == "meeting"   # rows inside the meeting page re-render it
        return render(request, "roundtable/_checkin_rows.html", in_meeting=in_meeting, **context)
    return render(request, "roundtable/checkin.html", in_meeting=False, **context)


def _attendance_command(request: Request, form: Form, fn: Any, done: str) -> Response:
    """Check in or out. From a row of the check-in screen (htmx target `rt-row-…`) the row is swapped in place,
    refusals shown inside it; a plain form from that screen returns to it with the search kept."""
    community = community_or_404(request)
    meeting = _meeting_or_404(request, community)
    account_id = parse_uuid(form.get("account_id"), "居民")
    target = request.headers.get("hx-target", "") if is_htmx(request) else ""
    if not target.startswith("rt-row-"):
        if form.get("back") == "check-in" and not is_htmx(request):
            command(request, fn, _me_id(request), _uuid(meeting["id"]), account_id,
                    command_id=form.get("command_id") or None)
            q = search_text(form.get("q"))
            url = f"{_base(community)}/{meeting['id']}/check-in" + (f"?{urlencode({'q': q})}" if q else "")
            return redirect(request, url, done)
        return _meeting_command(request, form, fn, _me_id(request), _uuid(meeting["id"]), account_id, done=done)
    message, failed = gettext_for(request)(done), False
    try:
        command(request, fn, _me_id(request), _uuid(meeting["id"]), account_id,
                command_id=form.get("command_id") or None)
    except DomainError as e:
        refusal: DomainError | None = e
        message, failed = error_text(request, e), True
    else:
        refusal = None
    row = views.check_in_person(services(request).views, community["id"], meeting["id"], str(account_id))
    if row is None:     # not a verified resident here: nothing to swap, answer with the refusal itself
        raise refusal or NotFoundError("找不到该居民")
    return render(request, "roundtable/_checkin_row.html", row=row, m=views.meeting(services(request).views,
                  meeting["id"]), base=f"{_base(community)}/{meeting['id']}", q=search_text(form.get("q")),
                  community=community, message=message, failed=failed, oob_count=True, **_helpers())


@action
def check_in(request: Request, form: Form) -> Response:
    return _attendance_command(request, form, services(request).app.roundtable.check_in, "已签到")


@action
def check_out(request: Request, form: Form) -> Response:
    return _attendance_command(request, form, services(request).app.roundtable.check_out, "已签退")


@action
def open_meeting(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "只有本社区的社区工作者可以主持会议")
    return _command_on_meeting(request, form, services(request).app.roundtable.open_meeting, done="会议开始，表决名单已确定")


@action
def adjourn(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.adjourn_meeting, done="会议已结束")


@action
def cancel(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.cancel_meeting, form.get("reason", ""),
                               done="会议已取消")


@action
def reschedule(request: Request, form: Form) -> Response:
    app = services(request).app

    def run(worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> int:
        return app.roundtable.reschedule_meeting(
            worker_id, meeting_id, parse_local(form.get("starts_at"), "开始时间"),
            parse_local(form.get("ends_at"), "结束时间"), form.get("place", ""),
            parse_local(form.get("registration_deadline"), "报名截止时间"), form.get("reason", ""),
            command_id=command_id)
    return _command_on_meeting(request, form, run, done="会议已改期，已报名的居民保留名额")


@action
def open_motion(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.open_motion, form.get("item_id", ""),
                               form.get("title", ""), done="表决已开始")


@action
def vote(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.cast_vote, request.path_params["motion_id"],
                               form.get("choice", ""), done="您的投票已记录")


@action
def close_motion(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.close_motion, request.path_params["motion_id"],
                               done="表决已结束，结果已公布")


@action
def minutes(request: Request, form: Form) -> Response:
    return _command_on_meeting(request, form, services(request).app.roundtable.publish_minutes, form.get("minutes", ""),
                               done="会议纪要已发布")


# --- the worker's meeting-room screen (server-sent events) ---------------------------------------
@page
def room(request: Request) -> Response:
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "会场大屏只对本社区的社区工作者开放")
    meeting = _meeting_or_404(request, community)
    return render(request, "roundtable/room.html", community=community, tab="roundtable",
                  t=views.live_tally(services(request).views, meeting["id"]), **_helpers())


def _tally_html(request: Request, meeting_id: str) -> tuple[str, bool]:
    """The tally fragment as text, and whether the meeting has finished (no more changes to stream)."""
    tally = views.live_tally(services(request).views, meeting_id)
    templates = request.app.state.templates
    _ = gettext_for(request)
    html = templates.get_template("roundtable/_tally.html").render(t=tally, _=_, gettext=_, **_helpers())
    return html, tally["meeting"]["status"] in ("closed", "cancelled")


def _sse(event_name: str, html: str) -> str:
    return f"event: {event_name}\n" + "".join(f"data: {line}\n" for line in html.splitlines() or [""]) + "\n"


@page
def live(request: Request) -> Response:
    """Server-sent events: the tally fragment whenever it changes, polled every second, for at most 10 minutes."""
    community = community_or_404(request)
    require(may_run_meetings(me(request), community), "会场大屏只对本社区的社区工作者开放")
    meeting_id = _meeting_or_404(request, community)["id"]

    async def stream():
        deadline = time.monotonic() + LIVE_SECONDS
        last = None
        yield "retry: 3000\n\n"
        while time.monotonic() < deadline:
            html, finished = await run_in_threadpool(_tally_html, request, meeting_id)
            if html != last:
                last = html
                yield _sse("tally", html)
            if finished or await request.is_disconnected():
                return
            await asyncio.sleep(LIVE_INTERVAL)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


# --- iCalendar ---------------------------------------------------------------------------------
def _calendar(request: Request, community: dict, rows: list[dict]) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Linli 邻里//Roundtable//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{community['name']} 议事会")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    base = str(request.base_url).rstrip("/")
    for row in rows:
        ev = Event()
        ev.add("uid", f"{row['id']}@linli")
        ev.add("summary", row["title"])
        ev.add("dtstart", datetime.fromisoformat(row["starts_at"]).astimezone(SHANGHAI))
        ev.add("dtend", datetime.fromisoformat(row["ends_at"]).astimezone(SHANGHAI))
        ev.add("dtstamp", datetime.fromisoformat(row["updated_at"]).astimezone(timezone.utc))
        ev.add("location", row["place"])
        ev.add("description", row["purpose"])
        ev.add("url", f"{base}{_base(community)}/{row['id']}")
        ev.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
        # Calendar clients replace an event only when its SEQUENCE grows: each change of time or place adds one,
        # and so does the cancellation.
        ev.add("sequence", int(row.get("sequence") or 0) + (1 if row["status"] == "cancelled" else 0))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def _ics(cal: Calendar, filename: str) -> Response:
    return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


@page(public=True)
def feed(request: Request) -> Response:
    community = community_or_404(request)
    rows = views.calendar_meetings(services(request).views, community["id"])
    return _ics(_calendar(request, community, rows), "roundtable.ics")


@page(public=True)
def meeting_ics(request: Request) -> Response:
    community = community_or_404(request)
    meeting = _meeting_or_404(request, community)
    return _ics(_calendar(request, community, [meeting]), "meeting.ics")


# --- resolutions and follow-up ---------------------------------------------------------------------
@page(public=True)
def resolutions(request: Request) -> Response:
    community = community_or_404(request)
    db = services(request).views
    pager = Pager.from_request(request, views.count_resolutions(db, community["id"]))
    rows = views.resolutions(db, community["id"], pager.per_page, pager.offset)
    return render(request, "roundtable/resolutions.html", community=community, tab="roundtable", rows=rows,
                  pager=pager, **_helpers())


def _render_resolution(request: Request, community: dict, row: dict, template: str = "roundtable/resolution.html",
                       error: str | None = None, notice: str | None = None) -> Response:
    db = services(request).views
    who = me(request)
    return render(request, template, community=community, tab="roundtable", r=row,
                  log=views.progress(db, row["id"]), my_rating=views.my_rating(db, row["id"], who.account_id),
                  is_worker=may_run_meetings(who, community), is_resident=may_take_part(who, community),
                  error=error, notice=notice, **_helpers())


@page(public=True)
def resolution_page(request: Request) -> Response:
    community = community_or_404(request)
    return _render_resolution(request, community, _resolution_or_404(request, community))


def _resolution_command(request: Request, form: Form, fn: Any, *args: Any, done: str) -> Response:
    community = community_or_404(request)
    row = _resolution_or_404(request, community)
    try:
        command(request, fn, *args, command_id=form.get("command_id") or None)
    except DomainError as e:
        if not is_htmx(request):
            raise
        return _render_resolution(request, community, views.resolution(services(request).views, row["id"]),
                                  "roundtable/_resolution.html", error=error_text(request, e))
    if is_htmx(request):
        return _render_resolution(request, community, views.resolution(services(request).views, row["id"]),
                                  "roundtable/_resolution.html", notice=gettext_for(request)(done))
    return redirect(request, f"{_base(community)}/resolutions/{row['id']}", done)


@action
def assign_owner(request: Request, form: Form) -> Response:
    return _resolution_command(request, form, services(request).app.roundtable.assign_resolution_owner, _me_id(request),
                               parse_uuid(request.path_params["resolution_id"]), form.get("owner", ""),
                               done="已指定负责人")


@action
def advance(request: Request, form: Form) -> Response:
    return _resolution_command(request, form, services(request).app.roundtable.advance_resolution, _me_id(request),
                               parse_uuid(request.path_params["resolution_id"]), form.get("status", ""),
                               done="落实状态已更新")


@action
def note(request: Request, form: Form) -> Response:
    return _resolution_command(request, form, services(request).app.roundtable.note_resolution_progress, _me_id(request),
                               parse_uuid(request.path_params["resolution_id"]), form.get("note", ""),
                               form.get("noted_on") or None, done="进展已记录")


@action
def rate(request: Request, form: Form) -> Response:
    return _resolution_command(request, form, services(request).app.roundtable.rate_resolution, _me_id(request),
                               parse_uuid(request.path_params["resolution_id"]),
                               parse_int(form.get("stars"), "评分"), done="感谢您的评价")


_M = "/c/{community_id}/roundtable/{meeting_id}"
_R = "/c/{community_id}/roundtable/resolutions/{resolution_id}"

routes = [
    Route("/c/{community_id}/roundtable", index, name="roundtable_index"),
    Route("/c/{community_id}/roundtable.ics", feed, name="roundtable_feed"),
    Route("/c/{community_id}/roundtable/new", new_meeting, methods=["GET"], name="roundtable_new"),
    Route("/c/{community_id}/roundtable/new", schedule, methods=["POST"], name="roundtable_schedule"),
    Route("/c/{community_id}/roundtable/resolutions", resolutions, name="roundtable_resolutions"),
    Route(_R, resolution_page, name="roundtable_resolution"),
    Route(_R + "/owner", assign_owner, methods=["POST"], name="roundtable_resolution_owner"),
    Route(_R + "/advance", advance, methods=["POST"], name="roundtable_resolution_advance"),
    Route(_R + "/note", note, methods=["POST"], name="roundtable_resolution_note"),
    Route(_R + "/rate", rate, methods=["POST"], name="roundtable_resolution_rate"),
    Route("/c/{community_id}/roundtable/{meeting_id}.ics", meeting_ics, name="roundtable_meeting_ics"),
    Route(_M, meeting_page, name="roundtable_meeting"),
    Route(_M + "/status", meeting_status, name="roundtable_status"),
    Route(_M + "/room", room, name="roundtable_room"),
    Route(_M + "/live", live, name="roundtable_live"),
    Route(_M + "/register", register, methods=["POST"], name="roundtable_register"),
    Route(_M + "/unregister", unregister, methods=["POST"], name="roundtable_unregister"),
    Route(_M + "/agenda", propose, methods=["POST"], name="roundtable_propose"),
    Route(_M + "/agenda/{item_id}/support", support, methods=["POST"], name="roundtable_support"),
    Route(_M + "/agenda/{item_id}/accept", accept, methods=["POST"], name="roundtable_accept"),
    Route(_M + "/agenda/{item_id}/decline", decline, methods=["POST"], name="roundtable_decline"),
    Route(_M + "/check-in", check_in_screen, methods=["GET"], name="roundtable_check_in_screen"),
    Route(_M + "/check-in", check_in, methods=["POST"], name="roundtable_check_in"),
    Route(_M + "/check-out", check_out, methods=["POST"], name="roundtable_check_out"),
    Route(_M + "/open", open_meeting, methods=["POST"], name="roundtable_open"),
    Route(_M + "/adjourn", adjourn, methods=["POST"], name="roundtable_adjourn"),
    Route(_M + "/cancel", cancel, methods=["POST"], name="roundtable_cancel"),
    Route(_M + "/reschedule", reschedule, methods=["POST"], name="roundtable_reschedule"),
    Route(_M + "/motions", open_motion, methods=["POST"], name="roundtable_open_motion"),
    Route(_M + "/motions/{motion_id}/vote", vote, methods=["POST"], name="roundtable_vote"),
    Route(_M + "/motions/{motion_id}/close", close_motion, methods=["POST"], name="roundtable_close_motion"),
    Route(_M + "/minutes", minutes, methods=["POST"], name="roundtable_minutes"),
]
