"""Whatever sequence of sign-ups and cancels happens, a shift's places are never exceeded."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid5

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.volunteer.model import ActionDay
from domain.kernel.errors import DomainError

AT = datetime(2026, 5, 1, 1, 0, tzinfo=timezone.utc)
START = datetime(2026, 5, 3, 1, 0, tzinfo=timezone.utc)
PEOPLE = [uuid5(UUID(int=0), str(i)) for i in range(8)]

operations = st.lists(st.tuples(st.sampled_from(["sign_up", "waitlist", "cancel"]), st.integers(0, len(PEOPLE) - 1)),
                      max_size=60)


@settings(max_examples=200, deadline=None)
@given(places=st.integers(1, 4), ops=operations)
def test_places_are_never_exceeded_and_the_waitlist_is_served_in_order(places, ops):
    day = ActionDay(key="k", community_id=None, street_id=PEOPLE[0], title="t", description="", date="2026-05-03",
                    cutoff_minutes=120, created_by=PEOPLE[0], at=AT)
    shift = day.add_shift("任务", "地点", START, START + timedelta(hours=2), places, None, PEOPLE[0], AT)
    model_confirmed: list[UUID] = []
    model_waiting: list[UUID] = []
    for op, who in ops:
        person = PEOPLE[who]
        try:
            if op == "cancel":
                day.cancel(shift, person, AT)
                if person in model_confirmed:
                    model_confirmed.remove(person)
                    if model_waiting:
                        model_confirmed.append(model_waiting.pop(0))
                else:
                    model_waiting.remove(person)
            else:
                status = day.sign_up(shift, person, AT, waitlist=op == "waitlist")
                (model_confirmed if status == "confirmed" else model_waiting).append(person)
        except DomainError:
            pass
        state = day.shifts[str(shift)]
        assert len(state["confirmed"]) <= places
        assert len(set(state["confirmed"] + state["waitlist"])) == len(state["confirmed"]) + len(state["waitlist"])
        assert not state["waitlist"] or len(state["confirmed"]) == places
        assert state["confirmed"] == [str(p) for p in model_confirmed]
        assert state["waitlist"] == [str(p) for p in model_waiting]
    replayed = None
    for event in day.collect_events():
        replayed = event.mutate(replayed)
    assert replayed.shifts == day.shifts
