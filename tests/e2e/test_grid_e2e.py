"""A real Chromium against a real server: the worker sets up a grid → a resident joins with building and unit →
reports a broken lamp with a photo → the grid worker takes it on → escalates to the community → the community
resolves it → the resident rates it, and rates the community and street → the street's assessment page shows the
rates and the score with its weights; a second request goes overdue and is flagged.

The live server runs on the real clock (a subprocess: the test cannot move it), so the overdue request is made
through the use cases on a second connection to the same data folder whose clock is set two days back: its
acceptance was due a day ago by the server's clock, which the page then flags."""
from __future__ import annotations

import io
from datetime import timedelta
from functools import partial

import pytest
from PIL import Image

from domain.accounts.model import Community, Street
from tests.builders import ARTIFACTS, PASSWORD, wait_for_views
from tests.e2e.builders import log_in, log_out, save_shot

pytestmark = pytest.mark.e2e
SHOTS = ARTIFACTS / "grid"
shot = partial(save_shot, SHOTS)
PHONE = "13912340001"


@pytest.fixture
def server(tmp_path):
    from tests.builders import LiveServer
    live = LiveServer(tmp_path / "data")
    yield live
    live.stop()


def lamp_photo(path) -> str:
    """A small PNG made here with Pillow: a dark street with a lamp that is out."""
    image = Image.new("RGB", (320, 240), (20, 24, 40))
    for y in range(40, 220):
        for x in range(150, 160):
            image.putpixel((x, y), (90, 90, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return str(path)


def test_from_setting_up_a_grid_to_a_rated_request_the_assessment_and_an_overdue_flag(page, server, tmp_path):
    community = Community.id_for("320106001001")            # the demo's 江苏路社区（演示）
    street = Street.id_for("320106001")

    # 1. The community worker sets up a grid over 3号楼 and makes the demo's 赵会计 its grid worker.
    log_in(page, server, "13800000002")
    page.click("text=江苏路社区（演示）")
    page.click("nav.tabs >> text=网格诉求")
    page.click("a:has-text('网格设置')")
    page.fill("input[name=name]", "第一网格")
    page.click("button:has-text('添加网格')")
    page.wait_for_selector("text=网格已添加")
    page.fill("input[name=building]", "3号楼")
    page.click("button:has-text('划入本网格')")
    page.wait_for_selector("text=楼栋单元已划入网格")
    page.fill("input[name=phone]", "13800000003")
    page.click("button:has-text('指定网格员')")
    page.wait_for_selector("text=已指定网格员")
    assert "赵会计（演示）" in page.inner_text("main")
    shot(page, "1-grid-set-up")
    log_out(page)

    # 2. A resident signs up with their building and unit; the worker checks them and verifies.
    page.click("text=注册")
    page.fill("input[name=phone]", PHONE)
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("text=验证码已发送至 139****0001")
    page.fill("input[name=code]", server.sms_code(PHONE))
    page.fill("input[name=name]", "周阿姨")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.select_option("select[name=community_id]", label="宁海路街道（演示） · 江苏路社区（演示）")
    page.fill("input[name=building]", "3号楼")
    page.fill("input[name=unit]", "2单元")
    shot(page, "2-signup-with-home")
    page.click("button[type=submit]:has-text('注册')")
    page.wait_for_selector("text=注册成功")
    log_out(page)
    log_in(page, server, "13800000002")
    page.goto(f"{server.url}/c/{community}/residents")
    row = page.locator("tr", has_text="周阿姨")
    assert "3号楼 2单元" in row.inner_text()
    row.locator("button:has-text('核实通过')").click()
    page.wait_for_selector("text=已核实该居民")
    log_out(page)

    # 3. The resident reports the lamp with a photo; it goes to 第一网格.
    log_in(page, server, PHONE, PASSWORD)
    page.goto(f"{server.url}/c/{community}/grid")
    page.click("a:has-text('我要反映问题')")
    assert page.input_value("input[name=building]") == "3号楼" and page.input_value("input[name=unit]") == "2单元"
    page.select_option("select[name=category_id]", label="设施维修")
    page.fill("textarea[name=description]", "3 号楼 2 单元门口的路灯不亮，晚上很黑。")
    page.set_input_files("input[name=photo]", lamp_photo(tmp_path / "lamp.png"))
    page.check("input[name=public]")
    shot(page, "3-report-form")
    page.click("button[type=submit]:has-text('提交')")
    page.wait_for_selector("text=诉求已提交")
    assert "第一网格" in page.inner_text("main") and "待受理" in page.inner_text("main")
    page.wait_for_function("document.querySelector('img.grid-photo') && document.querySelector('img.grid-photo')"
                           ".naturalWidth > 0")
    request_url = page.url
    shot(page, "4-submitted-with-photo")
    log_out(page)

    # 4. The grid worker takes it on from their queue, then passes it to the community with a reason.
    log_in(page, server, "13800000003")
    page.goto(f"{server.url}/c/{community}/grid")
    page.click("a:has-text('网格员工作台')")
    page.click("a:has-text('设施维修')")
    page.click("button:has-text('受理')")
    page.wait_for_selector("text=已受理")
    page.fill("textarea[name=reason]", "路灯属物业公共设施，需要社区协调物业维修。")
    page.click("button:has-text('上报社区')")
    page.wait_for_selector("text=已上报")
    assert "现由社区办理" in page.inner_text("main")
    shot(page, "5-accepted-and-escalated")
    log_out(page)

    # 5. The community worker resolves it.
    log_in(page, server, "13800000002")
    page.goto(f"{server.url}/c/{community}/grid")
    page.click("a:has-text('全部诉求')")
    page.click("a:has-text('设施维修')")
    page.fill("textarea[name=note]", "已协调物业更换灯泡，路灯恢复照明。")
    page.click("button:has-text('办结')")
    page.wait_for_selector("text=已办结，等待居民确认和评价")
    log_out(page)

    # 6. The resident confirms and rates it, and rates the community and the street for the quarter.
    log_in(page, server, PHONE, PASSWORD)
    page.goto(request_url)
    timeline = page.inner_text("ol.grid-timeline")
    for step in ("提交诉求", "受理", "上报", "办结", "路灯属物业公共设施", "已协调物业更换灯泡"):
        assert step in timeline
    page.check("input[name=rating][value=satisfied]")
    page.fill("textarea[name=comment]", "修得很快，谢谢！")
    shot(page, "6-resident-rates")
    page.click("button:has-text('确认已解决并评价')")
    page.wait_for_selector("text=感谢您的评价")
    assert "已关闭" in page.inner_text("main") and "居民评价：满意" in page.inner_text("main")
    page.goto(f"{server.url}/c/{community}/grid")
    page.locator("form", has_text="您对江苏路社区（演示）的评分").locator("input[name=score][value='5']").check()
    page.locator("form", has_text="您对江苏路社区（演示）的评分").locator("button").click()
    page.wait_for_selector("text=感谢您的评价")
    page.locator("form", has_text="您对宁海路街道（演示）的评分").locator("input[name=score][value='4']").check()
    page.locator("form", has_text="您对宁海路街道（演示）的评分").locator("button").click()
    page.wait_for_selector("text=本季度您已评价过宁海路街道（演示），谢谢！")
    shot(page, "7-my-requests-and-ratings")
    log_out(page)

    # 7. The street official's assessment page: the rates, the weights and the score.
    log_in(page, server, "13800000005")
    page.goto(f"{server.url}/s/{street}/grid/assessment")
    row = page.inner_text(f"#score-{community}")
    assert "5.00" in row and "100.0%" in row                           # ratings mean; the request's rates
    assert "100.0 × 70%" in row and "100.0 × 30%" in row and "100.0" in row
    assert "社区：居民评价 70%，履职情况 30%" in page.inner_text("#weight-community")
    assert "街道：居民评价 50%" in page.inner_text("#weight-street")
    assert "4.00" in page.inner_text(f"#score-{street}")
    shot(page, "8-assessment")
    page.click(f"#score-{community} a:has-text('100.0%') >> nth=0")
    page.wait_for_selector("text=计入")
    assert "#" in page.inner_text("table")                              # log positions of the events behind it
    shot(page, "9-drill-down")
    log_out(page)

    # 8. A second request, made two days ago on a second connection to the same store, is flagged overdue.
    svc = server.services()
    try:
        real = svc.app.clock
        earlier = real() - timedelta(days=2)
        svc.app.clock = lambda: earlier
        resident = svc.app.accounts.account_id_for(PHONE)
        svc.app.grid.submit_request(resident, community, "1", "3 号楼楼道堆满杂物。", "3号楼", "2单元")
    finally:
        svc.close()
    wait_for_views(server)
    log_in(page, server, "13800000002")
    page.goto(f"{server.url}/c/{community}/grid/requests")
    overdue = page.inner_text("main")
    assert "超时未办（1 条）" in overdue and "受理超时" in overdue
    shot(page, "10-overdue-flagged")
