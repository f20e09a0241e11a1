"""Who may do what, over HTTP, as a role × state matrix: each action is refused (403, or 404 for what the person may
not even see) for everyone but the people its rule names, and a page shows a button exactly when the same rule — the
one the use case enforces — says yes."""
from __future__ import annotations

import pytest

from tests.domain.grants.builders import GOOD, NOTES

EVERYONE = ["member", "member2", "other_member", "street", "district", "worker", "reviewer1"]
SCORE = {**{f"score_{k}": v for k, v in GOOD.items()}, **{f"comment_{k}": v for k, v in NOTES.items()}}


def test_who_may_open_a_call_and_see_the_ranking_and_the_pool_lines(web, people, case):
    for who in EVERYONE:
        official = who in ("street", "district")
        assert people.get(who, "/grants/calls/new").status_code == (200 if official else 403), who
        assert people.get(who, f"/grants/calls/{case.call}/ranking").status_code == (200 if official else 403), who
        assert people.get(who, f"/grants/calls/{case.call}/lines").status_code == (200 if official else 403), who
        assert ("发布项目征集" in people.get(who, "/grants").text) == official, who


def test_who_may_decide_a_registration(web, people, case):
    org = web.services.app.grants.register_organisation(case.worker, "新组织", "53320000MJ000123X1", "foundation",
                                                        case.places.street, "王联系", "13911112222")
    people.catch_up()
    for who in ("member", "other_member", "worker", "reviewer1"):
        page = people.get(who, f"/grants/organisations/{org}")
        assert "通过登记" not in page.text, who
        assert people.post(who, f"/grants/organisations/{org}/approve").status_code == 403, who
    assert "王联系" not in people.get("member", f"/grants/organisations/{org}").text     # the contact is not theirs
    assert "通过登记" in people.get("district", f"/grants/organisations/{org}").text
    assert people.post("district", f"/grants/organisations/{org}/approve").status_code == 303


@pytest.mark.parametrize("who, status", [("member", 403), ("other_member", 403), ("worker", 403),
                                         ("reviewer1", 403), ("street", 303), ("district", 303)])
def test_who_may_name_a_reviewer(web, people, case, who, status):
    assert people.post(who, f"/grants/calls/{case.call}/reviewers",
                       {"phone": case.phones["worker"]}).status_code == status


def test_who_may_read_and_score_an_application(web, people, case):
    draft = case.draft()
    submitted = case.submitted(title="已提交")
    people.catch_up()
    expected_read = {"member": 200, "member2": 200, "other_member": 404, "street": 200, "district": 200,
                     "worker": 404, "reviewer1": 200}
    for who, status in expected_read.items():
        assert people.get(who, f"/grants/applications/{submitted}").status_code == status, who
    for who in EVERYONE:
        page = people.get(who, f"/grants/applications/{submitted}")
        shown = page.status_code == 200 and "提交评分" in page.text
        response = people.post(who, f"/grants/applications/{submitted}/score", SCORE)
        assert shown == (who == "reviewer1") == (response.status_code == 303), (who, response.status_code)
    assert people.post("reviewer2", f"/grants/applications/{draft}/score", SCORE).status_code == 409


def test_a_reviewer_who_belongs_to_the_organisation_sees_no_form_and_is_refused(web, people, case):
    web.services.app.grants.add_member(case.member, case.org, case.phones["reviewer2"])
    application = case.submitted()
    people.catch_up()
    page = people.get("reviewer2", f"/grants/applications/{application}")
    assert "提交评分" not in page.text
    queue = people.get("reviewer2", "/grants/reviews")
    assert "按规定您不能评审" in queue.text
    response = people.post("reviewer2", f"/grants/applications/{application}/score", SCORE)
    assert response.status_code == 403 and "不能评审该申报" in response.text


def test_maker_is_not_checker_on_the_page_and_in_the_use_case(web, people, case):
    application = case.scored()
    people.catch_up()
    for who in EVERYONE:
        shown = "提出资助" in people.get(who, f"/grants/calls/{case.call}/ranking").text
        assert shown == (who in ("street", "district")), who
    assert people.post("member", f"/grants/applications/{application}/award", {"amount": "1,000"}).status_code == 403
    assert people.post("street", f"/grants/applications/{application}/award", {"amount": "1,000"}).status_code == 303
    for who in EVERYONE:
        page = people.get(who, f"/grants/calls/{case.call}")
        assert ("批准资助" in page.text) == (who == "district"), who
        assert ("撤回理由" in page.text) == (who == "street"), who
    for who in ("member", "worker", "street"):
        assert people.post(who, f"/grants/applications/{application}/award/approve").status_code == 403, who
    assert people.post("district", f"/grants/applications/{application}/award/withdraw",
                       {"reason": "不是我提的"}).status_code == 403
    assert people.post("district", f"/grants/applications/{application}/award/approve").status_code == 303


def test_who_accepts_releases_reports_by_the_projects_state(web, people, case):
    application = case.awarded()
    people.catch_up()
    project = f"/grants/projects/{application}"
    for who in ("member", "worker", "reviewer1"):
        assert people.post(who, f"{project}/milestones/signing").status_code == 403, who
        assert "验收通过" not in people.get(who, project).text, who
    assert "验收通过" in people.get("street", project).text
    assert people.post("member", f"{project}/reports/midterm", {"text": "太早"}).status_code == 409
    assert "提交中期报告" not in people.get("member", project).text
    assert people.post("street", f"{project}/milestones/signing").status_code == 303
    assert "提交中期报告" in people.get("member", project).text
    assert "提交中期报告" not in people.get("other_member", project).text
    assert people.post("other_member", f"{project}/reports/midterm", {"text": "不是我们的"}).status_code == 403
    for who in EVERYONE:
        page = people.get(who, project)
        shown = 'tranches/0/release' in page.text
        assert shown == (who == "district"), who
    assert people.post("worker", f"{project}/tranches/0/release").status_code == 403
    assert people.post("district", f"{project}/tranches/0/release").status_code == 303
