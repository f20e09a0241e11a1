"""The grants pages through their forms: an organisation registers and is approved, a call opens, a member drafts,
saves and submits, officials name reviewers who score, one official proposes an award and another approves it, a
milestone is accepted and (by someone else) its tranche released, a mid-term fails, a final report closes a project;
the public board, disclosure, project page and the community's card; the dossier, printable and as formula-safe CSV."""
from __future__ import annotations

import csv
import io
import re
from uuid import UUID

from domain.grants import model
from projections import grants as views
from tests.domain.grants.builders import CODE_C, GOOD, NOTES
from web.grants.pages import audit_labels

CALL_FORM = {"title": "2026 年下半年公益创投", "theme": "儿童关爱", "pool": "200,000", "max_per_project": "50,000",
             "opens_at": "2026-05-01T08:00", "closes_at": "2026-06-30T17:00",
             "criterion_name": ["设计", "团队", ""], "criterion_weight": ["60", "40", ""],
             "tranche_requirement": ["signing", "midterm", "final"], "tranche_percent": ["40", "40", "20"]}


def draft_form(case, **changes) -> dict:
    return {"org_id": str(case.org), "community_id": str(case.places.community), "title": "四点半课堂",
            "summary": "放学后托管和作业辅导", "requested": "30,000", "budget_item": ["教材", "志愿者补贴", ""],
            "budget_amount": ["10,000", "20,000", ""], "plan_title": ["开班", ""], "plan_due": ["2026-09-01", ""],
            "team_name": ["郑会长", "王老师"], "team_role": ["负责人", "辅导"], **changes}


def location_id(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].rstrip("/").rsplit("/", 1)[-1]


def test_an_organisation_registers_through_the_form_and_an_official_approves_it(web, people, case):
    newcomer = people.case.phones["worker"]
    response = people.post("worker", "/grants/organisations", {
        "name": "颐和路社区营造社", "credit_code": CODE_C.lower(), "kind": "foundation", "street_id": str(case.places.street),
        "contact_name": "王联系", "contact_phone": "139 1111 2222"})
    org = location_id(response)
    page = people.get("worker", f"/grants/organisations/{org}")
    assert "颐和路社区营造社" in page.text and "待审核" in page.text and "王联系" in page.text
    assert "通过登记" not in page.text
    assert newcomer
    page = people.get("street", "/grants/organisations")
    assert "颐和路社区营造社" in page.text
    assert people.post("street", f"/grants/organisations/{org}/approve").status_code == 303
    assert views.organisation(web.services.views, org)["status"] == "approved"
    page = people.get("worker", "/")
    assert "您的社会组织" in page.text and "颐和路社区营造社" in page.text     # the home page points there
    assert people.post("street", f"/grants/organisations/{org}/hub", {"hub": "1"}).status_code == 303
    assert views.organisation(web.services.views, org)["hub"] == 1


def test_an_official_opens_a_call_through_the_form(web, people, case):
    people.act_as("district")
    form = people.get("district", "/grants/calls/new")
    assert form.status_code == 200 and f"street:{case.places.street}" in form.text
    response = people.post("district", "/grants/calls", {**CALL_FORM, "scope": f"street:{case.places.street}"})
    call = views.call(web.services.views, location_id(response))
    assert call["pool"] == 20_000_000 and call["closes_at"].startswith("2026-06-30T09:00")
    assert [c["weight"] for c in call["criteria"]] == [60, 40]
    assert people.get("member", "/grants/calls/new").status_code == 403
    assert people.post("member", "/grants/calls", {**CALL_FORM, "scope": f"street:{case.places.street}"}).status_code == 403


def test_a_member_drafts_saves_and_submits_then_reviewers_score_and_officials_award(web, people, case):
    app = web.services.app
    response = people.post("member", f"/grants/calls/{case.call}/apply", draft_form(case))
    application = UUID(location_id(response))
    page = people.get("member", f"/grants/applications/{application}")
    assert "保存草稿" in page.text and "提交申报" in page.text and "王老师" in page.text
    response = people.post("member2", f"/grants/applications/{application}/draft",
                           draft_form(case, title="四点半课堂（修改）", requested="29,000"))
    assert response.status_code == 303
    assert app.grants.application(application).title == "四点半课堂（修改）"
    assert people.post("member", f"/grants/applications/{application}/submit").status_code == 303
    assert "提交申报" not in people.get("member", f"/grants/applications/{application}").text

    # Reviewers score through the form, from their queue.
    queue = people.get("reviewer1", "/grants/reviews")
    assert "四点半课堂（修改）" in queue.text
    form = {**{f"score_{k}": v for k, v in GOOD.items()}, **{f"comment_{k}": v for k, v in NOTES.items()}}
    assert people.post("reviewer1", f"/grants/applications/{application}/score", form).status_code == 303
    again = people.post("reviewer1", f"/grants/applications/{application}/score", form)
    assert again.status_code == 409 and "只能评分一次" in again.text
    assert people.post("reviewer2", f"/grants/applications/{application}/score",
                       {**form, "score_c1": "60"}).status_code == 303

    ranking = people.get("street", f"/grants/calls/{case.call}/ranking")
    assert "72.00" in ranking.text and "80.00" in ranking.text and "评审甲" in ranking.text
    assert people.get("member", f"/grants/calls/{case.call}/ranking").status_code == 403

    # One official proposes, the other approves; the proposer sees no approve button and is refused.
    assert people.post("street", f"/grants/applications/{application}/award", {"amount": "29,000"}).status_code == 303
    call_page = people.get("street", f"/grants/calls/{case.call}")
    assert "这是您提出的资助" in call_page.text and "批准资助" not in call_page.text
    assert people.post("street", f"/grants/applications/{application}/award/approve").status_code == 403
    assert "批准资助" in people.get("district", f"/grants/calls/{case.call}").text
    assert people.post("district", f"/grants/applications/{application}/award/approve").status_code == 303
    assert app.grants.call(case.call).awarded == 2_900_000

    # The project: signing accepted by one, released by the other; the disclosure shows it.
    project = f"/grants/projects/{application}"
    assert people.post("street", f"{project}/tranches/0/release").status_code == 409     # not accepted yet
    assert people.post("street", f"{project}/milestones/signing", {"note": "协议已签"}).status_code == 303
    page = people.get("street", project)
    assert "您验收了该节点，须由另一位工作人员拨付" in page.text
    assert people.post("street", f"{project}/tranches/0/release").status_code == 403
    assert people.post("district", f"{project}/tranches/0/release").status_code == 303
    assert app.grants.call(case.call).released == 1_160_000
    people.act_as(None)
    public = web.get(f"/grants/calls/{case.call}/disclosure")
    assert public.status_code == 200 and "四点半课堂（修改）" in public.text and "29,000.00" in public.text
    assert "11,600.00" in public.text
    page = web.get(project)
    assert page.status_code == 200 and "签订资助协议" in page.text and "拨付" in page.text
    assert "王老师" not in page.text                                   # the team is not public
    assert "孙街道" not in page.text and "周区里" not in page.text       # nor who acted: that is in the dossier
    assert people.get(None, f"/grants/applications/{application}").status_code == 303        # to the login
    assert people.get("other_member", f"/grants/applications/{application}").status_code == 404


def test_a_failed_midterm_stops_the_project_and_a_final_report_closes_another(web, people, case):
    app = web.services.app
    first, second = case.signed(title="长者助餐"), case.signed(org=case.other_org, title="邻里守望", amount="30,000")
    people.catch_up()
    assert people.post("other_member", f"/grants/projects/{second}/reports/midterm", {"text": "进展缓慢"}).status_code == 303
    response = people.post("district", f"/grants/projects/{second}/midterm/fail",
                           {"reason": "未按计划开展活动", "clawback": "5,000"})
    assert response.status_code == 303
    page = people.get("district", f"/grants/projects/{second}")
    assert "已终止" in page.text and "已取消" in page.text and "5,000.00" in page.text
    assert people.post("street", f"/grants/projects/{second}/tranches/1/release").status_code == 409
    assert app.grants.call(case.call).clawed_back == 500_000

    assert people.post("member", f"/grants/projects/{first}/reports/midterm", {"text": "送餐 1,200 份"}).status_code == 303
    assert people.post("street", f"/grants/projects/{first}/milestones/midterm").status_code == 303
    assert people.post("member2", f"/grants/projects/{first}/reports/final", {"text": "全年送餐"}).status_code == 303
    assert people.post("street", f"/grants/projects/{first}/milestones/final").status_code == 303
    page = people.get("member", f"/grants/projects/{first}")
    assert "已结项" in page.text


def test_the_dossier_prints_and_exports_every_event_formula_safe(web, people, case):
    app = web.services.app
    application = app.grants.save_draft(case.member, case.call, case.org, case.places.community,
                                        "=HYPERLINK(\"http://evil\")", "@SUM(1)", "40,000", (["+cmd|x", "人工"],
                                                                                            ["30,000", "20,000"]),
                                        (["启动"], ["2026-06-01"]), (["郑会长"], ["负责人"]))
    app.grants.submit_application(case.member, application)
    for reviewer, _ in case.reviewers:
        app.grants.score(reviewer, application, GOOD, {**NOTES, "c1": "-2+3"})
    app.grants.propose_award(case.street_official, application, "40,000")
    app.grants.approve_award(case.district_official, application)
    people.catch_up()
    page = people.get("member", f"/grants/projects/{application}/dossier")
    assert page.status_code == 200 and "评审 1" in page.text and "评审甲" not in page.text   # unnamed for the org
    assert "评审甲" in people.get("street", f"/grants/projects/{application}/dossier").text
    response = people.get("street", f"/grants/projects/{application}/dossier.csv")
    assert response.headers["content-type"].startswith("text/csv") and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+cmd|x" in cells and "'-2+3" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert "40,000.00" in cells and "批准资助" in cells
    assert people.get("other_member", f"/grants/projects/{application}/dossier").status_code == 404
    assert people.get("reviewer1", f"/grants/projects/{application}/dossier.csv").status_code == 404


def test_the_community_shows_the_grants_at_work_there(web, people, case):
    case.signed(title="长者助餐")
    people.catch_up()
    people.act_as(None)
    overview = web.get(f"/c/{case.places.community}")
    assert "公益创投" in overview.text and "长者助餐" in overview.text
    tab = web.get(f"/c/{case.places.community}/grants")
    assert tab.status_code == 200 and "长者助餐" in tab.text and "江苏路睦邻服务中心" in tab.text
    project = re.search(r'href="(/grants/projects/[0-9a-f-]+)"', tab.text).group(1)
    assert "在议事会讨论本项目" in web.get(project).text
    assert "本社区还没有公益创投项目" in web.get(f"/c/{case.places.other_community}/grants").text


def test_the_board_is_public_and_points_each_person_to_their_work(web, people, case):
    people.act_as(None)
    board = web.get("/grants")
    assert board.status_code == 200 and "2026 年社区公益创投" in board.text and "申报中" in board.text
    assert "发布项目征集" not in board.text
    assert "发布项目征集" in people.get("district", "/grants").text
    case.submitted()
    people.catch_up()
    home = people.get("reviewer1", "/")
    assert "1 个申报等待您评审" in home.text
    home = people.get("member", "/")
    assert "本组织的申报" in home.text
    assert "江苏路睦邻服务中心" in people.get("member", "/grants/mine").text


def test_my_data_lists_what_grants_holds_about_me(web, people, case):
    application = case.submitted()
    web.services.app.grants.score(case.reviewers[0][0], application, GOOD, NOTES)
    people.catch_up()
    data = people.get("reviewer1", "/me/data.json").json()
    assert data["公益创投"]["评审评分"][0]["评语"] == NOTES
    data = people.get("member", "/me/data.json").json()
    assert data["公益创投"]["所属社会组织"][0]["组织"] == "江苏路睦邻服务中心"


def test_every_grants_event_has_an_audit_label_shown_in_the_streets_trail(web, people, case):
    labels = audit_labels()
    names = [f"{cls.__name__}.{attr}" for cls in (model.Organisation, model.CreditCodeClaim, model.Call,
                                                   model.Application)
             for attr, value in vars(cls).items() if isinstance(value, type) and attr not in ("Event", "Created")
             and issubclass(value, cls.Event)]
    assert names and sorted(set(names) - set(labels)) == []
    trail = people.get("street", f"/s/{case.places.street}/audit")
    assert "发布项目征集" in trail.text and "登记社会组织" in trail.text and "指定评审" in trail.text


def test_the_demo_seeds_an_approved_organisation_and_one_open_call_and_its_member_lands_on_them(tmp_path):
    """`make run`'s demo: the social-organisation login (13800000008) finds its organisation and the open call.
    (The seeder is run on the plain demo here, as `seed_demo(activity=True)` runs it after the other contexts'.)"""
    from uuid import UUID

    from starlette.testclient import TestClient

    from domain.accounts.model import Account, Community, District, Street
    from tests.builders import WebClient
    from web.app import create_app
    from web.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, Demo, seed_demo
    from web.grants.demo import seed
    from web.settings import Settings
    from web.wiring import build
    env = {"LINLI_DATA_DIR": str(tmp_path / "data"), "LINLI_PROJECTIONS": "inline"}
    svc = build(Settings.from_env(env))
    try:
        seed_demo(svc, quiet=True)
        app = svc.app
        demo = Demo(district=District.id_for("320106"), street=Street.id_for("320106001"),
                    c1=Community.id_for("320106001001"), c2=Community.id_for("320106001002"),
                    org=UUID("00000000-0000-5000-8000-000000000001"),   # the scope of the demo member's role
                    people={phone: Account.id_for(app.phone_key(phone)) for phone, *_ in DEMO_ACCOUNTS})
        seed(svc, demo)
        svc.runner.catch_up()
        calls = views.calls(svc.views)
        assert len(calls) == 1 and calls[0]["pool"] == 30_000_000
        assert [(o["id"], o["status"]) for o in views.organisations(svc.views)] == [(str(demo.org), "approved")]
        with TestClient(create_app(env, services=svc), base_url="http://127.0.0.1") as client:
            web = WebClient(client)
            web.login("13800000008", DEMO_PASSWORD)
            home = web.get("/")
            assert "江苏路睦邻互助服务中心（演示）" in home.text and "本组织的申报" in home.text
            assert "宁海路街道社区公益创投（演示）" in web.get("/grants/mine").text
            assert "以本组织名义申报项目" in web.get(f"/grants/calls/{calls[0]['id']}").text
    finally:
        svc.close()
