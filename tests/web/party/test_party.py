"""Party-member registration through the forms: consent, registration, return and resubmission, confirmation, the
registry and its filters, the member's record, withdrawal, moving, and what other pages show."""
from __future__ import annotations

from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION
from tests.builders import web_person
from tests.web.party.builders import FIELDS

HX = {"HX-Request": "true", "HX-Target": "party-registry"}


def test_consent_comes_first_and_is_its_own_step(site):
    m = site.members[0]
    page = site.get(m, site.base).text
    assert "开始报到" in page
    assert site.get(m, site.base + "/register").headers["location"].endswith("/party/consent")
    notice = site.get(m, site.base + "/consent").text
    for words in ("收集什么", "为什么收集", "谁能看到", "保存多久", CONSENT_VERSION, 'name="agree"'):
        assert words in notice
    refused = site.post(m, site.base + "/consent", {"version": CONSENT_VERSION})
    assert refused.status_code == 422 and "请勾选" in refused.text
    assert site.consent(m).headers["location"].endswith("/party/register")
    assert site.get(m, site.base + "/register").status_code == 200


def test_a_returned_registration_shows_its_reason_and_is_resubmitted_then_confirmed(site):
    m = site.members[0]
    site.register(m, confirm=False)
    assert "等待社区工作者确认" in site.get(m, site.base).text
    returned = site.post(site.worker, site.registration_path(m) + "/return", {"stint": "1", "reason": "联系电话请填手机"})
    assert returned.status_code == 303
    page = site.get(m, site.base).text
    assert "社区工作者退回了您的报到，理由：联系电话请填手机" in page
    assert "联系电话请填手机" in site.get(m, "/").text                         # the home page's notice
    form = site.get(m, site.base + "/register").text
    assert 'value="南京某某科技有限公司"' in form and "联系电话请填手机" in form
    assert site.submit(m, org_phone="139 0000 1111").status_code == 303
    assert site.confirm(m).status_code == 303
    page = site.get(m, site.base).text
    assert "您已在本社区报到" in page and "13900001111" in page


def test_the_registry_is_filtered_paginated_and_masks_phones(site):
    for i, m in enumerate(site.members):
        site.register(m, confirm=i != 2)
    site.post(site.worker, site.base + "/kinds", {"kind": "垃圾分类"})
    registry = site.get(site.worker, site.base + "/registry").text
    assert "党员0" in registry and "025-****3456" in registry and "025-83123456" not in registry
    phone = site.members[0][1]
    assert f"{phone[:3]}****{phone[-4:]}" in registry and phone not in registry
    waiting = site.get(site.worker, site.base + "/registry?state=submitted").text
    assert "党员2" in waiting and "党员0" not in waiting
    assert "没有符合条件" in site.get(site.worker, site.base + "/registry?kind=垃圾分类").text
    fragment = site.get(site.worker, site.base + "/registry?state=confirmed", headers=HX).text
    assert fragment.startswith('<div id="party-registry">') and "党员1" in fragment and "<html" not in fragment
    assert site.get(site.worker, site.base + "/registry?state=nonsense&kind=%00&page=99999999").status_code == 200
    detail = site.get(site.worker, site.registration_path(site.members[0])).text
    assert "025-83123456" in detail                                   # the worker may call the organisation


def test_a_member_records_a_task_and_a_worker_confirms_it(site, clock):
    m = site.members[0]
    site.register(m)
    logged = site.post(m, site.base + "/record", {"kind": "邻里互助", "on": "2026-05-01", "hours": "1.5",
                                                  "description": "帮邻居修水管"})
    assert logged.status_code == 303
    assert "待社工确认" in site.get(m, site.base + "/record").text
    tasks = site.get(site.worker, site.base + "/tasks").text
    assert "帮邻居修水管" in tasks
    record_id = site.web.services.views.scalar("SELECT source_id FROM party_items WHERE kind = 'task'")
    assert site.post(site.worker, f"{site.base}/tasks/{record_id}/confirm").status_code == 303
    record = site.get(m, site.base + "/record").text
    assert "已确认" in record and "1.5" in record


def test_withdrawal_removes_the_member_from_the_registry_and_blanks_their_details(site):
    m = site.members[0]
    site.register(m)
    refused = site.post(m, site.base + "/withdraw", {"stint": "1"})
    assert refused.status_code == 422
    assert site.post(m, site.base + "/withdraw", {"stint": "1", "confirm": "yes"}).status_code == 303
    assert "党员0" not in site.get(site.worker, site.base + "/registry").text
    assert site.get(site.worker, site.registration_path(m)).status_code == 404
    page = site.get(m, site.base).text
    assert "已撤回同意" in page and "开始报到" in page
    data = site.get(m, "/me/data.json").text
    assert "南京某某科技有限公司" not in data and "已撤回同意" in data


def test_moving_ends_the_old_registration_and_both_registries_stay_right(site):
    m = site.members[0]
    site.register(m)
    app = site.app
    app.accounts.request_residency(m[0], site.places.other_community)
    app.accounts.verify_residency(site.other_worker[0], m[0], site.places.other_community)
    site.web.services.runner.catch_up()
    consent = site.get(m, site.other_base + "/consent").text
    assert "在本社区报到后，您在 江苏路社区 的报到将结束" in consent
    assert site.consent(m, base=site.other_base).status_code == 303
    assert site.submit(m, base=site.other_base, stint=2).status_code == 303
    assert "党员0" not in site.get(site.worker, site.base + "/registry").text
    assert "党员0" in site.get(site.other_worker, site.other_base + "/registry").text
    history = site.get(m, site.other_base).text
    assert "已转出" in history and "转至 颐和路社区" in history


def test_street_officials_see_counts_never_names(site):
    for m in site.members[:2]:
        site.register(m)
    street = site.get(site.official, f"/s/{site.places.street}/party").text
    assert "党员0" not in street and "南京某某" not in street
    assert '<td class="num">2</td>' in street
    overview = site.get(site.official, f"/s/{site.places.street}").text
    assert "2 / 0" in overview and "党员0" not in overview
    assert site.get(site.official, site.base + "/registry").status_code == 403
    community = site.get(site.official, site.base).text
    assert "本社区在职党员统计" in community and "党员0" not in community


def test_a_resident_never_sees_anothers_membership(site):
    site.register(site.members[0])
    other = site.members[1]
    assert site.get(other, site.base + "/registry").status_code == 403
    assert site.get(other, site.registration_path(site.members[0])).status_code == 403
    for path in (site.base, site.base + "/record", site.base + "/needs", "/me/data", "/"):
        assert "党员0" not in site.get(other, path).text
    assert "南京某某科技有限公司" not in site.get(other, "/me/data.json").text
    overview = site.get(other, f"/c/{site.places.community}").text
    assert "已报到 1 人" not in overview


def test_the_community_overview_card_and_the_workers_notice(site):
    site.register(site.members[0], confirm=False)
    assert "有 1 份党员报到等待您确认" in site.get(site.worker, "/").text
    overview = site.get(site.worker, f"/c/{site.places.community}").text
    assert "在职党员到社区报到" in overview and "待确认 1 人" in overview
    assert "我的报到：待社区确认" in site.get(site.members[0], f"/c/{site.places.community}").text


def test_the_needs_board_posts_a_volunteer_shift_and_members_sign_up_there(site, clock):
    m = site.members[0]
    site.register(m)
    r = site.post(site.worker, f"/c/{site.places.community}/volunteer/days",
                  {"title": "清洁日", "date": "2026-05-03", "description": "", "cutoff_hours": "2"})
    day = r.headers["location"].rsplit("/", 1)[1]
    site.post(site.worker, f"/c/{site.places.community}/volunteer/days/{day}/shifts",
              {"task": "清扫楼道", "place": "3 号楼", "starts_at": "2026-05-03T09:00", "ends_at": "2026-05-03T11:00",
               "places": "3", "min_age": ""})
    board = site.get(site.worker, site.base + "/needs").text
    shift = board.split('name="shift"')[1].split('value="')[1].split('"')[0]
    posted = site.post(site.worker, site.base + "/needs", {"shift": shift, "kind": "环境整治", "note": "欢迎"})
    assert posted.status_code == 303
    needs = site.get(m, site.base + "/needs").text
    assert "清扫楼道" in needs and "剩余名额 3 个" in needs and f"/volunteer/days/{day}" in needs
    assert "清扫楼道" in site.get(m, "/").text                     # in the member's schedule
    site.post(m, f"/c/{site.places.community}/volunteer/days/{day}/shifts/{shift.split('/')[1]}/signup")
    assert "您已报名" in site.get(m, site.base + "/needs").text


def test_my_data_and_the_audit_trail_name_the_events(site):
    m = site.members[0]
    site.register(m)
    data = site.get(m, "/me/data.json").json()
    mine = data["在职党员报到"]["党员报到"][0]
    assert mine["工作单位"] == FIELDS["unit"] and mine["状态"] == "已报到" and mine["同意的告知版本"] == CONSENT_VERSION
    trail = site.get(site.worker, f"/c/{site.places.community}/audit").text
    assert "确认党员报到" in trail and "同意党员信息处理告知" in trail


def test_the_pages_read_in_english_too(site):
    m = site.members[0]
    site.register(m)
    site.web.cookies.set("linli_lang", "en")
    assert "Consent to the notice" not in site.get(m, site.base).text
    assert "You are registered with this community" in site.get(m, site.base).text
    assert "What is collected" in site.get(site.members[1], site.base + "/consent").text
    assert "Registry of in-service Party members" in site.get(site.worker, site.base + "/registry").text
    assert "Service needs for Party members" in site.get(m, site.base + "/needs").text
    assert "Party members: registered / served this year" in site.get(site.official, f"/s/{site.places.street}").text


def test_the_registry_is_paginated_twenty_at_a_time(site):
    app = site.app
    for i in range(21):
        resident = web_person(site.web, None, site.places.community, f"报到人{i:02d}")[0]
        stint = app.party.give_consent(resident, site.places.community, CONSENT_VERSION, True)
        app.party.submit_registration(resident, site.places.community, stint, "公司", "党委", "陈书记", "025-83123456",
                                      ["邻里互助"], "", "", [])
        app.party.confirm_registration(site.worker[0], site.places.community, Registration.id_for(resident), stint)
    site.web.services.runner.catch_up()
    first = site.get(site.worker, site.base + "/registry").text
    assert first.count("<tr data-state=") == 20 and "第 1 / 2 页" in first and "共 21 人" in first
    second = site.get(site.worker, site.base + "/registry?page=2").text
    assert second.count("<tr data-state=") == 1
