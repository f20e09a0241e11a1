"""The fund's no-overdraft guarantee over real HTTP: with ¥1,000 available, 50 parallel ¥100 payments →
exactly 10 succeed, the other 40 are told "余额不足" (insufficient funds), nothing answers 5xx, and the view and
the aggregate agree to the fen. The same payment form sent 10 times at once pays once."""
from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest

from domain.accounts.model import Account
from domain.accounts.model import Community
from domain.kernel.time import SHANGHAI
from projections import fund as views
from tests.builders import ARTIFACTS, wait_for_views
from tests.domain.builders import make_resolution
from tests.web.builders import serving, log_in

pytestmark = pytest.mark.slow

PARALLEL = 50


def test_fifty_parallel_payments_of_100_yuan_from_1000_yuan_pay_exactly_ten(tmp_path):
    started = time.monotonic()
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        year = datetime.now(SHANGHAI).year
        today = datetime.now(SHANGHAI).date().isoformat()
        community = Community.id_for("320106001001")  # the demo's 江苏路社区（演示）
        maker = Account.id_for(app.phone_key("13800000003"))
        resolution = make_resolution(app, community, "小区监控补盲")
        project = app.fund.allocate(maker, community, year, resolution, "监控补盲", "safety", "1,000")
        twin_project = app.fund.allocate(maker, community, year, resolution, "重复提交检验", "other", "1,000")
        wait_for_views(server)
        client, token = log_in(server, "13800000003",
                               limits=httpx.Limits(max_connections=PARALLEL, max_keepalive_connections=0))
        clients.append(client)
        base = f"/c/{community}/fund/{year}"

        def pay(project_id, command_id: str) -> httpx.Response:
            return client.post(f"{base}/projects/{project_id}/pay", data={
                "csrf_token": token, "command_id": command_id, "amount": "100", "payee_kind": "organisation",
                "payee": "南京安防科技有限公司", "paid_on": today, "description": "摄像头", "receipt_ref": f"AF-{command_id}"})

        burst_started = time.monotonic()
        with ThreadPoolExecutor(PARALLEL) as pool:
            responses = list(pool.map(lambda i: pay(project, uuid.uuid4().hex), range(PARALLEL)))
        burst_seconds = time.monotonic() - burst_started

        codes = [r.status_code for r in responses]
        succeeded = [r for r in responses if r.status_code == 303]
        refused = [r for r in responses if r.status_code == 409]
        assert len(succeeded) == 10, codes
        assert len(refused) == PARALLEL - 10, codes
        assert all("余额不足" in r.text for r in refused)
        assert not any(code >= 500 for code in codes)

        # A double (here tenfold) submitted form: the same command id sent at once pays once.
        same = uuid.uuid4().hex
        with ThreadPoolExecutor(10) as pool:
            twins = list(pool.map(lambda _: pay(twin_project, same), range(10)))
        assert [r.status_code for r in twins] == [303] * 10

        fund = app.fund.year_fund(community, year)
        assert fund.projects[str(project)]["pending"] == 100_000 and fund.free(project) == 0
        assert fund.projects[str(twin_project)]["pending"] == 10_000
        assert len(fund.payments) == 11 and fund.invariant_violations() == []

        wait_for_views(server)
        ledger = views.ledger(svc.views, str(community), year)
        by_project = {p["id"]: p for p in ledger["projects"]}
        drift = {k: ledger["totals"][k] - v for k, v in {
            "budget": fund.budget, "allocated": fund.allocated, "committed": fund.committed,
            "pending": fund.pending, "paid": fund.paid, "available": fund.available}.items()}
        assert drift == dict.fromkeys(drift, 0)
        assert by_project[str(project)]["pending"] == 100_000 and by_project[str(project)]["free"] == 0
        assert len(views.payments(svc.views, ledger["fund"]["id"], "pending")) == 11

        numbers = {"parallel_requests": PARALLEL, "succeeded": len(succeeded), "refused_insufficient": len(refused),
                   "server_errors": sum(c >= 500 for c in codes), "burst_seconds": round(burst_seconds, 2),
                   "twin_submissions": 10, "twin_payments_made": 1, "drift_fen": sum(map(abs, drift.values())),
                   "total_seconds": round(time.monotonic() - started, 2)}
        out = ARTIFACTS / "fund"
        out.mkdir(parents=True, exist_ok=True)
        (out / "load.json").write_text(json.dumps(numbers, indent=2))
        print("fund load:", numbers)
