"""The security review's attack (issue 9, item 3), over real HTTP against a live server with the demo's two fund
managers: the maker alone refunded an approved ¥3,000 payment (paid dropped), then paid the same ¥3,000 again with
the checker's approval — two ¥3,000 payments out, the ledger showing one — and alone erased the payee of an approved
payment. Now each step is refused or waits for the second manager, and the ledger still shows ¥3,000 paid."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from projections import fund as views
from tests.builders import wait_for_views
from tests.domain.builders import make_resolution
from tests.web.builders import log_in, serving

pytestmark = pytest.mark.slow


def test_the_maker_alone_can_neither_refund_and_pay_again_nor_erase_a_paid_payee(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        year = datetime.now(SHANGHAI).year
        today = datetime.now(SHANGHAI).date().isoformat()
        community = Community.id_for("320106001001")  # the demo's 江苏路社区（演示）
        maker = Account.id_for(app.phone_key("13800000003"))
        checker = Account.id_for(app.phone_key("13800000004"))
        resolution = make_resolution(app, community, "为高龄老人加装楼道扶手")
        project = app.fund.allocate(maker, community, year, resolution, "楼道扶手", "elderly", "10,000")
        first = app.fund.record_payment(maker, community, year, project, None, "3,000", "individual", "王小明", today,
                                        "扶手安装", "FP-2026-0001")
        app.fund.approve_payment(checker, community, year, first)
        wait_for_views(server)
        base = f"/c/{community}/fund/{year}"
        client, token = log_in(server, "13800000003")
        clients.append(client)

        def post(path: str, **data: str):
            return client.post(f"{base}{path}", data={"csrf_token": token, "command_id": uuid.uuid4().hex, **data})

        def fund():
            return app.fund.year_fund(community, year)

        # 1. The maker "refunds" the ¥3,000: only a request; paid does not drop.
        assert post(f"/payments/{first}/refund", amount="3,000", reason="供应商退回").status_code == 303
        [refund] = [rid for rid, r in fund().requests.items() if r["kind"] == "refund"]
        assert fund().paid == 300_000
        # 2. ... and cannot approve it.
        version = fund().version
        own = post(f"/refunds/{refund}/approve")
        assert own.status_code == 403 and "不能审核自己提出的申请" in own.text
        assert fund().version == version
        # 3. Paying the same invoice again is refused however its number is written.
        for receipt in ("FP-2026-0001", "fp-2026-0001 ", "ＦＰ－２０２６－０００１"):
            again = post(f"/projects/{project}/pay", amount="3,000", payee_kind="organisation", payee="南京安居装修有限公司",
                         paid_on=today, description="扶手安装", receipt_ref=receipt)
            assert again.status_code == 409 and "已用于本年度资金的另一笔支付" in again.text
        assert fund().version == version
        # 4. The payee of the approved payment cannot be erased alone: at once is refused, a request waits.
        alone = post(f"/payments/{first}/erase", reason="本人申请")
        assert alone.status_code == 409 and "须提出申请" in alone.text
        assert post(f"/payments/{first}/erasure", reason="本人申请").status_code == 303
        [erasure] = [rid for rid, r in fund().requests.items() if r["kind"] == "erasure"]
        assert post(f"/erasures/{erasure}/approve").status_code == 403
        assert app.sealer.keys.get(first) is not None

        wait_for_views(server)
        ledger = views.ledger(svc.views, str(community), year)
        assert (ledger["totals"]["paid"], ledger["totals"]["pending"]) == (300_000, 0)
        page = client.get(f"/c/{community}/fund?year={year}").text
        assert "待审核的申请" in page and "这是您提出的申请，须由另一位资金管理员审核。" in page
        assert f"{base}/refunds/{refund}/approve" not in page and f"{base}/erasures/{erasure}/approve" not in page

        # 5. The second manager sees both requests and decides: the refund is turned down (nothing came back).
        checker_client, checker_token = log_in(server, "13800000004")
        clients.append(checker_client)
        page = checker_client.get(f"/c/{community}/fund?year={year}").text
        assert f'action="{base}/refunds/{refund}/approve"' in page and f'action="{base}/erasures/{erasure}/approve"' in page
        rejected = checker_client.post(f"{base}/refunds/{refund}/reject", data={
            "csrf_token": checker_token, "command_id": uuid.uuid4().hex, "reason": "供应商并未退款"})
        assert rejected.status_code == 303
        f = fund()
        assert (f.paid, len(f.payments), f.requests[str(refund)]["status"]) == (300_000, 1, "rejected")
        assert f.invariant_violations() == []
        wait_for_views(server)
        assert views.ledger(svc.views, str(community), year)["totals"]["paid"] == 300_000
