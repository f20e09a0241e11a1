"""Page contexts of the accounts pages. The home page, the community overview and the street's table show what
other contexts contribute through the registry (`web.contexts.contributions`), never by importing them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from starlette.requests import Request

from domain.accounts import policies
from domain.kernel import roles
from domain.kernel.people import is_staff
from domain.kernel.time import SHANGHAI, parse_date
from projections import accounts as directory
from projections import audit, chain
from projections.accounts import Place
from web.contexts import contributions
from web.http import Pager, elder, me, parse_uuid, services
from web.localtime import local_if_timestamp
from web.panels import AgendaItem, Column, Panel, Task


@dataclass(frozen=True)
class HomePage:
    """The home page: a person's notices, schedule, communities and streets; every community for everyone; in elder
    mode the main tasks first (`tasks` hooks, for the person's community)."""

    communities: list[Place]
    mine: list[dict] = field(default_factory=list)
    staff_of: list[Place] = field(default_factory=list)
    notices: list[Panel] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    streets: list[Place] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def home_page(request: Request) -> HomePage:
    """Everything the home page shows the person asking."""
    db, principal = services(request).views, me(request)
    communities = directory.communities(db)
    if not principal.authenticated:
        return HomePage(communities)
    mine = directory.residencies(db, principal.account_id)
    verified = [r["community_id"] for r in mine if r["status"] == roles.VERIFIED]
    agenda = [item for hook in contributions("agenda") for item in hook(request, verified)] if verified else []
    tasks = [t for hook in contributions("tasks") for t in hook(request, verified[0])] \
        if verified and elder(request) else []
    return HomePage(communities=communities, mine=mine, staff_of=[c for c in communities if is_staff(principal, c)],
                    notices=[n for hook in contributions("notices") for n in hook(request)],
                    agenda=sorted(agenda, key=lambda i: i.starts_at)[:10], streets=overseen_streets(request),
                    tasks=sorted(tasks, key=lambda t: t.order))


def overseen_streets(request: Request) -> list[Place]:
    """The streets whose communities the person oversees (as a street official, or one of their district)."""
    db, principal = services(request).views, me(request)
    streets = {}
    for place in directory.places_of_kind(db, "street"):
        if policies.may_oversee_street(principal, place):
            streets[place.id] = place
    return list(streets.values())


@dataclass(frozen=True)
class CommunityPage:
    """A community's overview: residents at a glance and a card per context."""

    verified: int
    pending: int
    cards: list[Panel]


def community_page(request: Request, community: Place) -> CommunityPage:
    """Counts and every context's card for the community."""
    db = services(request).views
    pending = directory.count_residents(db, community.id, roles.PENDING) \
        if policies.may_review_residents(me(request), community) else 0
    cards = [card for hook in contributions("overview_card") if (card := hook(request, community)) is not None]
    return CommunityPage(verified=directory.count_residents(db, community.id, roles.VERIFIED), pending=pending,
                         cards=cards)


@dataclass(frozen=True)
class StreetPage:
    """Every community of a street side by side: residents, then each context's columns."""

    street: Place
    communities: list[Place]
    verified: dict[str, int]
    pending: dict[str, int]
    columns: list[Column]


def street_page(request: Request, street: Place) -> StreetPage:
    """The street's table of communities."""
    db = services(request).views
    communities = directory.communities(db, street.id)
    return StreetPage(
        street=street, communities=communities,
        verified={c.id: directory.count_residents(db, c.id, roles.VERIFIED) for c in communities},
        pending={c.id: directory.count_residents(db, c.id, roles.PENDING) for c in communities},
        columns=[col for hook in contributions("street_columns") for col in hook(request, street, communities)])


def my_data(request: Request) -> dict:
    """What the accounts context holds about the person asking: who they are, where they live, their roles."""
    db, principal = services(request).views, me(request)
    person = directory.person(db, principal.account_id) or {}
    places = {p.id: p.name for kind in ("district", "street", "community") for p in directory.places_of_kind(db, kind)}
    return {
        "姓名": person.get("name", ""), "手机号": person.get("phone", ""), "注册时间": person.get("registered_at", ""),
        "居住社区": [{"社区": r["community_name"], "状态": r["status"], "理由": r["reason"] or ""}
                 for r in directory.residencies(db, principal.account_id)],
        "角色": [{"角色": roles.ROLE_NAMES.get(g["role"], g["role"]), "范围": places.get(g["scope_id"], g["scope_id"])}
               for g in directory.grants(db, principal.account_id)],
    }


@dataclass(frozen=True)
class AuditPage:
    """Who did what, when: a community's (or a street's) trail, newest first, a page at a time."""

    rows: list[dict]
    pager: Pager


def audit_page(request: Request, *, community: Place | None = None, street: Place | None = None) -> AuditPage:
    """The trail of one community or one street."""
    db = services(request).views
    scope = {"community_id": community.id} if community else {"street_id": street.id}
    pager = Pager.from_request(request, audit.count(db, **scope), per_page=50)
    return AuditPage(rows=audit.trail(db, **scope, limit=pager.per_page, offset=pager.offset), pager=pager)


ACCOUNT_EVENTS = {
    "Account.Registered": "已注册账号", "Account.ResidencyRequested": "已申请加入社区", "Account.ResidencyVerified": "已核实居民身份",
    "Account.ResidencyRejected": "已拒绝居民申请", "Account.RoleGranted": "已授予角色", "Account.RoleRevoked": "已撤销角色",
    "Account.PasswordChanged": "已修改密码", "Account.PhoneChanged": "已更换手机号", "Account.Erased": "已删除个人信息",
    "Community.Founded": "已设立社区", "Street.Founded": "已设立街道", "District.Founded": "已设立区",
    "Residents.Started": "已建立居民名册", "Residents.Added": "已加入居民名册", "Residents.Removed": "已移出居民名册",
    "PhoneNumber.Claimed": "已登记手机号", "PhoneNumber.Reclaimed": "已登记手机号", "PhoneNumber.Released": "已释放手机号",
}


def event_labels() -> dict[str, str]:
    """Every context's names (msgids) for its event types, for the audit trail (`pages.event_labels` hooks)."""
    labels = dict(ACCOUNT_EVENTS)
    for hook in contributions("audit_labels"):
        labels.update(hook())
    return labels


# --- the events behind a figure ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordPage:
    """The events behind a figure of a community's pages (a tally, hours, a ledger, a pool, an assessment): what an
    export shows of each, and the chain's digest right after it. Who acted only for those who work for the place."""

    rows: list[dict]
    names: list[str]
    since: str
    until: str
    staff: bool
    limit: int


def record_page(request: Request, place: Place) -> RecordPage:
    """`?type=Aggregate.Event,…` of the place and the places above it, narrowed by `?of=` (aggregate ids),
    `?match=field:value` (a shown field), `?from=`/`?to=` (days, Beijing time) and `?upto=` (a log position); lists
    are comma-separated or repeated."""
    q = request.query_params
    names = [n for n in _listed(q, "type")[:20] if _EVENT_NAME.fullmatch(n)]
    aggregates = [str(parse_uuid(a, "记录")) for a in _listed(q, "of")[:50]]
    match = dict(m.split(":", 1) for m in _listed(q, "match")[:5] if ":" in m and len(m) <= 100)
    since_day = parse_date(q.get("from"), "开始日期") if q.get("from") else None
    until_day = parse_date(q.get("to"), "结束日期") if q.get("to") else None
    raw_upto = q.get("upto", "")   # ASCII digits only ("²" is a digit to isdigit, not to int)
    upto = int(raw_upto) if raw_upto.isascii() and raw_upto.isdigit() and len(raw_upto) < 16 else None
    rows = chain.events_behind(
        services(request).app, services(request).views, directory.with_places_above(services(request).views, place.id),
        names, aggregates=aggregates, match=match, upto=upto,
        since=_utc_start(since_day) if since_day else None,
        until=_utc_start(date.fromordinal(until_day.toordinal() + 1)) if until_day else None)
    rows = [{**r, "facts": _facts(r["shown"])} for r in rows]
    return RecordPage(rows=rows, names=names, since=since_day.isoformat() if since_day else "",
                      until=until_day.isoformat() if until_day else "", staff=is_staff(me(request), place),
                      limit=chain.BEHIND_LIMIT)


def _listed(query, name: str) -> list[str]:
    """A query parameter's values, repeated or comma-separated."""
    return [v.strip() for raw in query.getlist(name) for v in raw.split(",") if v.strip()]


_EVENT_NAME = re.compile(r"[A-Z][A-Za-z]{1,40}\.[A-Z][A-Za-z]{1,60}")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UNSHOWN_FACTS = ("timestamp", "at", "originator_topic")


def _facts(shown: dict) -> list[tuple[str, object]]:
    """The fields of an event worth reading in a list (numbers, choices, short texts, times in Beijing time), not
    ids or the event's own time."""
    return [(k, local_if_timestamp(v)) for k, v in shown.items() if k not in UNSHOWN_FACTS
            and isinstance(v, (int, str)) and not _ID.fullmatch(str(v)) and len(str(v)) <= 80]


def _utc_start(day: date) -> str:
    """The first instant of a day in Beijing, as the audit trail's UTC text."""
    return datetime.combine(day, time(0), SHANGHAI).astimezone(timezone.utc).isoformat()
