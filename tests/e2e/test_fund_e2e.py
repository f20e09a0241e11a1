"""A real Chromium against a real server: a passed resolution → allocation → commitment → payment recorded by one
fund manager → approved by another → the public disclosure shows it → the ledger CSV downloads."""
from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest

from domain.accounts.model import Community
from domain.kernel.time import SHANGHAI
from tests.builders import ARTIFACTS, LiveServer, wait_for_views
from tests.domain.builders import make_resolution
from tests.e2e.builders import log_in, log_out, save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "fund"
shot = partial(save_shot, SHOTS)


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "data")
    yield live
    live.stop()


def test_from_a_passed_resolution_to_a_disclosed_payment_and_a_csv(page, server):
    year = datetime.now(SHANGHAI).year
    community = Community.id_for("320106001001")  # the demo's 江苏路社区（演示）
    svc = server.services()
    try:
        make_resolution(svc.app, community, "为高龄老人加装楼道扶手")
    finally:
        svc.close()
    wait_for_views(server)

    # 1. The first fund manager opens the year and allocates against the passed resolution.
    log_in(page, server, "13800000003")
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=专项资金")
    page.click(f"button:has-text('开启 {year} 年度资金')")
    page.wait_for_selector("text=年度资金已开启")
    page.select_option("select[name=resolution_id]", label=page.inner_text("select[name=resolution_id] option"))
    page.fill("input[name=title]", "楼道扶手加装")
    page.select_option("select[name=category]", "elderly")
    page.fill("input[name=amount]", "12,000")
    page.click("button[type=submit]:has-text('分配')")
    page.wait_for_selector("text=已分配资金")
    page.wait_for_selector("h2:has-text('楼道扶手加装')")
    shot(page, "1-allocated")

    # 2. A commitment for the installation contract.
    page.fill("form[action$='/commit'] input[name=amount]", "8,000")
    page.fill("form[action$='/commit'] input[name=description]", "扶手安装合同")
    page.click("form[action$='/commit'] button[type=submit]")
    page.wait_for_selector("text=已预留资金")
    shot(page, "2-committed")

    # 3. The maker records a payment against the commitment: it is pending until someone else approves.
    assert "项目可用：¥4,000.00" in page.inner_text("#pay-available")
    page.select_option("select[name=commitment_id]", index=1)  # htmx asks what the commitment has left
    page.wait_for_selector("#pay-available:has-text('该预留剩余：¥8,000.00')")
    page.fill("#pay-form input[name=amount]", "3,000")
    page.wait_for_selector("#pay-available:has-text('录入 ¥3,000.00 后剩余 ¥5,000.00')")
    page.fill("#pay-form input[name=payee]", "南京安居装修有限公司")
    page.fill("#pay-form input[name=description]", "扶手首期款")
    page.fill("#pay-form input[name=receipt_ref]", "FP-2026-0001")
    page.click("#pay-form button[type=submit]")
    page.wait_for_selector("text=支付已录入，等待另一位资金管理员审核")
    page.wait_for_selector("text=这是您录入的支付，须由另一位资金管理员审核。")
    assert page.locator("button:has-text('审核通过')").count() == 0
    shot(page, "3-payment-recorded")
    log_out(page)

    # 4. The second fund manager approves it from the ledger.
    log_in(page, server, "13800000004")
    page.goto(f"{server.url}/c/{community}/fund")
    page.wait_for_selector("text=待审核的支付")
    shot(page, "4-ledger-before-approval")
    ledger_url = page.url
    page.click("button:has-text('审核通过')")  # htmx: the card and the figures change in place
    page.wait_for_selector(".fund-pending .fund-payment-approved .fund-status:has-text('已支付')")
    page.wait_for_selector(".fund-figure-paid:has-text('3,000.00')")
    assert page.url == ledger_url and page.locator("button:has-text('审核通过')").count() == 0
    assert page.locator("#live-error").is_hidden()
    assert page.locator(".fund-identity").count() == 1  # the figures were replaced, not added
    assert "3,000.00" in page.inner_text("#fund-projects td:nth-child(6)")  # the project's paid column too
    shot(page, "5-approved")

    # 5. The CSV export downloads (UTF-8 with BOM).
    with page.expect_download() as download_info:
        page.click("text=导出台账 CSV")
    download = download_info.value
    target = SHOTS / f"ledger-{year}.csv"
    download.save_as(str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "楼道扶手加装" in text and "南京安居装修有限公司" in text and "3,000.00" in text
    log_out(page)

    # 6. Anyone, without logging in, sees it on the public disclosure page.
    page.goto(f"{server.url}/c/{community}/fund/{year}/disclosure")
    body = page.inner_text("main")
    assert "楼道扶手加装" in body and "为高龄老人加装楼道扶手" in body
    assert "南京安居装修有限公司" in body and "3,000.00" in body
    assert page.locator("svg.fund-chart rect.fund-bar-paid").count() >= 12
    shot(page, "6-disclosure")
