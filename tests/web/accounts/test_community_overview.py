"""The community page tells a resident at a glance: the next meeting, the next action day, the fund this year."""
from datetime import timedelta

from domain.kernel import roles
from tests.builders import make_worker


def test_an_empty_community_explains_each_section(web, places):
    page = web.get(f"/c/{places.community}").text
    assert "会议、议题、表决、决议和会议纪要" in page and "每年 20 万元，每一笔都公开" in page


def test_the_overview_shows_the_next_meeting_the_next_action_day_and_this_years_fund(web, places, clock):
    app = web.services.app
    worker = make_worker(app, places.community)
    manager = make_worker(app, places.community, roles.FUND_MANAGER)
    starts = clock() + timedelta(days=3)
    meeting = app.roundtable.schedule_meeting(worker, places.community, "加装电梯议事会<b>", "讨论方案", starts,
                                   starts + timedelta(hours=2), "社区活动室", "in_person", 30,
                                   starts - timedelta(hours=2), "simple", 50)
    day = app.volunteer.create_action_day(worker, places.community, None, "楼道清洁行动日", "", "2026-05-09")
    app.fund.open_fund(manager, places.community, 2026)
    web.services.runner.catch_up()

    page = web.get(f"/c/{places.community}").text
    assert f"/c/{places.community}/roundtable/{meeting}" in page
    assert "加装电梯议事会&lt;b&gt;" in page
    assert "2026-05-04 09:00" in page  # Asia/Shanghai
    assert f"/c/{places.community}/volunteer/days/{day}" in page and "2026-05-09" in page
    assert "已支付 ¥0.00，尚可使用 ¥200,000.00" in page


def test_a_residents_home_lists_their_coming_meetings_and_shifts_soonest_first(web, places, clock):
    from tests.builders import web_person
    app = web.services.app
    worker = make_worker(app, places.community)
    resident, phone = web_person(web, None, places.community, name="王阿姨")
    starts = clock() + timedelta(days=3)
    meeting = app.roundtable.schedule_meeting(worker, places.community, "加装电梯议事会", "讨论方案", starts,
                                   starts + timedelta(hours=2), "社区活动室", "in_person", 30,
                                   starts - timedelta(hours=2), "simple", 50)
    app.roundtable.register_for_meeting(resident, meeting)
    later = starts + timedelta(days=1)
    app.roundtable.reschedule_meeting(worker, meeting, later, later + timedelta(hours=2), "社区大礼堂",
                           later - timedelta(hours=2), "活动室装修")
    day = app.volunteer.create_action_day(worker, places.community, None, "楼道清洁行动日", "", "2026-05-02")
    shift_start = clock() + timedelta(days=1)
    shift = app.volunteer.add_shift(worker, day, "清扫楼道", "3 号楼", shift_start, shift_start + timedelta(hours=2), 5)
    app.volunteer.sign_up_for_shift(resident, day, shift)
    web.services.runner.catch_up()
    web.login(phone)
    page = web.get("/").text
    assert "我的安排" in page
    assert page.index("楼道清洁行动日 · 清扫楼道") < page.index("加装电梯议事会")
    assert f"/c/{places.community}/roundtable/{meeting}" in page
    assert "已改期" in page and "社区大礼堂" in page
    assert f"/c/{places.community}/volunteer/days/{day}" in page


def test_a_street_official_sees_every_community_of_the_street_at_a_glance(web, places):
    from tests.builders import web_person
    app = web.services.app
    manager = make_worker(app, places.community, roles.FUND_MANAGER)
    app.fund.open_fund(manager, places.community, 2026)
    web_person(web, None, places.community)
    _, official = web_person(web, roles.STREET_OFFICIAL, places.street)
    web.login(official)
    assert f"/s/{places.street}" in web.get("/").text
    page = web.get(f"/s/{places.street}").text
    assert "江苏路社区" in page and "颐和路社区" in page
    assert "¥200,000.00" in page and "本年度专项资金尚未开立" in page


def test_only_officials_over_the_street_may_open_the_street_page(web, places):
    from tests.builders import web_person
    _, worker = web_person(web, roles.WORKER, places.community)
    web.login(worker)
    assert web.get(f"/s/{places.street}").status_code == 403
    assert web.get(f"/s/{places.community}").status_code == 404
    assert web.get("/s/not-a-uuid").status_code == 404
    web.logout()
    _, district = web_person(web, roles.DISTRICT_OFFICIAL, places.district)
    web.login(district)
    assert web.get(f"/s/{places.street}").status_code == 200
