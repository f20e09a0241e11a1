"""Bad input to the grants pages gets a 4xx (never a 5xx) and records nothing: forged and malformed ids, markup and
control characters, huge strings, amounts in every odd form the fund refuses, invalid credit codes, scores out of
range, a missing CSRF token."""
from __future__ import annotations

import pytest

from tests.domain.grants.builders import CODE_C, GOOD, NOTES

ODD_AMOUNTS = ["-100", "0", "0.001", "200000.01", "1e5", "NaN", "Infinity", "9" * 20, "1,00", "1_000", "١٠٠",
               "１０００.５５５", "<b>1</b>", ""]
BAD_TEXT = ["<svg onload=alert(1)>\u202e", "a\x07b", "x" * 5000, "\u200b"]


@pytest.fixture
def ready(web, people, case):
    """A submitted and scored application, an awarded and signed one, and the member's draft."""
    scored = case.scored(title="已评审")
    signed = case.signed(org=case.other_org, title="已签约")
    draft = case.draft(title="草稿")
    people.catch_up()
    return scored, signed, draft


def events(web) -> int:
    return web.services.app.recorder.max_notification_id()


def refused(response) -> bool:
    return 400 <= response.status_code < 500


def test_odd_amounts_are_refused_everywhere_and_nothing_is_recorded(web, people, case, ready):
    scored, signed, draft = ready
    before = events(web)
    for amount in ODD_AMOUNTS:
        assert refused(people.post("street", f"/grants/applications/{scored}/award", {"amount": amount})), amount
        assert refused(people.post("member", f"/grants/applications/{draft}/draft", {
            "org_id": str(case.org), "community_id": str(case.places.community), "title": "草稿",
            "requested": amount or "x", "budget_item": ["餐费"], "budget_amount": [amount]})), amount
        if amount == "200000.01":
            continue      # above every award's limit, but a fine pool for a call
        assert refused(people.post("district", "/grants/calls", {
            "scope": f"street:{case.places.street}", "title": "征集", "theme": "主题", "pool": amount,
            "max_per_project": "1", "opens_at": "2026-05-01T08:00", "closes_at": "2026-06-01T08:00",
            "criterion_name": ["设计"], "criterion_weight": ["100"], "tranche_requirement": ["final"],
            "tranche_percent": ["100"]})), amount
        assert refused(people.post("street", f"/grants/projects/{signed}/clawback", {"amount": amount,
                                                                                    "reason": "追回"})), amount
    assert events(web) == before


def test_markup_control_characters_and_huge_text_are_refused(web, people, case, ready):
    scored, signed, draft = ready
    before = events(web)
    for text in BAD_TEXT:
        assert refused(people.post("member", "/grants/organisations", {
            "name": text, "credit_code": CODE_C, "kind": "foundation", "street_id": str(case.places.street),
            "contact_name": "王联系", "contact_phone": "13911112222"})), text
        assert refused(people.post("member", "/grants/organisations", {
            "name": "基金会", "credit_code": CODE_C, "kind": "foundation", "street_id": str(case.places.street),
            "contact_name": text, "contact_phone": "13911112222"})), text
        assert refused(people.post("district", f"/grants/applications/{scored}/award/reject", {"reason": text}))
        assert refused(people.post("reviewer1", f"/grants/applications/{draft}/score", {
            **{f"score_{k}": v for k, v in GOOD.items()}, **{f"comment_{k}": text for k in NOTES}}))
        assert refused(people.post("member", f"/grants/projects/{signed}/reports/midterm", {"text": text * 2}))
    assert events(web) == before


def test_markup_that_is_valid_text_is_shown_escaped(web, people, case):
    application = web.services.app.grants.save_draft(case.member, case.call, case.org, case.places.community,
                                                     "<script>alert(1)</script>", '" onmouseover="x')
    people.catch_up()
    page = people.get("member", f"/grants/applications/{application}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert '" onmouseover="x' not in page.text


@pytest.mark.parametrize("code", ["53320000MJ000123X2", "5332000MJ000123X1", "53320000MJ0001I3X1", "", "1" * 18])
def test_invalid_credit_codes_are_refused_with_a_chinese_message(web, people, case, code):
    before = events(web)
    response = people.post("worker", "/grants/organisations", {
        "name": "基金会", "credit_code": code, "kind": "foundation", "street_id": str(case.places.street),
        "contact_name": "王联系", "contact_phone": "13911112222"})
    assert response.status_code == 422 and "统一社会信用代码" in response.text
    assert events(web) == before


def test_scores_out_of_range_or_odd_are_refused(web, people, case, ready):
    scored, signed, draft = ready
    fresh = case.submitted(title="待评")
    people.catch_up()
    before = events(web)
    for value in ("101", "-1", "50.5", "1e1", "五十", "", "٥٠", "9" * 30):
        response = people.post("reviewer1", f"/grants/applications/{fresh}/score", {
            **{f"score_{k}": v for k, v in GOOD.items()}, "score_c2": value, **{f"comment_{k}": v for k, v in NOTES.items()}})
        assert response.status_code == 422, value
    assert events(web) == before


GETS = ["/grants/calls/not-a-uuid", "/grants/calls/%00", "/grants/calls/{scored}", "/grants/calls/{call}/lines?figure=%00",
        "/grants/calls/{call}/lines?project=not-a-uuid", "/grants/calls/{call}/lines?project={org}",
        "/grants/calls/{call}/apply?org=%00", "/grants/calls/{call}/apply?org={call}", "/grants/calls/{call}/apply",
        "/grants/applications/not-a-uuid", "/grants/applications/{call}", "/grants/projects/{draft}",
        "/grants/projects/{scored}", "/grants/projects/%ff", "/grants/projects/{signed}/dossier.csv?x=%00",
        "/grants/organisations/{call}", "/grants/organisations/%00", "/c/not-a-uuid/grants", "/c/{call}/grants",
        "/grants/calls/{call}/disclosure?page=99999999999999999999", "/grants?page=-1"]


def test_bad_paths_and_queries_get_a_clear_answer_never_a_server_error(web, people, case, ready):
    scored, signed, draft = ready
    people.act_as("street")
    wrong = []
    for url in GETS:
        url = url.format(call=case.call, scored=scored, signed=signed, draft=draft, org=case.org)
        response = web.get(url, follow_redirects=False)
        if response.status_code not in (200, 303, 400, 403, 404, 422):
            wrong.append((url, response.status_code))
    assert wrong == []
    assert web.get(f"/grants/projects/{draft}").status_code == 404


POSTS = [
    ("/grants/applications/not-a-uuid/submit", {}), ("/grants/applications/{call}/award", {"amount": "1"}),
    ("/grants/projects/{signed}/milestones/bogus", {}), ("/grants/projects/{signed}/reports/bogus", {"text": "x"}),
    ("/grants/projects/{signed}/tranches/99/release", {}), ("/grants/projects/{signed}/tranches/-1/release", {}),
    ("/grants/projects/{draft}/milestones/signing", {}), ("/grants/calls/{call}/reviewers", {"phone": "<b>"}),
    ("/grants/calls/{call}/reviewers/not-a-uuid/remove", {}), ("/grants/calls/{scored}/reviewers", {"phone": "13800000001"}),
    ("/grants/organisations/{org}/members/{call}/remove", {}), ("/grants/organisations/not-a-uuid/approve", {}),
    ("/grants/calls", {"scope": "street:not-a-uuid"}), ("/grants/calls", {"scope": "<svg>"}),
    ("/grants/calls/{call}/apply", {"org_id": "not-a-uuid", "community_id": "x", "title": "x"}),
    ("/grants/calls/{call}/apply", {"org_id": "{org}", "community_id": "{call}", "title": "x"}),
    ("/grants/calls/{call}/apply", {"org_id": "{other_org}", "community_id": "{community}", "title": "x"}),
    ("/grants/organisations", {"name": "x", "credit_code": CODE_C, "kind": "bogus", "street_id": "{street}",
                               "contact_name": "王", "contact_phone": "13911112222"}),
    ("/grants/organisations", {"name": "x", "credit_code": CODE_C, "kind": "foundation", "street_id": "{community}",
                               "contact_name": "王", "contact_phone": "13911112222"}),
]


def test_forged_ids_and_unknown_operations_change_nothing(web, people, case, ready):
    scored, signed, draft = ready
    before = events(web)
    wrong = []
    for url, data in POSTS:
        fill = dict(call=case.call, scored=scored, signed=signed, draft=draft, org=case.org, other_org=case.other_org,
                    community=case.places.community, street=case.places.street)
        body = {k: v.format(**fill) if isinstance(v, str) else v for k, v in data.items()}
        response = people.post("member", url.format(**fill), body)
        if not refused(response):
            wrong.append((url, response.status_code))
    assert wrong == [] and events(web) == before


def test_a_missing_or_wrong_csrf_token_is_refused(web, people, case, ready):
    scored, *_ = ready
    people.act_as("street")
    before = events(web)
    for token in ("", "forged"):
        response = web.client.post(f"/grants/applications/{scored}/award", data={"csrf_token": token, "amount": "1"},
                                   follow_redirects=False)
        assert response.status_code == 403
    assert events(web) == before
