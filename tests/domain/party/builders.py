"""What the Party-member domain tests build with: a registration taken through consent, submission and
confirmation, and an action day with one shift on the community's own date."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION

DAY = "2026-05-03"
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)   # 09:00 in Shanghai
DETAILS = dict(unit="南京某某科技有限公司", org_name="某某科技党委", org_contact="陈书记", org_phone="025-83123456",
               kinds=["邻里互助"], other_kinds="", availability="周末上午", disclose=["name", "service"])


def consent(app, resident, community) -> int:
    return app.party.give_consent(resident, community, CONSENT_VERSION, True)


def submit(app, resident, community, stint, **changes) -> None:
    fields = {**DETAILS, **changes}
    app.party.submit_registration(resident, community, stint, fields["unit"], fields["org_name"],
                                  fields["org_contact"], fields["org_phone"], fields["kinds"], fields["other_kinds"],
                                  fields["availability"], fields["disclose"])


def register(app, resident, community, worker, *, confirm: bool = True) -> int:
    """Consent, submit and (by default) have the worker confirm; returns the stint's number."""
    stint = consent(app, resident, community)
    submit(app, resident, community, stint)
    if confirm:
        app.party.confirm_registration(worker, community, Registration.id_for(resident), stint)
    return stint


def shift_day(app, worker, community, start=START, task="清扫楼道"):
    """An action day of the community with one shift starting at `start`: (day id, shift id)."""
    day = app.volunteer.create_action_day(worker, community, None, "社区清洁日", "", start.date().isoformat())
    shift = app.volunteer.add_shift(worker, day, task, "3 号楼", start, start + timedelta(hours=2), 5)
    return day, shift


def serve(app, clock, worker, resident, day, shift, start=START, minutes=90) -> None:
    """The resident signs up, is checked in at the start and out `minutes` later."""
    app.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = start
    app.volunteer.check_in(worker, day, shift, resident)
    clock.now = start + timedelta(minutes=minutes)
    app.volunteer.check_out(worker, day, shift, resident)


def meeting(app, clock, worker, community, starts_at=START + timedelta(hours=10), title="加装电梯议事会"):
    """A meeting of the community scheduled now, starting at `starts_at`."""
    return app.roundtable.schedule_meeting(worker, community, title, "讨论加装电梯", starts_at,
                                           starts_at + timedelta(hours=2), "社区活动室", "in_person", 30,
                                           starts_at - timedelta(hours=1), "simple", 50)
