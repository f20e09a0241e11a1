"""Bad input to the fund pages gets a 4xx or a safe page — never a 5xx — and changes nothing: invalid UUIDs,
absurd years, garbage and NUL bytes in "as of" and the other query fields, unknown operations, forged ids."""
from __future__ import annotations

import pytest

from domain.kernel import roles
from tests.builders import Places, command_id, web_person
from tests.domain.builders import YEAR, make_resolution


@pytest.fixture
def setup(web):
    places = Places(web.services.app)
    web.services.runner.catch_up()
    manager, phone = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")
    app = web.services.app
    resolution = make_resolution(app, places.community)
    project = app.fund.allocate(manager, places.community, YEAR, resolution, "楼道扶手", "elderly", "1,000")
    payment = app.fund.record_payment(manager, places.community, YEAR, project, None, "100", "individual", "王小明",
                                 "2026-04-30", "扶手", "FP-1")
    commitment = app.fund.commit(manager, places.community, YEAR, project, "100", "合同")
    web.services.runner.catch_up()
    web.login(phone)
    return places, project, payment, commitment, resolution


GETS = [
    "/c/{c}/fund/99999999999/lines", "/c/{c}/fund/99999999999/disclosure", "/c/{c}/fund/99999999999/ledger.csv",
    "/c/{c}/fund/99999999999/projects/{p}", "/c/{c}/fund/0/disclosure", "/c/{c}/fund/1999/lines",
    "/c/{c}/fund?year=99999999999999999999999999", "/c/{c}/fund?year=-1", "/c/{c}/fund?year=2_026",
    "/c/{c}/fund?year=%00", "/c/{c}/fund?year=%ff", "/c/{c}/fund?year=", "/c/{c}/fund?as_of=garbage",
    "/c/{c}/fund?as_of=9999-99-99", "/c/{c}/fund?as_of=2026-13-01", "/c/{c}/fund?as_of=%00",
    "/c/{c}/fund?as_of=2026-06-30%00", "/c/{c}/fund?as_of=%ff%fe", "/c/{c}/fund?as_of=99999-01-01",
    "/c/{c}/fund?as_of=" + "9" * 5000, "/c/{c}/fund/2026/lines?as_of=0000-01-01",
    "/c/{c}/fund/2026/lines?project=%00", "/c/{c}/fund/2026/lines?figure=%00&project=",
    "/c/{c}/fund/2026/lines?project={pay}", "/c/{c}/fund/2026/ledger.csv?as_of=%00",
    "/c/{c}/fund/2026/projects/not-a-uuid", "/c/{c}/fund/2026/projects/%00", "/c/{c}/fund/2026/projects/{r}",
    "/c/{c}/fund/2026/projects/{p}/available?amount=%00", "/c/{c}/fund/2026/projects/{p}/available?amount=" +
    "9" * 500, "/c/{c}/fund/2026/projects/{p}/available?commitment_id=%00",
    "/c/{c}/fund/2026/projects/{p}/available?amount=NaN", "/c/{c}/fund/2026/projects/{p}/available?amount=%ff",
    "/c/not-a-uuid/fund", "/c/%00/fund/2026/disclosure", "/c/{p}/fund", "/s/{c}/funds", "/s/%00/funds",
    "/s/{s}/funds?year=abc", "/s/{s}/funds?year=99999999999",
]


def test_a_bad_query_or_path_gets_a_clear_answer_never_a_server_error(web, setup):
    places, project, payment, commitment, resolution = setup
    version = web.services.app.fund.year_fund(places.community, YEAR).version
    wrong = []
    for url in GETS:  # one setup for all of them keeps the set fast
        url = url.format(c=places.community, p=project, pay=payment, r=resolution, s=places.street)
        response = web.get(url, follow_redirects=False)
        if response.status_code not in (200, 303, 400, 403, 404, 422):
            wrong.append((url, response.status_code))
    assert wrong == []
    assert web.services.app.fund.year_fund(places.community, YEAR).version == version
    for url in ("/c/{c}/fund/0/disclosure", "/c/{c}/fund/99999999999/lines", "/c/{c}/fund?year=2_026"):
        assert web.get(url.format(c=places.community)).status_code == 422, url  # not silently another year


POSTS = [
    ("/c/{c}/fund/99999999999/open", {}), ("/c/{c}/fund/0/allocate", {}),
    ("/c/{c}/fund/2026/payments/not-a-uuid/approve", {}), ("/c/{c}/fund/2026/payments/{pay}/bogus", {}),
    ("/c/{c}/fund/2026/payments/{p}/approve", {}), ("/c/{c}/fund/2026/payments/{pay}/refund", {"amount": "NaN"}),
    ("/c/{c}/fund/2026/payments/{pay}/reject", {"reason": "x", "project_id": "not-a-uuid"}),
    ("/c/{c}/fund/2026/refunds/not-a-uuid/approve", {}), ("/c/{c}/fund/2026/refunds/{pay}/approve", {}),
    ("/c/{c}/fund/2026/refunds/{pay}/reject", {"reason": "x"}), ("/c/{c}/fund/2026/increases/{p}/approve", {}),
    ("/c/{c}/fund/2026/increases/not-a-uuid/reject", {"reason": "x"}), ("/c/{c}/fund/2026/erasures/{com}/approve", {}),
    ("/c/{c}/fund/2026/erasures/{r}/reject", {"reason": ""}), ("/c/{c}/fund/2026/payments/{pay}/erasure", {"reason": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/increase", {"amount": "1e5", "reason": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/increase", {"amount": "200000", "reason": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/bogus", {}), ("/c/{c}/fund/2026/projects/not-a-uuid/commit", {"amount": "1"}),
    ("/c/{c}/fund/2026/commitments/{com}/bogus", {"reason": "x"}),
    ("/c/{c}/fund/2026/commitments/{pay}/release", {"reason": "x"}),
    ("/c/{c}/fund/2026/allocate", {"resolution_id": "not-a-uuid", "title": "x", "category": "other", "amount": "1"}),
    ("/c/{c}/fund/2026/allocate", {"resolution_id": "{r}", "title": "x", "category": "bogus", "amount": "1"}),
    ("/c/{c}/fund/2026/allocate", {"resolution_id": "{r}", "title": "x" * 500, "category": "other", "amount": "1"}),
    ("/c/{c}/fund/2026/allocate", {"resolution_id": "{r}", "title": "a\u202eb", "category": "other", "amount": "1"}),
    ("/c/{c}/fund/2026/allocate", {"resolution_id": "{p}", "title": "x", "category": "other", "amount": "1"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2026-02-30", "description": "x", "receipt_ref": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2025-12-31", "description": "x", "receipt_ref": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2026-12-31", "description": "x", "receipt_ref": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "robot", "payee": "x",
                                          "paid_on": "2026-04-30", "description": "x", "receipt_ref": "x"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2026-04-30", "description": "x", "receipt_ref": "x",
                                          "commitment_id": "not-a-uuid"}),
    ("/c/{c}/fund/2026/projects/{p}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2026-04-30", "description": "x", "receipt_ref": "x",
                                          "commitment_id": "{pay}"}),
]


def test_a_bad_form_gets_a_4xx_and_changes_nothing(web, setup):
    places, project, payment, commitment, resolution = setup
    version = web.services.app.fund.year_fund(places.community, YEAR).version
    ids = dict(c=places.community, p=project, pay=payment, r=resolution, com=commitment)
    wrong = []
    for url, data in POSTS:
        url = url.format(**ids)
        data = {k: v.format(**ids) if "{" in v else v for k, v in data.items()}
        response = web.post_form(url, {**data, "command_id": command_id()})
        if not 400 <= response.status_code < 500:
            wrong.append((url, data, response.status_code))
    assert wrong == []
    assert web.services.app.fund.year_fund(places.community, YEAR).version == version


def test_nul_bytes_in_a_form_are_refused_before_anything_runs(web, setup):
    places, project, payment, commitment, resolution = setup
    version = web.services.app.fund.year_fund(places.community, YEAR).version
    response = web.post_form(f"/c/{places.community}/fund/{YEAR}/payments/{payment}/erase",
                             {"reason": "a\x00b", "command_id": "nul"})
    assert response.status_code == 400
    assert web.services.app.fund.year_fund(places.community, YEAR).version == version
    assert web.services.app.sealer.keys.get(payment) is not None


def test_a_get_never_changes_the_fund(web, setup):
    places, project, payment, commitment, resolution = setup
    version = web.services.app.fund.year_fund(places.community, YEAR).version
    base = f"/c/{places.community}/fund/{YEAR}"
    for url in (f"{base}/payments/{payment}/approve", f"{base}/payments/{payment}/erase", f"{base}/close",
                f"{base}/payments/{payment}/erasure", f"{base}/payments/{payment}/refund",
                f"{base}/refunds/{payment}/approve", f"{base}/increases/{project}/approve",
                f"{base}/erasures/{payment}/approve", f"{base}/projects/{project}/increase",
                f"{base}/open", f"{base}/projects/{project}/pay", f"{base}/allocate"):
        assert web.get(url).status_code in (404, 405), url
    assert web.services.app.fund.year_fund(places.community, YEAR).version == version
    assert web.services.app.sealer.keys.get(payment) is not None
