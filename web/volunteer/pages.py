"""Page contexts of the volunteer station (志愿服务站), and what it adds to other pages: the next action day on the
community overview, a person's coming shifts in their schedule, their notices on the home page, and the street's
count of coming days. Which buttons a page shows is asked of `domain.volunteer.policies` in the templates
(`rules.volunteer.…`), with the day's own community and street."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from domain.kernel.errors import InvalidInputError, NotFoundError
from domain.kernel.text import mask_name, mask_phone
from domain.kernel.time import parse_date
from domain.volunteer.model import Certificate
from domain.volunteer.service import Verification
from projections import chain as chain_views
from projections import volunteer as views
from web.http import me, parse_uuid, render, services, url_for
from web.localtime import local_time, local_today, now
from web.panels import AgendaItem, Column, Panel, Task
from web.places import Place

_SERIAL = re.compile(r"[A-Za-z0-9-]{1,80}")


# --- display ---------------------------------------------------------------------------------------------------
def local(iso: str | None, fmt: str = "%m-%d %H:%M") -> str:
    """An ISO timestamp in Shanghai time (month-day by default: the day's date is on the page)."""
    return local_time(iso, fmt)


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal: 90 → 1.5."""
    return f"{(Decimal(minutes or 0) / 60).quantize(Decimal('0.1'))}"


def render_page(request: Request, template: str, status_code: int = 200, **context) -> Response:
    """A volunteer template with its display helpers and the application's `now` (the templates ask
    `rules.volunteer.sign_up_open(shift.starts_at, day.cutoff_minutes, now)` with it)."""
    return render(request, template, status_code=status_code, local=local, hours=hours, now=now(request), **context)


# --- what the path names -----------------------------------------------------------------------------------------
def day_or_404(request: Request, community: Place) -> dict:
    """The action day the path names, if it is the community's own or a street-wide day of its street."""
    day_id = parse_uuid(request.path_params["day_id"], "行动日")
    day = views.day_in_scope(services(request).views, str(day_id), community)
    if day is None:
        raise NotFoundError("找不到该行动日")
    return day


def shift_or_404(request: Request, day: dict, account_id: str | None = None) -> dict:
    """The shift the path names, if it belongs to the day (with `account_id`'s status in it)."""
    shift_id = parse_uuid(request.path_params["shift_id"], "班次")
    shift = views.shift(services(request).views, day["id"], str(shift_id), account_id)
    if shift is None:
        raise NotFoundError("找不到该班次")
    return shift


# --- pages -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexPage:
    """The volunteer station of one community: coming days, and for a logged-in person their shifts and notices."""

    days: list
    my_shifts: list
    notices: list
    total_minutes: int


def index_page(request: Request, community: Place) -> IndexPage:
    """The community's coming days (its own and its street's), and the person's own shifts, notices and hours."""
    db, principal, today = services(request).views, me(request), local_today(request).isoformat()
    mine = principal.account_id if principal.authenticated else None
    return IndexPage(days=views.upcoming_days(db, community, today),
                     my_shifts=views.my_shifts(db, mine, today) if mine else [],
                     notices=views.unseen_notices(db, mine, views.NOTICE_KINDS) if mine else [],
                     total_minutes=views.total_minutes(db, mine) if mine else 0)


@dataclass(frozen=True)
class NewDayPage:
    """The form creating an action day, with what was typed and why it was refused."""

    values: dict = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class DayPage:
    """An action day with its shifts (each with the person's status), and the add-shift form."""

    day: dict
    shifts: list
    street_name: str
    values: dict = field(default_factory=dict)
    error: str | None = None


def day_page(request: Request, community: Place, day: dict, values: dict | None = None,
             error: str | None = None) -> DayPage:
    """The day's shifts as the person asking sees them (a street-wide day is always of the community's street)."""
    principal = me(request)
    mine = principal.account_id if principal.authenticated else None
    return DayPage(day=day, shifts=views.shifts(services(request).views, day["id"], mine),
                   street_name=community.street_name, values=values or {}, error=error)


@dataclass(frozen=True)
class CheckInPage:
    """The organiser's check-in screen of one shift: the volunteers found by `q`, the waitlist and corrections."""

    day: dict
    shift: dict
    rows: list
    q: str
    waitlist: list
    corrections: list


def check_in_page(request: Request, day: dict, shift: dict) -> CheckInPage:
    """The shift's confirmed volunteers matching the search (a name, or the phone's last four digits)."""
    db, query = services(request).views, request.query_params.get("q", "")[:40]
    return CheckInPage(day=day, shift=shift, rows=views.check_in_rows(db, shift["id"], query), q=query,
                       waitlist=views.waitlist(db, shift["id"]), corrections=views.corrections(db, shift["id"]))


def check_in_row(request: Request, shift: dict, account_id: str) -> dict:
    """One volunteer's row on the check-in screen."""
    row = views.check_in_row(services(request).views, shift["id"], account_id)
    if row is None:
        raise NotFoundError("找不到该志愿者")
    return row


@dataclass(frozen=True)
class MyPage:
    """My volunteering (我的志愿服务): shifts, hours per organisation and year, certificates, masked ID number."""

    shifts: list
    hour_rows: list
    total: int
    certificates: list
    masked_id: str | None


def my_page(request: Request) -> MyPage:
    """Everything the person has done as a volunteer."""
    db, mine = services(request).views, me(request).account_id
    return MyPage(shifts=views.my_shifts(db, mine), hour_rows=views.my_hours(db, mine),
                  total=views.total_minutes(db, mine), certificates=views.certificates(db, mine),
                  masked_id=views.masked_id(db, mine))


def certificate_or_404(request: Request) -> dict:
    """The certificate whose serial the path names."""
    serial = request.path_params["serial"]
    cert = views.certificate_by_serial(services(request).views, serial) if _SERIAL.fullmatch(serial) else None
    if cert is None:
        raise NotFoundError("找不到该证明")
    return cert


@dataclass(frozen=True)
class CertificatePage:
    """A printable certificate: its holder named, their ID number (or phone) masked, how each item's hours came
    about (check-in/out, or a worker's correction with its reason), where to verify it, and the record it was
    drawn from."""

    cert: dict
    items: list
    split: dict          # Certificate.split: minutes from check-in/out and from corrections (known or not)
    name: str
    identity: str
    identity_kind: str
    verify_path: str
    stamp: chain_views.Stamp | None


def certificate_page(request: Request, cert: dict) -> CertificatePage:
    """The certificate as its holder (or the issuing community's worker) prints it; only they read the reasons."""
    svc = services(request)
    db = svc.views
    person = views.volunteer_contact(db, cert["account_id"]) or {"name": "", "phone": ""}
    masked = views.masked_id(db, cert["account_id"])
    checked = svc.app.volunteer.verify_certificate(UUID(cert["certificate_id"]), cert["code"])
    items = list(checked.items) if checked.found and checked.revision == cert["revision"] else json.loads(cert["items"])
    reasons = views.corrections_until(db, cert["account_id"], [i["shift_id"] for i in items if i.get("corrected")],
                                      cert["issued_at"])
    items = [{**i, "reasons": [r["reason"] for r in reasons.get(i["shift_id"], [])]} for i in items]
    return CertificatePage(cert=cert, items=items, split=Certificate.split(items), name=person["name"],
                           identity=masked or mask_phone(person["phone"]), identity_kind="id" if masked else "phone",
                           verify_path=url_for(request, "volunteer_verify", code=cert["code"]),
                           stamp=certificate_stamp(request, cert))


def certificate_stamp(request: Request, cert: dict) -> chain_views.Stamp | None:
    """The issuing organisation's chain right after this issue was recorded (its `Certificate.Issued` is the
    certificate's version revision + 1: `Opened` is the first)."""
    return chain_views.stamp_of_event(services(request).views, cert["certificate_id"], cert["revision"] + 1)


@dataclass(frozen=True)
class VerifyPage:
    """The public check of a certificate code: what the events say about it, the holder's name masked, how the
    hours came about (never a correction's reason), and the record it was drawn from."""

    result: Verification | None = None
    code: str = ""
    searched: bool = False
    masked_name: str = ""
    split: dict = field(default_factory=dict)
    stamp: chain_views.Stamp | None = None


def verify_page(request: Request, code: str) -> VerifyPage | None:
    """The certificate with this code checked against the recorded events, or None when there is none."""
    svc = services(request)
    row = views.certificate_by_code(svc.views, code) if code else None
    result = svc.app.volunteer.verify_certificate(UUID(row["certificate_id"]), code) if row else None
    if result is None or not result.found:
        return None
    person = views.volunteer_contact(svc.views, str(result.account_id)) or {"name": ""}
    return VerifyPage(result=result, code=code, searched=True, masked_name=mask_name(person["name"]),
                      split=Certificate.split(list(result.items)), stamp=certificate_stamp(request, row))


@dataclass(frozen=True)
class HoursReport:
    """Hours per volunteer served on one community's (or, `scope` street, its street's) days in a period."""

    scope: str
    start: str
    end: str
    rows: list

    @property
    def total(self) -> int:
        return sum(r["minutes"] or 0 for r in self.rows)


def hours_report(request: Request, community: Place, street_wide: bool) -> HoursReport:
    """The period `?from=`/`?to=` (this year by default) of the community's days, or its street's street-wide days."""
    year = local_today(request).year
    start = _date_or(request.query_params.get("from"), "开始日期", f"{year}-01-01")
    end = _date_or(request.query_params.get("to"), "结束日期", f"{year}-12-31")
    if end < start:
        raise InvalidInputError("结束日期不能早于开始日期")
    org_id, scope = (community.street_id, "street") if street_wide else (community.id, "community")
    return HoursReport(scope=scope, start=start, end=end,
                       rows=views.hours_per_volunteer(services(request).views, org_id, scope, start, end))


def _date_or(text: str | None, field_name: str, default: str) -> str:
    return parse_date(text, field_name).isoformat() if (text or "").strip() else default


# --- hooks: what the station adds to other pages -------------------------------------------------------------------
def overview_card(request: Request, community: Place) -> Panel:
    """The community's next action day (or its street's)."""
    days = views.upcoming_days(services(request).views, community, local_today(request).isoformat(), limit=1)
    return Panel("volunteer/_overview_card.html", {"community": community, "day": days[0] if days else None})


def agenda(request: Request, community_ids: list[str]) -> list[AgendaItem]:
    """The shifts the person holds (or waits for) that have not ended or been called off."""
    moment = now(request)
    items = []
    for shift in views.my_shifts(services(request).views, me(request).account_id,
                                 since=local_today(request).isoformat()):
        if shift["cancel_reason"] or shift["ends_at"] < moment.isoformat():
            continue
        items.append(AgendaItem(
            kind="志愿服务", title=f"{shift['title']} · {shift['task']}", starts_at=shift["starts_at"],
            when=local_time(shift["starts_at"]), place=shift["place"], waitlisted=shift["status"] == "waitlisted",
            url=url_for(request, "volunteer_day", community_id=shift["community_id"] or community_ids[0],
                        day_id=shift["day_id"])))
    return items


def tasks(request: Request, community_id: str) -> list[Task]:
    """Sign up for an action day, one tap from home."""
    return [Task("报名志愿服务", url_for(request, "volunteer_index", community_id=community_id), 30)]


def notices(request: Request) -> list[Panel]:
    """Promotions from a waitlist and called-off shifts the person has not seen yet."""
    rows = views.unseen_notices(services(request).views, me(request).account_id, views.NOTICE_KINDS)
    return [Panel("volunteer/_notice.html", {"notice": n}) for n in rows]


def street_columns(request: Request, street: Place, communities: list[Place]) -> list[Column]:
    """How many action days each community has coming (its own and the street's)."""
    db, today = services(request).views, local_today(request).isoformat()
    return [Column("即将开展的行动日", {c.id: str(len(views.upcoming_days(db, c, today))) for c in communities})]


def my_data(request: Request) -> dict:
    """What the volunteer station holds about the person asking (Chinese labels, as "my data" shows them)."""
    record = views.person_record(services(request).views, me(request).account_id)
    return {"报名的班次": record["shifts"], "身份证号（部分）": [r["masked_id"] for r in record["id_number"]],
            "服务证明": record["certificates"]}


def audit_labels() -> dict[str, str]:
    """The volunteer station's event types as the audit trail names them."""
    return {
        "ActionDay.Created": "已创建行动日", "ActionDay.ShiftAdded": "已添加班次", "ActionDay.SignedUp": "已报名班次",
        "ActionDay.Waitlisted": "已候补班次", "ActionDay.Cancelled": "已取消报名", "ActionDay.Promoted": "已候补转正",
        "ActionDay.ShiftCancelled": "已取消班次", "ActionDay.DayCancelled": "已取消行动日", "ActionDay.PlacesChanged": "已调整名额",
        "ActionDay.WalkedIn": "已现场加入", "ActionDay.CheckedIn": "已志愿者签到", "ActionDay.CheckedOut": "已志愿者签退",
        "ActionDay.HoursCorrected": "已更正服务时长", "Volunteer.Enrolled": "已成为志愿者", "Volunteer.Booked": "已预留时段",
        "Volunteer.Released": "已释放时段", "Volunteer.IdentityRegistered": "已登记身份证号", "Volunteer.NoticesSeen": "已查看通知",
        "Certificate.Opened": "已建立服务证明", "Certificate.Issued": "已开具服务证明",
    }
