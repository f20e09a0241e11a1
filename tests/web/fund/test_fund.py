"""The fund pages: the public disclosure, the staff ledger, maker/checker forms, CSV, as-of, the street view,
and a fund manager of one community who cannot read or write another's fund however the request is edited."""
from __future__ import annotations

import csv
import io
import re

import pytest

from domain.kernel import roles
from domain.fund.model import Fund
from projections import fund as views
from tests.builders import web_person
from tests.domain.builders import YEAR, make_resolution


class Actors:
    def __init__(self, web, places):
        self.maker, self.maker_phone = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")
        self.checker, self.checker_phone = web_person(web, roles.FUND_MANAGER, places.community, "钱出纳")
        self.other, self.other_phone = web_person(web, roles.FUND_MANAGER, places.other_community, "孙会计")
        self.resolution = make_resolution(web.services.app, places.community, "为高龄老人加装楼道扶手")
        self.other_resolution = make_resolution(web.services.app, places.other_community, "颐和路口袋花园")
        web.services.runner.catch_up()


@pytest.fixture
def actors(web, places):
    return Actors(web, places)


def base(community) -> str:
    return f"/c/{community}/fund/{YEAR}"


def allocate(web, community, resolution, amount="10,000", title="楼道扶手", category="elderly", cid=None):
    response = web.post_form(f"{base(community)}/allocate", {
        "resolution_id": str(resolution), "title": title, "category": category, "amount": amount,
        "command_id": cid or f"alloc-{title}-{amount}"})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[-1]


def pay(web, community, project, amount="1,000", cid="pay-1", payee="南京安居装修有限公司", kind="organisation",
        headers=None, receipt=None):
    """Record a payment through the form (its receipt number follows the form's command id unless given)."""
    return web.post_form(f"{base(community)}/projects/{project}/pay", {
        "amount": amount, "payee_kind": kind, "payee": payee, "paid_on": "2026-04-30", "description": "扶手材料",
        "receipt_ref": receipt or f"FP-{cid}", "command_id": cid}, headers=headers or {})


def fund(web, community) -> Fund:
    return web.services.app.fund.year_fund(community, YEAR)


def paid_once(web, places, actors, amount, **options):
    """The maker (left logged in) allocates to a project and records one payment on it: (project id, payment id)."""
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    pay(web, places.community, project, amount, **options)
    [payment_id] = fund(web, places.community).payments
    return project, payment_id


def approve_as_checker(web, actors, community, payment_id):
    web.logout()
    web.login(actors.checker_phone)
    response = web.post_form(f"{base(community)}/payments/{payment_id}/approve", {"command_id": f"ok-{payment_id}"})
    assert response.status_code == 303, response.text


def as_(web, phone):
    web.logout()
    web.login(phone)


def waiting_request(web, community, kind):
    """The id of the one request of `kind` waiting in the year's fund."""
    [request_id] = [rid for rid, r in fund(web, community).requests.items()
                    if r["kind"] == kind and r["status"] == "requested"]
    return request_id


def test_a_fund_manager_allocates_against_a_passed_resolution_from_the_form(web, places, actors):
    web.login(actors.maker_phone)
    page = web.get(f"/c/{places.community}/fund")
    assert "尚未开启" in page.text
    assert web.post_form(f"{base(places.community)}/open", {"command_id": "open"}).status_code == 303
    page = web.get(f"/c/{places.community}/fund")
    assert "为高龄老人加装楼道扶手" in page.text and "颐和路口袋花园" not in page.text  # only this community's
    project = allocate(web, places.community, actors.resolution, "12,345.67")
    assert fund(web, places.community).projects[project]["allocated"] == 1_234_567
    ledger = web.get(f"/c/{places.community}/fund").text
    assert "楼道扶手" in ledger and "12,345.67" in ledger and "187,654.33" in ledger


def test_recording_then_approving_a_payment_needs_two_different_fund_managers(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    assert pay(web, places.community, project, "3,000").status_code == 303
    [payment_id] = fund(web, places.community).payments
    page = web.get(f"{base(places.community)}/projects/{project}").text
    assert "须由另一位资金管理员审核" in page and f"/payments/{payment_id}/approve" not in page
    own = web.post_form(f"{base(places.community)}/payments/{payment_id}/approve", {"command_id": "self"})
    assert own.status_code == 403 and "不能审核自己录入的支付" in own.text
    assert fund(web, places.community).paid == 0
    approve_as_checker(web, actors, places.community, payment_id)
    f = fund(web, places.community)
    assert (f.pending, f.paid) == (0, 300_000)
    ledger = views.ledger(web.services.views, str(places.community), YEAR)
    assert ledger["totals"]["paid"] == 300_000


def test_a_double_submitted_payment_form_pays_once(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    first = pay(web, places.community, project, "1,000", cid="same-form")
    second = pay(web, places.community, project, "1,000", cid="same-form")
    assert first.status_code == second.status_code == 303
    f = fund(web, places.community)
    assert len(f.payments) == 1 and f.pending == 100_000


def test_an_overspending_payment_is_refused_with_a_clear_message_and_changes_nothing(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, "1,000")
    response = pay(web, places.community, project, "1,000.01", cid="too-much")
    assert response.status_code == 409 and "余额不足" in response.text and "1,000.00" in response.text
    htmx = pay(web, places.community, project, "2,000", cid="too-much-htmx", headers={"HX-Request": "true"})
    assert htmx.status_code == 409 and "余额不足" in htmx.text and "<html" not in htmx.text
    assert fund(web, places.community).pending == 0


@pytest.mark.parametrize("amount", ["-100", "0", "0.001", "1e5", "NaN", "Infinity", "12345678901234567890",
                                    "1_000", "١٠٠٠", "10²"])
def test_a_bad_amount_in_the_form_gets_a_clear_422_and_saves_nothing(web, places, actors, amount):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    version = fund(web, places.community).version
    response = pay(web, places.community, project, amount, cid="bad-" + amount)
    assert response.status_code == 422 and "金额格式不正确" in response.text
    assert fund(web, places.community).version == version


def test_200000_yuan_and_one_fen_is_refused_as_over_budget(web, places, actors):
    web.login(actors.maker_phone)
    response = web.post_form(f"{base(places.community)}/allocate", {
        "resolution_id": str(actors.resolution), "title": "全部", "category": "other", "amount": "200000.01",
        "command_id": "all"})
    assert response.status_code == 409 and "超出年度预算" in response.text


def test_the_public_disclosure_is_readable_without_login_and_masks_individuals(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    pay(web, places.community, project, "1,200.50", cid="p-ind", payee="王小明", kind="individual")
    pay(web, places.community, project, "800", cid="p-org", payee="南京安居装修有限公司")
    pay(web, places.community, project, "99", cid="p-pending", payee="还没审核的公司")
    ids = list(fund(web, places.community).payments)
    approve_as_checker(web, actors, places.community, ids[0])
    web.post_form(f"{base(places.community)}/payments/{ids[1]}/approve", {"command_id": "ok2"})
    web.logout()
    for url in (f"{base(places.community)}/disclosure", f"/c/{places.community}/fund"):
        page = web.get(url)
        assert page.status_code == 200
        assert "为高龄老人加装楼道扶手" in page.text and "楼道扶手" in page.text
        assert "王**" in page.text and "王小明" not in page.text
        assert "南京安居装修有限公司" in page.text and "还没审核的公司" not in page.text
        assert "2,000.50" in page.text  # paid
        assert "<svg" in page.text and "<rect" in page.text
        assert "style=" not in page.text and "<script>" not in page.text.replace('<script src', '')
    assert web.get(f"{base(places.community)}/lines", follow_redirects=False).status_code == 303  # login first


def test_markup_in_titles_and_payees_is_shown_as_text(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, title="<svg onload=alert(1)>")
    pay(web, places.community, project, "1", cid="x", payee='" onmouseover="alert(1)')
    page = web.get(f"{base(places.community)}/projects/{project}").text
    assert "<svg onload" not in page and "&lt;svg onload=alert(1)&gt;" in page
    assert '" onmouseover="' not in page


def test_every_figure_links_to_the_events_behind_it(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    pay(web, places.community, project, "1,000", cid="p1")
    page = web.get(f"/c/{places.community}/fund").text
    assert f'href="{base(places.community)}/lines?figure=pending"' in page
    lines = web.get(f"{base(places.community)}/lines?figure=pending").text
    assert "录入支付" in lines and "赵会计" in lines and "1,000.00" in lines
    by_project = web.get(f"{base(places.community)}/lines?figure=allocated&project={project}").text
    assert "10,000.00" in by_project


def test_the_ledger_as_of_an_earlier_day_shows_the_figures_of_that_day(web, places, actors, clock):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, "10,000")
    clock.advance(days=40)  # 2026-06-10
    pay(web, places.community, project, "2,500", cid="june")
    now = web.get(f"/c/{places.community}/fund?year={YEAR}").text
    then = web.get(f"/c/{places.community}/fund?year={YEAR}&as_of=2026-05-31").text
    assert "2,500.00" in now and "2,500.00" not in then and "截至 2026-05-31" in then
    assert web.get(f"/c/{places.community}/fund?year={YEAR}&as_of=garbage").status_code == 200
    assert web.get(f"/c/{places.community}/fund?year=abc").status_code == 422


def test_the_csv_export_is_utf8_with_bom_and_formula_safe(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, title="=HYPERLINK(\"http://x\")")
    pay(web, places.community, project, "1", cid="c1", payee="@SUM(1)")
    pay(web, places.community, project, "2", cid="c2", payee="+cmd|' /C calc'!A0")
    response = web.get(f"{base(places.community)}/ledger.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv") and "attachment" in \
        response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    cells = [c for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'@SUM(1)" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(c[:1] in ("=", "+", "@", "\t", "\r") for c in cells)
    assert not any(c[:1] == "-" and not re.fullmatch(r"-[\d,]+\.\d\d|-\d+", c) for c in cells)
    assert "10,000.00" in cells  # allocated


def test_negative_amounts_in_the_csv_stay_numbers_while_a_minus_formula_is_quoted(web, places, actors):
    _, payment_id = paid_once(web, places, actors, "1,234.50", cid="c1", payee="-1+1")
    approve_as_checker(web, actors, places.community, payment_id)
    response = web.post_form(f"{base(places.community)}/payments/{payment_id}/refund",
                             {"amount": "1,234.50", "reason": "-2+3+cmd|' /C calc'!A0", "command_id": "r"})
    assert response.status_code == 303
    as_(web, actors.maker_phone)
    refund = waiting_request(web, places.community, "refund")
    response = web.post_form(f"{base(places.community)}/refunds/{refund}/approve", {"command_id": "r-ok"})
    assert response.status_code == 303
    rows = list(csv.reader(io.StringIO(web.get(f"{base(places.community)}/ledger.csv").content.decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert "-1,234.50" in cells  # the refund's change to "paid": a number a spreadsheet can add up
    assert "'-1+1" in cells and "'-2+3+cmd|' /C calc'!A0" in cells and "-1+1" not in cells


def test_a_manager_of_another_community_cannot_read_the_non_public_ledger(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    pay(web, places.community, project, "1,000", cid="secret", payee="王小明", kind="individual")
    web.logout()
    web.login(actors.other_phone)
    b = base(places.community)
    page = web.get(f"/c/{places.community}/fund")
    assert page.status_code == 200 and "王小明" not in page.text and "待审核的支付" not in page.text
    for url in (f"{b}/lines", f"{b}/lines?figure=pending", f"{b}/ledger.csv", f"{b}/projects/{project}",
                f"{b}/projects/{project}?community_id={places.other_community}"):
        response = web.get(url)
        assert response.status_code == 403, url
        assert "王小明" not in response.text
    # Their own community's URLs with our ids find nothing.
    own = base(places.other_community)
    web.post_form(f"{own}/open", {"command_id": "their-open"})
    assert web.get(f"{own}/projects/{project}").status_code == 404
    assert "王小明" not in web.get(f"{own}/lines?project={project}").text


def test_a_manager_of_another_community_cannot_write_to_this_fund_however_the_form_is_edited(web, places, actors):
    project, payment_id = paid_once(web, places, actors, "1,000", cid="ours")
    app, c = web.services.app, places.community
    commitment = app.fund.commit(actors.maker, c, YEAR, project, "1,000", "合同")
    paid_id = app.fund.record_payment(actors.maker, c, YEAR, project, None, "100", "individual", "王小明",
                                      "2026-04-30", "用途", "FP-paid")
    app.fund.approve_payment(actors.checker, c, YEAR, paid_id)
    refund = app.fund.request_refund(actors.maker, c, YEAR, paid_id, "1", "退款")
    increase = app.fund.request_increase(actors.maker, c, YEAR, project, "1", "追加")
    erasure = app.fund.request_payee_erasure(actors.maker, c, YEAR, paid_id, "本人申请")
    web.services.runner.catch_up()
    version = fund(web, places.community).version
    web.logout()
    web.login(actors.other_phone)
    b, own = base(places.community), base(places.other_community)
    attempts = [
        (f"{b}/open", {}),
        (f"{b}/allocate", {"resolution_id": str(actors.resolution), "title": "x", "category": "other", "amount": "1"}),
        (f"{b}/projects/{project}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                          "paid_on": "2026-04-30", "description": "x", "receipt_ref": "x"}),
        (f"{b}/payments/{payment_id}/approve", {}),
        (f"{b}/payments/{payment_id}/reject", {"reason": "x"}),
        (f"{b}/payments/{paid_id}/refund", {"amount": "1", "reason": "x"}),
        (f"{b}/payments/{paid_id}/erasure", {"reason": "x"}),
        (f"{b}/projects/{project}/increase", {"amount": "1", "reason": "x"}),
        (f"{b}/refunds/{refund}/approve", {}),
        (f"{b}/refunds/{refund}/reject", {"reason": "x"}),
        (f"{b}/increases/{increase}/approve", {}),
        (f"{b}/increases/{increase}/reject", {"reason": "x"}),
        (f"{b}/erasures/{erasure}/approve", {}),
        (f"{b}/erasures/{erasure}/reject", {"reason": "x"}),
        (f"{b}/commitments/{commitment}/release", {"reason": "x"}),
        (f"{b}/close", {}),
        # hidden fields edited to point elsewhere, and an injected role
        (f"{b}/allocate", {"resolution_id": str(actors.resolution), "title": "x", "category": "other", "amount": "1",
                           "community_id": str(places.other_community), "role": "admin", "by": str(actors.maker)}),
    ]
    for url, data in attempts:
        response = web.post_form(url, {**data, "command_id": "attack-" + url})
        assert response.status_code == 403, (url, response.status_code)
    # Through their own community's URLs, naming our objects, they find nothing.
    web.post_form(f"{own}/allocate", {"resolution_id": str(actors.other_resolution), "title": "他们的", "category":
                                      "other", "amount": "100", "command_id": "theirs"})
    cross = [
        (f"{own}/projects/{project}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                            "paid_on": "2026-04-30", "description": "x", "receipt_ref": "x"}),
        (f"{own}/payments/{payment_id}/approve", {}),
        (f"{own}/payments/{paid_id}/refund", {"amount": "1", "reason": "x"}),
        (f"{own}/refunds/{refund}/approve", {}),
        (f"{own}/increases/{increase}/approve", {}),
        (f"{own}/erasures/{erasure}/approve", {}),
        (f"{own}/erasures/{erasure}/reject", {"reason": "x"}),
        (f"{own}/commitments/{commitment}/cancel", {"reason": "x"}),
        (f"{own}/allocate", {"resolution_id": str(actors.resolution), "title": "x", "category": "other",
                             "amount": "1"}),
    ]
    for url, data in cross:
        response = web.post_form(url, {**data, "command_id": "cross-" + url})
        assert response.status_code == 404, (url, response.status_code)
    assert fund(web, places.community).version == version
    assert app.sealer.keys.get(paid_id) is not None


def test_a_resident_sees_the_disclosure_but_not_the_ledger(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    pay(web, places.community, project, "1,000", cid="p")
    web.logout()
    _, phone = web_person(web, None, places.community, "王居民")
    web.login(phone)
    page = web.get(f"/c/{places.community}/fund").text
    assert "公示" in page and "待审核的支付" not in page and "/allocate" not in page
    assert web.get(f"{base(places.community)}/lines").status_code == 403
    assert web.post_form(f"{base(places.community)}/allocate", {
        "resolution_id": str(actors.resolution), "title": "x", "category": "other", "amount": "1",
        "command_id": "r"}).status_code == 403


def test_a_worker_and_the_street_official_read_the_ledger_but_cannot_write(web, places, actors):
    project, payment_id = paid_once(web, places, actors, "100", cid="ind", payee="王小明", kind="individual")
    web.logout()
    version = fund(web, places.community).version
    b = base(places.community)
    for role, scope in ((roles.WORKER, places.community), (roles.STREET_OFFICIAL, places.street),
                        (roles.DISTRICT_OFFICIAL, places.district)):
        _, phone = web_person(web, role, scope)
        web.login(phone)
        ledger = web.get(f"/c/{places.community}/fund").text
        assert "/lines?figure=allocated" in ledger and "待审核的支付" in ledger
        assert 'method="post"' not in ledger.split("</header>", 1)[-1].replace('action="/logout"', "")
        project_page = web.get(f"{b}/projects/{project}").text
        assert "hx-post" not in project_page and "/approve" not in project_page and "/erase" not in project_page
        assert web.get(f"{b}/ledger.csv").status_code == 200
        assert web.get(f"{b}/projects/{project}/available").status_code == 403
        for url, data in ((f"{b}/close", {}), (f"{b}/payments/{payment_id}/approve", {}),
                          (f"{b}/payments/{payment_id}/erase", {"reason": "x"}),
                          (f"{b}/projects/{project}/pay", {"amount": "1", "payee_kind": "organisation", "payee": "x",
                                                           "paid_on": "2026-04-30", "description": "x",
                                                           "receipt_ref": "x"})):
            response = web.post_form(url, {**data, "command_id": role + url}, headers=HX)
            assert response.status_code == 403, (role, url)
        web.logout()
    assert fund(web, places.community).version == version
    assert web.services.app.sealer.keys.get(payment_id) is not None


def test_the_street_view_shows_every_community_side_by_side_to_street_officials_only(web, places, actors):
    web.login(actors.maker_phone)
    allocate(web, places.community, actors.resolution, "50,000")
    web.logout()
    _, phone = web_person(web, roles.STREET_OFFICIAL, places.street)
    web.login(phone)
    page = web.get(f"/s/{places.street}/funds?year={YEAR}")
    assert page.status_code == 200
    assert "江苏路社区" in page.text and "颐和路社区" in page.text and "50,000.00" in page.text
    assert "未开启" in page.text and "200,000.00" in page.text
    web.logout()
    web.login(actors.maker_phone)
    assert web.get(f"/s/{places.street}/funds").status_code == 403
    assert web.get(f"/s/{places.community}/funds").status_code == 404
    assert web.get("/s/not-a-uuid/funds").status_code == 404


def test_a_closed_year_shows_its_unspent_balance_and_refuses_changes(web, places, actors, clock):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, "10,000")
    early = web.post_form(f"{base(places.community)}/close", {"command_id": "too-early"})
    assert early.status_code == 409 and "尚未结束" in early.text
    assert "/close" not in web.get(f"/c/{places.community}/fund").text  # no close form while the year runs
    clock.advance(days=250)  # 2027-01-06
    assert f"{base(places.community)}/close" in web.get(f"/c/{places.community}/fund?year={YEAR}").text
    assert web.post_form(f"{base(places.community)}/close", {"command_id": "close"}).status_code == 303
    page = web.get(f"/c/{places.community}/fund?year={YEAR}").text
    assert "已结账" in page and "200,000.00" in page and "/allocate" not in page
    response = pay(web, places.community, project, "1", cid="late")
    assert response.status_code == 409 and "已结账" in response.text


def test_the_fund_pages_have_english_text(web, places, actors):
    web.post_form("/lang", {"lang": "en", "next": "/"})
    page = web.get(f"{base(places.community)}/disclosure").text
    assert "Community fund" in page or "community fund" in page
    assert re.search(r"not (yet )?been opened|not opened", page)


def test_another_communitys_commitment_in_the_hidden_field_of_our_payment_form_finds_nothing(web, places, actors):
    app = web.services.app
    theirs = app.fund.allocate(actors.other, places.other_community, YEAR, actors.other_resolution, "他们的", "other", "500")
    their_commitment = app.fund.commit(actors.other, places.other_community, YEAR, theirs, "500", "他们的合同")
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    response = web.post_form(f"{base(places.community)}/projects/{project}/pay", {
        "amount": "100", "payee_kind": "organisation", "payee": "x", "paid_on": "2026-04-30", "description": "x",
        "receipt_ref": "x", "commitment_id": str(their_commitment), "command_id": "edited-hidden-field"})
    assert response.status_code == 404
    assert fund(web, places.community).pending == 0
    assert app.fund.year_fund(places.other_community, YEAR).committed == 50_000


@pytest.mark.parametrize("query", ["figure=available", "figure=budget&as_of=2026-05-01", "figure=nonsense",
                                   "project=not-a-uuid", "as_of=2026-02-30"])
def test_the_drill_down_page_answers_every_query_without_a_server_error(web, places, actors, query):
    web.login(actors.maker_phone)
    allocate(web, places.community, actors.resolution)
    response = web.get(f"{base(places.community)}/lines?{query}")
    assert response.status_code in (200, 404), response.text
    assert response.status_code == (404 if "not-a-uuid" in query else 200)


# --- htmx: the pending list and the payment form ----------------------------------------------------------
HX = {"HX-Request": "true"}


def test_approving_from_the_pending_list_with_htmx_swaps_the_card_and_the_figures_in_place(web, places, actors):
    _, payment_id = paid_once(web, places, actors, "1,500", cid="p1")
    web.logout()
    web.login(actors.checker_phone)
    ledger = web.get(f"/c/{places.community}/fund").text
    assert f'hx-post="{base(places.community)}/payments/{payment_id}/approve"' in ledger
    assert f'hx-target="#payment-{payment_id}"' in ledger and f'id="payment-{payment_id}"' in ledger
    response = web.post_form(f"{base(places.community)}/payments/{payment_id}/approve", {"command_id": "hx-ok"},
                             headers=HX)
    assert response.status_code == 200 and "<html" not in response.text
    assert response.text.lstrip().startswith(f'<li class="card fund-payment fund-payment-approved" id="payment-{payment_id}"')
    assert "已支付" in response.text and "/approve" not in response.text  # no buttons left for a decided payment
    assert 'id="fund-figures" hx-swap-oob="true"' in response.text and "¥1,500.00" in response.text
    assert 'id="fund-projects" hx-swap-oob="true"' in response.text
    assert fund(web, places.community).paid == 150_000
    # the same form again (a double click) has no second effect and still answers the card
    again = web.post_form(f"{base(places.community)}/payments/{payment_id}/approve", {"command_id": "hx-ok"},
                          headers=HX)
    assert again.status_code == 200 and fund(web, places.community).paid == 150_000


def test_rejecting_with_htmx_on_the_project_page_swaps_the_card_and_the_project_figures(web, places, actors):
    project, payment_id = paid_once(web, places, actors, "700", cid="p1")
    web.logout()
    web.login(actors.checker_phone)
    response = web.post_form(f"{base(places.community)}/payments/{payment_id}/reject",
                             {"command_id": "hx-no", "reason": "票据不全", "project_id": project}, headers=HX)
    assert response.status_code == 200 and "已退回" in response.text and "票据不全" in response.text
    assert 'id="project-figures" hx-swap-oob="true"' in response.text and "¥10,000.00" in response.text
    assert fund(web, places.community).pending == 0


def test_a_refused_htmx_approval_answers_a_4xx_alert_fragment_and_changes_nothing(web, places, actors):
    _, payment_id = paid_once(web, places, actors, "700", cid="p1")
    own = web.post_form(f"{base(places.community)}/payments/{payment_id}/approve", {"command_id": "self"}, headers=HX)
    assert own.status_code == 403 and 'role="alert"' in own.text and "不能审核自己录入的支付" in own.text
    assert "<html" not in own.text and fund(web, places.community).pending == 70_000


def test_without_javascript_approval_still_answers_303_to_the_page_it_came_from(web, places, actors):
    project, payment_id = paid_once(web, places, actors, "700", cid="p1")
    web.logout()
    web.login(actors.checker_phone)
    response = web.post_form(f"{base(places.community)}/payments/{payment_id}/approve",
                             {"command_id": "plain", "project_id": project})
    assert response.status_code == 303 and response.headers["location"].endswith(f"/projects/{project}")


def test_the_payment_form_shows_what_the_project_or_commitment_can_still_pay(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, "10,000")
    commitment = web.services.app.fund.commit(actors.maker, places.community, YEAR, project, "4,000", "合同")
    web.services.runner.catch_up()
    page = web.get(f"{base(places.community)}/projects/{project}").text
    assert 'id="pay-available"' in page and "项目可用：¥6,000.00" in page  # also without JavaScript
    url = f"{base(places.community)}/projects/{project}/available"
    assert f'hx-get="{url}"' in page
    assert "项目可用：¥6,000.00" in web.get(url).text
    assert "录入 ¥1,000.00 后剩余 ¥5,000.00" in web.get(url, params={"amount": "1,000"}).text
    too_much = web.get(url, params={"amount": "6000.01"}).text
    assert "超出可用余额" in too_much and 'class="fund-available error"' in too_much
    left = web.get(url, params={"commitment_id": str(commitment), "amount": "4000"}).text
    assert "该预留剩余：¥4,000.00" in left and "剩余 ¥0.00" in left
    assert "金额格式不正确" in web.get(url, params={"amount": "1e5"}).text
    for query in ({"commitment_id": "not-a-uuid"}, {"commitment_id": str(actors.resolution)}):
        assert web.get(url, params=query).status_code == 404
    assert web.get(f"{base(places.community)}/projects/{actors.resolution}/available").status_code == 404


def test_only_a_fund_manager_of_the_community_sees_the_available_amount_fragment(web, places, actors):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution)
    web.logout()
    url = f"{base(places.community)}/projects/{project}/available"
    assert web.get(url, follow_redirects=False).status_code == 303  # login first
    web.login(actors.other_phone)
    assert web.get(url).status_code == 403


# --- erasing an individual payee -----------------------------------------------------------------------------
def test_a_fund_manager_erases_an_individual_payee_from_pages_disclosure_and_csv_and_the_totals_stay(
        web, places, actors):
    project, payment_id = paid_once(web, places, actors, "1,200.50", cid="p-ind", payee="王小明", kind="individual")
    approve_as_checker(web, actors, places.community, payment_id)
    b = base(places.community)
    page = web.get(f"{b}/projects/{project}").text
    assert "王小明" in page and f"/payments/{payment_id}/erasure" in page  # paid: asked for, not done at once
    assert f'action="{b}/payments/{payment_id}/erase"' not in page
    refused = web.post_form(f"{b}/payments/{payment_id}/erasure", {"command_id": "e0", "reason": ""})
    assert refused.status_code == 422 and web.services.app.sealer.keys.get(payment_id) is not None
    at_once = web.post_form(f"{b}/payments/{payment_id}/erase", {"command_id": "e-once", "reason": "本人申请"})
    assert at_once.status_code == 409 and "须提出申请" in at_once.text
    asked = web.post_form(f"{b}/payments/{payment_id}/erasure", {"command_id": "e1", "reason": "本人依法申请删除",
                                                                  "project_id": project}, headers=HX)
    assert asked.status_code == 200 and "删除收款人信息的申请等待另一位资金管理员审核" in asked.text
    assert web.services.app.sealer.keys.get(payment_id) is not None
    erasure = waiting_request(web, places.community, "erasure")
    own = web.post_form(f"{b}/erasures/{erasure}/approve", {"command_id": "e-self", "project_id": project}, headers=HX)
    assert own.status_code == 403 and web.services.app.sealer.keys.get(payment_id) is not None
    as_(web, actors.maker_phone)
    response = web.post_form(f"{b}/erasures/{erasure}/approve", {"command_id": "e2", "project_id": project},
                             headers=HX)
    assert response.status_code == 200 and "（已删除）" in response.text and "/erase" not in response.text
    assert f'id="payment-{payment_id}" hx-swap-oob="true"' in response.text  # the payment's card, out of band
    assert web.services.app.sealer.keys.get(payment_id) is None
    csv_text = web.get(f"{b}/ledger.csv").content.decode("utf-8-sig")
    for text in (web.get(f"{b}/projects/{project}").text, web.get(f"/c/{places.community}/fund").text,
                 web.get(f"{b}/disclosure").text, web.get(f"{b}/lines").text, csv_text):
        assert "王小明" not in text and "王**" not in text
    assert "1,200.50" in csv_text and "删除收款人信息" in csv_text and "本人依法申请删除" in csv_text
    assert "1,200.50" in web.get(f"{b}/disclosure").text
    assert fund(web, places.community).paid == 120_050


def test_an_organisation_payee_has_no_erase_form_and_the_erase_action_refuses_it(web, places, actors):
    project, payment_id = paid_once(web, places, actors, "100", cid="p-org")
    b = base(places.community)
    assert "/erase" not in web.get(f"{b}/projects/{project}").text
    response = web.post_form(f"{b}/payments/{payment_id}/erase", {"command_id": "e", "reason": "x"})
    assert response.status_code == 409 and "单位名称须公示" in response.text


def test_a_worker_or_another_communitys_manager_cannot_erase_a_payee(web, places, actors):
    _, payment_id = paid_once(web, places, actors, "100", cid="p-ind", payee="王小明", kind="individual")
    web.logout()
    _, worker_phone = web_person(web, roles.WORKER, places.community)
    for phone in (worker_phone, actors.other_phone):
        web.login(phone)
        page = web.get(f"/c/{places.community}/fund").text
        assert "/erase" not in page
        for url in (f"{base(places.community)}/payments/{payment_id}/erase",
                    f"{base(places.other_community)}/payments/{payment_id}/erase"):
            response = web.post_form(url, {"command_id": "e-" + phone + url, "reason": "x"})
            assert response.status_code in (403, 404), (phone, url, response.status_code)
        web.logout()
    assert web.services.app.sealer.keys.get(payment_id) is not None


def test_the_csv_as_of_an_earlier_day_lists_only_payments_made_by_then(web, places, actors, clock):
    web.login(actors.maker_phone)
    project = allocate(web, places.community, actors.resolution, "10,000")
    clock.advance(days=40)  # 2026-06-10
    pay(web, places.community, project, "2,500", cid="june", payee="六月才付款的公司")
    then = web.get(f"{base(places.community)}/ledger.csv?as_of=2026-05-31").content.decode("utf-8-sig")
    now = web.get(f"{base(places.community)}/ledger.csv").content.decode("utf-8-sig")
    assert "六月才付款的公司" in now and "六月才付款的公司" not in then and "2,500.00" not in then
