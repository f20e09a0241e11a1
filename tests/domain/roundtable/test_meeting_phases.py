"""Every meeting command in every phase (scheduled / open / closed / cancelled), by someone whose role allows it:
the phase alone decides, and a refusal is the named error. Roles are covered in test_meeting.py."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.roundtable.model import (AgendaItemError, AttendanceError, MeetingPhaseError, RegistrationClosedError)
from tests.domain.builders import Roundtable

OK = None
P, R, A, T = MeetingPhaseError, RegistrationClosedError, AgendaItemError, AttendanceError

COMMANDS = {
    "register": lambda s: s.app.roundtable.register_for_meeting(s.residents[5], s.meeting_id),
    "cancel_registration": lambda s: s.app.roundtable.cancel_registration(s.residents[0], s.meeting_id),
    "propose": lambda s: s.app.roundtable.propose_agenda_item(s.residents[2], s.meeting_id, "新议题", ""),
    "support": lambda s: s.app.roundtable.support_agenda_item(s.residents[1], s.meeting_id, s.proposed),
    "accept": lambda s: s.app.roundtable.accept_agenda_item(s.worker, s.meeting_id, s.proposed, 10),
    "check_in": lambda s: s.app.roundtable.check_in(s.worker, s.meeting_id, s.residents[4]),
    "open": lambda s: s.app.roundtable.open_meeting(s.worker, s.meeting_id),
    "open_motion": lambda s: s.app.roundtable.open_motion(s.worker, s.meeting_id, s.accepted),
    "adjourn": lambda s: s.app.roundtable.adjourn_meeting(s.worker, s.meeting_id),
    "cancel": lambda s: s.app.roundtable.cancel_meeting(s.worker, s.meeting_id, "台风"),
    "reschedule": lambda s: s.app.roundtable.reschedule_meeting(
        s.worker, s.meeting_id, s.starts + timedelta(days=1), s.starts + timedelta(days=1, hours=2), "礼堂",
        s.starts + timedelta(hours=20)),
    "minutes": lambda s: s.app.roundtable.publish_minutes(s.worker, s.meeting_id, "纪要"),
}

EXPECTED = {  # phase → command → None (allowed) or the error
    "scheduled": dict(register=OK, cancel_registration=OK, propose=OK, support=OK, accept=OK, check_in=OK, open=OK,
                      open_motion=P, adjourn=P, cancel=OK, reschedule=OK, minutes=P),
    "open": dict(register=R, cancel_registration=P, propose=P, support=OK, accept=OK, check_in=OK, open=P,
                 open_motion=OK, adjourn=OK, cancel=P, reschedule=P, minutes=P),
    "closed": dict(register=R, cancel_registration=P, propose=P, support=A, accept=A, check_in=T, open=P,
                   open_motion=P, adjourn=P, cancel=P, reschedule=P, minutes=OK),
    "cancelled": dict(register=R, cancel_registration=P, propose=P, support=A, accept=A, check_in=T, open=P,
                      open_motion=P, adjourn=P, cancel=P, reschedule=P, minutes=P),
}


def in_phase(linli, places, clock, phase: str) -> Roundtable:
    """A meeting one hour before its start (registration open until 10 minutes before), in `phase`."""
    s = Roundtable(linli, places, clock, capacity=10)
    s.app.roundtable.reschedule_meeting(s.worker, s.meeting_id, s.starts, s.starts + timedelta(hours=2), "社区活动室",
                             s.starts - timedelta(minutes=10))
    s.app.roundtable.register_for_meeting(s.residents[0], s.meeting_id)
    s.accepted = s.accepted_item()
    s.proposed = s.app.roundtable.propose_agenda_item(s.residents[0], s.meeting_id, "停车", "")
    s.clock.now = s.starts - timedelta(hours=1)
    if phase in ("open", "closed"):
        s.app.roundtable.open_meeting(s.worker, s.meeting_id)
    if phase == "closed":
        s.app.roundtable.adjourn_meeting(s.worker, s.meeting_id)
    if phase == "cancelled":
        s.app.roundtable.cancel_meeting(s.worker, s.meeting_id, "改日")
    return s


@pytest.mark.parametrize("phase,command", [(p, c) for p in EXPECTED for c in COMMANDS])
def test_each_command_is_allowed_or_refused_by_the_meetings_phase(linli, places, clock, phase, command):
    s = in_phase(linli, places, clock, phase)
    expected = EXPECTED[phase][command]
    version = s.meeting.version
    if expected is None:
        COMMANDS[command](s)
        assert s.meeting.version > version
    else:
        with pytest.raises(expected):
            COMMANDS[command](s)
        assert s.meeting.version == version
