"""Following up a resolution: owner, status planned → in progress → done, dated notes, residents' ratings."""
from __future__ import annotations

import pytest

from domain.kernel.errors import InvalidInputError, NotAllowedError
from domain.roundtable.model import AlreadyRatedError, FollowUpError, Resolution
from tests.domain.builders import Roundtable


@pytest.fixture
def passed(linli, places, clock):
    """A roundtable with one passed motion; returns (roundtable, resolution id)."""
    rt = Roundtable(linli, places, clock)
    motion = rt.open_with(rt.residents[:3])
    for r in rt.residents[:3]:
        rt.app.roundtable.cast_vote(r, rt.meeting_id, motion, "for")
    result = rt.app.roundtable.close_motion(rt.worker, rt.meeting_id, motion)
    return rt, Resolution.id_for(rt.meeting_id, motion) if result["outcome"] == "passed" else None


def test_the_worker_assigns_an_owner_and_moves_the_status_forward_with_dated_notes(passed):
    rt, rid = passed
    with pytest.raises(FollowUpError):
        rt.app.roundtable.advance_resolution(rt.worker, rid, "in_progress")
    rt.app.roundtable.assign_resolution_owner(rt.worker, rid, "物业公司 张经理")
    rt.app.roundtable.note_resolution_progress(rt.worker, rid, "已联系电梯厂家", "2026-05-10")
    rt.app.roundtable.advance_resolution(rt.worker, rid, "in_progress")
    rt.app.roundtable.note_resolution_progress(rt.worker, rid, "开工")
    rt.app.roundtable.advance_resolution(rt.worker, rid, "done")
    r = rt.app.roundtable.resolution(rid)
    assert (r.owner, r.follow_up_status, r.progress_notes) == ("物业公司 张经理", "done", 2)


def test_status_moves_only_one_step_forward(passed):
    rt, rid = passed
    rt.app.roundtable.assign_resolution_owner(rt.worker, rid, "社区")
    for bad in ("done", "planned", "finished"):
        with pytest.raises(FollowUpError):
            rt.app.roundtable.advance_resolution(rt.worker, rid, bad)
    rt.app.roundtable.advance_resolution(rt.worker, rid, "in_progress")
    with pytest.raises(FollowUpError):
        rt.app.roundtable.advance_resolution(rt.worker, rid, "in_progress")


def test_a_progress_note_needs_a_real_date(passed):
    rt, rid = passed
    with pytest.raises(InvalidInputError):
        rt.app.roundtable.note_resolution_progress(rt.worker, rid, "进展", "2026-13-01")


@pytest.mark.parametrize("who", ["resident", "other_worker", "fund_manager", "outsider"])
def test_only_the_communitys_worker_follows_up(passed, who):
    rt, rid = passed
    person = rt.residents[0] if who == "resident" else getattr(rt, who)
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.assign_resolution_owner(person, rid, "我")
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.note_resolution_progress(person, rid, "进展")
    with pytest.raises(NotAllowedError):
        rt.app.roundtable.advance_resolution(person, rid, "in_progress")


def test_residents_rate_a_done_resolution_once_each(passed):
    rt, rid = passed
    with pytest.raises(FollowUpError):
        rt.app.roundtable.rate_resolution(rt.residents[0], rid, 5)
    rt.app.roundtable.assign_resolution_owner(rt.worker, rid, "社区")
    rt.app.roundtable.advance_resolution(rt.worker, rid, "in_progress")
    rt.app.roundtable.advance_resolution(rt.worker, rid, "done")
    rt.app.roundtable.rate_resolution(rt.residents[0], rid, 5)
    rt.app.roundtable.rate_resolution(rt.residents[1], rid, 3)
    with pytest.raises(AlreadyRatedError):
        rt.app.roundtable.rate_resolution(rt.residents[0], rid, 1)
    for stars in (0, 6):
        with pytest.raises(InvalidInputError):
            rt.app.roundtable.rate_resolution(rt.residents[2], rid, stars)
    for who in (rt.outsider, rt.worker, rt.unverified):
        with pytest.raises(NotAllowedError):
            rt.app.roundtable.rate_resolution(who, rid, 4)
    assert rt.app.roundtable.resolution(rid).ratings == {str(rt.residents[0]): 5, str(rt.residents[1]): 3}
    with pytest.raises(FollowUpError):
        rt.app.roundtable.assign_resolution_owner(rt.worker, rid, "改派")


def test_the_adopted_event_keeps_the_fields_the_fund_relies_on(passed):
    rt, rid = passed
    adopted = next(e for e in rt.app.roundtable.meeting_history(rt.meeting_id) if isinstance(e, Resolution.Adopted))
    for field in ("community_id", "title", "passed", "meeting_id", "motion_id"):
        assert hasattr(adopted, field)
    assert adopted.passed is True and adopted.community_id == rt.community
