"""The demo's Party member: the demo resident of 江苏路社区（演示） consents, registers and is confirmed by the demo
worker, and the coming action day's first shift is on the needs board."""
from __future__ import annotations

from uuid import UUID

from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION
from projections import party as views


def seed(svc, demo) -> None:
    """Register the demo resident (13800000001) as a confirmed in-service Party member of the demo community."""
    app = svc.app
    resident, worker = demo.person("13800000001"), demo.person("13800000002")
    stint = app.party.give_consent(resident, demo.c1, CONSENT_VERSION, True)
    app.party.submit_registration(resident, demo.c1, stint, "南京某某科技有限公司（演示）", "南京某某科技有限公司党委（演示）",
                                  "陈书记", "025-83000000", ["邻里互助", "环境整治"], "", "周末上午", ["name", "service"])
    app.party.confirm_registration(worker, demo.c1, Registration.id_for(resident), stint)
    svc.runner.catch_up()
    shifts = views.postable_shifts(svc.views, str(demo.c1), app.clock().isoformat())
    if shifts:
        first = shifts[0]
        app.party.post_need(worker, demo.c1, UUID(first["day_id"]), UUID(first["shift_id"]), "环境整治", "欢迎在职党员带头参加")
    svc.runner.catch_up()
