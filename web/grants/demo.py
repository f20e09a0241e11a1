"""The demo's charity-venture grants: the demo social organisation (its fixed id, which the demo member's
`org_member` role names) registered and approved, and one open call of the demo street."""
from __future__ import annotations

from datetime import timedelta

from domain.kernel.time import SHANGHAI

DEMO_CREDIT_CODE = "52320106MJ5790127L"


def seed(svc, demo) -> None:
    """Register and approve the demo organisation; open one call (window: a week ago to thirty days ahead)."""
    app = svc.app
    member, street_official = demo.person("13800000008"), demo.person("13800000005")
    district_official = demo.person("13800000006")
    org = app.grants.register_organisation(member, "江苏路睦邻互助服务中心（演示）", DEMO_CREDIT_CODE, "service",
                                           demo.street, "郑社会组织（演示）", "13800000008", organisation_id=demo.org)
    app.grants.approve_organisation(street_official, org)
    now = app.clock().astimezone(SHANGHAI).replace(second=0, microsecond=0)
    app.grants.open_call(
        district_official, demo.street, None, "宁海路街道社区公益创投（演示）",
        "为老服务、儿童关爱、邻里互助：面向街道内各社区，欢迎社区社会组织申报。", "300,000", "50,000",
        (now - timedelta(days=7)).strftime("%Y-%m-%d %H:%M"), (now + timedelta(days=30)).strftime("%Y-%m-%d 17:00"),
        (["项目设计与社区需求", "团队能力", "预算合理性", "可持续性"], ["40", "20", "20", "20"]),
        (["signing", "midterm", "final"], ["40", "40", "20"]))
