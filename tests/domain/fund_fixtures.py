"""Helpers the fund tests share: a passed resolution made directly, and a community with two fund managers."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID, uuid4

from domain.kernel import roles
from domain.roundtable.model import Resolution
from tests.conftest import make_worker

YEAR = 2026


def make_resolution(app, community, title: str = "为高龄老人加装楼道扶手", passed: bool = True) -> UUID:
    """A roundtable resolution saved directly (the roundtable context may not exist yet)."""
    resolution = Resolution(meeting_id=uuid4(), motion_id=uuid4().hex, community_id=community, title=title,
                            passed=passed, votes_for=18 if passed else 3, votes_against=2 if passed else 15,
                            abstentions=1, at=app.clock())
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
