"""A clearly marked demo: one district, one street, two communities, one account per role."""
from __future__ import annotations

from uuid import UUID

from domain import roles
from domain.account import Account
from domain.errors import ConflictError
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


def seed_demo(svc: Services, quiet: bool = False) -> bool:
    """Seed the demo if the store is empty; prints the logins. Returns whether it seeded."""
    app = svc.app
    if (app.recorder.max_notification_id() or 0) > 0:
        return False
    district = app.found_district("320106", "鼓楼区（演示）")
    street = app.found_street("320106001", "宁海路街道（演示）", district)
    c1 = app.found_community("320106001001", "江苏路社区（演示）", street)
    c2 = app.found_community("320106001002", "颐和路社区（演示）", street)
    scopes: dict[str, UUID] = {"c1": c1, "c2": c2, "street": street, "district": district,
                               "org": UUID("00000000-0000-5000-8000-000000000001")}
    password_hash = hash_password(DEMO_PASSWORD)
    lines = []
    for phone, name, role, scope in DEMO_ACCOUNTS:
        community = scopes[scope] if scope in ("c1", "c2") else None
        try:
            account_id = app.sign_up(phone, name, password_hash, community)
        except ConflictError:
            account_id = Account.id_for(app.phone_key(phone))
        if community is not None:
            worker = _worker_for(app, community, scopes)
            if worker is not None and role in (roles.RESIDENT, roles.WORKER, roles.FUND_MANAGER):
                app.verify_residency(worker, account_id, community)
        if role != roles.RESIDENT:
            app.grant_role(account_id, role, scopes[scope])
        lines.append(f"  {phone}  {name:<14} {roles.ROLE_NAMES[role]}")
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
                account_id = app.sign_up(phone, name, hash_password(DEMO_PASSWORD), community)
            except ConflictError:
                account_id = Account.id_for(app.phone_key(phone))
            app.grant_role(account_id, roles.WORKER, community)
            return account_id
    return None
