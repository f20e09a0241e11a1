"""The contexts registry: the one place a bounded context is added.

Each line names a context's service and snapshot intervals (domain), its read model (projections), and its
routes, community tab and English catalogue (web). The composition root (`web.wiring.build`, `create_app`)
builds everything from this list; nothing else enumerates the contexts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.accounts.model import Residents
from domain.accounts.service import AccountService
from domain.fund.model import Fund
from domain.fund.service import FundService
from domain.kernel.application import DomainContext
from domain.roundtable.model import Meeting
from domain.roundtable.service import RoundtableService
from domain.volunteer.model import ActionDay, Volunteer
from domain.volunteer.service import VolunteerService
from projections import accounts as accounts_views
from projections import fund as fund_views
from projections import roundtable as roundtable_views
from projections import volunteer as volunteer_views
from projections.base import Projection


@dataclass(frozen=True)
class Tab:
    """A tab of the community pages: its label (a msgid) and the route it opens."""

    label: str
    route: str


@dataclass(frozen=True)
class Context:
    """One bounded context, across the layers."""

    domain: DomainContext
    projection: Projection | None
    routes: str                      # the module whose `routes` list it serves (a name: routes import the registry)
    tab: Tab | None = None
    catalogue: str = ""

    @property
    def name(self) -> str:
        return self.domain.name


CONTEXTS: Sequence[Context] = (
    Context(DomainContext("accounts", AccountService, {Residents: 100}), accounts_views.projection,
            "web.routes.core", catalogue="core"),
    Context(DomainContext("roundtable", RoundtableService, {Meeting: 200}), roundtable_views.projection,
            "web.routes.roundtable", Tab("议事会", "roundtable_index"), "roundtable"),
    Context(DomainContext("volunteer", VolunteerService, {ActionDay: 50, Volunteer: 50}), volunteer_views.projection,
            "web.routes.volunteer", Tab("志愿服务站", "volunteer_index"), "volunteer"),
    Context(DomainContext("fund", FundService, {Fund: 100}), fund_views.projection,
            "web.routes.fund", Tab("专项资金", "fund_index"), "fund"),
)


def domain_contexts() -> list[DomainContext]:
    """What the application is built of."""
    return [c.domain for c in CONTEXTS]


def projections() -> list[Projection]:
    """Every read model, in the order the runner feeds them."""
    return [c.projection for c in CONTEXTS if c.projection is not None]
