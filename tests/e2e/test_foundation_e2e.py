"""A real Chromium against a real server: sign up, get verified by a worker, see the community in Chinese."""

from functools import partial

import pytest
from playwright.sync_api import expect

from tests.builders import ARTIFACTS
from tests.e2e.builders import save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "foundation"
shot = partial(save_shot, SHOTS)


def test_a_resident_signs_up_a_worker_approves_and_the_resident_sees_their_community(page, live_server):
    page.goto(live_server.url + "/")
    assert "邻里" in page.title()
    page.click("text=注册")
    page.fill("input[name=phone]", "+86 139-1234-5678")
    page.fill("input[name=name]", "陈·阿姨")
    page.select_option("select[name=community_id]", label="宁海路街道（演示） · 江苏路社区（演示）")
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("text=验证码已发送至 139****5678")
    page.fill("input[name=code]", live_server.sms_code("13912345678"))
    page.fill("input[name=password]", "a-long-password")
    page.fill("input[name=password2]", "a-long-password")
    shot(page, "1-signup")
    page.click("button[type=submit]:has-text('注册')")
    page.wait_for_selector("text=注册成功")
    assert page.locator("text=待核实").count() >= 1
    shot(page, "2-pending")
    page.click("button:has-text('退出')")

    page.click("text=登录")
    page.fill("input[name=phone]", "13800000002")  # the demo worker of 江苏路社区
    page.fill("input[name=password]", "linli-demo-2026")
    page.click("button[type=submit]:has-text('登录')")
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=居民审核")
    row = page.locator("tr", has_text="陈·阿姨")
    assert "139****5678" in row.inner_text()
    shot(page, "3-worker-review")
    row.locator("button:has-text('核实通过')").click()
    page.wait_for_selector("text=已核实该居民")
    page.click("button:has-text('退出')")

    page.click("text=登录")
    page.fill("input[name=phone]", "13912345678")
    page.fill("input[name=password]", "a-long-password")
    page.click("button[type=submit]:has-text('登录')")
    expect(page.locator("text=已核实居民").first).to_be_visible()
    page.click("text=江苏路社区（演示）")
    page.wait_for_selector("text=您是本社区的已核实居民")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    for tab in ("议事会", "志愿服务站", "专项资金"):
        assert page.locator(f"nav.tabs >> text={tab}").count() == 1
    shot(page, "4-community-page")


def test_the_page_switches_to_english_and_back(page, live_server):
    page.goto(live_server.url + "/login")
    page.click("button:has-text('English')")
    page.wait_for_selector("h1:has-text('Log in')")
    page.click("button:has-text('中文')")
    page.wait_for_selector("h1:has-text('登录')")
