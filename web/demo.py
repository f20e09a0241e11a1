"""A clearly marked demo: one district, one street, two communities, one account per role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from domain.accounts.model import Account, Community
from domain.kernel import roles
from domain.kernel.errors import ConflictError
from domain.kernel.time import SHANGHAI
from web.contexts import demo_seeders
from web.passwords import hash_password
from web.wiring import Services
DEMO_PASSWORD = "linli-demo-2026"
DEMO_ACCOUNTS = [
    # phone, name, role, scope ("c1", "c2", "street", "district", or None for a plain resident)
    ("13800000001", "王居民（演示）", roles.RESIDENT, "c1"),
    ("13800000002", "李社工（演示）", roles.WORKER, "c1"),
    ("13800000003", "赵会计（演示）", roles.FUND_MANAGER, "c1"),
    ("13800000004", "钱出纳（演示）", roles.FUND_MANAGER, "c1"),
    ("13800000005", "孙街道（演示）", roles.STREET_OFFICIAL, "street"),
    ("13800000006", "周区里（演示）", roles.DISTRICT_OFFICIAL, "district"),
    ("13800000007", "吴社工（演示）", roles.WORKER, "c2"),
    ("13800000008", "郑社会组织（演示）", roles.ORG_MEMBER, "org"),
]


@dataclass(frozen=True)
class Demo:
    """What a context's demo seeder (`web/<context>/demo.py: seed(svc, demo)`) builds on: the places and the demo
    people by phone number (`person("13800000002")` is the worker of 江苏路社区（演示）)."""

    district: UUID
    street: UUID
    c1: UUID
    c2: UUID
    org: UUID
    people: dict[str, UUID]

    def person(self, phone: str) -> UUID:
        return self.people[phone]


def seed_demo(svc: Services, quiet: bool = False, activity: bool = False) -> bool:
    """Seed the demo if the store is empty (with `activity`: meetings, a resolution, fund payments and an
    action day too); prints the logins. Returns whether it seeded."""
    app = svc.app
    if (app.recorder.max_notification_id() or 0) > 0:
        return False
    district = app.accounts.found_district("320106", "鼓楼区（演示）")
    street = app.accounts.found_street("320106001", "宁海路街道（演示）", district)
    c1 = app.accounts.found_community("320106001001", "江苏路社区（演示）", street)
    c2 = app.accounts.found_community("320106001002", "颐和路社区（演示）", street)
    scopes: dict[str, UUID] = {"c1": c1, "c2": c2, "street": street, "district": district,
                               "org": UUID("00000000-0000-5000-8000-000000000001")}
    password_hash = hash_password(DEMO_PASSWORD)
    lines = []
    for phone, name, role, scope in DEMO_ACCOUNTS:
        community = scopes[scope] if scope in ("c1", "c2") else None
        try:
            account_id = app.accounts.sign_up(phone, name, password_hash, community)
        except ConflictError:
            account_id = Account.id_for(app.phone_key(phone))
        if community is not None:
            worker = _worker_for(app, community, scopes)
            if worker is not None and role in (roles.RESIDENT, roles.WORKER, roles.FUND_MANAGER):
                app.accounts.verify_residency(worker, account_id, community)
        if role != roles.RESIDENT:
            app.accounts.grant_role(account_id, role, scopes[scope])
        lines.append(f"  {phone}  {name:<14} {roles.ROLE_NAMES[role]}")
    if activity:
        seed_demo_activity(svc)
        demo = Demo(district=district, street=street, c1=c1, c2=c2, org=scopes["org"],
                    people={phone: Account.id_for(app.phone_key(phone)) for phone, *_ in DEMO_ACCOUNTS})
        for seed in demo_seeders():
            seed(svc, demo)
    svc.runner.catch_up()
    if not quiet:
        print("\n邻里 Linli 演示数据已创建 (demo data seeded). 演示账号 demo logins, 密码 password: "
              f"{DEMO_PASSWORD}\n" + "\n".join(lines) + "\n", flush=True)
    return True


def _worker_for(app, community: UUID, scopes: dict[str, UUID]) -> UUID | None:
    """The demo worker of a community, granted first so that it can verify the others."""
    for phone, name, role, scope in DEMO_ACCOUNTS:
        if role == roles.WORKER and scopes.get(scope) == community:
            try:
                account_id = app.accounts.sign_up(phone, name, hash_password(DEMO_PASSWORD), community)
            except ConflictError:
                account_id = Account.id_for(app.phone_key(phone))
            app.accounts.grant_role(account_id, roles.WORKER, community)
            return account_id
    return None


def seed_demo_activity(svc: Services) -> None:
    """Give the demo community a history to explore: a past roundtable whose resolution the fund paid for,
    an upcoming meeting and an action day with open places. Runs through the real use cases, moving the
    application's clock back for the past meeting."""
    app = svc.app
    real_clock = app.clock
    now = real_clock()
    community = Community.id_for("320106001001")
    person = {phone: Account.id_for(app.phone_key(phone)) for phone, *_ in DEMO_ACCOUNTS}
    resident, worker, maker, checker = (person[p] for p in ("13800000001", "13800000002", "13800000003", "13800000004"))
    voters = [resident, worker, maker, checker]
    try:
        starts = (now - timedelta(days=10)).replace(hour=11, minute=0, second=0, microsecond=0)  # 19:00 Shanghai
        app.clock = lambda: starts - timedelta(days=5)
        meeting = app.roundtable.schedule_meeting(worker, community, "楼道扶手加装议事会（演示）",
                                       "讨论为 3 号楼、5 号楼高龄老人加装楼道扶手", starts, starts + timedelta(hours=2),
                                       "社区活动室", "in_person", 30, starts - timedelta(hours=1), "simple", 50)
        for voter in voters:
            app.roundtable.register_for_meeting(voter, meeting)
        item = app.roundtable.propose_agenda_item(resident, meeting, "为高龄老人加装楼道扶手", "3 号楼、5 号楼共 12 个单元")
        app.roundtable.accept_agenda_item(worker, meeting, item, 30)
        app.clock = lambda: starts - timedelta(minutes=20)
        app.roundtable.open_meeting(worker, meeting)
        for voter in voters:
            app.roundtable.check_in(worker, meeting, voter)
        app.clock = lambda: starts + timedelta(minutes=30)
        motion = app.roundtable.open_motion(worker, meeting, item, amount="12,000", category="elderly")
        for voter, choice in zip(voters, ("for", "for", "for", "abstain")):
            app.roundtable.cast_vote(voter, meeting, motion, choice)
        resolution = UUID(app.roundtable.close_motion(worker, meeting, motion)["resolution_id"])
        app.clock = lambda: starts + timedelta(hours=2)
        app.roundtable.adjourn_meeting(worker, meeting)
        app.roundtable.publish_minutes(worker, meeting, "会议同意为 3 号楼、5 号楼加装楼道扶手，费用由为民服务专项资金列支。",
                                       {motion: (3, 0, 1)})   # the tally the minutes state: 3 for, 1 abstaining
        app.clock = lambda: starts + timedelta(days=1)
        app.roundtable.assign_resolution_owner(worker, resolution, "李社工（演示）")
    finally:
        app.clock = real_clock

    year = now.astimezone(SHANGHAI).year
    project = app.fund.allocate(maker, community, year, resolution, "楼道扶手加装", "elderly", "12,000")
    payment = app.fund.record_payment(maker, community, year, project, None, "3,000", "organisation", "南京安居装修有限公司",
                                 now.astimezone(SHANGHAI).date().isoformat(), "扶手首期款", "FP-DEMO-001")
    app.fund.approve_payment(checker, community, year, payment)

    upcoming = (now + timedelta(days=5)).replace(hour=11, minute=0, second=0, microsecond=0)
    app.roundtable.schedule_meeting(worker, community, "加装电梯议事会（演示）", "讨论 7 号楼加装电梯方案和费用分摊", upcoming,
                         upcoming + timedelta(hours=2), "社区活动室", "hybrid", 40, upcoming - timedelta(days=1),
                         "two_thirds", 50)
    day_start = (now + timedelta(days=3)).replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 Shanghai
    day = app.volunteer.create_action_day(worker, community, None, "楼道清洁集中行动日（演示）", "清理楼道杂物，消除消防隐患",
                                day_start.astimezone(SHANGHAI).date().isoformat())
    morning = app.volunteer.add_shift(worker, day, "清理楼道杂物", "3 号楼", day_start, day_start + timedelta(hours=2), 8)
    app.volunteer.add_shift(worker, day, "张贴消防提示", "5 号楼", day_start + timedelta(hours=5), day_start + timedelta(hours=7), 4)
    app.volunteer.sign_up_for_shift(resident, day, morning)
    svc.runner.catch_up()
