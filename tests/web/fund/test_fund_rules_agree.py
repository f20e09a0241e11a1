"""A button shown is a command accepted: for each fund rule that shows or hides a button, a state where the page
shows it and the POST is accepted, and a state where the page hides it and the same POST, sent anyway, is refused
with a 4xx and records nothing."""
from __future__ import annotations

import itertools

import pytest

from domain.kernel import roles
from tests.builders import web_person
from tests.domain.builders import YEAR, make_resolution


class World:
    """Two fund managers (maker and checker), a worker and a resident of the community, a passed resolution and a
    project of ¥10,000 in this year's fund."""

    def __init__(self, web, places):
        app = web.services.app
        self.web, self.places = web, places
        self.maker, self.maker_phone = web_person(web, roles.FUND_MANAGER, places.community, "赵会计")
        self.checker, self.checker_phone = web_person(web, roles.FUND_MANAGER, places.community, "钱出纳")
        self.worker, self.worker_phone = web_person(web, roles.WORKER, places.community, "李社工")
        self.resident, self.resident_phone = web_person(web, None, places.community, "王居民")
        self.resolution = make_resolution(app, places.community, "为高龄老人加装楼道扶手")
        self.project = app.fund.allocate(self.maker, places.community, YEAR, self.resolution, "楼道扶手", "elderly",
                                         "10,000")
        web.services.runner.catch_up()
        self.base = f"/c/{places.community}/fund/{YEAR}"
        self.project_url = f"{self.base}/projects/{self.project}"

    @property
    def app(self):
        return self.web.services.app

    def fund(self, year=YEAR):
        return self.app.fund.year_fund(self.places.community, year)

    def version(self) -> int:
        return self.fund().version

    receipts = itertools.count(1)

    def payment(self, amount="1,000", kind="organisation", payee="南京安居装修有限公司", approved=False):
        payment_id = self.app.fund.record_payment(self.maker, self.places.community, YEAR, self.project, None, amount,
                                                  kind, payee, "2026-04-30", "扶手材料", f"FP-{next(self.receipts)}")
        if approved:
            self.app.fund.approve_payment(self.checker, self.places.community, YEAR, payment_id)
        self.web.services.runner.catch_up()
        return payment_id

    def refund(self, payment, amount="400", by=None):
        refund_id = self.app.fund.request_refund(by or self.maker, self.places.community, YEAR, payment, amount, "退货")
        self.web.services.runner.catch_up()
        return refund_id

    def increase(self, amount="500", by=None):
        increase_id = self.app.fund.request_increase(by or self.maker, self.places.community, YEAR, self.project,
                                                     amount, "材料涨价")
        self.web.services.runner.catch_up()
        return increase_id

    def erasure(self, payment, by=None):
        erasure_id = self.app.fund.request_payee_erasure(by or self.maker, self.places.community, YEAR, payment,
                                                         "本人申请")
        self.web.services.runner.catch_up()
        return erasure_id

    def commitment(self, amount="2,000"):
        commitment_id = self.app.fund.commit(self.maker, self.places.community, YEAR, self.project, amount, "安装合同")
        self.web.services.runner.catch_up()
        return commitment_id

    def as_(self, phone):
        self.web.logout()
        self.web.login(phone)

    def page(self, url=None) -> str:
        response = self.web.get(url or self.project_url)
        assert response.status_code == 200, response.text
        return response.text

    def post(self, url, data=None, command_id="c1", **kw):
        return self.web.post_form(url, {**(data or {}), "command_id": command_id}, **kw)


@pytest.fixture
def world(web, places):
    return World(web, places)


def shows(page: str, url: str) -> bool:
    """The page holds a form that posts to `url`."""
    return f'action="{url}"' in page


def assert_refused(world, response, version, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, response.text
    assert world.version() == version


# --- may_manage_fund: open the year -------------------------------------------------------------------------------
def test_a_fund_manager_sees_the_open_year_button_and_opening_is_accepted(world):
    world.web.login(world.maker_phone)
    url = f"/c/{world.places.community}/fund/{YEAR + 1}/open"
    assert shows(world.page(f"/c/{world.places.community}/fund?year={YEAR + 1}"), url)
    assert world.post(url).status_code == 303
    assert world.fund(YEAR + 1) is not None


def test_a_worker_sees_no_open_year_button_and_opening_sent_anyway_is_refused(world):
    world.web.login(world.worker_phone)
    url = f"/c/{world.places.community}/fund/{YEAR + 1}/open"
    assert not shows(world.page(f"/c/{world.places.community}/fund?year={YEAR + 1}"), url)
    assert world.post(url).status_code == 403
    assert world.fund(YEAR + 1) is None


# --- may_change_money: the allocation form, only while the year is not closed --------------------------------------
def test_the_allocation_form_shows_in_an_open_year_and_allocating_is_accepted(world):
    world.web.login(world.maker_phone)
    url = f"{world.base}/allocate"
    assert shows(world.page(f"/c/{world.places.community}/fund?year={YEAR}"), url)
    response = world.post(url, {"resolution_id": str(world.resolution), "title": "楼道照明", "category": "safety",
                                "amount": "500"})
    assert response.status_code == 303
    assert world.fund().allocated == 1_050_000


def test_a_closed_year_hides_every_money_form_and_an_allocation_sent_anyway_is_refused(world, clock):
    payment = world.payment(approved=True)
    clock.advance(days=250)  # 2027-01-06
    world.app.fund.close_year(world.maker, world.places.community, YEAR)
    world.web.services.runner.catch_up()
    world.web.login(world.maker_phone)
    ledger, project = world.page(f"/c/{world.places.community}/fund?year={YEAR}"), world.page()
    assert not shows(ledger, f"{world.base}/allocate") and not shows(ledger, f"{world.base}/close")
    for url in ("pay", "commit", "increase", "reduce"):
        assert not shows(project, f"{world.project_url}/{url}")
    assert not shows(project, f"{world.base}/payments/{payment}/refund")
    version = world.version()
    response = world.post(f"{world.base}/allocate", {"resolution_id": str(world.resolution), "title": "x",
                                                     "category": "other", "amount": "1"})
    assert_refused(world, response, version, 409)
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/refund", {"amount": "1", "reason": "退货"},
                                     command_id="c2"), version, 409)


# --- may_check_payment: maker ≠ checker ---------------------------------------------------------------------------
def test_the_checker_sees_approve_and_reject_and_approving_is_accepted(world):
    payment = world.payment()
    world.web.login(world.checker_phone)
    page = world.page()
    assert shows(page, f"{world.base}/payments/{payment}/approve") and shows(page, f"{world.base}/payments/{payment}/reject")
    assert world.post(f"{world.base}/payments/{payment}/approve", {"project_id": str(world.project)}).status_code == 303
    assert world.fund().paid == 100_000


@pytest.mark.parametrize("hx", [False, True])
def test_the_maker_sees_no_approve_or_reject_and_both_sent_anyway_are_refused(world, hx):
    payment = world.payment()
    world.web.login(world.maker_phone)
    page = world.page()
    assert not shows(page, f"{world.base}/payments/{payment}/approve")
    assert not shows(page, f"{world.base}/payments/{payment}/reject")
    version = world.version()
    headers = {"HX-Request": "true"} if hx else {}
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/approve", headers=headers), version, 403)
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/reject", {"reason": "票据不全"},
                                     command_id="c2", headers=headers), version, 403)


# --- may_withdraw_payment: only the maker withdraws -----------------------------------------------------------------
def test_the_maker_sees_withdraw_and_withdrawing_is_accepted(world):
    payment = world.payment()
    world.web.login(world.maker_phone)
    assert shows(world.page(), f"{world.base}/payments/{payment}/void")
    assert world.post(f"{world.base}/payments/{payment}/void", {"reason": "录错金额"}).status_code == 303
    assert world.fund().pending == 0


def test_the_checker_sees_no_withdraw_and_withdrawing_sent_anyway_is_refused(world):
    payment = world.payment()
    world.web.login(world.checker_phone)
    assert not shows(world.page(), f"{world.base}/payments/{payment}/void")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/void", {"reason": "x"}), version, 403)


# --- may_request_refund: an approved payment not yet wholly refunded, no refund already waiting ------------------
def test_an_approved_payment_shows_the_refund_form_and_asking_for_a_refund_is_accepted_but_moves_nothing(world):
    payment = world.payment(approved=True)
    world.web.login(world.maker_phone)
    assert shows(world.page(), f"{world.base}/payments/{payment}/refund")
    response = world.post(f"{world.base}/payments/{payment}/refund", {"amount": "400", "reason": "退货"})
    assert response.status_code == 303
    f = world.fund()
    assert f.paid == 100_000 and [r["status"] for r in f.requests.values()] == ["requested"]


def test_a_pending_wholly_refunded_or_already_asked_payment_hides_the_refund_form_and_asking_anyway_is_refused(world):
    pending = world.payment()
    refunded = world.payment(amount="500", approved=True)
    world.app.fund.approve_refund(world.checker, world.places.community, YEAR, world.refund(refunded, "500"))
    asked = world.payment(amount="300", approved=True)
    world.refund(asked, "100")
    world.web.services.runner.catch_up()
    world.web.login(world.maker_phone)
    page = world.page()
    version = world.version()
    for payment in (pending, refunded, asked):
        assert not shows(page, f"{world.base}/payments/{payment}/refund")
        response = world.post(f"{world.base}/payments/{payment}/refund", {"amount": "1", "reason": "x"},
                              command_id=f"r{payment.hex}")
        assert_refused(world, response, version)


# --- may_check_request: a refund, an increase or an erasure is decided by a manager other than who asked -------------
@pytest.mark.parametrize("kind", ["refund", "increase", "erasure"])
def test_the_second_manager_sees_approve_and_reject_on_the_ledger_and_the_project_and_approving_is_accepted(world,
                                                                                                          kind):
    payment = world.payment(kind="individual", payee="王小明", approved=True)
    request_id = {"refund": lambda: world.refund(payment), "increase": world.increase,
                  "erasure": lambda: world.erasure(payment)}[kind]()
    path = {"refund": "refunds", "increase": "increases", "erasure": "erasures"}[kind]
    world.web.login(world.checker_phone)
    for page in (world.page(f"/c/{world.places.community}/fund?year={YEAR}"), world.page()):
        assert shows(page, f"{world.base}/{path}/{request_id}/approve")
        assert shows(page, f"{world.base}/{path}/{request_id}/reject")
    response = world.post(f"{world.base}/{path}/{request_id}/approve", {"project_id": str(world.project)})
    assert response.status_code == 303 and response.headers["location"] == world.project_url
    f = world.fund()
    assert f.requests[str(request_id)]["status"] == "approved"
    assert (f.paid, f.allocated, world.app.sealer.keys.get(payment) is None) == {
        "refund": (60_000, 1_000_000, False), "increase": (100_000, 1_050_000, False),
        "erasure": (100_000, 1_000_000, True)}[kind]


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize("kind", ["refund", "increase", "erasure"])
def test_who_asked_sees_no_approve_or_reject_and_both_sent_anyway_are_refused(world, kind, hx):
    payment = world.payment(kind="individual", payee="王小明", approved=True)
    request_id = {"refund": lambda: world.refund(payment), "increase": world.increase,
                  "erasure": lambda: world.erasure(payment)}[kind]()
    path = {"refund": "refunds", "increase": "increases", "erasure": "erasures"}[kind]
    world.web.login(world.maker_phone)
    for page in (world.page(f"/c/{world.places.community}/fund?year={YEAR}"), world.page()):
        assert not shows(page, f"{world.base}/{path}/{request_id}/approve")
        assert not shows(page, f"{world.base}/{path}/{request_id}/reject")
        assert "这是您提出的申请，须由另一位资金管理员审核。" in page
    version = world.version()
    headers = {"HX-Request": "true"} if hx else {}
    assert_refused(world, world.post(f"{world.base}/{path}/{request_id}/approve", headers=headers), version, 403)
    assert_refused(world, world.post(f"{world.base}/{path}/{request_id}/reject", {"reason": "x"}, command_id="c2",
                                     headers=headers), version, 403)
    assert world.app.sealer.keys.get(payment) is not None


def test_a_decided_request_shows_no_buttons_and_deciding_it_again_is_refused(world):
    payment = world.payment(approved=True)
    refund = world.refund(payment)
    world.app.fund.reject_refund(world.checker, world.places.community, YEAR, refund, "未退款")
    world.web.services.runner.catch_up()
    world.web.login(world.checker_phone)
    page = world.page()
    assert "未退款" in page and not shows(page, f"{world.base}/refunds/{refund}/approve")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/refunds/{refund}/approve"), version, 409)


def test_a_worker_sees_no_decision_buttons_and_a_decision_sent_anyway_is_refused(world):
    refund = world.refund(world.payment(approved=True))
    world.web.login(world.worker_phone)
    page = world.page(f"/c/{world.places.community}/fund?year={YEAR}")
    assert "待审核的申请" in page and not shows(page, f"{world.base}/refunds/{refund}/approve")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/refunds/{refund}/approve"), version, 403)


def test_in_a_closed_year_an_erasure_is_still_asked_for_and_decided_from_the_page(world, clock):
    payment = world.payment(kind="individual", payee="王小明", approved=True)
    clock.advance(days=250)  # 2027-01-06
    world.app.fund.close_year(world.maker, world.places.community, YEAR)
    world.web.services.runner.catch_up()
    world.web.login(world.maker_phone)
    assert shows(world.page(), f"{world.base}/payments/{payment}/erasure")
    assert world.post(f"{world.base}/payments/{payment}/erasure", {"reason": "本人申请"}).status_code == 303
    [erasure] = world.fund().requests
    world.as_(world.checker_phone)
    ledger = world.page(f"/c/{world.places.community}/fund?year={YEAR}")
    assert shows(ledger, f"{world.base}/erasures/{erasure}/approve")
    assert world.post(f"{world.base}/erasures/{erasure}/approve", command_id="c2").status_code == 303
    assert world.app.sealer.keys.get(payment) is None and world.fund().closed


# --- may_request_increase: a fund manager, the year open, no increase already waiting --------------------------------
def test_the_increase_form_shows_and_asking_is_accepted_but_moves_nothing(world):
    world.web.login(world.maker_phone)
    assert shows(world.page(), f"{world.project_url}/increase")
    assert world.post(f"{world.project_url}/increase", {"amount": "500", "reason": "材料涨价"}).status_code == 303
    f = world.fund()
    assert f.allocated == 1_000_000 and [r["kind"] for r in f.requests.values()] == ["increase"]


def test_a_waiting_increase_hides_the_increase_form_and_asking_again_is_refused(world):
    world.increase()
    world.web.login(world.checker_phone)
    page = world.page()
    assert not shows(page, f"{world.project_url}/increase") and "该项目已有一笔追加申请等待审核。" in page
    assert shows(page, f"{world.project_url}/reduce")
    version = world.version()
    assert_refused(world, world.post(f"{world.project_url}/increase", {"amount": "1", "reason": "x"}), version, 409)


# --- may_erase_payee and may_request_payee_erasure: at once if never paid, else asked for --------------------------
def test_an_unpaid_individual_payee_shows_the_erase_form_and_erasing_is_accepted(world):
    payment = world.payment(kind="individual", payee="王小明")
    world.web.login(world.checker_phone)
    page = world.page()
    assert shows(page, f"{world.base}/payments/{payment}/erase")
    assert not shows(page, f"{world.base}/payments/{payment}/erasure")
    assert world.post(f"{world.base}/payments/{payment}/erase", {"reason": "本人申请"}).status_code == 303
    assert world.app.sealer.keys.get(payment) is None


def test_an_organisation_or_an_erased_payee_hides_the_erase_form_and_erasing_sent_anyway_is_refused(world):
    organisation = world.payment()
    erased = world.payment(kind="individual", payee="王小明")
    world.app.fund.erase_payee(world.maker, world.places.community, YEAR, erased, "本人申请")
    world.web.services.runner.catch_up()
    world.web.login(world.maker_phone)
    page = world.page()
    version = world.version()
    for payment in (organisation, erased):
        for action in ("erase", "erasure"):
            assert not shows(page, f"{world.base}/payments/{payment}/{action}")
            response = world.post(f"{world.base}/payments/{payment}/{action}", {"reason": "x"},
                                  command_id=f"{action}{payment.hex}")
            assert_refused(world, response, version, 409)


def test_a_paid_individual_payee_shows_only_the_request_form_and_erasing_at_once_is_refused(world):
    payment = world.payment(kind="individual", payee="王小明", approved=True)
    world.web.login(world.maker_phone)
    page = world.page()
    assert shows(page, f"{world.base}/payments/{payment}/erasure")
    assert not shows(page, f"{world.base}/payments/{payment}/erase")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/erase", {"reason": "本人申请"}), version, 409)
    assert world.app.sealer.keys.get(payment) is not None
    assert world.post(f"{world.base}/payments/{payment}/erasure", {"reason": "本人申请"},
                      command_id="ask").status_code == 303
    assert world.app.sealer.keys.get(payment) is not None and world.version() == version + 1


def test_a_waiting_erasure_hides_the_request_form_and_asking_again_is_refused(world):
    payment = world.payment(kind="individual", payee="王小明", approved=True)
    world.erasure(payment)
    world.web.login(world.checker_phone)
    page = world.page()
    assert not shows(page, f"{world.base}/payments/{payment}/erasure")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/erasure", {"reason": "x"}), version, 409)


def test_a_worker_sees_no_erase_form_and_erasing_sent_anyway_is_refused(world):
    payment = world.payment(kind="individual", payee="王小明")
    paid = world.payment(kind="individual", payee="李小红", approved=True)
    world.web.login(world.worker_phone)
    page = world.page()
    assert not shows(page, f"{world.base}/payments/{payment}/erase")
    assert not shows(page, f"{world.base}/payments/{paid}/erasure")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/erase", {"reason": "x"}), version, 403)
    assert_refused(world, world.post(f"{world.base}/payments/{paid}/erasure", {"reason": "x"}, command_id="c2"),
                   version, 403)
    assert world.app.sealer.keys.get(payment) is not None


# --- may_approve_payment: not once the payee of a pending payment is erased --------------------------------------
def test_a_pending_payment_whose_payee_was_erased_shows_reject_but_not_approve_and_approving_anyway_is_refused(world):
    payment = world.payment(kind="individual", payee="王小明")
    world.app.fund.erase_payee(world.maker, world.places.community, YEAR, payment, "本人申请")
    world.web.services.runner.catch_up()
    world.web.login(world.checker_phone)
    page = world.page()
    assert not shows(page, f"{world.base}/payments/{payment}/approve")
    assert shows(page, f"{world.base}/payments/{payment}/reject")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/payments/{payment}/approve"), version, 409)
    assert world.post(f"{world.base}/payments/{payment}/reject", {"reason": "收款人已删除"},
                      command_id="c2").status_code == 303


# --- commitment_is_open: release and cancel ------------------------------------------------------------------------
def test_an_open_commitment_shows_release_and_cancel_and_cancelling_is_accepted(world):
    commitment = world.commitment()
    world.web.login(world.maker_phone)
    page = world.page()
    assert shows(page, f"{world.base}/commitments/{commitment}/release")
    assert shows(page, f"{world.base}/commitments/{commitment}/cancel")
    response = world.post(f"{world.base}/commitments/{commitment}/cancel", {"reason": "合同取消",
                                                                           "project_id": str(world.project)})
    assert response.status_code == 303 and response.headers["location"] == world.project_url
    assert world.fund().committed == 0


def test_an_ended_commitment_hides_release_and_cancel_and_both_sent_anyway_are_refused(world):
    commitment = world.commitment()
    world.app.fund.release_commitment(world.maker, world.places.community, YEAR, commitment, "合同完成")
    world.web.services.runner.catch_up()
    world.web.login(world.maker_phone)
    page = world.page()
    version = world.version()
    for action in ("release", "cancel"):
        assert not shows(page, f"{world.base}/commitments/{commitment}/{action}")
        response = world.post(f"{world.base}/commitments/{commitment}/{action}", {"reason": "x"}, command_id=action)
        assert_refused(world, response, version, 409)


# --- may_close_year: only once the year is over --------------------------------------------------------------------
def test_after_the_year_the_close_form_shows_and_closing_is_accepted(world, clock):
    clock.advance(days=250)  # 2027-01-06
    world.web.login(world.maker_phone)
    assert shows(world.page(f"/c/{world.places.community}/fund?year={YEAR}"), f"{world.base}/close")
    assert world.post(f"{world.base}/close").status_code == 303
    assert world.fund().closed


def test_during_the_year_the_close_form_is_hidden_and_closing_sent_anyway_is_refused(world):
    world.web.login(world.maker_phone)
    assert not shows(world.page(f"/c/{world.places.community}/fund?year={YEAR}"), f"{world.base}/close")
    version = world.version()
    assert_refused(world, world.post(f"{world.base}/close"), version, 409)
    assert not world.fund().closed


# --- may_read_ledger and may_see_street_funds: what a link opens ----------------------------------------------------
def test_staff_get_the_ledger_links_and_a_resident_gets_neither_links_nor_the_pages(world):
    world.web.login(world.worker_phone)
    ledger = world.page(f"/c/{world.places.community}/fund")
    assert f'href="{world.base}/lines' in ledger and f'href="{world.base}/ledger.csv' in ledger
    assert world.web.get(f"{world.base}/lines").status_code == 200
    world.as_(world.resident_phone)
    disclosure = world.page(f"/c/{world.places.community}/fund")
    assert f"{world.base}/lines" not in disclosure and "ledger.csv" not in disclosure and "进入资金台账" not in disclosure
    for url in (f"{world.base}/lines", f"{world.base}/ledger.csv", world.project_url):
        assert world.web.get(url).status_code == 403


def test_the_street_funds_link_and_page_open_to_the_same_people(world):
    street = world.places.street
    _, official_phone = web_person(world.web, roles.STREET_OFFICIAL, street)
    _, district_phone = web_person(world.web, roles.DISTRICT_OFFICIAL, world.places.district)
    for phone, allowed in ((official_phone, True), (district_phone, True), (world.maker_phone, False),
                           (world.worker_phone, False)):
        world.web.login(phone)
        assert (f'href="/s/{street}/funds"' in world.page("/")) is allowed, phone
        assert world.web.get(f"/s/{street}/funds").status_code == (200 if allowed else 403), phone
        world.web.logout()
