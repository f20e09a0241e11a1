"""A registration from consent to confirmation, returned and resubmitted, withdrawn, moved, erased."""
from __future__ import annotations

import json

import pytest

from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.party import privacy
from domain.party.model import (AlreadyRegisteredError, Registration, RegistrationStateError, ServiceKindError,
                                StaleRegistrationError)
from domain.party.policies import CONFIRMED, CONSENT_VERSION, ENDED, RETURNED, SUBMITTED, WITHDRAWN
from tests.builders import make_resident, make_worker
from tests.domain.party.builders import DETAILS, consent, register, submit


def events(linli, resident):
    return list(linli.repository.event_store.get(Registration.id_for(resident)))


def test_consent_is_its_own_event_with_the_text_version_agreed_to(linli, places, resident):
    stint = consent(linli, resident, places.community)
    started, given = events(linli, resident)
    assert type(started).__name__ == "Started" and started.account_id == resident
    assert type(given).__name__ == "ConsentGiven"
    assert (given.stint, given.community_id, given.version) == (stint, places.community, CONSENT_VERSION)


@pytest.mark.parametrize("version, agreed", [(CONSENT_VERSION, False), ("2020-01-v0", True), ("", True)])
def test_consent_needs_the_tick_and_the_current_text(linli, places, resident, version, agreed):
    with pytest.raises(InvalidInputError):
        linli.party.give_consent(resident, places.community, version, agreed)
    assert linli.party.registration(resident) is None


def test_only_verified_residents_of_the_community_register_there(linli, places, worker):
    pending = linli.accounts.sign_up("13912340001", "待核实", "x", places.community)
    outsider = make_resident(linli, places.other_community, name="外社区居民")
    for person in (pending, outsider, worker, make_worker(linli, places.street, "street_official")):
        with pytest.raises(NotAllowedError):
            consent(linli, person, places.community)
        assert linli.party.registration(person) is None


def test_the_details_are_sealed_in_the_event_and_opened_only_with_both_keys(linli, places, resident):
    stint = consent(linli, resident, places.community)
    submit(linli, resident, places.community, stint)
    submitted = events(linli, resident)[-1]
    assert "某某科技" not in json.dumps(submitted.details, ensure_ascii=False)
    assert submitted.disclose == ["name", "service"]
    key = Registration.stint_key(Registration.id_for(resident), stint)
    opened = privacy.unseal(linli.sealer, resident, key, submitted.details)
    assert opened["unit"] == DETAILS["unit"] and opened["org_phone"] == "025-83123456"
    assert linli.sealer.unseal(resident, submitted.details) is not None   # the outer seal is the person's key
    linli.sealer.keys.delete(key)
    assert privacy.unseal(linli.sealer, resident, key, submitted.details) is None    # the inner seal is the stint's


def test_service_kinds_come_from_the_communitys_list_or_the_free_text(linli, places, resident):
    stint = consent(linli, resident, places.community)
    with pytest.raises(ServiceKindError):
        submit(linli, resident, places.community, stint, kinds=["造火箭"])
    with pytest.raises(InvalidInputError):
        submit(linli, resident, places.community, stint, kinds=[], other_kinds="")
    submit(linli, resident, places.community, stint, kinds=[], other_kinds="修自行车")
    assert linli.party.registration(resident).current()["state"] == SUBMITTED


@pytest.mark.parametrize("field, value", [
    ("unit", ""), ("unit", "x" * 61), ("unit", "公司\u202e"), ("org_name", "党委\x00"), ("org_contact", "<陈>"),
    ("org_phone", "12345"), ("org_phone", "025-123"), ("availability", "y" * 201), ("other_kinds", "a\x07")])
def test_bad_details_are_refused_and_nothing_is_recorded(linli, places, resident, field, value):
    stint = consent(linli, resident, places.community)
    before = len(events(linli, resident))
    with pytest.raises(InvalidInputError):
        submit(linli, resident, places.community, stint, **{field: value})
    assert len(events(linli, resident)) == before


def test_a_worker_returns_with_a_reason_the_member_resubmits_and_the_worker_confirms(linli, places, resident, worker):
    registration_id = Registration.id_for(resident)
    stint = consent(linli, resident, places.community)
    submit(linli, resident, places.community, stint)
    with pytest.raises(InvalidInputError):
        linli.party.return_registration(worker, places.community, registration_id, stint, "  ")
    linli.party.return_registration(worker, places.community, registration_id, stint, "联系电话请填手机")
    assert linli.party.registration(resident).current()["state"] == RETURNED
    returned = events(linli, resident)[-1]
    assert "联系电话" not in returned.reason and returned.by == worker
    with pytest.raises(RegistrationStateError):
        linli.party.confirm_registration(worker, places.community, registration_id, stint)
    submit(linli, resident, places.community, stint, org_phone="13900001111")
    linli.party.confirm_registration(worker, places.community, registration_id, stint)
    assert linli.party.registration(resident).current()["state"] == CONFIRMED
    with pytest.raises(RegistrationStateError):
        submit(linli, resident, places.community, stint)


def test_another_communitys_worker_cannot_decide_and_a_stale_stint_is_refused(linli, places, resident, worker):
    stint = register(linli, resident, places.community, worker, confirm=False)
    other_worker = make_worker(linli, places.other_community)
    registration_id = Registration.id_for(resident)
    with pytest.raises(NotAllowedError):
        linli.party.confirm_registration(other_worker, places.community, registration_id, stint)
    with pytest.raises(NotFoundError):
        linli.party.confirm_registration(other_worker, places.other_community, registration_id, stint)
    with pytest.raises(StaleRegistrationError):
        linli.party.confirm_registration(worker, places.community, registration_id, stint + 1)
    assert linli.party.registration(resident).current()["state"] == SUBMITTED


def test_one_active_registration_per_person(linli, places, resident, worker):
    register(linli, resident, places.community, worker)
    with pytest.raises(AlreadyRegisteredError):
        consent(linli, resident, places.community)


def test_withdrawal_ends_the_registration_and_shreds_its_details_but_not_the_person(linli, places, resident, worker):
    stint = register(linli, resident, places.community, worker)
    linli.party.withdraw(resident, places.community)
    registration = linli.party.registration(resident)
    assert registration.current() is None and registration.stints[0]["state"] == WITHDRAWN
    assert linli.party.open_details(registration, registration.stints[0]) is None
    assert linli.accounts.person_name(resident) == "王党员"
    with pytest.raises(NotFoundError):
        linli.party.withdraw(resident, places.community)
    assert consent(linli, resident, places.community) == stint + 1   # may register again, a new stint


def test_moving_ends_the_old_registration_in_the_same_append_and_keeps_its_history(linli, places, resident, worker):
    register(linli, resident, places.community, worker)
    other_worker = make_worker(linli, places.other_community)
    linli.accounts.request_residency(resident, places.other_community)
    linli.accounts.verify_residency(other_worker, resident, places.other_community)
    stint = consent(linli, resident, places.other_community)
    ended, given = events(linli, resident)[-2:]
    assert type(ended).__name__ == "Ended" and ended.reason == "moved"
    assert ended.to_community_id == places.other_community
    assert type(given).__name__ == "ConsentGiven" and given.stint == stint == 2
    registration = linli.party.registration(resident)
    assert [s["state"] for s in registration.stints] == [ENDED, "consented"]
    assert linli.party.open_details(registration, registration.stints[0]) is None
    with pytest.raises(NotFoundError):
        linli.party.confirm_registration(worker, places.community, registration.id, 1)


def test_erasing_the_person_leaves_no_readable_membership_detail(linli, places, resident, worker):
    register(linli, resident, places.community, worker)
    linli.accounts.erase_person(resident)
    registration = linli.party.registration(resident)
    assert linli.party.open_details(registration, registration.current()) is None
    with pytest.raises(NotAllowedError):
        linli.party.issue_report(worker, places.community, registration.id, 1, "2026", None, "")


def test_a_confirmation_needs_the_member_to_still_live_there(linli, places, resident, worker):
    stint = register(linli, resident, places.community, worker, confirm=False)
    linli.accounts.erase_person(resident)
    with pytest.raises((NotAllowedError, ConflictError)):
        linli.party.confirm_registration(worker, places.community, Registration.id_for(resident), stint)


def test_a_re_posted_old_consent_answers_as_it_did_and_shreds_nothing(linli, places, resident):
    """A repeat may run its action on today's state before its marker is found: moving back to the first community
    would end the current stint. The repeat must answer as the first consent did and leave the current stint's key."""
    other_worker = make_worker(linli, places.other_community)
    linli.accounts.request_residency(resident, places.other_community)
    linli.accounts.verify_residency(other_worker, resident, places.other_community)
    first = linli.party.give_consent(resident, places.community, CONSENT_VERSION, True, command_id="c1")
    second = linli.party.give_consent(resident, places.other_community, CONSENT_VERSION, True, command_id="c2")
    submit(linli, resident, places.other_community, second)
    again = linli.party.give_consent(resident, places.community, CONSENT_VERSION, True, command_id="c1")
    registration = linli.party.registration(resident)
    assert again == first and registration.current()["stint"] == second
    assert linli.party.open_details(registration, registration.current()) is not None
