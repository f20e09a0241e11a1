"""Every main page "as of" a moment (`?as_of=`), over real HTTP against a real `linli serve`: the community overview,
the roundtable's index, a meeting and a resolution, an action day and the hours table, the fund's ledger and its
public disclosure, and a grant call's pool. One server for the module: a history is recorded up to a whole minute T,
more after it, and each page as of T must show the earlier state (and not the later), the banner with the stamp of
the record it was drawn from, and no actions; without `?as_of=` the same page shows now. Figures link to the events
behind them (`/record/…`, each with its chain digest); `/how-to-verify` offers the verifier itself."""
from __future__ import annotations

import html as htmlib
import json
import re
import time
from datetime import datetime, timedelta, timezone
from itertools import count
from uuid import UUID

import httpx
import pytest

from domain.accounts.model import Account, Community, Street
from domain.kernel.time import SHANGHAI
from projections import volunteer as volunteer_views
from tests.builders import LiveServer, ROOT, command_id, csrf_from, wait_for_views
from tests.domain.grants.builders import CODE_A, CRITERIA, GOOD, NOTES, TRANCHES, person
from web.demo import DEMO_PASSWORD

COMMUNITY = Community.id_for("320106001001")   # the demo's 江苏路社区（演示）
STREET = Street.id_for("320106001")
RESIDENT, WORKER, MAKER, CHECKER, STREET_OFFICIAL, DISTRICT_OFFICIAL = (f"1380000000{i}" for i in range(1, 7))
TALLY = ("VoteCast", "VoteRecorded", "ProxyVoteCast", "HandsCounted", "MotionClosed")
HOURS = ("CheckedIn", "CheckedOut", "HoursCorrected", "WalkedIn")
_addresses = count(1)


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


class Browser:
    """An httpx client from an address of its own (through the server's trusted proxy), logged in or not."""

    def __init__(self, server: LiveServer, phone: str | None = None) -> None:
        self.client = httpx.Client(base_url=server.url, timeout=60, limits=httpx.Limits(max_keepalive_connections=0),
                                   headers={"X-Forwarded-For": f"10.77.{next(_addresses)}.1"})
        self.token = csrf_from(self.client.get("/login").text)
        if phone:
            done = self.client.post("/login", data={"csrf_token": self.token, "phone": phone,
                                                    "password": DEMO_PASSWORD, "next": "/"})
            assert done.status_code == 303, done.text
            self.token = csrf_from(self.client.get("/login").text)

    def get(self, path: str, **params) -> httpx.Response:
        return self.client.get(path, params=params or None)

    def post(self, path: str, data: dict | None = None, expect: int = 303) -> httpx.Response:
        response = self.client.post(path, data={"csrf_token": self.token, "command_id": command_id(), **(data or {})})
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text[:2000]}"
        return response


def main_of(page: str) -> str:
    """The page's <main> (the header's logout, language and elder-mode forms are on every page)."""
    return page[page.index("<main"):page.index("</main>")]


WRITES = re.compile(r'<(\w+)\b[^>]*(?:method="post"|\bhx-(?:post|put|patch|delete)=)[^>]*>', re.IGNORECASE)
FROZEN = '<fieldset class="as-of-frozen" disabled>'


def actions_in(page: str) -> list[str]:
    """Every element of the page's content that sends a change: POST forms and htmx requests that write."""
    return [m.group(0) for m in WRITES.finditer(main_of(page))]


def live_actions_in(page: str) -> list[str]:
    """Those a reader can still use: any outside the page's disabled fieldset, and any on an element a disabled
    fieldset does not disable (only forms and their controls are)."""
    main = main_of(page)
    start, end = main.find(FROZEN), main.rfind("</fieldset>")
    return [m.group(0) for m in WRITES.finditer(main)
            if not (start != -1 and start < m.start() < end) or m.group(1).lower() not in ("form", "button", "input")]


def text_of(page: str) -> str:
    """The page's <main> as text (tags gone, entities decoded, spaces squeezed)."""
    return re.sub(r"\s+", " ", htmlib.unescape(re.sub(r"<[^>]+>", " ", main_of(page))))


def figure(page: str, css_class: str) -> str:
    """The text of the element carrying `css_class` (a figure such as `fund-figure-paid`)."""
    match = re.search(rf'class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</div>', page, flags=re.DOTALL)
    assert match, f"no {css_class} on the page"
    return re.sub(r"\s+", " ", htmlib.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def plain(value) -> str:
    """A stored field as text (an id is stored as `{"_type_": "uuid_hex", "_data_": hex}`)."""
    if isinstance(value, dict) and value.get("_type_") == "uuid_hex":
        return str(UUID(hex=value["_data_"]))
    return str(value)


class World:
    """The demo community with a recorded history: everything `before()` makes happens before the whole minute T,
    everything `after()` makes after it."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.svc = server.services()
        app = self.svc.app
        self.ids = {phone: Account.id_for(app.phone_key(phone))
                    for phone in (RESIDENT, WORKER, MAKER, CHECKER, STREET_OFFICIAL, DISTRICT_OFFICIAL)}
        self.worker, self.resident = Browser(server, WORKER), Browser(server, RESIDENT)
        self.maker, self.checker = Browser(server, MAKER), Browser(server, CHECKER)
        self.official = Browser(server, STREET_OFFICIAL)
        self.year = datetime.now(SHANGHAI).year
        self.base = f"/c/{COMMUNITY}"
        self.fund = f"{self.base}/fund/{self.year}"

    # --- before T ------------------------------------------------------------------------------------------
    def before(self) -> None:
        now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
        self._meeting(now)
        self._fund_before()
        self._volunteer_before(now)
        self._grants_before(now)
        wait_for_views(self.server)

    def schedule(self, title: str, purpose: str, starts: datetime, deadline: timedelta) -> str:
        """The worker schedules an in-person meeting of two hours through the form; its id."""
        response = self.worker.post(f"{self.base}/roundtable/new", {
            "title": title, "purpose": purpose, "starts_at": local(starts),
            "ends_at": local(starts + timedelta(hours=2)), "place": "社区活动室", "mode": "in_person",
            "capacity": "20", "registration_deadline": local(starts - deadline), "voting_rule": "simple",
            "quorum_percent": "50"})
        return response.headers["location"].rsplit("/", 1)[1]

    def _meeting(self, now: datetime) -> None:
        self.meeting = self.schedule("楼道改造议事会", "讨论楼道扶手与粉刷", now + timedelta(hours=1),
                                     timedelta(minutes=10))
        m = self.m = f"{self.base}/roundtable/{self.meeting}"
        self.resident.post(f"{m}/agenda", {"title": "加装楼道扶手", "description": "3 号楼"})
        self.resident.post(f"{m}/agenda", {"title": "粉刷楼道", "description": "5 号楼"})
        for item in ("1", "2"):
            self.worker.post(f"{m}/agenda/{item}/accept", {"planned_minutes": "20"})
        for phone in (RESIDENT, MAKER, CHECKER):
            self.worker.post(f"{m}/check-in", {"account_id": str(self.ids[phone])})
        self.worker.post(f"{m}/open")
        self.worker.post(f"{m}/motions", {"item_id": "1", "amount": "15,000", "category": "elderly"})
        self.resident.post(f"{m}/motions/1/vote", {"choice": "for"})
        self.worker.post(f"{m}/motions/1/record", {"voter_id": str(self.ids[MAKER]), "choice": "for"})
        self.worker.post(f"{m}/motions/1/record", {"voter_id": str(self.ids[CHECKER]), "choice": "against"})
        self.worker.post(f"{m}/motions/1/close")
        page = self.worker.get(m).text
        [self.resolution] = set(re.findall(r"/roundtable/resolutions/([0-9a-f-]{36})", page))
        self.r = f"{self.base}/roundtable/resolutions/{self.resolution}"

    def _fund_before(self) -> None:
        self.maker.post(f"{self.fund}/open")
        allocated = self.maker.post(f"{self.fund}/allocate", {
            "resolution_id": self.resolution, "title": "楼道扶手", "category": "elderly", "amount": "10,000"})
        self.project = allocated.headers["location"].rsplit("/", 1)[1]
        self._payment("1,000", "FP-BEFORE")

    def _payment(self, amount: str, receipt: str) -> None:
        known = set(self.svc.app.fund.year_fund(COMMUNITY, self.year).payments)
        self.maker.post(f"{self.fund}/projects/{self.project}/pay", {
            "amount": amount, "payee_kind": "organisation", "payee": "南京安居装修有限公司",
            "paid_on": datetime.now(SHANGHAI).date().isoformat(), "description": "扶手材料", "receipt_ref": receipt})
        [payment] = set(self.svc.app.fund.year_fund(COMMUNITY, self.year).payments) - known
        self.checker.post(f"{self.fund}/payments/{payment}/approve")

    def _volunteer_before(self, now: datetime) -> None:
        starts = now + timedelta(minutes=20)
        made = self.worker.post(f"{self.base}/volunteer/days", {
            "title": "楼道清洁日", "date": starts.date().isoformat(), "description": "清理楼道杂物", "cutoff_hours": "0"})
        self.day = made.headers["location"].rsplit("/", 1)[1]
        self.d = f"{self.base}/volunteer/days/{self.day}"
        self.worker.post(f"{self.d}/shifts", {"task": "清理杂物", "place": "3 号楼", "starts_at": local(starts),
                                              "ends_at": local(starts + timedelta(hours=2)), "places": "3",
                                              "min_age": ""})
        wait_for_views(self.server)
        [shift] = volunteer_views.shifts(self.svc.views, self.day)
        self.shift = f"{self.d}/shifts/{shift['id']}"
        self.resident.post(f"{self.shift}/signup")
        self.worker.post(f"{self.shift}/correct/{self.ids[RESIDENT]}", {"hours": "1.5", "reason": "现场清理"})

    def _grants_before(self, now: datetime) -> None:
        app = self.svc.app
        member, _ = person(app, "郑会长")
        reviewers = [person(app, "评审甲"), person(app, "评审乙")]
        org = app.grants.register_organisation(member, "江苏路睦邻服务中心", CODE_A, "service", STREET, "郑会长",
                                               "13912345678")
        app.grants.approve_organisation(self.ids[STREET_OFFICIAL], org)
        opens, closes = now - timedelta(hours=1), now + timedelta(days=30)
        self.call = app.grants.open_call(self.ids[DISTRICT_OFFICIAL], STREET, None, "社区公益创投（历史页面）", "为老服务",
                                         "300,000", "50,000", local(opens).replace("T", " "),
                                         local(closes).replace("T", " "), CRITERIA, TRANCHES)
        for _, phone in reviewers:
            app.grants.assign_reviewer(self.ids[STREET_OFFICIAL], self.call, phone)
        next_year = self.year + 1
        self.application = app.grants.save_draft(
            member, self.call, org, COMMUNITY, "长者助餐", "为高龄独居老人送餐", "40,000",
            (["餐费", "人工"], ["30,000", "10,000"]), (["启动", "中期"], [f"{next_year}-01-15", f"{next_year}-03-01"]),
            (["郑会长", "王社工"], ["负责人", "执行"]))
        app.grants.submit_application(member, self.application)
        for reviewer, _ in reviewers:
            app.grants.score(reviewer, self.application, GOOD, NOTES)

    # --- T -------------------------------------------------------------------------------------------------
    def wait_for_the_next_minute(self) -> None:
        """T: the first whole minute after everything `before()` recorded (the server shares this machine's clock)."""
        last = datetime.now(SHANGHAI)
        self.t = (last + timedelta(minutes=1)).replace(second=0, microsecond=0)
        time.sleep((self.t - datetime.now(SHANGHAI)).total_seconds() + 1.0)
        self.as_of = local(self.t)
        self.banner_time = self.as_of.replace("T", " ")

    # --- after T -------------------------------------------------------------------------------------------
    def after(self) -> None:
        m = self.m
        self.worker.post(f"{m}/motions", {"item_id": "2"})
        self.resident.post(f"{m}/motions/2/vote", {"choice": "abstain"})
        for phone in (MAKER, CHECKER):
            self.worker.post(f"{m}/motions/2/record", {"voter_id": str(self.ids[phone]), "choice": "for"})
        self.worker.post(f"{m}/motions/2/close")
        self.worker.post(f"{self.r}/owner", {"owner": "王主任"})
        later = datetime.now(SHANGHAI).replace(second=0, microsecond=0) + timedelta(days=3)
        self.later_meeting = self.schedule("冬季安全议事会", "讨论冬季消防安全", later, timedelta(hours=1))
        self._payment("2,500", "FP-AFTER")
        self.maker.post(f"{self.shift}/signup")
        self.worker.post(f"{self.shift}/attendance/{self.ids[MAKER]}/in")
        self.worker.post(f"{self.shift}/correct/{self.ids[MAKER]}", {"hours": "1", "reason": "提前离开"})
        self.official.post(f"/grants/applications/{self.application}/award", {"amount": "40,000"})
        wait_for_views(self.server)

    # --- reading the record ------------------------------------------------------------------------------
    def positions(self, aggregate_id: str, types: tuple[str, ...], **fields: str) -> list[int]:
        """The log positions of the aggregate's stored events of `types` whose stored state has `fields`, read from
        the event store itself (not from any view)."""
        wanted = {t.split(".")[-1] for t in types}
        found = []
        for e in self.svc.app.recorder.select_events(UUID(aggregate_id)):
            if e.topic.rsplit(".", 1)[-1] not in wanted:
                continue
            state = json.loads(e.state)
            if all(plain(state.get(k)) == v for k, v in fields.items()):
                row = self.svc.views.one("SELECT position FROM chain_links WHERE aggregate_id = ? AND version = ?",
                                         (aggregate_id, e.originator_version))
                found.append(row["position"])
        return sorted(found)

    def place_head_at_t(self, place: UUID) -> int:
        """The place's last event recorded by T: where its page as of T is drawn from."""
        at_t = self.t.astimezone(timezone.utc).isoformat()
        return self.svc.views.scalar(
            "SELECT MAX(position) AS p FROM chain_links WHERE place_id = ? AND position <= "
            "(SELECT MAX(position) FROM audit_log WHERE at <= ?)", (str(place), at_t))

    def place_digest(self, position: int) -> str:
        return self.svc.views.scalar("SELECT place_digest FROM chain_links WHERE position = ?", (position,))

    def close(self) -> None:
        for b in (self.worker, self.resident, self.maker, self.checker, self.official):
            b.client.close()
        self.svc.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("history") / "data")
    w = None
    try:
        w = World(server)
        w.before()
        w.wait_for_the_next_minute()
        w.after()
        yield w
    finally:
        if w is not None:
            w.close()
        server.stop()


def anonymous(world: World) -> Browser:
    return Browser(world.server)


def assert_as_of(world: World, page: httpx.Response, forms_left_out: bool = True, place: UUID = COMMUNITY) -> None:
    """A page as of T: the banner with the moment and the record's stamp, a way back to now, and no actions: every
    form control disabled (the page's content sits in a disabled fieldset), and with `forms_left_out` no action form
    drawn at all."""
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    start = html.index('id="as-of-banner"')
    banner = html[start:html.index("</details>", start)]
    assert f"这是 {world.banner_time} 时的页面" in text_of(html)
    stamp = re.search(r"记录位置 (\d+) · 摘要 ([0-9a-f]{16})…", htmlib.unescape(banner))
    assert stamp, banner
    position, short = int(stamp.group(1)), stamp.group(2)
    assert position == world.place_head_at_t(place) and world.place_digest(position).startswith(short)
    assert "看现在" in banner and 'href="/how-to-verify"' in banner
    assert FROZEN in main_of(html) and live_actions_in(html) == [], live_actions_in(html)
    if forms_left_out:
        assert actions_in(html) == [], actions_in(html)


def assert_now(page: httpx.Response) -> None:
    assert page.status_code == 200, page.text[:2000]
    assert 'id="as-of-banner"' not in page.text and "由事件记录重建" not in page.text


# --- every main page as of T -------------------------------------------------------------------------------------
def test_the_community_overview_as_of_t_shows_the_fund_as_it_stood(world):
    browser = anonymous(world)
    then = browser.get(world.base, as_of=world.as_of)
    assert_as_of(world, then)
    assert "已支付 ¥1,000.00" in text_of(then.text) and "¥3,500.00" not in then.text
    now = browser.get(world.base)
    assert_now(now)
    assert "已支付 ¥3,500.00" in text_of(now.text)


def test_the_roundtable_index_as_of_t_has_no_meeting_scheduled_after_it(world):
    browser = anonymous(world)
    then = browser.get(f"{world.base}/roundtable", as_of=world.as_of)
    assert_as_of(world, then)
    assert "楼道改造议事会" in then.text and "冬季安全议事会" not in then.text
    now = browser.get(f"{world.base}/roundtable")
    assert_now(now)
    assert "楼道改造议事会" in now.text and "冬季安全议事会" in now.text


def test_the_meeting_as_of_t_shows_the_first_vote_and_not_the_second(world):
    for browser in (anonymous(world), world.worker):
        then = browser.get(world.m, as_of=world.as_of)
        assert_as_of(world, then)
        text = text_of(then.text)
        assert "赞成 2 票，反对 1 票，弃权 0 票" in text
        assert "赞成 2 票，反对 0 票，弃权 1 票" not in text
        now = browser.get(world.m)
        assert_now(now)
        assert "赞成 2 票，反对 1 票，弃权 0 票" in text_of(now.text)
        assert "赞成 2 票，反对 0 票，弃权 1 票" in text_of(now.text)
    assert actions_in(world.worker.get(world.m).text)   # the worker's page now does offer actions


def test_the_resolution_as_of_t_has_no_owner_yet(world):
    for browser in (anonymous(world), world.worker):
        then = browser.get(world.r, as_of=world.as_of)
        assert_as_of(world, then)
        assert "加装楼道扶手" in then.text and "王主任" not in then.text and "待指定" in text_of(then.text)
        now = browser.get(world.r)
        assert_now(now)
        assert "王主任" in now.text


def test_the_action_day_as_of_t_has_one_volunteer_signed_up(world):
    for browser in (anonymous(world), world.worker):
        then = browser.get(world.d, as_of=world.as_of)
        # The worker's forms (a shift, check-in) are drawn, disabled; a reader's page has none.
        assert_as_of(world, then, forms_left_out=browser is not world.worker)
        now = browser.get(world.d)
        assert_now(now)
        assert "剩余名额 2 / 3" in text_of(then.text) and "剩余名额 1 / 3" not in text_of(then.text)
        assert "剩余名额 1 / 3" in text_of(now.text)


def test_the_hours_table_as_of_t_counts_only_the_hours_recorded_by_then(world):
    then = world.worker.get(f"{world.base}/volunteer/hours", as_of=world.as_of)
    assert_as_of(world, then)
    rows = text_of(then.text)
    assert "王居民（演示）" in rows and "赵会计（演示）" not in rows and "合计 1.5" in rows
    now = world.worker.get(f"{world.base}/volunteer/hours")
    assert_now(now)
    assert "王居民（演示）" in text_of(now.text) and "赵会计（演示）" in text_of(now.text)
    assert "合计 2.5" in text_of(now.text)


def test_the_fund_ledger_as_of_t_shows_the_older_balance_to_staff(world):
    then = world.maker.get(f"/c/{COMMUNITY}/fund", as_of=world.as_of)
    assert_as_of(world, then)
    assert figure(then.text, "fund-figure-paid") == "已支付 ¥1,000.00"
    assert figure(then.text, "fund-figure-available") == "可用余额 ¥199,000.00"
    assert "审核通过" not in then.text
    now = world.maker.get(f"/c/{COMMUNITY}/fund")
    assert_now(now)
    assert figure(now.text, "fund-figure-paid") == "已支付 ¥3,500.00"
    assert figure(now.text, "fund-figure-available") == "可用余额 ¥196,500.00"
    assert actions_in(now.text)   # a fund manager's ledger now offers the forms


def test_the_public_disclosure_as_of_t_shows_the_older_payments(world):
    browser = anonymous(world)
    then = browser.get(f"{world.fund}/disclosure", as_of=world.as_of)
    assert_as_of(world, then)
    assert figure(then.text, "fund-figure-paid") == "已支付 ¥1,000.00"
    assert "1,000.00" in then.text and "2,500.00" not in then.text
    now = browser.get(f"{world.fund}/disclosure")
    assert_now(now)
    assert figure(now.text, "fund-figure-paid") == "已支付 ¥3,500.00" and "2,500.00" in now.text
    # The disclosure's own stamp as of T is the fund's last event by then, not the one now.
    stamps = [re.findall(r"记录位置 (\d+) · 摘要", htmlib.unescape(p.text)) for p in (then, now)]
    fund_then, fund_now = int(stamps[0][-1]), int(stamps[1][-1])
    assert fund_then < fund_now


def test_the_grant_call_as_of_t_has_no_award_pending(world):
    for browser in (anonymous(world), world.official):
        then = browser.get(f"/grants/calls/{world.call}", as_of=world.as_of)
        # The official's forms (reviewers) are drawn, disabled; a reader's page has none.
        assert_as_of(world, then, forms_left_out=browser is not world.official, place=STREET)
        assert figure(then.text, "gr-figure-pending").endswith("¥0.00")
        assert figure(then.text, "gr-figure-pool").endswith("¥300,000.00")
        now = browser.get(f"/grants/calls/{world.call}")
        assert_now(now)
        assert figure(now.text, "gr-figure-pending").endswith("¥40,000.00")


def test_a_day_alone_means_the_end_of_that_day(world):
    yesterday = (world.t - timedelta(days=1)).date().isoformat()
    page = world.maker.get(f"/c/{COMMUNITY}/fund/{world.year}/disclosure", as_of=yesterday)
    assert page.status_code == 200 and "这是 " + yesterday + " 23:59 时的页面" in text_of(page.text)
    assert "资金尚未开启" in page.text   # the fund was opened today


def test_a_page_as_of_today_keeps_up_with_what_is_recorded_today(world):
    today = datetime.now(SHANGHAI).date().isoformat()
    index = f"{world.base}/roundtable"
    first = world.worker.get(index, as_of=today)
    assert first.status_code == 200 and "冬季安全议事会" in first.text and "新年联欢筹备会" not in first.text
    later = datetime.now(SHANGHAI).replace(second=0, microsecond=0) + timedelta(days=4)
    world.schedule("新年联欢筹备会", "筹备新年联欢", later, timedelta(hours=1))
    wait_for_views(world.server)
    again = world.worker.get(index, as_of=today)   # the end of today: everything recorded so far today is in it
    assert again.status_code == 200 and "新年联欢筹备会" in again.text
    tomorrow = world.worker.get(index, as_of=(datetime.now(SHANGHAI) + timedelta(days=1)).date().isoformat())
    assert tomorrow.status_code == 200 and "新年联欢筹备会" in tomorrow.text


# --- what cannot be shown ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["garbage", "2026-13-45", "2026-02-30T10:00", "1999-01-01", "2026-05-01T25:00",
                                 "<script>", "2026-05-01T10:00:00+08:00"])
def test_a_malformed_moment_gets_a_clear_chinese_error(world, bad):
    browser = world.worker
    for path in (world.base, f"{world.base}/roundtable", world.m, world.r, world.d, f"{world.base}/volunteer/hours",
                 f"{world.fund}/disclosure", f"/grants/calls/{world.call}"):
        page = browser.get(path, as_of=bad)
        assert 400 <= page.status_code < 500, (path, page.status_code)
        assert "查看时间" in page.text and ("格式" in page.text or "有效" in page.text), (path, text_of(page.text))
        assert "Traceback" not in page.text and "<script>" not in page.text.split("</head>", 1)[1].replace(
            "<script src", "")


def test_the_fund_ledger_shows_now_for_a_malformed_moment(world):
    page = world.maker.get(f"/c/{COMMUNITY}/fund", as_of="garbage")
    assert_now(page)
    assert figure(page.text, "fund-figure-paid") == "已支付 ¥3,500.00"


def test_a_meeting_as_of_before_it_was_scheduled_is_not_found(world):
    path = f"{world.base}/roundtable/{world.later_meeting}"
    assert world.worker.get(path).status_code == 200
    then = world.worker.get(path, as_of=world.as_of)
    assert then.status_code == 404 and "冬季安全议事会" not in then.text
    before_everything = world.worker.get(world.m, as_of="2026-01-01")
    assert before_everything.status_code == 404


# --- the events behind a figure ---------------------------------------------------------------------------------
def record_rows(page: str) -> list[tuple[int, str]]:
    """(position, full digest) of each row of a /record page."""
    rows = re.findall(r'<tr id="event-(\d+)">.*?<code title="(\d+):([0-9a-f]{64})">([0-9a-f]{16})…</code>', page,
                      flags=re.DOTALL)
    for position, stamped, digest, short in rows:
        assert position == stamped and digest.startswith(short)
    return [(int(p), d) for p, _, d, _ in rows]


def link_to_record(page: str, shown: str, within: str = "<tbody") -> str:
    """The href of the /record link whose text is `shown`, in the part of the page from `within` on."""
    links = re.findall(r'<a href="(/record/[^"]+)"[^>]*>([^<]*)</a>', page[page.index(within):])
    for href, text in links:
        if htmlib.unescape(text).strip() == shown:
            return htmlib.unescape(href)
    raise AssertionError(f"no /record link showing {shown!r} in {links}")


def follow(world: World, browser: Browser, href: str, expected: list[int]) -> str:
    page = browser.client.get(href)
    assert page.status_code == 200, page.text[:2000]
    rows = record_rows(page.text)
    assert [p for p, _ in rows] == expected, (href, rows)
    for position, digest in rows:
        assert digest == world.place_digest(position)
    assert 'href="/how-to-verify"' in page.text
    return page.text


def test_the_hours_figures_link_to_exactly_the_events_behind_them(world):
    page = world.worker.get(f"{world.base}/volunteer/hours").text
    day = world.day
    resident = world.positions(day, HOURS, account_id=str(world.ids[RESIDENT]))
    maker = world.positions(day, HOURS, account_id=str(world.ids[MAKER]))
    assert len(resident) == 1 and len(maker) == 2            # a correction; a check-in and a correction
    follow(world, world.worker, link_to_record(page, "2.5", within="<tfoot"), sorted(resident + maker))
    follow(world, world.worker, link_to_record(page, "1.5"), resident)
    text = follow(world, world.worker, link_to_record(page, "1.0"), maker)
    assert "李社工（演示）" in text                              # staff see who acted
    public = follow(world, anonymous(world), link_to_record(page, "1.0"), maker)
    assert "李社工（演示）" not in public


def test_the_meeting_tally_links_to_exactly_the_votes_and_the_close(world):
    for browser in (anonymous(world), world.resident):
        page = browser.get(world.m).text
        links = [htmlib.unescape(h) for h in re.findall(r'<a class="rt-record" href="([^"]+)"', page)]
        first = next(h for h in links if "motion_id%3A1" in h or "motion_id:1" in h)
        second = next(h for h in links if "motion_id%3A2" in h or "motion_id:2" in h)
        expected = world.positions(world.meeting, TALLY, motion_id="1")
        assert len(expected) == 4                             # one vote cast, two recorded, the close
        text = follow(world, browser, first, expected)
        assert "for" in text and "against" in text
        assert len(world.positions(world.meeting, TALLY, motion_id="2")) == 4
        follow(world, browser, second, world.positions(world.meeting, TALLY, motion_id="2"))
    then = world.resident.get(world.m, as_of=world.as_of).text
    [first] = {htmlib.unescape(h) for h in re.findall(r'<a class="rt-record" href="([^"]+)"', then)}
    follow(world, world.resident, first, world.positions(world.meeting, TALLY, motion_id="1"))


def test_a_figure_on_a_page_as_of_t_links_to_the_events_behind_it_then(world):
    then = world.worker.get(f"{world.base}/volunteer/hours", as_of=world.as_of).text
    resident = world.positions(world.day, HOURS, account_id=str(world.ids[RESIDENT]))
    follow(world, world.worker, link_to_record(then, "1.5", within="<tfoot"), resident)   # the total then: one event


def test_the_record_page_refuses_odd_queries_clearly_and_never_fails(world):
    browser = anonymous(world)
    base = f"/record/{COMMUNITY}"
    only_to = browser.get(base, type="ActionDay.HoursCorrected", to=f"{world.year}-12-31")
    assert only_to.status_code == 200, only_to.text[:500]
    assert len(record_rows(only_to.text)) == 2
    assert browser.get(base, type="ActionDay.HoursCorrected", upto="²").status_code == 200
    upto = browser.get(base, type="ActionDay.HoursCorrected",
                       upto=str(world.positions(world.day, HOURS, account_id=str(world.ids[RESIDENT]))[0]))
    assert len(record_rows(upto.text)) == 1
    bad_day = browser.get(base, type="ActionDay.HoursCorrected", **{"from": "2026-02-30"})
    assert bad_day.status_code == 422 and "开始日期" in bad_day.text
    assert browser.get("/record/not-a-uuid").status_code in (404, 422)
    assert browser.get(f"/record/{UUID(int=5)}").status_code == 404


# --- how to verify -------------------------------------------------------------------------------------------------
def test_how_to_verify_explains_the_steps_and_offers_the_verifier_itself(world):
    browser = anonymous(world)
    page = browser.get("/how-to-verify")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "如何核验" in text and "verify_linli.py" in text and "--expect" in text
    assert 'href="/how-to-verify/verify_linli.py"' in page.text
    download = browser.get("/how-to-verify/verify_linli.py")
    assert download.status_code == 200
    assert download.content == (ROOT / "tools" / "verify_linli.py").read_bytes()
    assert "attachment" in download.headers["content-disposition"]
    assert download.headers["content-type"].startswith("text/x-python")
