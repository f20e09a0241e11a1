"""What the grants tests build with (domain, projections and web alike): an approved organisation with two members,
a second organisation, street and district officials, two reviewers, and an open call; helpers that take an
application to submitted, scored, awarded and signed through the use cases."""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from domain.kernel import roles
from tests.builders import PASSWORD_HASH, new_phone

# Real-looking unified social credit codes (GB 32100-2015), valid check characters.
CODE_A = "52320106MJ5790127L"        # 社会服务机构（民办非企业单位）, 鼓楼区
CODE_B = "51320106509487659E"        # 社会团体
CODE_C = "53320000MJ000123X1"        # 基金会
CODE_D = "91350100M000100Y43"        # an enterprise (工商)
OPENS, CLOSES = "2026-05-01 08:00", "2026-05-31 17:00"   # Shanghai time; the test clock starts 2026-05-01 09:00
CRITERIA = (["项目设计", "团队能力", "预算合理"], ["40", "30", "30"])
TRANCHES = (["signing", "midterm", "final"], ["40", "40", "20"])
GOOD = {"c1": "80", "c2": "70", "c3": "90"}
NOTES = {"c1": "设计清楚", "c2": "团队有经验", "c3": "预算合理"}


def person(app, name: str) -> tuple[UUID, str]:
    """A plain account: (id, phone)."""
    phone = new_phone()
    return app.accounts.sign_up(phone, name, PASSWORD_HASH, None), phone


@dataclass
class GrantsCase:
    """Who and what a grants test needs."""

    app: object
    places: object
    member: UUID = None
    member2: UUID = None
    member2_phone: str = ""
    phones: dict = field(default_factory=dict)
    other_member: UUID = None
    street_official: UUID = None
    district_official: UUID = None
    worker: UUID = None
    reviewers: list = field(default_factory=list)      # [(id, phone), (id, phone)]
    org: UUID = None
    other_org: UUID = None
    call: UUID = None

    def draft(self, org: UUID | None = None, title: str = "长者助餐", requested: str = "40,000",
              by: UUID | None = None, community: UUID | None = None) -> UUID:
        """A complete draft of `org` (default: the first organisation) serving the community."""
        org = org or self.org
        by = by or (self.member if org == self.org else self.other_member)
        return self.app.grants.save_draft(
            by, self.call, org, community or self.places.community, title, "为高龄独居老人送餐", requested,
            (["餐费", "人工"], ["30,000", "20,000"]), (["启动", "中期"], ["2026-06-01", "2026-09-01"]),
            (["郑会长", "王社工"], ["负责人", "执行"]))

    def submitted(self, **kwargs) -> UUID:
        application = self.draft(**kwargs)
        org = kwargs.get("org") or self.org
        self.app.grants.submit_application(self.member if org == self.org else self.other_member, application)
        return application

    def scored(self, **kwargs) -> UUID:
        application = self.submitted(**kwargs)
        for reviewer, _ in self.reviewers:
            self.app.grants.score(reviewer, application, GOOD, NOTES)
        return application

    def awarded(self, amount: str = "40,000", **kwargs) -> UUID:
        application = self.scored(**kwargs)
        self.app.grants.propose_award(self.street_official, application, amount)
        self.app.grants.approve_award(self.district_official, application)
        return application

    def signed(self, amount: str = "40,000", **kwargs) -> UUID:
        """Awarded, signing accepted by the street official and its tranche released by the district official."""
        application = self.awarded(amount, **kwargs)
        self.app.grants.accept_milestone(self.street_official, application, "signing")
        self.app.grants.release_tranche(self.district_official, application, 0)
        return application

    @property
    def call_state(self):
        return self.app.grants.call(self.call)


def grants_case(app, places, pool: str = "300,000", max_per_project: str = "50,000") -> GrantsCase:
    """Two approved organisations, officials, two reviewers and an open street call (every phone in `phones`)."""
    case = GrantsCase(app=app, places=places)

    def someone(key: str, name: str, role: str | None = None, scope=None) -> UUID:
        account_id, case.phones[key] = person(app, name)
        if role:
            app.accounts.grant_role(account_id, role, scope)
        return account_id
    case.member = someone("member", "郑会长")
    case.member2 = someone("member2", "钱干事")
    case.member2_phone = case.phones["member2"]
    case.other_member = someone("other_member", "孙理事")
    case.street_official = someone("street", "孙街道", roles.STREET_OFFICIAL, places.street)
    case.district_official = someone("district", "周区里", roles.DISTRICT_OFFICIAL, places.district)
    case.worker = someone("worker", "李社工", roles.WORKER, places.community)
    case.reviewers = [(someone("reviewer1", "评审甲"), case.phones["reviewer1"]),
                      (someone("reviewer2", "评审乙"), case.phones["reviewer2"])]
    case.org = app.grants.register_organisation(case.member, "江苏路睦邻服务中心", CODE_A, "service", places.street,
                                                "郑会长", "13912345678")
    app.grants.add_member(case.member, case.org, case.member2_phone)
    case.other_org = app.grants.register_organisation(case.other_member, "宁海路志愿者协会", CODE_B, "association",
                                                      places.street, "孙理事", "13987654321")
    app.grants.approve_organisation(case.street_official, case.org)
    app.grants.approve_organisation(case.district_official, case.other_org)
    case.call = app.grants.open_call(case.district_official, places.street, None, "2026 年社区公益创投", "为老服务",
                                     pool, max_per_project, OPENS, CLOSES, CRITERIA, TRANCHES)
    for _, phone in case.reviewers:
        app.grants.assign_reviewer(case.street_official, case.call, phone)
    return case
