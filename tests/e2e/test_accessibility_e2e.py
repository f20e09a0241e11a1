"""Issue 16, in a real Chromium on a 360 x 640 phone: every page of the demo (`LINLI_DEMO=full`, completed below so that
each page has something to show) as each role, in the standard mode and in elder mode (长辈版):

- axe-core (`axe-playwright-python`, which carries axe's JavaScript: nothing is downloaded) finds no serious or
  critical violation;
- nothing scrolls sideways (`scrollWidth <= clientWidth` on the document element);
- in elder mode no text is under 18 pt (24 px) and no tap target under 60 x 60 px; in the standard mode no tap target
  under 44 x 44 px;
- no time is shown in UTC (a stored ISO timestamp on the page);
- a full-page screenshot of each visit goes to test-results/accessibility/<role>/<mode>-<route>.png.

What counts as a tap target (measured in the browser with getBoundingClientRect): a link with an href, a button, an
input other than a hidden one, a select, a textarea, a summary, and the label of a checkbox or radio button (a box is
tapped through its label, so a labelled box is not measured on its own). WCAG 2.2's 2.5.8 exempts a target "in a
sentence or [whose] size is otherwise constrained by the line-height of non-target text"; here that is a link
displayed inline whose block holds at least 10 characters of text outside any target. What is not shown is not
measured (display:none, visibility:hidden, clipped to nothing, or off the page, as the skip link is until focused).
Text is measured at its rendered size (an SVG's text scaled with its drawing).

The pages are found by following the links of each role's pages from the home page (one page per route and role: a
meeting page once, not every meeting); `PAGES` names them all, and a test fails when a GET route is neither in it
nor in `EXCUSED`. One server, one browser, one logged-in context per role. 200% zoom on a 1,280 px screen lays pages
out in 640 CSS px, wider than the 360 px checked here.

A keyboard alone (Tab, Shift+Tab, Enter, Space and typing; no clicks) logs in, signs up for a shift and votes, with
a visible focus ring at every step."""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urljoin, urlsplit
from uuid import UUID

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from starlette.routing import Match, Route

from domain.accounts.model import Account, Community
from domain.kernel.time import SHANGHAI
from domain.party.model import Registration
from projections import grants as grants_views
from projections import grid as grid_views
from tests.builders import ARTIFACTS, LiveServer, wait_for_views
from tests.e2e.builders import save_shot
from web.contexts import routes
from web.demo import DEMO_PASSWORD
from web.passwords import hash_password

SHOTS = ARTIFACTS / "accessibility"
PHONE = {"width": 360, "height": 640}
ELDER_COOKIE = "linli_elder"

# Who visits (the demo's accounts, web/demo.py and web/<context>/demo.py); None is anonymous. The plain resident is a
# neighbour of the grid demo; the demo resident is also its confirmed Party member; the second fund manager (the
# checker) sees what waits for approval; the maker is also the grid worker of the second grid.
ROLES = {
    "anonymous": None,
    "resident": "13800000011",
    "applicant": "13900001601",            # signed up, residency not yet verified (arranged below)
    "party_member": "13800000001",
    "worker": "13800000002",
    "fund_manager": "13800000004",
    "grid_worker": "13800000003",
    "street_official": "13800000005",
    "district_official": "13800000006",
    "social_organisation": "13800000008",
}
VISITORS = [role for role in ROLES if role != "applicant"]   # the applicant's pages: tests/web/accounts
KEYBOARD_PHONE, KEYBOARD_PASSWORD = "13900001602", "keys-only-2026"

# Every page (GET route) the visit must reach, by route name.
PAGES = [
    "home", "login_form", "signup_form", "forgot_password", "my_account", "my_data", "community", "residents",
    "community_audit", "street", "street_audit",
    "roundtable_index", "roundtable_new", "roundtable_resolutions", "roundtable_resolution", "roundtable_meeting",
    "roundtable_room", "roundtable_check_in_screen", "roundtable_notice", "roundtable_sign_in_sheet",
    "volunteer_index", "volunteer_new_day", "volunteer_day", "volunteer_check_in", "volunteer_me",
    "volunteer_certificate", "volunteer_hours", "volunteer_verify_form", "volunteer_verify",
    "fund_index", "fund_disclosure", "fund_lines", "fund_project", "fund_street",
    "grid_index", "grid_new", "grid_requests", "grid_request", "grid_queue", "grid_grid", "grid_visit_request_form",
    "grid_setup", "grid_figures", "grid_board", "grid_street", "grid_assessment", "grid_street_figures",
    "party_index", "party_consent_form", "party_register_form", "party_record", "party_registry",
    "party_registration", "party_tasks", "party_kinds", "party_needs", "party_report", "party_verify_form",
    "party_verify", "party_street",
    "grants_index", "grants_mine", "grants_reviews", "grants_organisations", "grants_org_new", "grants_org",
    "grants_call_new", "grants_call", "grants_disclosure", "grants_ranking", "grants_lines", "grants_apply_form",
    "grants_application", "grants_project", "grants_dossier", "grants_community",
    "record", "verify_how",
]
# GET routes that are not pages a person reads in the browser.
EXCUSED = {
    "my_data_json": "JSON download",
    "roundtable_feed": "iCalendar feed",
    "roundtable_meeting_ics": "iCalendar file",
    "roundtable_live": "server-sent events (the room screen's and the meeting page's live part)",
    "roundtable_status": "an htmx fragment: the live part of roundtable_meeting, visited inside it",
    "fund_available": "an htmx fragment of the payment form on fund_project",
    "fund_ledger_csv": "CSV", "volunteer_hours_csv": "CSV", "party_report_csv": "CSV", "grants_dossier_csv": "CSV",
    "grid_photo": "an image (a request's photo)",
    "verify_script": "the standalone verifier, a Python file to download",
}

UTC_SHOWN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\d\d:\d\d:\d\d(\.\d+)?\+00:00|\bUTC\b")
# axe-playwright-python carries axe-core's JavaScript (`Axe().axe_script`; nothing is downloaded). It is given to each
# context as an init script, so every page has `axe` without a second injection, and a run hands back only what
# fails (serious and critical violations), not the whole report: together a third of the time of `Axe.run`.
AXE_SCRIPT = Axe().axe_script
# A rule takes its impact from its own metadata when it has one, else the worst of its failing checks'. A rule that
# could only ever report minor or moderate is left out of the run (by axe's own metadata, read in the page): its
# violations were filtered away anyway, and it took a third of each run.
RUN_AXE = """() => {
  const grave = (impact) => impact === "serious" || impact === "critical";
  const checks = axe._audit.data.checks, described = axe._audit.data.rules || {};
  const mild = axe._audit.rules.filter(r => ![r.impact, (described[r.id] || {}).impact,
      ...[...r.any, ...r.all, ...r.none].map(c => (checks[typeof c === "string" ? c : c.id] || {}).impact)].some(grave));
  const options = {resultTypes: ["violations"], rules: Object.fromEntries(mild.map(r => [r.id, {enabled: false}]))};
  return axe.run(document, options).then(r => r.violations
    .filter(v => grave(v.impact))
    .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => ({target: n.target, html: n.html}))})));
}"""

# Measured in the page: sideways scrolling, text under `minText` px, tap targets under `minTarget` px, visible text.
MEASURE = r"""([minText, minTarget]) => {
  const doc = document.documentElement;
  const out = {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, smallText: [], smallTargets: [],
               text: document.body.innerText};
  const concealed = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === "none" || s.visibility === "hidden" || s.opacity === "0") return true;
      if (s.clipPath && s.clipPath.startsWith("inset(50%")) return true;
      if (s.overflow === "hidden" && e.offsetWidth <= 1 && e.offsetHeight <= 1) return true;
    }
    return false;
  };
  const onPage = (r) => r.width > 0 && r.height > 0 && r.right + window.scrollX > 0 && r.bottom + window.scrollY > 0;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + Array.from(el.classList).join(".");
    return s + " «" + (el.textContent || el.value || "").trim().replace(/\s+/g, " ").slice(0, 30) + "»";
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.nodeValue.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, noscript, title, desc")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (!onPage(range.getBoundingClientRect()) || concealed(el)) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) size *= Math.abs(el.getScreenCTM().a);
    if (size < minText - 0.01) out.smallText.push(describe(el) + " " + size.toFixed(1) + "px");
  }
  const isBox = (i) => !!i && i.tagName === "INPUT" && (i.type === "checkbox" || i.type === "radio");
  const inRunningText = (a) => {
    if (getComputedStyle(a).display !== "inline") return false;
    let block = a.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    if (!block) return false;
    let words = 0;
    const w = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let t = w.nextNode(); t; t = w.nextNode()) {
      if (!t.parentElement.closest("a, button, label, summary")) words += t.nodeValue.replace(/\s/g, "").length;
    }
    return words >= 10;
  };
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary, label")) {
    if (el.tagName === "LABEL" && !isBox(el.control)) continue;
    if (isBox(el) && (el.closest("label") || (el.labels && el.labels.length))) continue;
    if (el.tagName === "A" && inRunningText(el)) continue;
    const r = el.getBoundingClientRect();
    if (!onPage(r) || concealed(el)) continue;
    if (r.width < minTarget - 0.01 || r.height < minTarget - 0.01)
      out.smallTargets.push(describe(el) + " " + r.width.toFixed(0) + "x" + r.height.toFixed(0));
  }
  return out;
}"""

LINKS = "() => Array.from(document.querySelectorAll('a[href]:not([download])'), a => a.getAttribute('href'))"

FOCUS_SHOWN = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || (s.boxShadow && s.boxShadow !== "none");
  const r = el.getBoundingClientRect();
  return {ring: ring, inView: r.bottom > 0 && r.top < window.innerHeight, what: el.outerHTML.slice(0, 120)};
}"""


# --- the demo, completed so that every page has something to show ------------------------------------------------
@dataclass
class Site:
    """The live server with the whole demo, and the public pages reached only by typing (verification codes)."""

    server: LiveServer
    typed: list[str]

    @property
    def url(self) -> str:
        return self.server.url


def complete_the_demo(server: LiveServer) -> list[str]:
    """Arrange what the demo does not seed: an applicant waiting for verification, a volunteer's certificate, a Party
    member's yearly report, grid visits still to be turned into requests, a grants application with an award, a
    meeting with a motion open to the vote, and the keyboard test's resident (verified, checked in). Returns the
    paths of the two verification pages (a code is typed, never linked)."""
    svc = server.services()
    app = svc.app
    try:
        person = {phone: Account.id_for(app.phone_key(phone)) for phone in
                  ("13800000001", "13800000002", "13800000003", "13800000005", "13800000006", "13800000008")}
        worker, c1 = person["13800000002"], Community.id_for("320106001001")
        real_clock = app.clock
        now = real_clock()
        app.accounts.sign_up(ROLES["applicant"], "钱申请（演示）", hash_password(DEMO_PASSWORD), c1)
        keyboard = app.accounts.sign_up(KEYBOARD_PHONE, "孔键盘（演示）", hash_password(KEYBOARD_PASSWORD), c1)
        app.accounts.verify_residency(worker, keyboard, c1)

        # A past action day whose hours the demo resident earned, and their certificate.
        resident = person["13800000001"]
        past = (now - timedelta(days=12)).replace(hour=1, minute=0, second=0, microsecond=0)   # 09:00 Shanghai
        try:
            app.clock = lambda: past - timedelta(days=3)
            day = app.volunteer.create_action_day(worker, c1, None, "社区义诊服务日（演示）", "协助医生为老人量血压",
                                                  past.astimezone(SHANGHAI).date().isoformat())
            shift = app.volunteer.add_shift(worker, day, "引导排队", "社区活动室", past, past + timedelta(hours=3), 5)
            app.volunteer.sign_up_for_shift(resident, day, shift)
            app.clock = lambda: past + timedelta(minutes=5)
            app.volunteer.check_in(worker, day, shift, resident)
            app.clock = lambda: past + timedelta(hours=3)
            app.volunteer.check_out(worker, day, shift, resident)
        finally:
            app.clock = real_clock
        year = str(now.astimezone(SHANGHAI).year)
        certificate = app.volunteer.issue_certificate(resident, c1, year)

        # The Party member's report of this year; the grid worker (a verified resident) has consented, not registered.
        report = app.party.issue_report(worker, c1, Registration.id_for(resident), 1, year, None, "积极参加社区服务。")
        app.party.give_consent(person["13800000003"], c1, _consent_version(), True)

        # A visit to a household in each grid (by its grid worker), not yet turned into a request.
        svc.runner.catch_up()
        for grid in grid_views.grids(svc.views, str(c1)):
            keeper, household = (worker, "13800000011") if grid["name"] == "第一网格" else \
                (person["13800000003"], "13800000013")
            app.grid.record_visit(keeper, c1, UUID(grid["id"]), now.astimezone(SHANGHAI).date().isoformat(),
                                  Account.id_for(app.phone_key(household)), "", "反映楼前路面有坑洼。")

        # A grants application, scored and awarded: the application, project and dossier pages.
        member, street_official, district_official = (person[p] for p in ("13800000008", "13800000005",
                                                                          "13800000006"))
        svc.runner.catch_up()
        call = grants_views.calls(svc.views)[0]
        call_id = UUID(call["id"])
        org_id = UUID(next(o for o in grants_views.organisations(svc.views) if o["status"] == "approved")["id"])
        application = app.grants.save_draft(
            member, call_id, org_id, c1, "银发助餐（演示）", "为高龄独居老人送餐、陪餐。", "30,000",
            (["餐费补贴", "志愿者保险"], ["25,000", "5,000"]),
            (["启动", "中期", "结项"], [(now + timedelta(days=d)).astimezone(SHANGHAI).date().isoformat()
                                         for d in (40, 120, 300)]),
            (["郑社会组织（演示）"], ["项目负责人"]))
        app.grants.submit_application(member, application)
        app.grants.assign_reviewer(district_official, call_id, "13800000002")
        app.grants.score(worker, application, {c["key"]: "80" for c in call["criteria"]},
                         {c["key"]: "方案可行。" for c in call["criteria"]})
        app.grants.propose_award(street_official, application, "30,000")
        app.grants.approve_award(district_official, application)

        # The coming meeting, opened early, with a motion open; the keyboard resident registered and checked in.
        svc.runner.catch_up()
        meeting = app.roundtable.schedule_meeting(
            worker, c1, "小区停车管理议事会（演示）", "商量小区内停车位的划分和收费", now + timedelta(minutes=30),
            now + timedelta(hours=2), "社区活动室", "in_person", 40, now + timedelta(minutes=20), "simple", 10)
        app.roundtable.register_for_meeting(keyboard, meeting)
        item = app.roundtable.propose_agenda_item(worker, meeting, "划定访客临时停车位", "在南门内侧划 6 个访客车位")
        app.roundtable.accept_agenda_item(worker, meeting, item, 20)
        app.roundtable.open_meeting(worker, meeting)
        app.roundtable.check_in(worker, meeting, keyboard)
        app.roundtable.open_motion(worker, meeting, item)
        svc.runner.catch_up()
    finally:
        svc.close()
    wait_for_views(server)
    return [f"/verify/{certificate['code']}", f"/party/verify/{report['code']}"]


def _consent_version() -> str:
    from domain.party.policies import CONSENT_VERSION
    return CONSENT_VERSION


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One server with the full demo (and the rest arranged) for the whole module."""
    server = LiveServer(tmp_path_factory.mktemp("a11y") / "data", extra_env={"LINLI_DEMO": "full"})
    try:
        yield Site(server, complete_the_demo(server))
    finally:
        server.stop()


# --- visiting ----------------------------------------------------------------------------------------------------
GET_ROUTES = [r for r in routes() if isinstance(r, Route) and "GET" in (r.methods or ())]
AT_ONCE = 3        # roles visited at the same time (pages of one browser): the server renders while axe runs


def route_of(path: str) -> str | None:
    """The name of the GET route a path goes to."""
    scope = {"type": "http", "path": path, "method": "GET"}
    return next((r.name for r in GET_ROUTES if r.matches(scope)[0] == Match.FULL), None)


@dataclass
class Visit:
    """One role's visit in one mode: the page found for each route (route → path) and what is wrong with each."""

    role: str
    elder: bool
    pages: dict[str, str] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return "elder" if self.elder else "standard"


async def check(page, elder: bool) -> list[str]:
    """What is wrong with the page now open: serious and critical axe violations, sideways scrolling, small text
    and small targets, times shown in UTC."""
    problems = []
    for v in await page.evaluate(RUN_AXE):
        problems.append(f"axe {v['id']} ({v['impact']}): " + "; ".join(
            f"{' '.join(map(str, n['target']))} {n['html'][:120]}" for n in v["nodes"]))
    m = await page.evaluate(MEASURE, [24 if elder else 0, 60 if elder else 44])
    if m["scrollWidth"] > m["clientWidth"]:
        problems.append(f"scrolls sideways: {m['scrollWidth']} > {m['clientWidth']}")
    if m["smallText"]:
        problems.append(f"text under 24 px: {m['smallText'][:5]}")
    if m["smallTargets"]:
        problems.append(f"targets under {60 if elder else 44} px: {m['smallTargets'][:5]}")
    if found := UTC_SHOWN.search(m["text"]):
        problems.append(f"a UTC time is shown: {m['text'][max(0, found.start() - 30):found.end() + 10]!r}")
    return problems


async def visit(browser, server: Site, role: str, elder: bool, starts: list[str]) -> Visit:
    """Log in as the role in a context of its own at the phone's size, then follow links from `starts`, visiting
    one page per route (a meeting page once, not every meeting): check it and save its screenshot."""
    context = await browser.new_context(viewport=PHONE)
    await context.add_init_script(script=AXE_SCRIPT)
    if elder:
        await context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": server.url}])
    page = await context.new_page()
    done = Visit(role, elder)
    try:
        if ROLES[role]:
            await page.goto(server.url + "/login")
            await page.fill("main input[name=phone]", ROLES[role])
            await page.fill("main input[name=password]", DEMO_PASSWORD)
            await page.click("main button[type=submit]")
            await page.wait_for_selector(".flash")
        queue, tried = list(starts), set()
        while queue:
            path = queue.pop(0)
            name = route_of(urlsplit(path).path)
            if name is None or name in done.pages or name in EXCUSED or path in tried:
                continue
            tried.add(path)
            response = await page.goto(server.url + path)
            if response is None or response.status != 200 or urlsplit(page.url).path != urlsplit(path).path:
                continue    # not this role's page (refused, or sent to log in)
            done.pages[name] = path
            done.problems[name] = await check(page, elder)
            shot = SHOTS / role / f"{done.mode}-{name}.jpg"   # elder mode: the whole page; standard: the first screen
            shot.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(shot), full_page=elder, type="jpeg", quality=60)
            for href in await page.evaluate(LINKS):
                target = urljoin(server.url + path, href)
                if target.startswith(server.url + "/") and "#" not in href:
                    queue.append(target[len(server.url):])
    finally:
        await context.close()
    return done


async def visit_all(launch_args: dict, server: Site, starts: dict[str, list[str]]) -> list[Visit]:
    """Every role in both modes, AT_ONCE visits at a time, in one browser."""
    from playwright.async_api import async_playwright
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_args)
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(role: str, elder: bool) -> Visit:
            async with gate:
                return await visit(browser, server, role, elder, starts.get(role, ["/"]))
        try:
            return await asyncio.gather(*(one(role, elder) for role in VISITORS for elder in (False, True)))
        finally:
            await browser.close()


def test_every_page_route_is_visited_or_excused():
    names = {r.name for r in GET_ROUTES}
    assert sorted(names - set(PAGES) - set(EXCUSED)) == [], "a page no test visits: add it to PAGES (or EXCUSED)"
    assert sorted((set(PAGES) | set(EXCUSED)) - names) == [], "PAGES or EXCUSED name a route that no longer exists"


@pytest.mark.e2e
def test_every_page_as_every_role_in_both_modes_passes_axe_and_fits_a_small_phone(demo, browser_type_launch_args):
    started = time.monotonic()
    visits: list[Visit] = []
    # In a thread of its own: the asyncio loop never meets the sync Playwright of the other tests.
    worker = threading.Thread(target=lambda: visits.extend(asyncio.run(visit_all(
        browser_type_launch_args, demo, {"anonymous": ["/", *demo.typed]}))))
    worker.start()
    worker.join()
    seconds = time.monotonic() - started
    failures, rules = [], Counter()
    for v in visits:
        for name, wrong in v.problems.items():
            for problem in wrong:
                rules[problem.split(":")[0]] += 1
                failures.append(f"{v.role} · {v.mode} · {name} ({v.pages[name]}): {problem}")
    standard = {v.role: v.pages for v in visits if not v.elder}
    elder = {v.role: v.pages for v in visits if v.elder}
    reached = set().union(*(set(p) for p in standard.values()))
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "summary.json").write_text(json.dumps({
        "seconds": round(seconds, 1), "visits": sum(len(v.pages) for v in visits),
        "pages_per_role": {role: len(p) for role, p in standard.items()}, "problems_by_rule": dict(rules),
        "not_reached": sorted(set(PAGES) - reached), "pages": standard}, ensure_ascii=False, indent=1))
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)
    assert {r: sorted(p) for r, p in elder.items()} == {r: sorted(p) for r, p in standard.items()}, \
        "a page answers in one mode and not in the other"
    assert sorted(set(PAGES) - reached) == [], "pages in PAGES that no role reached by following links"


def log_in_context(browser, site: Site, phone: str | None):
    """A (sync) browser context at the phone's size, logged in through the form."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    if phone:
        page.goto(site.url + "/login")
        page.fill("main input[name=phone]", phone)
        page.fill("main input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_selector(".flash")
    return context, page


@pytest.mark.e2e
def test_the_elder_switch_works_without_javascript_and_is_remembered(demo, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo.url + "/c/" + str(Community.id_for("320106001001")) + "/fund")
        assert page.evaluate("document.documentElement.className") == ""
        page.click("button.elder-switch")
        assert page.url.endswith("/fund"), "the switch brings the reader back to the same page"
        assert page.evaluate("document.documentElement.className") == "elder"
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
        cookie = next(c for c in context.cookies() if c["name"] == ELDER_COOKIE)
        assert cookie["sameSite"] == "Lax" and cookie["httpOnly"] and cookie["expires"] > time.time() + 300 * 86400
        page.goto(demo.url + "/")
        assert page.evaluate("document.documentElement.className") == "elder", "remembered on the next page"
        page.click("button[lang=en]")                         # the English pages have it too
        assert page.locator("button.elder-switch").inner_text() == "Standard view"
        page.click("button.elder-switch")
        assert page.evaluate("document.documentElement.className") == ""
        assert page.locator("button.elder-switch").inner_text() == "Elder mode"
    finally:
        context.close()


@pytest.mark.e2e
def test_in_elder_mode_the_main_tasks_are_one_tap_from_home(demo, browser):
    context, page = log_in_context(browser, demo, ROLES["party_member"])
    try:
        context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": demo.url}])
        page.goto(demo.url + "/")
        tasks = page.locator("ul.tasks a")
        labels = [t.strip() for t in tasks.all_inner_texts()]
        assert labels == ["我的安排", "去表决", "报名参加议事会", "报名志愿服务", "我要反映问题"]
        for label, heading in (("去表决", "小区停车管理议事会（演示）"), ("报名志愿服务", "志愿服务站"),
                               ("我要反映问题", "我要反映问题")):
            page.goto(demo.url + "/")
            with page.expect_navigation():
                page.click(f"ul.tasks a:has-text('{label}')")
            expect(page.locator(f"main :is(h1, h2):has-text('{heading}')").first).to_be_visible()
    finally:
        context.close()


# --- the keyboard alone ------------------------------------------------------------------------------------------
def tab_to(page, selector: str, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab until the element matching `selector` has the focus; the focus must be visible at every step."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        if focus is None:
            continue
        assert focus["ring"], f"no visible focus on {focus['what']}"
        if page.locator(selector).evaluate_all("(els) => els.includes(document.activeElement)"):
            assert focus["inView"], f"the focused element is out of view: {focus['what']}"
            return
    raise AssertionError(f"Tab never reached {selector}")


def follow(page) -> None:
    """Enter on the focused link, and wait for the page it opens."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.e2e
def test_a_keyboard_alone_signs_up_for_a_shift_and_votes(demo, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(demo.url + "/login")
        tab_to(page, "main input[name=phone]")
        page.keyboard.type(KEYBOARD_PHONE)
        tab_to(page, "main input[name=password]")
        page.keyboard.type(KEYBOARD_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector(".flash")

        # Home → the community → the volunteer station → the action day → 报名 (Space on the button).
        tab_to(page, "main a:has-text('江苏路社区（演示）')")
        follow(page)
        tab_to(page, "nav.tabs a:has-text('志愿服务站')")
        follow(page)
        tab_to(page, "main a:has-text('楼道清洁集中行动日（演示）')")
        follow(page)
        page.wait_for_selector("li.vol-shift")
        tab_to(page, "li.vol-shift:has-text('张贴消防提示') button:has-text('报名')")
        page.keyboard.press("Space")
        page.wait_for_selector("li.vol-shift[data-status=confirmed]")
        assert "报名成功" in page.locator("li.vol-shift[data-status=confirmed]").inner_text()

        # Back to the top with the skip link's neighbour, home through the brand, then the meeting with a motion open.
        tab_to(page, "a.brand", backwards=True)
        follow(page)
        tab_to(page, "main a:has-text('小区停车管理议事会（演示）')")
        follow(page)
        tab_to(page, "main button:has-text('赞成')")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=您已投票")
        save_shot(SHOTS / "keyboard", page, "voted")
    finally:
        context.close()
