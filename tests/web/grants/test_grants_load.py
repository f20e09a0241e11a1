"""The pool can never be over-awarded, over real HTTP: with room for exactly 4 awards of ¥50,000 in a ¥200,000 pool,
30 award proposals for 30 different applications sent at the same moment → exactly 4 accepted, 26 told "超出资金池",
no 5xx; another official approves the 4; the call and its view agree to the fen."""
from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from projections import grants as views
from tests.builders import ARTIFACTS, wait_for_views
from tests.domain.grants.builders import CODE_A, CRITERIA, GOOD, NOTES, TRANCHES
from tests.web.builders import all_at_once, log_in, serving

pytestmark = pytest.mark.slow
PARALLEL = 30


def test_thirty_parallel_award_proposals_on_a_pool_with_room_for_four_award_exactly_four(tmp_path):
    started = time.monotonic()
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        person = {phone: Account.id_for(app.phone_key(phone)) for phone in
                  ("13800000001", "13800000005", "13800000006", "13800000008")}
        community = Community.id_for("320106001001")          # the demo's 江苏路社区（演示）
        street = app.accounts.community(community).street_id
        member, street_official, district_official = (person[p] for p in ("13800000008", "13800000005",
                                                                           "13800000006"))
        org = app.grants.register_organisation(member, "压力测试社会组织", CODE_A, "service", street, "郑联系",
                                               "13912345678")
        app.grants.approve_organisation(street_official, org)
        now = app.clock().astimezone(SHANGHAI)
        call = app.grants.open_call(district_official, street, None, "并发资助检验", "检验", "200,000", "50,000",
                                    (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
                                    (now + timedelta(days=10)).strftime("%Y-%m-%d %H:%M"), CRITERIA, TRANCHES)
        app.grants.assign_reviewer(district_official, call, "13800000001")
        applications = []
        for i in range(PARALLEL):
            application = app.grants.save_draft(member, call, org, community, f"项目 {i + 1}", "社区服务", "50,000",
                                                (["人工"], ["50,000"]), (["启动"], ["2026-12-01"]),
                                                (["郑会长"], ["负责人"]))
            app.grants.submit_application(member, application)
            app.grants.score(person["13800000001"], application, GOOD, NOTES)
            applications.append(application)
        wait_for_views(server)

        client, token = log_in(server, "13800000005",
                               limits=httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=0))
        clients.append(client)

        def propose(i: int) -> httpx.Response:
            return client.post(f"/grants/applications/{applications[i]}/award", data={
                "csrf_token": token, "command_id": uuid.uuid4().hex, "amount": "50,000"})

        burst_started = time.monotonic()
        responses = all_at_once(PARALLEL, propose)
        burst_seconds = time.monotonic() - burst_started
        codes = [r.status_code for r in responses]
        accepted = [i for i, r in enumerate(responses) if r.status_code == 303]
        refused = [r for r in responses if r.status_code == 409]
        assert len(accepted) == 4, codes
        assert len(refused) == PARALLEL - 4, codes
        assert all("超出资金池" in r.text for r in refused)
        assert not any(code >= 500 for code in codes)

        # The district official approves the four (maker ≠ checker), also all at once.
        checker, checker_token = log_in(server, "13800000006", limits=httpx.Limits(max_connections=4,
                                                                                   max_keepalive_connections=0))
        clients.append(checker)
        approvals = all_at_once(4, lambda k: checker.post(
            f"/grants/applications/{applications[accepted[k]]}/award/approve",
            data={"csrf_token": checker_token, "command_id": uuid.uuid4().hex}))
        assert [r.status_code for r in approvals] == [303] * 4

        state = app.grants.call(call)
        assert (state.pool, state.pending, state.awarded, state.remaining) == (20_000_000, 0, 20_000_000, 0)
        assert state.invariant_violations() == []
        wait_for_views(server)
        figures = views.figures(svc.views, str(call))
        drift = {"pool": figures["pool"] - state.pool, "pending": figures["pending"] - state.pending,
                 "awarded": figures["awarded"] - state.awarded, "remaining": figures["remaining"] - state.remaining}
        assert drift == dict.fromkeys(drift, 0)
        assert len(views.awards(svc.views, str(call), "awarded")) == 4

        numbers = {"parallel_requests": PARALLEL, "accepted": len(accepted), "refused_pool_exceeded": len(refused),
                   "server_errors": sum(c >= 500 for c in codes), "burst_seconds": round(burst_seconds, 2),
                   "drift_fen": sum(map(abs, drift.values())), "total_seconds": round(time.monotonic() - started, 2)}
        out = ARTIFACTS / "grants"
        out.mkdir(parents=True, exist_ok=True)
        (out / "load.json").write_text(json.dumps(numbers, indent=2))
        print("grants load:", numbers)
