"""Over real HTTP against a real server: 20 parallel identical votes make one vote; 20 parallel votes with
different command ids make one vote and 19 clear refusals; the live tally is pushed over server-sent events."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from domain.accounts.model import Account
from domain.accounts.model import Community
from tests.builders import LiveServer, new_phone
from tests.web.builders import all_at_once, log_in
from web.passwords import hash_password

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def arranged(tmp_path_factory):
    """A live server with a meeting in progress: two extra residents, everyone checked in, one motion open."""
    server = LiveServer(tmp_path_factory.mktemp("rt-load") / "data")
    svc = server.services()
    try:
        app = svc.app
        community = Community.id_for("320106001001")
        worker = Account.id_for(app.phone_key("13800000002"))
        phones = [new_phone() for _ in range(2)]
        residents = [Account.id_for(app.phone_key("13800000001"))]
        for phone in phones:
            account = app.accounts.sign_up(phone, "压测居民", hash_password("load-test-pw"), community)
            app.accounts.verify_residency(worker, account, community)
            residents.append(account)
        start = datetime.now(timezone.utc) + timedelta(hours=1)
        meeting = app.roundtable.schedule_meeting(worker, community, "压力测试议事会", "p", start, start + timedelta(hours=1),
                                       "活动室", "in_person", 50, start - timedelta(minutes=10), "simple", 10)
        item = app.roundtable.propose_agenda_item(residents[0], meeting, "议题", "")
        app.roundtable.accept_agenda_item(worker, meeting, item, 10)
        for r in residents:
            app.roundtable.check_in(worker, meeting, r)
        app.roundtable.open_meeting(worker, meeting)
        motion = app.roundtable.open_motion(worker, meeting, item)
        svc.runner.catch_up()
    finally:
        svc.close()
    yield server, community, meeting, motion, phones
    server.stop()


def test_twenty_parallel_identical_votes_over_http_record_one_vote(arranged):
    server, community, meeting, motion, phones = arranged
    client, token = log_in(server, "13800000001")
    url = f"/c/{community}/roundtable/{meeting}/motions/{motion}/vote"
    started = time.monotonic()
    statuses = all_at_once(20, lambda i: client.post(url, data={"csrf_token": token, "command_id": "same-tap",
                                                              "choice": "for"}).status_code)
    elapsed = time.monotonic() - started
    assert statuses == [303] * 20, statuses
    svc = server.services()
    try:
        votes = svc.app.roundtable.meeting(meeting).motions[motion]["votes"]
    finally:
        svc.close()
    assert list(votes.values()) == ["for"] and elapsed < 30


def test_twenty_parallel_votes_with_fresh_command_ids_make_one_vote_and_clear_refusals(arranged):
    server, community, meeting, motion, phones = arranged
    client, token = log_in(server, phones[0], "load-test-pw")
    url = f"/c/{community}/roundtable/{meeting}/motions/{motion}/vote"
    responses = all_at_once(20, lambda i: client.post(url, data={"csrf_token": token, "command_id": f"tap-{i}",
                                                               "choice": "against"}))
    codes = sorted(r.status_code for r in responses)
    assert codes == [303] + [409] * 19, codes
    assert all("只能投一次" in r.text for r in responses if r.status_code == 409)


def test_the_room_screen_receives_the_tally_over_server_sent_events(arranged):
    server, community, meeting, motion, phones = arranged
    worker, _ = log_in(server, "13800000002")
    voter, token = log_in(server, phones[1], "load-test-pw")
    seen: list[str] = []
    with worker.stream("GET", f"/c/{community}/roundtable/{meeting}/live", timeout=15) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        deadline = time.monotonic() + 15
        before = None
        for line in lines:
            seen.append(line)
            found = re.search(r"已投票 (\d+) 人", line)
            if found and before is None:
                before = int(found.group(1))     # the first event: the count so far, then one more vote
                r = voter.post(f"/c/{community}/roundtable/{meeting}/motions/{motion}/vote",
                               data={"csrf_token": token, "command_id": "sse-1", "choice": "abstain"})
                assert r.status_code == 303
            elif found and int(found.group(1)) == before + 1:
                break
            assert time.monotonic() < deadline, seen
    assert before is not None and f"已投票 {before + 1} 人" in seen[-1]
    assert not any("赞成 " in s and "票" in s for s in seen)     # never the split while open
