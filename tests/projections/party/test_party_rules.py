"""Every registration rule, on SQLite and on PostgreSQL: who registers, one active registration per person (also when
consents race), only that community's workers decide, stale or foreign ids record nothing, and withdrawal, moving
and erasure leave the store's details unreadable."""
from __future__ import annotations

import threading

import pytest

from domain.kernel import roles
from domain.kernel.errors import ConflictError, DomainError, NotAllowedError, NotFoundError
from domain.party import privacy
from domain.party.model import Registration
from domain.party.policies import ACTIVE, CONSENT_VERSION
from tests.builders import Places, make_resident, make_worker


@pytest.fixture
def case(services):
    app = services.app
    places = Places(app)
    worker = make_worker(app, places.community)
    other_worker = make_worker(app, places.other_community)
    resident = make_resident(app, places.community, worker)
    app.accounts.request_residency(resident, places.other_community)
    app.accounts.verify_residency(other_worker, resident, places.other_community)
    return app, places, worker, other_worker, resident


def consent(app, who, community):
    return app.party.give_consent(who, community, CONSENT_VERSION, True)


def submit(app, who, community, stint):
    app.party.submit_registration(who, community, stint, "某公司", "某公司党委", "陈书记", "025-83123456", ["邻里互助"], "",
                                  "", ["name"])


def events(app) -> int:
    return app.recorder.max_notification_id() or 0


def test_only_verified_residents_register_and_nothing_is_recorded_otherwise(case):
    app, places, worker, _, _ = case
    outsider = make_resident(app, places.other_community)
    official = make_worker(app, places.street, roles.STREET_OFFICIAL)
    before = events(app)
    for person in (outsider, worker, official):
        with pytest.raises(NotAllowedError):
            consent(app, person, places.community)
    assert events(app) == before


def test_only_that_communitys_worker_decides_and_stale_or_foreign_ids_record_nothing(case):
    app, places, worker, other_worker, resident = case
    stint = consent(app, resident, places.community)
    submit(app, resident, places.community, stint)
    registration_id = Registration.id_for(resident)
    before = events(app)
    with pytest.raises(NotAllowedError):
        app.party.confirm_registration(other_worker, places.community, registration_id, stint)
    with pytest.raises(NotFoundError):
        app.party.confirm_registration(other_worker, places.other_community, registration_id, stint)
    with pytest.raises(ConflictError):
        app.party.confirm_registration(worker, places.community, registration_id, stint + 1)
    with pytest.raises(NotAllowedError):
        app.party.confirm_registration(resident, places.community, registration_id, stint)
    assert events(app) == before
    app.party.confirm_registration(worker, places.community, registration_id, stint)


def test_racing_consents_leave_one_active_registration(case):
    app, places, _, _, resident = case
    barrier, outcomes = threading.Barrier(8), []

    def race(i: int) -> None:
        barrier.wait()
        try:
            outcomes.append(consent(app, resident, (places.community, places.other_community)[i % 2]))
        except DomainError as e:
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stints = app.party.registration(resident).stints
    assert sum(s["state"] in ACTIVE for s in stints) == 1
    assert all(s["state"] == "ended" for s in stints[:-1])
    assert "BusyError" not in outcomes


def test_withdrawal_moving_and_erasure_leave_the_details_unreadable_in_the_store(case):
    app, places, worker, other_worker, resident = case
    first = consent(app, resident, places.community)
    submit(app, resident, places.community, first)
    second = consent(app, resident, places.other_community)          # moving ends the first
    submit(app, resident, places.other_community, second)
    registration = app.party.registration(resident)
    assert app.party.open_details(registration, registration.stints[0]) is None
    assert app.party.open_details(registration, registration.stints[1])["unit"] == "某公司"
    app.party.withdraw(resident, places.other_community)
    registration = app.party.registration(resident)
    assert app.party.open_details(registration, registration.stints[1]) is None
    third = consent(app, resident, places.community)
    submit(app, resident, places.community, third)
    app.accounts.erase_person(resident)
    registration = app.party.registration(resident)
    key = Registration.stint_key(registration.id, third)
    assert privacy.unseal(app.sealer, resident, key, registration.stints[2]["details"]) is None
