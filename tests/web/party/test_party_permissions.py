"""Who may open each page and send each form (role × route), the same rule in the route and the use case: a refusal
is a 403 (or 404 for what the person may not even know exists) and records nothing."""
from __future__ import annotations

import pytest

from domain.party.policies import CONSENT_VERSION

ROLES = ("anonymous", "member", "resident", "outsider", "worker", "other worker", "fund manager", "official")


def person(site, role):
    return {"anonymous": None, "member": site.members[0], "resident": site.members[2], "outsider": site.outsider,
            "worker": site.worker, "other worker": site.other_worker, "fund manager": site.fund_manager,
            "official": site.official}[role]


@pytest.fixture
def arranged(site):
    """Member 0 confirmed with a report issued; member 1 waiting; member 2 a resident who never registered."""
    site.register(site.members[0])
    site.register(site.members[1], confirm=False)
    issued = site.post(site.worker, site.registration_path(site.members[0]) + "/reports",
                       {"stint": "1", "year": "2026", "rating": "good", "comment": "好"})
    assert issued.status_code == 303
    site.report = issued.headers["location"]
    return site


PAGES = {   # path (after the fixture) → the roles that get the page (everyone else: 403, anonymous: to the login)
    "{base}": set(ROLES) - {"anonymous"},
    "{base}/record": set(ROLES) - {"anonymous"},
    "{base}/consent": {"resident"},
    "{base}/registry": {"worker"},
    "{registration}": {"worker"},
    "{base}/tasks": {"worker"},
    "{base}/kinds": {"worker"},
    "{base}/needs": {"member", "resident", "worker", "fund manager", "official"},
    "{report}": {"member", "worker"},
    "{report}/report.csv": {"member", "worker"},
    "/s/{street}/party": {"official"},
}


@pytest.mark.parametrize("template", sorted(PAGES))
def test_who_opens_each_page(arranged, template):
    site = arranged
    path = template.format(base=site.base, registration=site.registration_path(site.members[0]), report=site.report,
                           street=site.places.street)
    for role in ROLES:
        response = site.get(person(site, role), path)
        if role == "member" and template == "{base}/consent":
            continue   # sent on to their registration (below)
        if role == "anonymous":
            assert response.status_code == 303 and "/login" in response.headers["location"], (role, path)
        elif role in PAGES[template]:
            assert response.status_code == 200, (role, path, response.status_code)
        else:
            assert response.status_code in (403, 404), (role, path, response.status_code)


def test_the_consent_page_sends_an_active_member_on_to_their_registration(arranged):
    assert arranged.get(arranged.members[0], arranged.base + "/consent").headers["location"].endswith("/party")


FORMS = {   # form → (path, data, the role it is for, the statuses the others get)
    "confirm": ("{registration1}/confirm", {"stint": "1"}, "worker"),
    "return": ("{registration1}/return", {"stint": "1", "reason": "请补充"}, "worker"),
    "report": ("{registration0}/reports", {"stint": "1", "year": "2026", "rating": "", "comment": ""}, "worker"),
    "add kind": ("{base}/kinds", {"kind": "垃圾分类"}, "worker"),
    "remove kind": ("{base}/kinds/remove", {"kind": "治安巡逻"}, "worker"),
    "consent": ("{base}/consent", {"version": CONSENT_VERSION, "agree": "yes"}, "resident"),
    "withdraw": ("{base}/withdraw", {"stint": "1", "confirm": "yes"}, "member"),
    "record": ("{base}/record", {"kind": "邻里互助", "on": "2026-05-01", "hours": "1", "description": "帮忙"}, "member"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_is_accepted_from_its_role_only_and_a_refusal_records_nothing(arranged, form):
    site = arranged
    template, data, allowed = FORMS[form]
    path = template.format(base=site.base, registration0=site.registration_path(site.members[0]),
                           registration1=site.registration_path(site.members[1]))
    for role in [r for r in ROLES if r != allowed] + [allowed]:
        before = site.events()
        response = site.post(person(site, role), path, data)
        if role == allowed:
            assert response.status_code == 303, (role, form, response.text[-500:])
            assert site.events() > before
        else:
            expected = (303,) if role == "anonymous" else (403, 404, 409)
            assert response.status_code in expected, (role, form, response.status_code)
            assert site.events() == before, (role, form)


def test_another_communitys_ids_in_the_path_are_not_found_and_record_nothing(arranged):
    site = arranged
    before = site.events()
    foreign = site.registration_path(site.members[1], base=site.other_base)
    assert site.post(site.other_worker, foreign + "/confirm", {"stint": "1"}).status_code == 404
    assert site.get(site.other_worker, foreign).status_code == 404
    serial = site.report.rsplit("/", 1)[1]
    assert site.get(site.other_worker, f"{site.other_base}/reports/{serial}").status_code == 404
    assert site.post(site.other_worker, f"{site.other_base}/withdraw", {"stint": "1", "confirm": "yes"}).status_code \
        in (403, 404)
    assert site.events() == before


def test_an_edited_hidden_stint_is_refused_and_records_nothing(arranged):
    site = arranged
    before = site.events()
    path = site.registration_path(site.members[1])
    for stint in ("2", "0", "-1", "abc", "", "1" * 20):
        assert site.post(site.worker, path + "/confirm", {"stint": stint}).status_code in (404, 409), stint
        assert site.post(site.members[0], site.base + "/withdraw", {"stint": stint, "confirm": "yes"}).status_code \
            in (404, 409), stint
    assert site.events() == before


def test_forms_without_the_csrf_token_are_refused(arranged):
    site = arranged
    site.login(site.worker)
    before = site.events()
    response = site.web.post(site.registration_path(site.members[1]) + "/confirm", data={"stint": "1"},
                             follow_redirects=False)
    assert response.status_code == 403 and site.events() == before


def test_pages_offer_a_button_only_when_the_form_would_be_accepted(arranged):
    site = arranged
    for role in ROLES[1:]:
        page = site.get(person(site, role), site.base).text
        assert ("党员名册" in page) == (role == "worker"), role
        assert ("开始报到" in page) == (role == "resident"), role
        assert ("撤回同意并结束报到" in page) == (role == "member"), role
    waiting = site.get(site.worker, site.registration_path(site.members[1])).text
    confirmed = site.get(site.worker, site.registration_path(site.members[0])).text
    assert "确认报到" in waiting and "出具报告" not in waiting
    assert "确认报到" not in confirmed and "出具报告" in confirmed
    record = site.get(site.members[0], site.base + "/record").text
    assert "记录一次社区服务" in record
    assert "记录一次社区服务" not in site.get(site.members[1], site.base + "/record").text
