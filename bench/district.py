"""A realistic district, generated deterministically from a seed through the real use cases (`app.<context>.…`).

100 communities in streets, verified residents, a year of roundtable meetings (agenda, motions, votes, minutes),
action days (shifts, sign-ups, cancellations, check-in/out, certificates), each community's fund (allocations
against its resolutions, payments approved by a second manager), grid requests and a street's grant call. The
first community is the busy one: more residents, a few popular action days of up to 100 shifts × 50 sign-ups, and
a fund with up to 10,000 payments. Sized by `--events` (approximate); cached under data/bench-cache/<seed>-<size>/.

Fast paths that give the same events: a clock the generator moves, one precomputed password hash, the views built
once at the end (the use cases read events, never views). Every event goes through `Linli.execute`.
Run: .venv/bin/python -m bench.district --seed 1 --events 200000"""
from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.grants.inputs import credit_check_character, org_code_check_character  # noqa: E402
from domain.kernel import roles  # noqa: E402
from web.cli import progress_bar  # noqa: E402
from web.passwords import hash_password  # noqa: E402
from web.settings import SECRET_FILE, Settings  # noqa: E402
from web.wiring import Services, build  # noqa: E402

CACHE = ROOT / "data" / "bench-cache"
PASSWORD = "bench-password-2026"
SECRET = "linli-bench-secret-only-for-generated-districts-0123456789abcdef"
YEAR = 2026
START = datetime(YEAR, 1, 5, 1, 0, tzinfo=timezone.utc)          # 09:00 in Shanghai
MANIFEST = "manifest.json"
QUORUM = 5                      # percent of a community's verified residents a meeting needs
LATE = timedelta(hours=6)       # an activity may act this much after its moment when the district is busy
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉梅志海燕小云飞鹏辉雪"
TASKS = ["清扫楼道", "整理车棚", "垃圾分类引导", "助老送餐", "文明劝导", "绿地养护", "消防巡查", "图书整理", "义诊协助",
         "反诈宣传"]
TOPICS = ["加装电梯", "楼道扶手", "停车位划线", "垃圾分类站", "路灯维修", "健身器材", "外墙防水", "门禁改造", "儿童游乐区",
          "适老化改造"]
FUND_CATEGORIES = ["elderly", "children", "environment", "culture", "safety", "health"]


@dataclass
class Plan:
    """How much of each thing the district holds; `for_events` scales it to an approximate event count."""

    communities: int = 100
    streets: int = 10
    residents: int = 40           # verified residents of an ordinary community
    meetings: int = 6             # per community in the year
    attendees: int = 6            # residents checked in (and voting) per meeting
    days: int = 3                 # action days per community
    shifts: int = 3               # per ordinary day
    sign_ups: int = 5             # per ordinary shift
    requests: int = 6             # grid requests per community
    payments: int = 6             # per ordinary community's fund (one community has exactly 10)
    busy_residents: int = 600
    busy_days: int = 3            # popular days of the busy community
    busy_shifts: int = 100
    busy_sign_ups: int = 50
    big_fund_payments: int = 10_000
    applications: int = 4         # grant applications per street's call

    @classmethod
    def scaled(cls, s: float) -> "Plan":
        """The plan at scale `s` (1 is about 200,000 events): a small district has fewer communities, each with
        less in it; the popular days and the big fund stop growing at 100 shifts × 50 and 10,000 payments."""
        plan = cls(communities=max(5, min(100, round(100 * min(1.0, 5 * s)))))
        plan.streets = max(1, math.ceil(plan.communities / 10))
        each = s * 100 / plan.communities
        grow = lambda n, low=1: max(low, round(n * each))   # noqa: E731
        plan.residents = max(plan.attendees + 2, min(200, grow(40, 8)))
        plan.meetings, plan.days, plan.requests, plan.payments = grow(6), grow(3), grow(6), grow(6)
        plan.busy_days = max(1, round(3 * s))
        plan.busy_shifts = max(10, min(100, round(110 * s ** 0.5)))
        plan.busy_sign_ups = max(10, min(50, round(56 * s ** 0.5)))
        per_slot = math.ceil(plan.busy_shifts / 10) * plan.busy_sign_ups     # a popular day has 10 hourly slots
        plan.busy_residents = max(per_slot + 10, 60, plan.residents, min(800, round(600 * s)))
        plan.big_fund_payments = max(10, min(10_000, round(12_000 * s)))
        plan.applications = grow(4)
        return plan

    def estimate(self) -> int:
        """About how many events this plan writes (each web command also writes its processed-command marker)."""
        a = self.attendees
        meeting = 3 + 2 * a + 2 * (2 + 4 + 2) + 2 + 2 * a + 2 * (2 + 2 * a + 3) + 4 + 7
        day = 2 + 2 * self.shifts + self.shifts * (3 * self.sign_ups + 3) + 3.6 * self.shifts * (self.sign_ups - 1)
        ordinary = (self.communities * (12 + 7 * self.residents + self.meetings * meeting + self.days * day
                                        + 7.7 * self.requests + 4 * self.payments + 16 + 14 + 0.7 * self.days
                                        * self.shifts * (self.sign_ups - 1)))
        busy = (7 * (self.busy_residents - self.residents) + 4 * (self.big_fund_payments + 10)
                + self.busy_days * (2 + 2 * self.busy_shifts + 3 * self.busy_shifts * self.busy_sign_ups))
        grants = self.streets * (20 + self.applications * 12)
        return round(ordinary + busy + grants)

    @classmethod
    def for_events(cls, events: int) -> "Plan":
        """The plan whose estimate is nearest `events` (by bisection on the scale)."""
        low, high = 0.0005, 50.0
        for _ in range(40):
            mid = (low * high) ** 0.5
            low, high = (mid, high) if cls.scaled(mid).estimate() < events else (low, mid)
        return cls.scaled(high)


@dataclass
class Manifest:
    """What the benchmarks need to find in a generated store (ids as strings, phones, counts)."""

    seed: int
    target: int
    events: int = 0
    seconds: float = 0.0
    fingerprint: str = ""
    plan: dict = field(default_factory=dict)
    district: str = ""
    streets: list = field(default_factory=list)
    communities: list = field(default_factory=list)
    busy: str = ""                                 # the busy community
    small_fund: str = ""                           # a community whose fund has exactly 10 payments
    busy_worker: str = ""                          # phones
    busy_manager: str = ""
    busy_resident: str = ""
    busy_residents: list = field(default_factory=list)
    busy_days: list = field(default_factory=list)  # popular day ids
    big_fund_payments: int = 0

    def save(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "Manifest":
        return cls(**json.loads((folder / MANIFEST).read_text(encoding="utf-8")))


def domain_fingerprint() -> str:
    """A digest of the domain's source and of this generator: a cached store written by other code says so (it may
    lack events the code would now write)."""
    digest = hashlib.sha256()
    for path in [*sorted((ROOT / "domain").rglob("*.py")), Path(__file__)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class Clock:
    """The generator's clock: moved by hand through the year."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def settings_for(folder: Path, extra: dict[str, str] | None = None) -> Settings:
    """The settings of a generated store: its folder, the bench secret (kept in the folder), no demo."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / SECRET_FILE
    if not secret.exists():
        secret.write_text(SECRET)
        secret.chmod(0o600)
    return Settings.from_env({"LINLI_DATA_DIR": str(folder), "LINLI_PROJECTIONS": "inline", **(extra or {})})


def cached(seed: int, events: int, cache: Path = CACHE, progress: bool = True) -> Path:
    """The folder of a generated store (generated now unless already cached); views built."""
    folder = cache / f"{seed}-{events}"
    if not (folder / MANIFEST).exists():
        building = cache / f".{seed}-{events}.building"
        shutil.rmtree(building, ignore_errors=True)
        generate(building, seed, events, progress=progress)
        shutil.rmtree(folder, ignore_errors=True)
        building.rename(folder)
    return folder


def generate(folder: Path, seed: int, events: int, progress: bool = True) -> Manifest:
    """Write a district of about `events` events into `folder` (events, keys, views, secret, manifest)."""
    started, fingerprint = time.monotonic(), domain_fingerprint()
    svc = build(settings_for(folder))
    try:
        district = District(svc, random.Random(seed), Plan.for_events(events), events, progress)
        manifest = district.run()
        if progress:
            sys.stderr.write("\nbuilding the views …\n")
        views_started = time.monotonic()
        svc.runner.catch_up(progress=(lambda done, total: progress_bar(done, total, views_started))
                            if progress else None)
        if progress:
            sys.stderr.write("\n")
        manifest.seed, manifest.target = seed, events
        manifest.events = svc.app.recorder.max_notification_id() or 0
        manifest.seconds = round(time.monotonic() - started, 1)
        manifest.fingerprint = fingerprint
        manifest.plan = asdict(district.plan)
        manifest.save(folder)
        return manifest
    finally:
        svc.close()


def credit_code(n: int) -> str:
    """A valid unified social credit code (GB 32100-2015) of a social service body in 鼓楼区, numbered n."""
    body = f"{n:08d}"
    head = "52320106" + body + org_code_check_character(body)
    return head + credit_check_character(head)


@dataclass
class Community:
    """One generated community and who acts in it."""

    index: int
    id: UUID
    street: UUID
    worker: UUID
    maker: UUID
    checker: UUID
    residents: list[UUID]
    phones: dict[UUID, str]
    resolutions: list[UUID] = field(default_factory=list)
    projects: list[UUID] = field(default_factory=list)
    volunteers: set[UUID] = field(default_factory=set)
    grid: UUID | None = None


class District:
    """Generates the district through the use cases. Every activity (a meeting, an action day, a fund's year …) is
    a generator that yields the next moment it acts; a scheduler runs them in time order, so the clock only moves
    forward and the log interleaves the communities as a real year would."""

    def __init__(self, svc: Services, rng: random.Random, plan: Plan, target: int, progress: bool) -> None:
        self.svc, self.app, self.rng, self.plan, self.target = svc, svc.app, rng, plan, target
        self.clock = Clock(START - timedelta(days=3))
        self.app.clock = self.clock
        self.password_hash = hash_password(PASSWORD)
        self.progress = progress
        self.started = time.monotonic()
        self.last_drawn = 0.0
        self.phones = 0
        self.queue: list[tuple[datetime, int, Iterator[datetime]]] = []
        self.spawned = 0

    # --- small things -------------------------------------------------------------------------------------
    def cid(self) -> str:
        """A command id as the forms send it, from the seed."""
        return f"{self.rng.getrandbits(128):032x}"

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        self.phones += 1
        return f"139{self.phones:08d}"

    def tick(self) -> None:
        """Redraw the progress bar (at most a few times a second)."""
        if self.progress and time.monotonic() - self.last_drawn > 0.3:
            self.last_drawn = time.monotonic()
            progress_bar(self.app.recorder.max_notification_id() or 0, self.target, self.started)

    def later(self, **delta: float) -> None:
        """A little time passes inside one step of an activity: seconds, since every step of every activity runs
        one after another on the one clock (longer waits are yields)."""
        self.clock.now += timedelta(**delta)

    def person(self, community: UUID | None, verified_by: UUID | None = None) -> tuple[UUID, str]:
        phone = self.phone()
        account = self.app.accounts.sign_up(phone, self.name(), self.password_hash, community, command_id=self.cid())
        if verified_by is not None:
            self.app.accounts.verify_residency(verified_by, account, community, command_id=self.cid())
        self.tick()
        return account, phone

    def staff(self, role: str, scope: UUID) -> tuple[UUID, str]:
        account, phone = self.person(None)
        self.app.accounts.grant_role(account, role, scope)
        return account, phone

    # --- the scheduler ---------------------------------------------------------------------------------------
    def spawn(self, activity: Iterator[datetime]) -> None:
        """Start an activity: it runs from the first moment it yields."""
        first = next(activity, None)
        if first is not None:
            self.spawned += 1
            heapq.heappush(self.queue, (first, self.spawned, activity))

    def run_activities(self) -> None:
        while self.queue:
            moment, order, activity = heapq.heappop(self.queue)
            self.clock.now = before = max(self.clock.now, moment)
            try:
                following = next(activity, None)
            except Exception as e:
                frame = {k: v for k, v in (activity.gi_frame.f_locals if activity.gi_frame else {}).items()
                         if isinstance(v, (datetime, int, str))}
                raise RuntimeError(f"{activity.__name__} at {moment} (clock {before}): {frame}") from e
            if self.clock.now - before > timedelta(minutes=20) or (moment > START and before - moment > LATE):
                raise RuntimeError(f"{activity.__name__} due at {moment} ran from {before} to {self.clock.now}: "
                                   "steps must take seconds (longer waits are yields) or the year falls behind")
            if following is not None:
                heapq.heappush(self.queue, (following, order, activity))
            self.tick()

    # --- the whole district --------------------------------------------------------------------------------
    def run(self) -> Manifest:
        plan, app = self.plan, self.app
        district = app.accounts.found_district("320106", "鼓楼区（测试）")
        self.district_official, _ = self.staff(roles.DISTRICT_OFFICIAL, district)
        streets = [app.accounts.found_street(f"320106{s + 1:03d}", f"第{s + 1}街道（测试）", district)
                   for s in range(plan.streets)]
        self.street_officials = {s: self.staff(roles.STREET_OFFICIAL, s)[0] for s in streets}
        communities = [self.community(i, i % len(streets), streets[i % len(streets)]) for i in range(plan.communities)]
        self.busy, self.small_fund = communities[0], communities[1 % len(communities)]
        for c in communities:
            self.setup_grid(c)
        for n, street in enumerate(streets):
            self.spawn(self.grant_call(street, n, [c for c in communities if c.street == street]))
        for c in communities:
            for k in range(plan.meetings):
                self.spawn(self.meeting(c, self.spread(k, plan.meetings, c.index)))
            for k in range(plan.days):
                self.spawn(self.action_day(c, self.spread(k, plan.days, c.index + 3), plan.shifts, plan.sign_ups))
            for k in range(plan.requests):
                self.spawn(self.grid_request(c, self.spread(k, plan.requests, c.index + 7)))
        busy_days: list[UUID] = []
        for k in range(plan.busy_days):
            self.spawn(self.action_day(self.busy, START + timedelta(days=318 + 2 * k), plan.busy_shifts,
                                       plan.busy_sign_ups, popular=True, made=busy_days))
        self.spawn(self.certificates(communities, START + timedelta(days=345)))
        self.run_activities()
        if not self.busy.projects or not self.small_fund.projects:
            raise RuntimeError("the busy community (or the one with a small fund) passed no resolution: no fund")
        return Manifest(
            seed=0, target=self.target, district=str(district), streets=[str(s) for s in streets],
            communities=[str(c.id) for c in communities], busy=str(self.busy.id),
            small_fund=str(self.small_fund.id) if self.small_fund.projects else "",
            busy_worker=self.busy.phones[self.busy.worker], busy_manager=self.busy.phones[self.busy.maker],
            busy_resident=self.busy.phones[self.busy.residents[0]],
            busy_residents=[self.busy.phones[r] for r in self.busy.residents],
            busy_days=[str(d) for d in busy_days], big_fund_payments=plan.big_fund_payments)

    def spread(self, k: int, count: int, offset: int) -> datetime:
        """The day of a community's k-th of `count` things in the year: evenly spaced, shifted per community."""
        step = 320 / count
        return START + timedelta(days=int(k * step + (offset * 7.3) % step))

    def community(self, index: int, street_index: int, street: UUID) -> Community:
        community = self.app.accounts.found_community(f"320106{street_index + 1:03d}{index + 1:03d}",
                                                      f"第{index + 1}社区（测试）", street)
        worker, worker_phone = self.staff(roles.WORKER, community)
        maker, maker_phone = self.staff(roles.FUND_MANAGER, community)
        checker, checker_phone = self.staff(roles.FUND_MANAGER, community)
        count = self.plan.busy_residents if index == 0 else self.plan.residents
        people = [self.person(community, verified_by=worker) for _ in range(count)]
        phones = {worker: worker_phone, maker: maker_phone, checker: checker_phone, **{a: p for a, p in people}}
        return Community(index, community, street, worker, maker, checker, [a for a, _ in people], phones)

    # --- roundtable ------------------------------------------------------------------------------------------
    def meeting(self, c: Community, day: datetime) -> Iterator[datetime]:
        rt, rng = self.app.roundtable, self.rng
        starts = day.replace(hour=11, minute=0)                              # 19:00 in Shanghai
        yield starts - timedelta(days=7)
        topic = rng.choice(TOPICS)
        meeting = rt.schedule_meeting(c.worker, c.id, f"{topic}议事会", f"讨论{topic}的方案和费用", starts,
                                      starts + timedelta(hours=2), "社区活动室", "in_person", 50,
                                      starts - timedelta(hours=1), "simple", QUORUM, command_id=self.cid())
        quorate = math.ceil(len(c.residents) * QUORUM / 100) + 2           # the busy community's meetings are bigger
        attendees = rng.sample(c.residents, max(self.plan.attendees, quorate))
        yield starts - timedelta(days=5)
        for a in attendees:
            rt.register_for_meeting(a, meeting, command_id=self.cid())
            self.later(seconds=30)
        items = []
        for n in range(rng.choice((1, 2, 2, 3))):
            yield starts - timedelta(days=4 - n)
            item = rt.propose_agenda_item(attendees[n], meeting, f"{rng.choice(TOPICS)}（{n + 1}）", "居民提议",
                                          command_id=self.cid())
            for supporter in attendees[n + 1:n + 3]:
                yield self.clock.now + timedelta(minutes=30)
                rt.support_agenda_item(supporter, meeting, item, command_id=self.cid())
            yield self.clock.now + timedelta(hours=2)
            rt.accept_agenda_item(c.worker, meeting, item, 20, command_id=self.cid())
            items.append(item)
        yield starts - timedelta(minutes=20)
        rt.open_meeting(c.worker, meeting, command_id=self.cid())
        for a in attendees:
            rt.check_in(c.worker, meeting, a, command_id=self.cid())
            self.later(seconds=20)
        yield starts + timedelta(minutes=20)
        tallies, passed = {}, []
        for n, item in enumerate(items):
            motion = rt.open_motion(c.worker, meeting, item, command_id=self.cid(), amount="30000")   # what a project gets
            for a in attendees:
                choice = "for" if n == 0 else rng.choices(("for", "against", "abstain"), (6, 3, 1))[0]
                rt.cast_vote(a, meeting, motion, choice, command_id=self.cid())
                self.later(seconds=10)
            yield self.clock.now + timedelta(minutes=10)
            result = rt.close_motion(c.worker, meeting, motion, command_id=self.cid())
            tallies[motion] = (result["votes_for"], result["votes_against"], result["abstentions"])
            if result.get("resolution_id"):
                passed.append(UUID(result["resolution_id"]))
                c.resolutions.append(passed[-1])
                if len(c.resolutions) == 1:
                    self.spawn(self.fund_year(c))
        yield starts + timedelta(hours=2)
        rt.adjourn_meeting(c.worker, meeting, command_id=self.cid())
        yield self.clock.now + timedelta(minutes=30)
        rt.publish_minutes(c.worker, meeting, "会议按议程进行，表决结果见附表。", tallies, command_id=self.cid())
        yield starts + timedelta(days=1)
        for resolution in passed:
            rt.assign_resolution_owner(c.worker, resolution, "社区居委会", command_id=self.cid())
            rt.advance_resolution(c.worker, resolution, "in_progress", command_id=self.cid())

    # --- volunteer station ------------------------------------------------------------------------------------
    def action_day(self, c: Community, day: datetime, shifts: int, sign_ups: int, popular: bool = False,
                   made: list | None = None) -> Iterator[datetime]:
        vol, rng = self.app.volunteer, self.rng
        first = day.replace(hour=0, minute=30)                               # 08:30 in Shanghai
        yield first - timedelta(days=14)
        day_id = vol.create_action_day(c.worker, c.id, None, "全民志愿服务日" if popular else "集中行动日",
                                       "清理楼道杂物，消除消防隐患", (first + timedelta(hours=8)).date().isoformat(),
                                       command_id=self.cid())
        if made is not None:
            made.append(day_id)
        slots = 10 if popular else shifts               # a popular day: 10 hourly slots, shifts side by side
        planned = []
        for n in range(shifts):
            starts = first + timedelta(hours=n % slots)
            shift = vol.add_shift(c.worker, day_id, f"{TASKS[n % len(TASKS)]}·{n + 1}", f"{n % 12 + 1} 号楼", starts,
                                  starts + timedelta(minutes=50), sign_ups, command_id=self.cid())
            planned.append((shift, n % slots, starts))
            self.later(seconds=5)
        taken: dict[int, set[UUID]] = {}
        people_of = {}
        for k, (shift, slot, _) in enumerate(planned):
            yield first - timedelta(days=10) + timedelta(days=7) * k / len(planned)
            busy = taken.setdefault(slot, set())
            people = rng.sample([r for r in c.residents if r not in busy], sign_ups)
            busy.update(people)
            for person in people:
                vol.sign_up_for_shift(person, day_id, shift, command_id=self.cid())
                self.later(seconds=5)
            if not popular:
                yield self.clock.now + timedelta(hours=5)
                vol.cancel_shift(people[0], day_id, shift, command_id=self.cid())   # someone always drops out
                people = people[1:]
            people_of[shift] = people
        if popular:
            return
        for shift, _, starts in planned:
            came = [p for p in people_of[shift] if rng.random() < 0.9]
            yield starts - timedelta(minutes=10)
            for person in came:
                vol.check_in(c.worker, day_id, shift, person, command_id=self.cid())
            yield starts + timedelta(minutes=50)
            for person in came:
                vol.check_out(c.worker, day_id, shift, person, command_id=self.cid())
                c.volunteers.add(person)

    def certificates(self, communities: list[Community], moment: datetime) -> Iterator[datetime]:
        for n, c in enumerate(communities):
            yield moment + timedelta(hours=n)
            for person in sorted(c.volunteers, key=str)[::4]:
                self.app.volunteer.issue_certificate(person, c.id, str(YEAR), command_id=self.cid())
                self.later(seconds=30)

    # --- fund ----------------------------------------------------------------------------------------------------
    def fund_year(self, c: Community) -> Iterator[datetime]:
        """From the first passed resolution: allocate to a project behind each new resolution (up to six), and pay
        (maker) and approve (checker) evenly until mid-December."""
        fund, rng = self.app.fund, self.rng
        payments = 10 if c is self.small_fund else self.plan.big_fund_payments if c is self.busy else self.plan.payments
        begin = self.clock.now + timedelta(days=3)
        step = (START + timedelta(days=340) - begin) / max(payments, 1)
        amount = max(1, min(500, 28_000 // max(payments, 1)))    # yuan: one project's 30,000 always covers them
        allocated: list[UUID] = []
        for n in range(payments):
            yield begin + step * n
            for resolution in c.resolutions[len(allocated):6]:
                c.projects.append(fund.allocate(c.maker, c.id, YEAR, resolution, f"{rng.choice(TOPICS)}项目",
                                                rng.choice(FUND_CATEGORIES), "30000", command_id=self.cid()))
                allocated.append(resolution)
            project = c.projects[n % len(c.projects)] if n % 3 else c.projects[0]
            payment = fund.record_payment(c.maker, c.id, YEAR, project, None, str(amount), "organisation",
                                          f"服务商{n % 17 + 1}号", self.clock.now.date().isoformat(), "材料和人工",
                                          f"R{c.index:03d}-{n:05d}", command_id=self.cid())
            yield self.clock.now + step / 3
            fund.approve_payment(c.checker, c.id, YEAR, payment, command_id=self.cid())

    # --- grid -----------------------------------------------------------------------------------------------------
    def setup_grid(self, c: Community) -> None:
        grid = self.app.grid
        c.grid = grid.define_grid(c.worker, c.id, "第一网格", command_id=self.cid())
        for b in range(1, 7):
            grid.assign_area(c.worker, c.id, c.grid, f"{b}号楼", command_id=self.cid())
        grid.assign_grid_worker(c.worker, c.id, c.grid, c.phones[c.worker])

    def grid_request(self, c: Community, moment: datetime) -> Iterator[datetime]:
        grid, rng = self.app.grid, self.rng
        yield moment + timedelta(hours=rng.randint(0, 12))
        reporter = rng.choice(c.residents)
        building = f"{rng.randint(1, 9)}号楼"
        request = grid.submit_request(reporter, c.id, str(rng.randint(1, 6)), f"{building}楼道灯坏了，晚上很黑。", building,
                                      f"{rng.randint(1, 3)}单元", "", rng.random() < 0.5, command_id=self.cid())
        yield self.clock.now + timedelta(hours=3)
        grid.accept(c.worker, request, command_id=self.cid())
        if rng.random() < 0.8:
            yield self.clock.now + timedelta(hours=20)
            grid.resolve(c.worker, request, "已联系物业处理完毕。", command_id=self.cid())
            if rng.random() < 0.7:
                yield self.clock.now + timedelta(hours=5)
                grid.rate(reporter, request, rng.choice(("satisfied", "satisfied", "basically", "unsatisfied")), "",
                          command_id=self.cid())

    # --- grants -----------------------------------------------------------------------------------------------------
    def grant_call(self, street: UUID, n: int, communities: list[Community]) -> Iterator[datetime]:
        """A street's call: an organisation registered and approved, the call opened, two reviewers; in July the
        applications, scored by both reviewers, every other one awarded (maker and checker)."""
        grants, rng = self.app.grants, self.rng
        yield START + timedelta(days=20)
        official = self.street_officials[street]
        member, _ = self.person(None)
        org = grants.register_organisation(member, f"第{n + 1}街道睦邻服务中心（测试）", credit_code(1000 + n), "service",
                                           street, self.name(), self.phone(), command_id=self.cid())
        grants.approve_organisation(official, org, command_id=self.cid())
        call = grants.open_call(self.district_official, street, None, f"{YEAR} 年社区公益创投（第{n + 1}街道）",
                                "为老服务、儿童关爱、邻里互助", "300,000", "50,000",
                                f"{YEAR}-02-01 08:00", f"{YEAR}-08-31 17:00",
                                (["项目设计", "团队能力", "预算合理"], ["40", "30", "30"]),
                                (["signing", "midterm", "final"], ["40", "40", "20"]), command_id=self.cid())
        reviewers = []
        for _ in range(2):
            reviewer, phone = self.person(None)
            grants.assign_reviewer(official, call, phone, command_id=self.cid())
            reviewers.append(reviewer)
        for k in range(self.plan.applications):
            yield START + timedelta(days=150 + 10 * k)
            community = communities[k % len(communities)]
            application = grants.save_draft(
                member, call, org, community.id, f"{rng.choice(TOPICS)}公益项目", "为社区居民提供服务",
                f"{rng.randint(20, 30)},000", (["人工", "物料"], ["20,000", "10,000"]),
                (["启动", "中期"], [f"{YEAR}-09-01", f"{YEAR}-11-01"]), (["项目负责人", "社工"], ["负责人", "执行"]),
                command_id=self.cid())
            yield self.clock.now + timedelta(days=1)
            grants.submit_application(member, application, command_id=self.cid())
            yield self.clock.now + timedelta(days=3)
            for reviewer in reviewers:
                grants.score(reviewer, application, {"c1": str(rng.randint(60, 95)), "c2": str(rng.randint(60, 95)),
                                                     "c3": str(rng.randint(60, 95))},
                             {"c1": "设计清楚", "c2": "团队有经验", "c3": "预算合理"}, command_id=self.cid())
            if k % 2 == 0:
                yield self.clock.now + timedelta(days=2)
                grants.propose_award(official, application, "20,000", command_id=self.cid())
                yield self.clock.now + timedelta(days=1)
                grants.approve_award(self.district_official, application, command_id=self.cid())


def main() -> None:
    parser = argparse.ArgumentParser(description="generate a district (cached under data/bench-cache/)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--events", type=int, default=200_000, help="approximate number of events")
    parser.add_argument("--out", help="write here instead of the cache (the folder must not hold a store)")
    args = parser.parse_args()
    if args.out:
        manifest = generate(Path(args.out), args.seed, args.events)
        folder = Path(args.out)
    else:
        folder = cached(args.seed, args.events)
        manifest = Manifest.load(folder)
    print(f"{folder}: {manifest.events} events in {manifest.seconds}s (seed {manifest.seed})")


if __name__ == "__main__":
    main()
