"""Odd input at every Party-member form: markup is shown as text, control characters, huge strings and odd
numbers get a 4xx and change nothing, and no answer is ever a 5xx."""
from __future__ import annotations

import pytest

from tests.web.party.builders import FIELDS

XSS = '<svg onload=alert(1)>" onmouseover="x'


@pytest.fixture
def consented(site):
    assert site.consent(site.members[0]).status_code == 303
    return site


@pytest.mark.parametrize("field, value", [
    ("unit", ""), ("unit", "公司\x07"), ("unit", "公司\u202e"), ("unit", "x" * 5000), ("org_name", ""),
    ("org_name", "党委\u200f"), ("org_contact", ""), ("org_contact", "<陈>"), ("org_contact", "陈" * 41),
    ("org_phone", ""), ("org_phone", "12345"), ("org_phone", "=1+1"), ("org_phone", "9" * 40),
    ("other_kinds", "a\x01"), ("availability", "y" * 201), ("kinds", ["不存在的类别"]), ("kinds", ["<b>"]),
    ("disclose", ["phone"]), ("disclose", ["name", "<x>"]), ("kinds", []),
])
def test_bad_registration_fields_get_a_4xx_and_record_nothing(consented, field, value):
    site, m = consented, consented.members[0]
    before = site.events()
    changes = {field: value, **({"other_kinds": ""} if field == "kinds" else {})}
    response = site.submit(m, **changes)
    assert 400 <= response.status_code < 500, (field, value, response.status_code)
    assert site.events() == before
    if response.status_code == 422:
        assert 'class="error"' in response.text and "<svg" not in response.text


def test_markup_in_free_text_is_kept_as_text_and_shown_escaped(consented):
    site, m = consented, consented.members[0]
    assert site.submit(m, unit=XSS, org_name=XSS, other_kinds=XSS, availability=XSS).status_code == 303
    site.confirm(m)
    for page in (site.get(m, site.base).text, site.get(site.worker, site.base + "/registry").text,
                 site.get(site.worker, site.registration_path(m)).text):
        assert "<svg onload" not in page and "&lt;svg onload=alert(1)&gt;" in page


@pytest.mark.parametrize("data", [
    {"hours": "0"}, {"hours": "-1"}, {"hours": "1e2"}, {"hours": "NaN"}, {"hours": "25"}, {"hours": "1,5"},
    {"hours": "9" * 20}, {"on": "2026-02-30"}, {"on": "9999-12-31"}, {"on": "2020-01-01"}, {"on": "x\x00"},
    {"kind": "造火箭"}, {"description": ""}, {"description": "d" * 501}, {"description": "坏\x1b"},
])
def test_bad_task_records_get_a_4xx_and_record_nothing(site, data):
    m = site.members[0]
    site.register(m)
    before = site.events()
    form = {"kind": "邻里互助", "on": "2026-05-01", "hours": "1", "description": "帮忙", **data}
    response = site.post(m, site.base + "/record", form)
    assert 400 <= response.status_code < 500, (data, response.status_code)
    assert site.events() == before


@pytest.mark.parametrize("data", [
    {"year": "2027"}, {"year": "1999"}, {"year": "20２6x"}, {"year": ""}, {"year": "9" * 30}, {"rating": "great"},
    {"rating": "<b>"}, {"comment": "c" * 501}, {"comment": "坏\x00"}, {"stint": "9"},
])
def test_bad_reports_get_a_4xx_and_record_nothing(site, data):
    m = site.members[0]
    site.register(m)
    before = site.events()
    form = {"stint": "1", "year": "2026", "rating": "good", "comment": "好", **data}
    response = site.post(site.worker, site.registration_path(m) + "/reports", form)
    assert 400 <= response.status_code < 500, (data, response.status_code)
    assert site.events() == before


@pytest.mark.parametrize("value", ["", "\x00", "垃圾\u202e", "x" * 21, "<script>", "治安巡逻"])
def test_bad_service_kinds_get_a_4xx_and_record_nothing(site, value):
    before = site.events()
    response = site.post(site.worker, site.base + "/kinds", {"kind": value})
    assert 400 <= response.status_code < 500, (value, response.status_code)
    assert site.events() == before


NIL = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize("shift", ["", "x/y", f"{NIL}/{NIL}", "/" * 10, "a" * 1000])
def test_bad_needs_get_a_4xx_and_record_nothing(site, shift):
    before = site.events()
    response = site.post(site.worker, site.base + "/needs", {"shift": shift, "kind": "环境整治"})
    assert 400 <= response.status_code < 500, (shift, response.status_code)
    assert site.events() == before


@pytest.mark.parametrize("path", [
    "/registry/not-a-uuid", "/registry/00000000-0000-0000-0000-000000000000", "/reports/DYBD-1-2026-ABCDEF12-01",
    "/reports/%00", "/reports/" + "A" * 200, "/tasks/xyz/confirm", "/needs/xyz/remove"])
def test_odd_ids_in_paths_get_a_4xx(site, path):
    method = site.post if path.endswith(("confirm", "remove")) else site.get
    assert 400 <= method(site.worker, site.base + path).status_code < 500


@pytest.mark.parametrize("code", ["", "%00", "A" * 500, "<script>", "ABCD-EFGH-IJKL", "abcd efgh ijkl"])
def test_the_public_check_answers_any_code_without_a_5xx(site, code):
    response = site.get(None, f"/party/verify?code={code}")
    assert response.status_code in (200, 303, 404)
    direct = site.get(None, f"/party/verify/{code or 'x'}")
    assert direct.status_code in (404,) and "<script>" not in direct.text


def test_the_report_csv_never_runs_a_formula(site):
    m = site.members[0]
    assert site.consent(m).status_code == 303
    assert site.submit(m, unit="=HYPERLINK(\"http://x\")", org_name="+cmd|' /C calc'!A0",
                       org_contact="陈书记").status_code == 303
    site.confirm(m)
    issued = site.post(site.worker, site.registration_path(m) + "/reports",
                       {"stint": "1", "year": "2026", "rating": "good", "comment": "@SUM(1)"})
    csv = site.get(m, issued.headers["location"] + "/report.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "'=HYPERLINK" in csv.text and "'+cmd" in csv.text and "'@SUM(1)" in csv.text
    assert FIELDS["org_contact"] in csv.text


def test_the_public_check_is_limited_per_address_with_a_429(site):
    for _ in range(60):
        assert site.get(None, "/party/verify/ABCD-EFGH-IJKL").status_code == 404
    busy = site.get(None, "/party/verify/ABCD-EFGH-IJKL")
    assert busy.status_code == 429 and "查验次数过多" in busy.text
