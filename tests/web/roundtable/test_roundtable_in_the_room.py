"""The meeting in the room through the pages (issue 14): the printable notice and sign-in sheet, proxies, votes
recorded by the worker, show of hands, speakers, the room screen, the minutes' tallies, promotion notices, and
what an unverified resident is told. A button shown is a command accepted; a refusal changes nothing."""
from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from uuid import UUID

import pytest

from domain.roundtable.model import Meeting
from projections import roundtable as views
from tests.builders import PASSWORD_HASH, new_phone
from tests.web.builders import HX, Site
from web.roundtable.pages import audit_labels

DOORS = datetime(2026, 5, 2, 10, 45, tzinfo=timezone.utc)      # 18:45 in Shanghai, the meeting at 19:00


@pytest.fixture
def site(web, clock) -> Site:
    return Site(web, clock)


def version(site: Site, mid: str) -> int:
    return site.web.services.app.repository.get(UUID(mid)).version


def shows(site: Site, phone: str | None, page: str, action: str) -> bool:
    """Whether the page, as `phone` sees it, has a form posting to `action`."""
    return f'action="{action}"' in site.page(phone, page).text


def accepted(site: Site, phone: str, action: str, data: dict | None = None) -> None:
    r = site.post(phone, action, data)
    assert r.status_code == 303, r.text[:400]


def refused(site: Site, phone: str, action: str, mid: str, data: dict | None = None, says: str = "") -> str:
    before = version(site, mid)
    r = site.post(phone, action, data)
    assert 400 <= r.status_code < 500, (action, r.status_code)
    assert version(site, mid) == before, action
    assert says in r.text, r.text[-800:]
    return r.text


def prepared(site: Site, proxies: tuple = (), present: tuple = (0, 1, 2), proxy_limit: str = "1") -> tuple[str, str]:
    """A meeting with an accepted item, the given proxies (giver index, holder index), `present` checked in, opened,
    motion 1 open. Returns (meeting id, meeting path)."""
    mid = site.schedule(capacity=10, proxy_limit=proxy_limit)
    m = f"{site.base}/{mid}"
    accepted(site, site.residents[0][1], f"{m}/agenda", {"title": "3 号楼加装电梯"})
    accepted(site, site.worker_phone, f"{m}/agenda/1/accept", {"planned_minutes": "20"})
    for giver, holder in proxies:
        accepted(site, site.residents[giver][1], f"{m}/proxy", {"holder_phone": site.residents[holder][1]})
    site.clock.now = DOORS
    for i in present:
        accepted(site, site.worker_phone, f"{m}/check-in", {"account_id": str(site.residents[i][0])})
    accepted(site, site.worker_phone, f"{m}/open")
    accepted(site, site.worker_phone, f"{m}/motions", {"item_id": "1"})
    return mid, m


# --- scheduling and printing ---------------------------------------------------------------------------
def test_the_schedule_form_sets_how_many_proxies_one_holder_may_carry(site):
    assert 'name="proxy_limit"' in site.page(site.worker_phone, f"{site.base}/new").text
    mid = site.schedule(proxy_limit="2")
    assert views.meeting(site.web.services.views, mid)["proxy_limit"] == 2
    for bad in ("6", "-1", "两", "1e1"):
        r = site.post(site.worker_phone, f"{site.base}/new", {
            "title": "会议", "purpose": "p", "starts_at": "2026-05-02T19:00", "ends_at": "2026-05-02T20:00",
            "place": "x", "mode": "in_person", "capacity": "10", "registration_deadline": "2026-05-02T17:00",
            "voting_rule": "simple", "quorum_percent": "50", "proxy_limit": bad})
        assert r.status_code == 422, bad
    assert len(views.upcoming_meetings(site.web.services.views, str(site.community), site.clock())) == 1


def test_the_printable_notice_has_the_meeting_and_a_qr_code_of_its_address(site):
    mid = site.schedule(title="加装电梯<b>议事会</b>")
    m = f"{site.base}/{mid}"
    accepted(site, site.residents[0][1], f"{m}/agenda", {"title": "电梯费用分摊"})
    accepted(site, site.worker_phone, f"{m}/agenda/1/accept", {"planned_minutes": "20"})
    assert f'href="{m}/notice"' in site.page(None, m).text
    html = site.page(None, f"{m}/notice").text                   # public: it goes on the notice board
    assert 'class="top"' not in html and "加装电梯&lt;b&gt;议事会&lt;/b&gt;" in html and "电梯费用分摊" in html
    assert re.search(r'<img src="data:image/svg\+xml;charset=utf-8,[^"]+" alt="[^"]*" id="notice-qr">', html)
    assert f"http://127.0.0.1{m}</p>" in html                  # the address the code encodes, printed in words
    assert "2026-05-02 17:00" in html and "报名参会" in html


def test_the_sign_in_sheet_lists_the_roll_with_proxies_for_the_worker_only(site):
    mid, m = prepared(site, proxies=((3, 1),))
    sheet = f"{m}/sign-in-sheet"
    html = site.page(site.worker_phone, sheet).text
    assert "表决名单（宣布开会时确定）共 4 人" in html and "签名" in html and 'class="top"' not in html
    assert all(f">居民{i}<" in html for i in range(4)) and "委托 居民1" in html and "代表 居民3" in html
    assert f'href="{sheet}"' in site.page(site.worker_phone, m).text
    assert f'href="{sheet}"' not in site.page(site.residents[0][1], m).text
    assert site.page(site.residents[0][1], sheet).status_code == 403
    assert site.page(site.other_worker[1], sheet).status_code == 403
    assert site.page(None, sheet).status_code == 303


# --- proxies -------------------------------------------------------------------------------------------
def test_a_resident_authorises_a_neighbour_by_phone_and_both_see_it(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    (_, giver), (_, holder) = site.residents[:2]
    assert shows(site, giver, m, f"{m}/proxy")
    refused(site, giver, f"{m}/proxy", mid, {"holder_phone": giver}, says="不能委托给自己")
    refused(site, giver, f"{m}/proxy", mid, {"holder_phone": site.outsider[1]}, says="本社区已核实居民")
    refused(site, giver, f"{m}/proxy", mid, {"holder_phone": "<script>"}, says="手机号")
    refused(site, giver, f"{m}/proxy", mid, {"holder_phone": holder, "kind": "boss"})
    accepted(site, giver, f"{m}/proxy", {"holder_phone": holder, "kind": "household"})
    assert "您已委托 居民1 代为投票（户代表）" in site.page(giver, m).text
    assert not shows(site, giver, m, f"{m}/proxy")                 # one proxy each
    refused(site, giver, f"{m}/proxy", mid, {"holder_phone": site.residents[2][1]}, says="请先撤回原委托")
    assert "您受托代为投票：<strong>居民0</strong>" in site.page(holder, m).text
    third = site.residents[2][1]
    refused(site, third, f"{m}/proxy", mid, {"holder_phone": holder}, says="上限")    # too many proxies
    assert shows(site, giver, m, f"{m}/proxy/withdraw")
    accepted(site, giver, f"{m}/proxy/withdraw")
    assert not shows(site, giver, m, f"{m}/proxy/withdraw")
    refused(site, giver, f"{m}/proxy/withdraw", mid, says="没有委托")


def test_the_worker_records_a_paper_authorisation_before_the_meeting_opens(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    form = {"giver_phone": site.residents[0][1], "holder_phone": site.residents[1][1], "kind": "proxy"}
    assert shows(site, site.worker_phone, m, f"{m}/proxies")
    assert not shows(site, site.residents[2][1], m, f"{m}/proxies")
    refused(site, site.residents[2][1], f"{m}/proxies", mid, form)
    accepted(site, site.worker_phone, f"{m}/proxies", form)
    html = site.page(site.worker_phone, m).text
    assert 'id="proxy-list"' in html and "<td>居民0</td><td>居民1</td>" in html and "<td>李社工</td>" in html
    site.clock.now = DOORS
    accepted(site, site.worker_phone, f"{m}/open")
    assert not shows(site, site.worker_phone, m, f"{m}/proxies") and not shows(site, site.residents[2][1], m,
                                                                              f"{m}/proxy")
    refused(site, site.worker_phone, f"{m}/proxies", mid, {**form, "giver_phone": site.residents[2][1]},
            says="会议开始后不能再委托")


def test_a_checked_in_holder_votes_for_the_absent_giver_on_their_phone(site):
    mid, m = prepared(site, proxies=((3, 1),), present=(0, 1, 2))
    vote = f"{m}/motions/1/proxy-vote"
    (giver_id, giver), (_, holder) = site.residents[3], site.residents[1]
    html = site.page(holder, m).text
    assert f'action="{vote}"' in html and "代 居民3 投票：" in html
    assert not shows(site, site.residents[0][1], m, vote)
    refused(site, site.residents[0][1], vote, mid, {"giver_id": str(giver_id), "choice": "for"},
            says="没有委托您")
    refused(site, holder, vote, mid, {"giver_id": "not-a-uuid", "choice": "for"})
    accepted(site, holder, vote, {"giver_id": str(giver_id), "choice": "against"})
    assert "您已代 居民3 投票：反对" in site.page(holder, m).text
    refused(site, holder, vote, mid, {"giver_id": str(giver_id), "choice": "for"}, says="只能投一次")
    accepted(site, site.worker_phone, f"{m}/check-in", {"account_id": str(giver_id)})
    html = site.page(giver, m).text
    assert "您已投票：反对（由受托人 居民1 代投）" in html and f'action="{m}/motions/1/vote"' not in html
    refused(site, giver, f"{m}/motions/1/vote", mid, {"choice": "for"}, says="受托人已代您投了这一票")


def test_a_proxy_whose_holder_is_absent_shows_no_buttons_and_is_refused(site):
    mid, m = prepared(site, proxies=((3, 1),), present=(0, 2))
    (giver_id, _), (_, holder) = site.residents[3], site.residents[1]
    html = site.page(holder, m).text
    assert f'action="{m}/motions/1/proxy-vote"' not in html and "请先到会场签到，委托才计入" in html
    refused(site, holder, f"{m}/motions/1/proxy-vote", mid, {"giver_id": str(giver_id), "choice": "for"},
            says="受托人尚未签到")
    assert f'value="{giver_id}"' not in site.page(site.worker_phone, m).text.split('id="record-votes"')[1]
    refused(site, site.worker_phone, f"{m}/motions/1/record", mid, {"voter_id": str(giver_id), "choice": "for"},
            says="受托人尚未签到")


# --- votes recorded by the worker and the show of hands ----------------------------------------------------
def test_the_worker_records_a_present_residents_vote_marked_recorded_by_the_worker(site):
    mid, m = prepared(site, present=(0, 1, 2))
    record = f"{m}/motions/1/record"
    voter_id, voter = site.residents[0]
    assert shows(site, site.worker_phone, m, record) and not shows(site, voter, m, record)
    refused(site, voter, record, mid, {"voter_id": str(voter_id), "choice": "for"})
    refused(site, site.worker_phone, record, mid, {"voter_id": str(site.residents[3][0]), "choice": "for"},
            says="尚未签到")
    refused(site, site.worker_phone, record, mid, {"voter_id": str(voter_id), "choice": "<b>"}, says="请选择")
    accepted(site, site.worker_phone, record, {"voter_id": str(voter_id), "choice": "abstain"})
    assert "您已投票：弃权（由工作人员 李社工 代录）" in site.page(voter, m).text
    html = site.page(site.worker_phone, m).text
    assert "工作人员代录 · 由工作人员 李社工 代录" in html and f'id="record-{voter_id}"' not in html
    refused(site, voter, f"{m}/motions/1/vote", mid, {"choice": "for"}, says="只能投一次")
    refused(site, site.worker_phone, record, mid, {"voter_id": str(voter_id), "choice": "for"}, says="只能投一次")


def test_hands_never_exceed_those_present_who_did_not_vote_and_those_counted_vote_no_more(site):
    mid, m = prepared(site, present=(0, 1, 2))
    hands = f"{m}/motions/1/hands"
    accepted(site, site.residents[0][1], f"{m}/motions/1/vote", {"choice": "for"})
    assert "现在 2 人" in site.page(site.worker_phone, m).text
    refused(site, site.worker_phone, hands, mid, {"votes_for": "2", "votes_against": "1", "abstentions": "0"},
            says="举手人数（3）超过在场且尚未投票的人数（2），未予记录")
    for bad in ({"votes_for": "-1"}, {"votes_for": "1e3"}, {"votes_for": "<script>"}, {"votes_for": "9" * 20},
                {"votes_for": "", "votes_against": "1", "abstentions": "0"}):
        refused(site, site.worker_phone, hands, mid, {"votes_for": "0", "votes_against": "0", "abstentions": "0",
                                                      **bad})
    assert not shows(site, site.residents[1][1], m, hands)
    refused(site, site.residents[1][1], hands, mid, {"votes_for": "1", "votes_against": "0", "abstentions": "0"})
    accepted(site, site.worker_phone, hands, {"votes_for": "1", "votes_against": "1", "abstentions": "0"})
    html = site.page(site.residents[1][1], m).text
    assert "已计入举手人数" in html and f'action="{m}/motions/1/vote"' not in html
    refused(site, site.residents[1][1], f"{m}/motions/1/vote", mid, {"choice": "for"}, says="已举手计票")
    accepted(site, site.worker_phone, f"{m}/motions/1/close")
    html = site.page(None, m).text
    assert "赞成 2 票，反对 1 票，弃权 0 票；到会 3/4 人" in html
    assert "手机投票 1 人，工作人员代录 0 人，委托投票 0 人；举手表决：赞成 1，反对 1，弃权 0（在场且未单独投票 2 人）" in html


# --- speakers and the room screen --------------------------------------------------------------------------
def test_residents_ask_to_speak_from_their_phone_and_the_worker_gives_the_floor(site):
    mid, m = prepared(site, present=(0, 1, 2))
    take_up, speak = f"{m}/agenda/1/take-up", f"{m}/agenda/1/speak"
    (r0, p0), (r1, p1) = site.residents[:2]
    assert f'formaction="{take_up}"' in site.page(site.worker_phone, m).text
    refused(site, p0, take_up, mid, {"speaker_minutes": "3"})
    refused(site, site.worker_phone, take_up, mid, {"speaker_minutes": "61"}, says="0 到 60 分钟")
    accepted(site, site.worker_phone, take_up, {"speaker_minutes": "3"})
    assert shows(site, p0, m, speak) and not shows(site, site.residents[3][1], m, speak)   # not checked in
    refused(site, site.residents[3][1], speak, mid, says="发言人需先在会场签到")
    accepted(site, p0, speak)
    assert not shows(site, p0, m, speak) and shows(site, p0, m, f"{m}/agenda/1/speakers/withdraw")
    refused(site, p0, speak, mid, says="已在该议题的发言名单上")
    add = f"{m}/agenda/1/speakers"
    assert shows(site, site.worker_phone, m, add) and not shows(site, p1, m, add)
    refused(site, p1, add, mid, {"account_id": str(r1)})
    accepted(site, site.worker_phone, add, {"account_id": str(r1)})
    refused(site, p1, f"{m}/agenda/1/speakers/withdraw", mid, {"account_id": str(r0)})   # not one's own
    nxt, finish = f"{m}/agenda/1/speakers/next", f"{m}/speakers/finish"
    assert shows(site, site.worker_phone, m, nxt) and not shows(site, p0, m, nxt)
    refused(site, p0, nxt, mid)
    accepted(site, site.worker_phone, nxt)
    assert "正在发言：居民0" in site.page(p1, m).text
    site.clock.now = DOORS.replace(minute=49, second=7)            # 4:07 since the floor was given
    room = site.page(site.worker_phone, f"{m}/room").text
    assert 'id="room-speaker">正在发言：居民0' in room and "4:07 / 3:00" in room and "已超时" in room
    assert "等待发言：居民1" in room and "正在讨论：1. 3 号楼加装电梯" in room
    assert 'class="top"' not in room and "<form" not in room and 'class="flash"' not in room
    refused(site, p0, finish, mid)
    accepted(site, site.worker_phone, finish)
    html = site.page(site.worker_phone, m).text
    assert re.search(r"居民0</td>\s*<td>已发言</td>\s*<td class=\"num\">4:07 <span class=\"error\">超时", html)


def test_the_room_screen_streams_the_floor_and_quorum_counting_proxies_once(site):
    mid, m = prepared(site, proxies=((3, 1),), present=(0, 1))
    room = site.page(site.worker_phone, f"{m}/room").text
    assert "3/4 人到会" in room and "其中 1 人由在场的受托人代表" in room and "已达法定人数" in room
    with site.web.stream("GET", f"{m}/live") as response:
        received = ""
        for chunk in response.iter_text():
            received += chunk
            if "event: tally" in received and "\n\n" in received.split("event: tally", 1)[1]:
                break
    assert "3/4 人到会" in received.split("event: tally", 1)[1]
    assert site.page(site.residents[0][1], f"{m}/room").status_code == 403


# --- the minutes --------------------------------------------------------------------------------------------
def test_a_minutes_tally_that_disagrees_is_marked_in_place_with_htmx_and_nothing_is_published(site):
    mid, m = prepared(site, present=(0, 1, 2))
    accepted(site, site.residents[0][1], f"{m}/motions/1/vote", {"choice": "for"})
    accepted(site, site.worker_phone, f"{m}/motions/1/hands", {"votes_for": "1", "votes_against": "0",
                                                               "abstentions": "1"})
    accepted(site, site.worker_phone, f"{m}/motions/1/close")
    accepted(site, site.worker_phone, f"{m}/adjourn")
    form = {"minutes": "会议纪要正文", "for_1": "2", "against_1": "1", "abstain_1": "0"}
    before = version(site, mid)
    r = site.post(site.worker_phone, f"{m}/minutes", form, headers=HX)
    assert r.status_code == 200 and 'role="alert"' in r.text and "1 项表决的票数与投票记录不一致" in r.text
    assert 'id="tally-1" class="rt-mismatch"' in r.text and "记录：赞成 2，反对 0，弃权 1" in r.text
    assert 'value="会议纪要正文"' not in r.text and ">会议纪要正文</textarea>" in r.text
    assert version(site, mid) == before
    r = site.post(site.worker_phone, f"{m}/minutes", {**form, "against_1": "0", "abstain_1": "1"}, headers=HX)
    assert "会议纪要已发布" in r.text and "rt-mismatch" not in r.text
    html = site.page(None, m).text
    assert "✓ 与投票记录一致" in html and "举手表决：赞成 1，反对 0，弃权 1" in html


# --- notices and what an unverified resident is told -----------------------------------------------------
def test_a_promotion_from_the_waitlist_is_a_notice_on_the_home_page_until_read(site):
    mid = site.schedule(capacity=1)
    m = f"{site.base}/{mid}"
    (_, first), (_, second) = site.residents[:2]
    accepted(site, first, f"{m}/register")
    accepted(site, second, f"{m}/register")
    assert "好消息" not in site.page(second, "/").text
    accepted(site, first, f"{m}/unregister")
    home = site.page(second, "/").text
    assert "好消息：您已从候补名单递补为正式参会居民——加装电梯议事会，2026-05-02 19:00，社区活动室" in home
    assert f'action="{m}/promotion/seen"' in home and "好消息" not in site.page(first, "/").text
    assert "我的安排" in home and "加装电梯议事会" in home.split("我的安排")[1]
    accepted(site, second, f"{m}/promotion/seen")
    assert "好消息" not in site.page(second, "/").text and "好消息" not in site.page(second, m).text


@pytest.mark.parametrize("who,says", [
    ("pending", "您的居民身份还在等待社区工作者核实"),
    ("rejected", "您的居民申请没有通过核实"),
    ("outsider", "申请加入本社区"),
    ("anonymous", "后，本社区已核实居民可以报名。"),
])
def test_a_resident_not_yet_verified_is_told_why_they_cannot_register_or_vote_and_what_to_do(site, who, says):
    app = site.web.services.app
    phone = None
    if who in ("pending", "rejected"):
        phone = new_phone()
        account = app.accounts.sign_up(phone, "新邻居", PASSWORD_HASH, site.community)
        if who == "rejected":
            app.accounts.reject_residency(site.worker, account, site.community, "地址不在本社区")
        site.web.services.runner.catch_up()
    elif who == "outsider":
        phone = site.outsider[1]
    mid, m = prepared(site, present=(0,))
    html = site.page(phone, m).text
    assert says in html and f'action="{m}/motions/1/vote"' not in html and f'action="{m}/register"' not in html
    if who == "outsider":
        assert f'href="/c/{site.community}"' in html
    if phone:
        refused(site, phone, f"{m}/motions/1/vote", mid, {"choice": "for"}, says="经过核实的本社区居民")
    before_open = site.schedule(title="下一次议事会", starts_at="2026-05-09T19:00", ends_at="2026-05-09T21:00",
                                registration_deadline="2026-05-09T12:00")
    page = site.page(phone, f"{site.base}/{before_open}").text
    assert says in page and 'id="why-not"' in page


# --- the audit trail --------------------------------------------------------------------------------------
def test_every_meeting_event_has_its_own_audit_label():
    meeting_events = [f"Meeting.{name}" for name, value in vars(Meeting).items()
                      if inspect.isclass(value) and issubclass(value, Meeting.Event) and name not in ("Event", "Created")]
    labels = audit_labels()
    assert "Meeting.HandsCounted" in meeting_events and [e for e in meeting_events if e not in labels] == []
    assert all(label.startswith("已") for label in labels.values())
    assert len(set(labels.values())) == len(labels)


def test_the_notice_and_the_calendar_use_the_configured_public_address(tmp_path):
    from datetime import timedelta

    from starlette.testclient import TestClient

    from tests.builders import Places, make_worker
    from web.app import create_app
    from web.settings import Settings
    from web.wiring import build

    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_PUBLIC_URL": "https://linli.example.cn/"}
    svc = build(Settings.from_env(env))
    places = Places(svc.app)
    worker = make_worker(svc.app, places.community)
    starts = svc.app.clock() + timedelta(days=3)
    meeting = svc.app.roundtable.schedule_meeting(worker, places.community, "议事会", "讨论", starts,
                                                  starts + timedelta(hours=2), "活动室", "in_person", 30,
                                                  starts - timedelta(hours=1), "simple", 50)
    svc.runner.catch_up()
    with TestClient(create_app(services=svc), base_url="http://evil.example") as client:
        feed = client.get(f"/c/{places.community}/roundtable.ics")
        notice = client.get(f"/c/{places.community}/roundtable/{meeting}/notice")
    svc.close()
    assert feed.status_code == notice.status_code == 200
    unfolded = feed.text.replace("\r\n ", "")
    assert f"https://linli.example.cn/c/{places.community}/roundtable/{meeting}" in unfolded
    assert f"https://linli.example.cn/c/{places.community}/roundtable/{meeting}" in notice.text
    assert "evil.example" not in unfolded + notice.text


def test_a_public_address_that_is_not_an_origin_is_refused():
    import pytest

    from web.settings import Settings

    with pytest.raises(ValueError):
        Settings.from_env({"LINLI_PUBLIC_URL": "javascript:alert(1)"})


def test_guessing_neighbours_numbers_through_the_proxy_form_is_slowed_down(site):
    mid = site.schedule()
    m = f"{site.base}/{mid}"
    giver = site.residents[0][1]
    for n in range(9):   # wrong numbers: each answer says whether the number is a verified neighbour
        refused(site, giver, f"{m}/proxy", mid, {"holder_phone": f"1390000{n:04d}"}, says="本社区已核实居民")
    says = refused(site, giver, f"{m}/proxy", mid, {"holder_phone": site.residents[1][1]})
    assert "委托尝试过于频繁" in says
    assert "您已委托" not in site.page(giver, m).text   # the tenth try, right or not, was not even looked up
