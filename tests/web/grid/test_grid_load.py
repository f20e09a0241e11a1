"""Grid limits under concurrency over real HTTP: a resident sending the community's quarterly rating 20 times at once
rates once (the others are told they already rated), and two handlers taking the same request on at the same moment
record one acceptance; nothing answers 5xx."""
from __future__ import annotations

import httpx
import pytest

from domain.accounts.model import Account, Community
from domain.grid.model import Request
from projections import grid as views
from tests.builders import command_id, wait_for_views
from tests.web.builders import all_at_once, log_in, serving

pytestmark = pytest.mark.slow

PARALLEL = 20


def test_twenty_simultaneous_ratings_of_the_community_record_one(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        community = Community.id_for("320106001001")          # the demo's 江苏路社区（演示）
        client, token = log_in(server, "13800000001",
                               limits=httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=0))
        clients.append(client)

        def rate(i: int) -> httpx.Response:
            return client.post(f"/c/{community}/grid/ratings", data={
                "csrf_token": token, "command_id": command_id(), "kind": "community", "score": str(1 + i % 5)})

        answers = all_at_once(PARALLEL, rate)
        assert sorted(r.status_code for r in answers) == [303] + [409] * (PARALLEL - 1)
        assert all("每季度只能评价一次" in r.text for r in answers if r.status_code == 409)
        wait_for_views(server)
        resident = str(Account.id_for(svc.app.phone_key("13800000001")))
        period = svc.views.one("SELECT period FROM grid_place_ratings WHERE account_id = ?", (resident,))["period"]
        assert views.rating_summary(svc.views, [str(community)], period)[str(community)]["count"] == 1


def test_two_handlers_accepting_at_once_record_one_acceptance(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        community = Community.id_for("320106001001")
        resident = Account.id_for(app.phone_key("13800000001"))
        request_id = app.grid.submit_request(resident, community, "1", "楼道灯坏了", "", "", "小区南门")
        wait_for_views(server)
        people = [log_in(server, "13800000002") for _ in range(2)]    # the community's worker, twice
        clients.extend(c for c, _ in people)

        def accept(i: int) -> httpx.Response:
            client, token = people[i]
            return client.post(f"/c/{community}/grid/requests/{request_id}/accept",
                               data={"csrf_token": token, "command_id": command_id()})

        answers = all_at_once(2, accept)
        assert sorted(r.status_code for r in answers) == [303, 409]
        stored = list(app.repository.event_store.get(request_id))
        assert sum(isinstance(e, Request.Accepted) for e in stored) == 1
