"""Roles and the scopes they hold in. Every grant is scoped to one community, street, district or organisation."""
from __future__ import annotations

RESIDENT = "resident"
WORKER = "worker"
FUND_MANAGER = "fund_manager"
STREET_OFFICIAL = "street_official"
DISTRICT_OFFICIAL = "district_official"
ORG_MEMBER = "org_member"
GRID_WORKER = "grid_worker"   # scoped to one grid (网格) of a community

COMMUNITY_ROLES = (WORKER, FUND_MANAGER)
GRANTABLE = (WORKER, FUND_MANAGER, STREET_OFFICIAL, DISTRICT_OFFICIAL, ORG_MEMBER, GRID_WORKER)

ROLE_NAMES = {
    RESIDENT: "居民",
    WORKER: "社区工作者",
    FUND_MANAGER: "资金管理员",
    STREET_OFFICIAL: "街道工作人员",
    DISTRICT_OFFICIAL: "区级工作人员",
    ORG_MEMBER: "社会组织成员",
    GRID_WORKER: "网格员",
}

PENDING = "pending"
VERIFIED = "verified"
REJECTED = "rejected"
