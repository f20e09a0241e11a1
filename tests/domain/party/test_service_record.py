"""The service record folds the volunteer station's and the roundtable's own events: only what a confirmed member
did for that community, while registered with it, counts — nothing entered twice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.kernel import roles
from domain.kernel.errors import InvalidInputError, NotAllowedError, NotFoundError
from domain.party.model import Registration, ServiceRecordStateError
from tests.builders import make_resident, make_worker
from tests.domain.party.builders import START, meeting, register, serve, shift_day


def figures(linli, resident, community, year="2026"):
    return linli.party.recount(resident, community, year)[0]


def test_a_shift_served_while_registered_counts_with_its_checked_out_minutes(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, resident, day, shift, minutes=95)
    f, items = linli.party.recount(resident, places.community, "2026")
    assert (f["shifts"], f["shift_minutes"], f["minutes"], f["corrected"]) == (1, 95, 95, 0)
    assert [(i["kind"], i["date"], i["title"], i["minutes"]) for i in items] == [("shift", "2026-05-03", "清扫楼道", 95)]
    assert figures(linli, resident, places.other_community)["shifts"] == 0
    assert figures(linli, resident, places.community, "2025")["shifts"] == 0


def test_a_checked_in_shift_counts_only_once_checked_out(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = START
    linli.volunteer.check_in(worker, day, shift, resident)
    assert figures(linli, resident, places.community)["shifts"] == 0


def test_service_before_confirmation_or_after_withdrawal_does_not_count(linli, places, clock, worker, resident):
    day, shift = shift_day(linli, worker, places.community)
    later_day, later = shift_day(linli, worker, places.community, START + timedelta(days=1), "分发物资")
    register(linli, resident, places.community, worker, confirm=False)
    serve(linli, clock, worker, resident, day, shift)          # submitted, not yet confirmed
    linli.party.confirm_registration(worker, places.community, Registration.id_for(resident), 1)
    linli.party.withdraw(resident, places.community)
    serve(linli, clock, worker, resident, later_day, later, START + timedelta(days=1))
    assert figures(linli, resident, places.community)["shifts"] == 0


def test_a_shift_checked_in_while_registered_still_counts_when_checked_out_after_withdrawal(linli, places, clock,
                                                                                           worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = START
    linli.volunteer.check_in(worker, day, shift, resident)
    linli.party.withdraw(resident, places.community)
    clock.now = START + timedelta(minutes=60)
    linli.volunteer.check_out(worker, day, shift, resident)
    assert figures(linli, resident, places.community)["shift_minutes"] == 60


def test_corrections_set_the_minutes_and_are_marked(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, resident, day, shift, minutes=30)
    linli.volunteer.correct_hours(worker, day, shift, resident, 150, "提前到场布置")
    f, items = linli.party.recount(resident, places.community, "2026")
    assert (f["shift_minutes"], f["corrected"], items[0]["corrected"]) == (150, 1, True)


def test_a_correction_without_check_in_counts_for_a_member(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    linli.volunteer.sign_up_for_shift(resident, day, shift)
    clock.now = START + timedelta(hours=3)
    linli.volunteer.correct_hours(worker, day, shift, resident, 120, "忘记签到，现场核实")
    assert figures(linli, resident, places.community)["shift_minutes"] == 120


def test_another_communitys_and_street_wide_days_do_not_count_here(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    official = make_worker(linli, places.street, role=roles.STREET_OFFICIAL)
    street_day = linli.volunteer.create_action_day(official, None, places.street, "街道服务日", "", "2026-05-03")
    shift = linli.volunteer.add_shift(official, street_day, "交通引导", "路口", START, START + timedelta(hours=2), 5)
    serve(linli, clock, official, resident, street_day, shift)
    assert figures(linli, resident, places.community)["shifts"] == 0


def test_a_meeting_attended_counts_once_and_an_agenda_item_raised_counts(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    starts = START + timedelta(hours=10)
    m = meeting(linli, clock, worker, places.community, starts)
    linli.roundtable.propose_agenda_item(resident, m, "楼道加装扶手", "3 号楼")
    clock.now = starts - timedelta(minutes=30)
    linli.roundtable.check_in(worker, m, resident)
    linli.roundtable.check_out(worker, m, resident)
    linli.roundtable.check_in(worker, m, resident)
    f, items = linli.party.recount(resident, places.community, "2026")
    assert (f["meetings"], f["agenda_items"], f["minutes"]) == (1, 1, 0)
    assert sorted(i["title"] for i in items) == ["加装电梯议事会", "楼道加装扶手"]


def test_a_task_recorded_directly_counts_once_a_worker_confirms_it(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    clock.now = START
    record = linli.party.log_service(resident, places.community, "邻里互助", "2026-05-03", 90, "帮 3 栋王奶奶买菜")
    assert figures(linli, resident, places.community)["tasks"] == 0
    other_worker = make_worker(linli, places.other_community)
    with pytest.raises(NotAllowedError):
        linli.party.confirm_service(other_worker, places.community, record)
    with pytest.raises(NotFoundError):
        linli.party.confirm_service(other_worker, places.other_community, record)
    linli.party.confirm_service(worker, places.community, record)
    assert (figures(linli, resident, places.community)["task_minutes"]) == 90
    with pytest.raises(ServiceRecordStateError):
        linli.party.decline_service(worker, places.community, record, "重复")
    declined = linli.party.log_service(resident, places.community, "邻里互助", "2026-05-03", 30, "又一次")
    linli.party.decline_service(worker, places.community, declined, "与上一条重复")
    assert figures(linli, resident, places.community)["tasks"] == 1
    logged = linli.repository.get(record)
    assert "王奶奶" not in str(linli.repository.event_store.get(logged.id).__next__().description)


@pytest.mark.parametrize("on, minutes", [("2026-04-30", 60), ("2026-05-04", 60), ("2026-05-02", 0),
                                         ("2026-05-02", 24 * 60 + 1), ("昨天", 60)])
def test_a_task_needs_a_date_while_registered_and_sane_minutes(linli, places, clock, worker, resident, on, minutes):
    register(linli, resident, places.community, worker)
    clock.now = START
    with pytest.raises(InvalidInputError):
        linli.party.log_service(resident, places.community, "邻里互助", on, minutes, "帮忙")


def test_only_a_confirmed_member_records_a_task(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker, confirm=False)
    with pytest.raises(NotAllowedError):
        linli.party.log_service(resident, places.community, "邻里互助", "2026-05-01", 60, "帮忙")


def test_moving_counts_later_service_for_the_new_community_only(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, resident, day, shift, minutes=60)
    other_worker = make_worker(linli, places.other_community)
    linli.accounts.request_residency(resident, places.other_community)
    linli.accounts.verify_residency(other_worker, resident, places.other_community)
    register(linli, resident, places.other_community, other_worker)
    other_day, other_shift = shift_day(linli, other_worker, places.other_community, START + timedelta(days=2))
    serve(linli, clock, other_worker, resident, other_day, other_shift, START + timedelta(days=2), minutes=45)
    assert figures(linli, resident, places.community)["shift_minutes"] == 60
    assert figures(linli, resident, places.other_community)["shift_minutes"] == 45


def test_erasure_stops_the_count_but_keeps_what_was_counted(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, resident, day, shift, minutes=60)
    linli.accounts.erase_person(resident)
    assert figures(linli, resident, places.community)["shift_minutes"] == 60


def test_other_peoples_service_never_counts_for_a_member(linli, places, clock, worker, resident):
    register(linli, resident, places.community, worker)
    neighbour = make_resident(linli, places.community, worker, name="邻居")
    day, shift = shift_day(linli, worker, places.community)
    serve(linli, clock, worker, neighbour, day, shift)
    assert figures(linli, resident, places.community)["shifts"] == 0
    assert figures(linli, neighbour, places.community)["shifts"] == 0
