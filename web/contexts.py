"""The contexts registry: the one place a bounded context is added.

Each line names a context's domain part (service and snapshot intervals), its policies (which the templates ask
too), its read model, its web package and its community tabs. The composition root (`web.wiring.build`,
`web.app.create_app`) builds everything from this list; nothing else enumerates the contexts.

A web package `web/<context>/` has `routes.py` (a `routes` list) and may give, in `pages.py`, the hooks other
pages collect (`contributions`): `overview_card(request, community) -> Panel | None`,
`agenda(request, community_ids) -> list[AgendaItem]`, `notices(request) -> list[Panel]` and
`street_columns(request, street, communities) -> list[Column]` (see `web.panels`)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from domain.accounts import policies as accounts_policies
from domain.accounts.model import Residents
from domain.accounts.service import AccountService
from domain.fund import policies as fund_policies
from domain.fund.model import Fund
from domain.fund.service import FundService
from domain.grants import policies as grants_policies
from domain.grants.model import Call
from domain.grants.service import GrantsService
from domain.grid import policies as grid_policies
from domain.grid.model import Grids, Request
from domain.grid.service import GridService
from domain.kernel.actor import Actor
from domain.kernel.application import DomainContext
from domain.party import policies as party_policies
from domain.party.service import PartyService
from domain.roundtable import policies as roundtable_policies
from domain.roundtable.model import Meeting
from domain.roundtable.service import RoundtableService
from domain.volunteer import policies as volunteer_policies
from domain.volunteer.model import ActionDay, Volunteer
from domain.volunteer.service import VolunteerService
from projections import accounts as accounts_views
from projections import fund as fund_views
from projections import grants as grants_views
from projections import grid as grid_views
from projections import party as party_views
from projections import roundtable as roundtable_views
from projections import volunteer as volunteer_views
from projections.base import Projection


@dataclass(frozen=True)
class Tab:
    """A tab of the community pages: its key (pages say `tab=key`), label (a msgid), the route it opens, its place,
    and who sees it (a policy; everyone when None)."""

    key: str
    label: str
    route: str
    order: int
    shown: Callable[[Actor, Any], bool] | None = None


@dataclass(frozen=True)
class Context:
    """One bounded context, across the layers."""

    title: str                       # a msgid naming the context to people (e.g. on "my data")
    domain: DomainContext
    policies: ModuleType
    projection: Projection | None
    web: str                         # the package name (its routes import this registry, so not the module)
    tabs: Sequence[Tab] = ()

    @property
    def name(self) -> str:
        return self.domain.name


CONTEXTS: Sequence[Context] = (
    Context("账号与社区", DomainContext("accounts", AccountService, {Residents: 100}), accounts_policies,
            accounts_views.projection, "web.accounts",
            (Tab("overview", "概况", "community", 0),
             Tab("residents", "居民审核", "residents", 90, accounts_policies.may_review_residents),
             Tab("audit", "操作记录", "community_audit", 95, accounts_policies.may_read_audit_trail))),
    Context("议事会", DomainContext("roundtable", RoundtableService, {Meeting: 200}), roundtable_policies,
            roundtable_views.projection, "web.roundtable", (Tab("roundtable", "议事会", "roundtable_index", 10),)),
    Context("志愿服务站", DomainContext("volunteer", VolunteerService, {ActionDay: 50, Volunteer: 50}), volunteer_policies,
            volunteer_views.projection, "web.volunteer", (Tab("volunteer", "志愿服务站", "volunteer_index", 20),)),
    Context("为民服务专项资金", DomainContext("fund", FundService, {Fund: 100}), fund_policies,
            fund_views.projection, "web.fund", (Tab("fund", "专项资金", "fund_index", 30),)),
    Context("网格诉求", DomainContext("grid", GridService, {Grids: 100, Request: 50}), grid_policies,
            grid_views.projection, "web.grid", (Tab("grid", "网格诉求", "grid_index", 35),)),
    Context("在职党员报到", DomainContext("party", PartyService), party_policies, party_views.projection, "web.party",
            (Tab("party", "党员报到", "party_index", 40, party_policies.may_see_tab),)),
    Context("公益创投", DomainContext("grants", GrantsService, {Call: 100}), grants_policies, grants_views.projection,
            "web.grants", (Tab("grants", "公益创投", "grants_community", 45),)),
)


def domain_contexts() -> list[DomainContext]:
    """What the application is built of."""
    return [c.domain for c in CONTEXTS]


def projections() -> list[Projection]:
    """Every read model, in the order the runner feeds them."""
    return [c.projection for c in CONTEXTS if c.projection is not None]


def routes() -> list[Any]:
    """Every context's routes."""
    return [route for c in CONTEXTS for route in import_module(f"{c.web}.routes").routes]


def tabs() -> list[Tab]:
    """The community pages' tabs, in order."""
    return sorted((t for c in CONTEXTS for t in c.tabs), key=lambda t: t.order)


def policies() -> dict[str, ModuleType]:
    """Each context's policies by name: what templates ask (`rules.volunteer.may_organise(me, …)`)."""
    return {c.name: c.policies for c in CONTEXTS}


@cache
def _module(name: str) -> ModuleType | None:
    try:
        return import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        return None


def demo_seeders() -> list[Callable[..., None]]:
    """Each context's `web/<context>/demo.py: seed(svc, demo)`, for `make run`'s demo with activity."""
    return [m.seed for c in CONTEXTS if (m := _module(f"{c.web}.demo")) is not None]


def contributions(hook: str) -> Iterator[Callable[..., Any]]:
    """Every context's `pages.<hook>` function, in registry order."""
    for _, fn in titled_contributions(hook):
        yield fn


def titled_contributions(hook: str) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(the context's title, its `pages.<hook>`) for every context that has the hook."""
    for context in CONTEXTS:
        pages = _module(f"{context.web}.pages")
        if pages is not None and hasattr(pages, hook):
            yield context.title, getattr(pages, hook)
