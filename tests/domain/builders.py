"""What the domain tests build with: an action day's date and shifts, a fund case with two managers and a passed
resolution, and a roundtable meeting with its people."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from domain.kernel import roles
from domain.roundtable.model import Meeting, Resolution
from tests.builders import PASSWORD_HASH, make_resident, make_worker, new_phone

DAY = "2026-05-03"
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai on the action day


def add_shift(linli, worker, day, places=2, start=START, hours=2, task="清扫楼道", min_age=None):
    return linli.volunteer.add_shift(worker, day, task, "3 号楼", start, start + timedelta(hours=hours), places, min_age)


def version(linli, aggregate_id):
    return linli.repository.get(aggregate_id).version


YEAR = 2026


GENEROUS = 100_000_000   # fen: a resolution that authorises more than any budget, for tests about other limits


def make_resolution(app, community, title: str = "为高龄老人加装楼道扶手", passed: bool = True,
                    amount: int | None = GENEROUS, category: str | None = None) -> UUID:
    """A roundtable resolution saved directly (the roundtable context may not exist yet), authorising `amount` fen
    (in `category`, when given)."""
    resolution = Resolution(meeting_id=uuid4(), motion_id=uuid4().hex, community_id=community, title=title,
                            passed=passed, votes_for=18 if passed else 3, votes_against=2 if passed else 15,
                            abstentions=1, at=app.clock(), amount=amount, category=category)
    app.save(resolution)
    return resolution.id


@dataclass
class FundCase:
    """Who and what a fund test needs."""

    app: object
    community: UUID
    other_community: UUID
    maker: UUID
    checker: UUID
    worker: UUID
    other_manager: UUID
    resolution: UUID


def fund_case(app, places) -> FundCase:
    """Two fund managers and a worker in the community, a manager of the other one, and a passed resolution."""
    return FundCase(
        app=app, community=places.community, other_community=places.other_community,
        maker=make_worker(app, places.community, roles.FUND_MANAGER, "赵会计"),
        checker=make_worker(app, places.community, roles.FUND_MANAGER, "钱出纳"),
        worker=make_worker(app, places.community),
        other_manager=make_worker(app, places.other_community, roles.FUND_MANAGER, "孙会计"),
        resolution=make_resolution(app, places.community),
    )


class Roundtable:
    """A community with a worker, residents, outsiders, and one scheduled meeting starting tomorrow 19:00."""

    def __init__(self, app, places, clock, capacity: int = 3, residents: int = 6, **rules) -> None:
        self.app, self.places, self.clock = app, places, clock
        self.community = places.community
        self.worker = make_worker(app, self.community)
        self.residents = [make_resident(app, self.community, self.worker) for _ in range(residents)]
        self.outsider = make_resident(app, places.other_community)
        self.other_worker = make_worker(app, places.other_community)
        self.fund_manager = make_worker(app, self.community, role=roles.FUND_MANAGER)
        self.unverified = app.accounts.sign_up(new_phone(), "待核实", PASSWORD_HASH, self.community)
        now = clock()
        self.starts = now + timedelta(days=1, hours=10)   # 2026-05-02 19:00 Asia/Shanghai
        self.meeting_id = app.roundtable.schedule_meeting(
            self.worker, self.community, "加装电梯议事会", "讨论 3 号楼加装电梯", self.starts,
            self.starts + timedelta(hours=2), "社区活动室", "in_person", capacity,
            self.starts - timedelta(hours=2), rules.get("voting_rule", "simple"), rules.get("quorum_percent", 50))

    @property
    def meeting(self) -> Meeting:
        return self.app.roundtable.meeting(self.meeting_id)

    def accepted_item(self, title: str = "3 号楼加装电梯") -> str:
        item = self.app.roundtable.propose_agenda_item(self.residents[0], self.meeting_id, title, "")
        self.app.roundtable.accept_agenda_item(self.worker, self.meeting_id, item, 20)
        return item

    def to_meeting_time(self) -> None:
        self.clock.now = self.starts - timedelta(minutes=30)

    def open_with(self, present: list, item: str | None = None) -> str:
        """Check `present` in, open the meeting with every resident on the roll, open a motion; its id."""
        item = item or self.accepted_item()
        self.to_meeting_time()
        for r in present:
            self.app.roundtable.check_in(self.worker, self.meeting_id, r)
        self.app.roundtable.open_meeting(self.worker, self.meeting_id)
        return self.app.roundtable.open_motion(self.worker, self.meeting_id, item)
