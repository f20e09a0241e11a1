"""The roundtable tab: meetings, registration, agenda, attendance, votes, minutes, resolutions and follow-up.

Thin routes: parse → one use case through `respond` (read-your-writes) → render. Forms work without JavaScript
(POST → 303); with htmx the same forms swap the `_meeting.html` (or `_resolution.html`) partial in place. Times
are typed and shown in Asia/Shanghai and stored as aware UTC. Page contexts are built in `pages.py`, the room
screen's events in `live.py`, the iCalendar files in `calendar.py`, the notice's QR code in `printing.py`."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.kernel.errors import InvalidInputError
from domain.kernel.time import parse_local_datetime
from domain.roundtable import policies
from domain.roundtable.inputs import check_in_query, parse_int, parse_tallies
from domain.roundtable.model import MinutesMismatchError
from projections import roundtable as views
from web.http import (Form, action, command, error_text, is_htmx, me, page, parse_uuid, redirect, render, require,
                      respond, services, url_for)
from web.places import Place, community_or_404
from web import asof
from web.roundtable import calendar, live, pages, printing

TAB = "roundtable"
READ_MODELS = ("roundtable",)   # what the roundtable's pages as of a moment are drawn from
SCHEDULE_FIELDS = ("title", "purpose", "starts_at", "ends_at", "place", "mode", "capacity", "registration_deadline",
                   "voting_rule", "quorum_percent", "proxy_limit")


def _me_id(request: Request) -> UUID:
    return parse_uuid(me(request).account_id, "账号")


def _meeting_url(request: Request, community: Place, meeting_id: str) -> str:
    return url_for(request, "roundtable_meeting", community_id=community.id, meeting_id=meeting_id)


# --- the meeting page and its partial --------------------------------------------------------------
def _render_meeting(request: Request, community: Place, v: pages.MeetingView, template: str = "meeting.html",
                    error: str | None = None, notice: str | None = None, status_code: int = 200) -> Response:
    return render(request, f"roundtable/{template}", status_code=status_code, v=v, community=community, tab=TAB,
                  names=pages.NAMES, error=error, notice=notice)


def _meeting_fragment(request: Request, community: Place, meeting_id: str) -> Callable[[str, bool], Response]:
    """htmx gets the meeting partial again, the message (or refusal) shown inside it."""
    def fragment(message: str, failed: bool) -> Response:
        return _render_meeting(request, community, pages.current_meeting(request, community, meeting_id),
                               "_meeting.html", error=message if failed else None, notice=None if failed else message)
    return fragment


def _on_meeting(request: Request, form: Form, use_case: Callable[..., Any], *args: Any,
                done: str | Callable[[Any], str], **kwargs: Any) -> Response:
    """`use_case(me, the meeting in the path, *args, **kwargs)`; 404 first unless the meeting is the community's."""
    community = community_or_404(request)
    meeting_id = pages.meeting_or_404(request, community)["id"]
    return respond(request, form, use_case, _me_id(request), UUID(meeting_id), *args, done=done,
                   to=_meeting_url(request, community, meeting_id),
                   fragment=_meeting_fragment(request, community, meeting_id), **kwargs)


# --- index, scheduling -----------------------------------------------------------------------------
@page(public=True)
def index(request: Request) -> Response:
    """The community's meetings, now or (`?as_of=`) as they stood then."""
    community = community_or_404(request)
    return asof.rendered(request, community, READ_MODELS, lambda: render(
        request, "roundtable/index.html", community=community, tab=TAB, names=pages.NAMES,
        page=pages.index_page(request, community)))


def _schedule_form(request: Request, community: Place, values: dict, status_code: int = 200,
                   error: str | None = None) -> Response:
    return render(request, "roundtable/new.html", status_code=status_code, community=community, tab=TAB,
                  names=pages.NAMES, values=values, error=error)


@page
def new_meeting(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "只有本社区的社区工作者可以安排议事会")
    return _schedule_form(request, community, dict(pages.SCHEDULE_DEFAULTS))


@action
def schedule(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "只有本社区的社区工作者可以安排议事会")
    values = {k: form.get(k, "") for k in SCHEDULE_FIELDS}
    try:
        meeting_id = command(
            request, services(request).app.roundtable.schedule_meeting, _me_id(request), parse_uuid(community.id),
            values["title"], values["purpose"], parse_local_datetime(values["starts_at"], "开始时间"),
            parse_local_datetime(values["ends_at"], "结束时间"), values["place"], values["mode"],
            parse_int(values["capacity"], "名额"), parse_local_datetime(values["registration_deadline"], "报名截止时间"),
            values["voting_rule"], parse_int(values["quorum_percent"], "法定人数比例"),
            command_id=form.get("command_id") or None,
            proxy_limit=parse_int(values["proxy_limit"], "每位受托人最多可接受的委托数", required=False)
            if values["proxy_limit"].strip() else policies.DEFAULT_PROXY_LIMIT)
    except InvalidInputError as e:
        return _schedule_form(request, community, values, e.status, error_text(request, e))
    return redirect(request, _meeting_url(request, community, meeting_id), "会议已安排，居民现在可以报名")


# --- the meeting page ------------------------------------------------------------------------------
@page(public=True)
def meeting_page(request: Request) -> Response:
    """The meeting now, or with `?as_of=` as it stood then, rebuilt from the events up to then."""
    community = community_or_404(request)
    pages.meeting_or_404(request, community)   # a meeting unknown now was never there: no rebuild for it

    def draw() -> Response:
        meeting_id = pages.meeting_or_404(request, community)["id"]
        return _render_meeting(request, community, pages.current_meeting(request, community, meeting_id))
    return asof.rendered(request, community, READ_MODELS, draw)


@page(public=True)
def meeting_status(request: Request) -> Response:
    """The live part of the meeting page (quorum, motions, voting) for htmx polling."""
    community = community_or_404(request)
    meeting_id = pages.meeting_or_404(request, community)["id"]
    return _render_meeting(request, community, pages.current_meeting(request, community, meeting_id), "_live.html")


@action
def register(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.register_for_meeting,
                       done=lambda status: "报名成功" if status == "registered" else "名额已满，您已进入候补名单")


@action
def unregister(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.cancel_registration, done="已取消报名")


@action
def propose(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.propose_agenda_item, form.get("title", ""),
                       form.get("description", ""), done="议题已提交，等待社区工作者审核")


@action
def support(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.support_agenda_item,
                       request.path_params["item_id"], done="已支持该议题")


@action
def accept(request: Request, form: Form) -> Response:
    community = community_or_404(request)
    pages.meeting_or_404(request, community)   # a bad meeting answers 404 before the typed numbers are read
    return _on_meeting(request, form, services(request).app.roundtable.accept_agenda_item,
                       request.path_params["item_id"], parse_int(form.get("planned_minutes"), "计划时长"),
                       parse_int(form.get("position"), "议程顺序", required=False), done="议题已列入议程")


@action
def decline(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.decline_agenda_item,
                       request.path_params["item_id"], form.get("reason", ""), done="已说明理由并不予采纳")


@action
def open_meeting(request: Request, form: Form) -> Response:
    require(policies.may_run_meetings(me(request), community_or_404(request)), "只有本社区的社区工作者可以主持会议")
    return _on_meeting(request, form, services(request).app.roundtable.open_meeting, done="会议开始，表决名单已确定")


@action
def adjourn(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.adjourn_meeting, done="会议已结束")


@action
def cancel(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.cancel_meeting, form.get("reason", ""),
                       done="会议已取消")


@action
def reschedule(request: Request, form: Form) -> Response:
    app = services(request).app

    def reschedule_meeting(worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> int:
        """The typed times are read inside the use case's call, so htmx shows a bad one inside the meeting."""
        return app.roundtable.reschedule_meeting(
            worker_id, meeting_id, parse_local_datetime(form.get("starts_at"), "开始时间"),
            parse_local_datetime(form.get("ends_at"), "结束时间"), form.get("place", ""),
            parse_local_datetime(form.get("registration_deadline"), "报名截止时间"), form.get("reason", ""),
            command_id=command_id)
    return _on_meeting(request, form, reschedule_meeting, done="会议已改期，已报名的居民保留名额")


@action
def open_motion(request: Request, form: Form) -> Response:
    """Put an agenda item to the vote; a motion that spends money states the amount (and the fund category)."""
    return _on_meeting(request, form, services(request).app.roundtable.open_motion, form.get("item_id", ""),
                       form.get("title", ""), done="表决已开始", amount=form.get("amount", ""),
                       category=form.get("category", ""))


@action
def vote(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.cast_vote, request.path_params["motion_id"],
                       form.get("choice", ""), done="您的投票已记录")


@action
def close_motion(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.close_motion,
                       request.path_params["motion_id"], done="表决已结束，结果已公布")


@action
def minutes(request: Request, form: Form) -> Response:
    """Publish the minutes with each motion's tally as typed; a tally that disagrees with the vote record (or a
    malformed one) refuses the publication and shows the form again as typed, the disagreeing motions marked."""
    community = community_or_404(request)
    meeting_id = pages.meeting_or_404(request, community)["id"]
    text, stated = form.get("minutes", ""), {}
    motion_ids = list(views.closed_tallies(services(request).views, meeting_id))

    def publish(worker_id: UUID, meeting: UUID, command_id: str | None = None) -> None:
        stated.update(parse_tallies(form, motion_ids))
        return services(request).app.roundtable.publish_minutes(worker_id, meeting, text, stated,
                                                                command_id=command_id)

    def again(error: str | None, notice: str | None, template: str, status_code: int = 200) -> Response:
        typed = pages.typed_minutes(request, meeting_id, form, text, stated) if error else None
        return _render_meeting(request, community, pages.current_meeting(request, community, meeting_id, typed),
                               template, error=error, notice=notice, status_code=status_code)
    try:
        return respond(request, form, publish, _me_id(request), UUID(meeting_id), done="会议纪要已发布",
                       to=_meeting_url(request, community, meeting_id),
                       fragment=lambda message, failed: again(message if failed else None,
                                                              None if failed else message, "_meeting.html"))
    except (MinutesMismatchError, InvalidInputError) as e:
        return again(error_text(request, e), None, "meeting.html", e.status)


# --- promotion notices ------------------------------------------------------------------------------
@action
def promotion_seen(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.dismiss_promotion_notice, done="已知悉")


# --- proxies (委托投票, 户代表) -------------------------------------------------------------------------
class TooManyProxyTries(InvalidInputError):
    status = 429
    message = "委托尝试过于频繁，请 {minutes} 分钟后再试"


PROXY_TRIES, PROXY_WINDOW = 10, timedelta(hours=1)


@action
def give_proxy(request: Request, form: Form) -> Response:
    # The answer tells whether a number belongs to a verified neighbour: a few tries an hour, not a directory.
    throttle, key = request.app.state.throttle, f"proxy-lookup:{me(request).account_id}"
    wait = throttle.wait(key) or throttle.hit(key, PROXY_TRIES, PROXY_WINDOW)
    if wait:
        raise TooManyProxyTries(minutes=max(1, -(-wait // 60)))
    return _on_meeting(request, form, services(request).app.roundtable.give_proxy, form.get("holder_phone", ""),
                       form.get("kind", policies.PROXY), done="委托已登记：受托人在会场签到后可代您投票")


@action
def withdraw_proxy(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.withdraw_proxy, done="已撤回委托")


@action
def record_proxy(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.record_proxy, form.get("giver_phone", ""),
                       form.get("holder_phone", ""), form.get("kind", policies.PROXY), done="委托书已登记")


# --- votes by channel and show of hands -----------------------------------------------------------------
@action
def proxy_vote(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.cast_proxy_vote,
                       request.path_params["motion_id"], parse_uuid(form.get("giver_id"), "委托人"),
                       form.get("choice", ""), done="已代委托人投票")


@action
def record_vote(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.record_vote, request.path_params["motion_id"],
                       parse_uuid(form.get("voter_id"), "居民"), form.get("choice", ""),
                       done=lambda channel: "已代录投票" if channel == "worker" else "已代录委托投票（受托人在场）")


@action
def count_hands(request: Request, form: Form) -> Response:
    app = services(request).app

    def count(worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> int:
        """The typed counts are read inside the use case's call, so htmx shows a bad one inside the meeting."""
        return app.roundtable.count_hands(
            worker_id, meeting_id, request.path_params["motion_id"], parse_int(form.get("votes_for"), "赞成人数"),
            parse_int(form.get("votes_against"), "反对人数"), parse_int(form.get("abstentions"), "弃权人数"),
            command_id=command_id)
    return _on_meeting(request, form, count, done="举手表决人数已记录")


# --- the floor and speakers ------------------------------------------------------------------------
@action
def take_up(request: Request, form: Form) -> Response:
    app = services(request).app

    def take(worker_id: UUID, meeting_id: UUID, command_id: str | None = None) -> None:
        minutes = parse_int(form.get("speaker_minutes"), "每人发言限时", required=False) or 0
        return app.roundtable.take_up_item(worker_id, meeting_id, request.path_params["item_id"], minutes,
                                           command_id=command_id)
    return _on_meeting(request, form, take, done="已进入该议题的讨论")


@action
def ask_to_speak(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.ask_to_speak, request.path_params["item_id"],
                       done="已申请发言，请等候主持人安排")


@action
def add_speaker(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.add_speaker, request.path_params["item_id"],
                       parse_uuid(form.get("account_id"), "居民"), done="已加入发言名单")


@action
def withdraw_speaker(request: Request, form: Form) -> Response:
    speaker = parse_uuid(form.get("account_id") or me(request).account_id, "居民")
    return _on_meeting(request, form, services(request).app.roundtable.withdraw_speaker,
                       request.path_params["item_id"], speaker, done="已撤回发言申请")


@action
def start_speaker(request: Request, form: Form) -> Response:
    speaker = parse_uuid(form.get("account_id"), "居民") if form.get("account_id") else None
    return _on_meeting(request, form, services(request).app.roundtable.start_speaker, request.path_params["item_id"],
                       speaker, done="发言开始")


@action
def finish_speaker(request: Request, form: Form) -> Response:
    return _on_meeting(request, form, services(request).app.roundtable.finish_speaker, done="发言结束，用时已记录")


# --- printable: the notice for the board, the sign-in sheet ---------------------------------------------
@page(public=True)
def notice(request: Request) -> Response:
    """The A4 notice (large type) with a QR code to the meeting page."""
    community = community_or_404(request)
    meeting = pages.meeting_or_404(request, community)
    return render(request, "roundtable/notice.html", n=pages.notice(request, community, meeting, printing.qr_svg_uri),
                  names=pages.NAMES)


@page
def sign_in_sheet(request: Request) -> Response:
    """The A4 sign-in sheet of the roll, with a column to sign."""
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "签到表只对本社区的社区工作者开放")
    meeting = pages.meeting_or_404(request, community)
    return render(request, "roundtable/sign_in_sheet.html", s=pages.sign_in_sheet(request, community, meeting),
                  names=pages.NAMES)


# --- check-in: by name or exactly the phone's last 4 digits; big buttons; masked phones -------------
@page
def check_in_screen(request: Request) -> Response:
    """The worker's phone-friendly check-in screen; with htmx only the result rows are sent."""
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "只有本社区的社区工作者可以为居民签到")
    meeting = pages.meeting_or_404(request, community)
    rows_only = is_htmx(request) and request.headers.get("hx-target") == "rt-checkin-rows"
    in_meeting = rows_only and request.query_params.get("in") == "meeting"   # rows inside the meeting page
    c = pages.check_in(request, community, meeting, check_in_query(request.query_params.get("q")), in_meeting)
    return render(request, "roundtable/_checkin_rows.html" if rows_only else "roundtable/checkin.html", c=c,
                  community=community, tab=TAB)


def _attendance(request: Request, form: Form, use_case: Callable[..., Any], done: str) -> Response:
    """Check in or out. A row of the check-in screen (htmx target `rt-row-…`) is swapped in place, refusals shown
    inside it; a plain form from that screen returns to it with the search kept; anything else acts on the
    meeting page."""
    community = community_or_404(request)
    meeting_id = pages.meeting_or_404(request, community)["id"]
    account_id = parse_uuid(form.get("account_id"), "居民")
    q = check_in_query(form.get("q"))
    on_row = is_htmx(request) and request.headers.get("hx-target", "").startswith("rt-row-")
    fragment = _meeting_fragment(request, community, meeting_id)
    if on_row:   # somebody not a verified resident here has no row to swap: the refusal answers alone
        fragment = _row_fragment(request, community, meeting_id, str(account_id), q) \
            if pages.check_in_row(request, community, meeting_id, str(account_id)) else None
    to = url_for(request, "roundtable_check_in_screen", query={"q": q}, community_id=community.id,
                 meeting_id=meeting_id) if form.get("back") == "check-in" else _meeting_url(request, community,
                                                                                            meeting_id)
    return respond(request, form, use_case, _me_id(request), UUID(meeting_id), account_id, done=done, to=to,
                   fragment=fragment)


def _row_fragment(request: Request, community: Place, meeting_id: str, account_id: str, q: str
                  ) -> Callable[[str, bool], Response]:
    def fragment(message: str, failed: bool) -> Response:
        return render(request, "roundtable/_checkin_row.html", row=pages.check_in_row(request, community, meeting_id,
                      account_id), c=pages.check_in_of_row(request, community, meeting_id, q), message=message,
                      failed=failed, oob_count=True)
    return fragment


@action
def check_in(request: Request, form: Form) -> Response:
    return _attendance(request, form, services(request).app.roundtable.check_in, "已签到")


@action
def check_out(request: Request, form: Form) -> Response:
    return _attendance(request, form, services(request).app.roundtable.check_out, "已签退")


# --- the worker's meeting-room screen (server-sent events) -----------------------------------------
@page
def room(request: Request) -> Response:
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "会场大屏只对本社区的社区工作者开放")
    meeting_id = pages.meeting_or_404(request, community)["id"]
    return render(request, "roundtable/room.html", community=community, names=pages.NAMES,
                  t=live.tally(request, meeting_id))


@page
def live_tally(request: Request) -> Response:
    """Server-sent events: the tally fragment whenever it changes, polled every second, for at most 10 minutes."""
    community = community_or_404(request)
    require(policies.may_run_meetings(me(request), community), "会场大屏只对本社区的社区工作者开放")
    return live.stream(request, pages.meeting_or_404(request, community)["id"])


# --- iCalendar -------------------------------------------------------------------------------------
@page(public=True)
def feed(request: Request) -> Response:
    community = community_or_404(request)
    rows = views.calendar_meetings(services(request).views, community.id)
    return calendar.ics_response(calendar.calendar(request, community, rows), "roundtable.ics")


@page(public=True)
def meeting_ics(request: Request) -> Response:
    community = community_or_404(request)
    meeting = pages.meeting_or_404(request, community)
    return calendar.ics_response(calendar.calendar(request, community, [meeting]), "meeting.ics")


# --- resolutions and follow-up ---------------------------------------------------------------------
@page(public=True)
def resolutions(request: Request) -> Response:
    community = community_or_404(request)
    return render(request, "roundtable/resolutions.html", community=community, tab=TAB, names=pages.NAMES,
                  page=pages.resolutions_page(request, community))


def _render_resolution(request: Request, community: Place, v: pages.ResolutionView,
                       template: str = "resolution.html", error: str | None = None,
                       notice: str | None = None) -> Response:
    return render(request, f"roundtable/{template}", v=v, community=community, tab=TAB, names=pages.NAMES,
                  error=error, notice=notice)


@page(public=True)
def resolution_page(request: Request) -> Response:
    """The resolution now, or with `?as_of=` as it stood then, rebuilt from the events up to then."""
    community = community_or_404(request)
    pages.resolution_or_404(request, community)   # one unknown now was never adopted: no rebuild for it

    def draw() -> Response:
        row = pages.resolution_or_404(request, community)
        return _render_resolution(request, community, pages.resolution_view(request, community, row))
    return asof.rendered(request, community, READ_MODELS, draw)


def _on_resolution(request: Request, form: Form, use_case: Callable[..., Any], *args: Any, done: str) -> Response:
    """`use_case(me, the resolution in the path, *args)`; htmx gets the `_resolution.html` partial again."""
    community = community_or_404(request)
    rid = pages.resolution_or_404(request, community)["id"]

    def fragment(message: str, failed: bool) -> Response:
        row = views.resolution(services(request).views, rid)
        return _render_resolution(request, community, pages.resolution_view(request, community, row),
                                  "_resolution.html", error=message if failed else None,
                                  notice=None if failed else message)
    return respond(request, form, use_case, _me_id(request), UUID(rid), *args, done=done,
                   to=url_for(request, "roundtable_resolution", community_id=community.id, resolution_id=rid),
                   fragment=fragment)


@action
def assign_owner(request: Request, form: Form) -> Response:
    return _on_resolution(request, form, services(request).app.roundtable.assign_resolution_owner,
                          form.get("owner", ""), done="已指定负责人")


@action
def advance(request: Request, form: Form) -> Response:
    return _on_resolution(request, form, services(request).app.roundtable.advance_resolution,
                          form.get("status", ""), done="落实状态已更新")


@action
def note(request: Request, form: Form) -> Response:
    return _on_resolution(request, form, services(request).app.roundtable.note_resolution_progress,
                          form.get("note", ""), form.get("noted_on") or None, done="进展已记录")


@action
def rate(request: Request, form: Form) -> Response:
    return _on_resolution(request, form, services(request).app.roundtable.rate_resolution,
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
    Route(_M + "/live", live_tally, name="roundtable_live"),
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
    Route(_M + "/notice", notice, name="roundtable_notice"),
    Route(_M + "/sign-in-sheet", sign_in_sheet, name="roundtable_sign_in_sheet"),
    Route(_M + "/promotion/seen", promotion_seen, methods=["POST"], name="roundtable_promotion_seen"),
    Route(_M + "/proxy", give_proxy, methods=["POST"], name="roundtable_give_proxy"),
    Route(_M + "/proxy/withdraw", withdraw_proxy, methods=["POST"], name="roundtable_withdraw_proxy"),
    Route(_M + "/proxies", record_proxy, methods=["POST"], name="roundtable_record_proxy"),
    Route(_M + "/motions/{motion_id}/proxy-vote", proxy_vote, methods=["POST"], name="roundtable_proxy_vote"),
    Route(_M + "/motions/{motion_id}/record", record_vote, methods=["POST"], name="roundtable_record_vote"),
    Route(_M + "/motions/{motion_id}/hands", count_hands, methods=["POST"], name="roundtable_count_hands"),
    Route(_M + "/agenda/{item_id}/take-up", take_up, methods=["POST"], name="roundtable_take_up"),
    Route(_M + "/agenda/{item_id}/speak", ask_to_speak, methods=["POST"], name="roundtable_ask_to_speak"),
    Route(_M + "/agenda/{item_id}/speakers", add_speaker, methods=["POST"], name="roundtable_add_speaker"),
    Route(_M + "/agenda/{item_id}/speakers/withdraw", withdraw_speaker, methods=["POST"],
          name="roundtable_withdraw_speaker"),
    Route(_M + "/agenda/{item_id}/speakers/next", start_speaker, methods=["POST"], name="roundtable_start_speaker"),
    Route(_M + "/speakers/finish", finish_speaker, methods=["POST"], name="roundtable_finish_speaker"),
]
