"""Accounts: sealed personal data, residency decided by a worker, roles scoped to one place."""
import pytest

from domain.kernel import roles
from domain.accounts.model import Account
from domain.kernel.errors import ConflictError, NotAllowedError
from domain.accounts.service import PhoneTakenError
from tests.builders import make_worker, new_phone


def test_sign_up_seals_name_and_phone_so_the_event_holds_no_readable_personal_data(linli, places):
    account_id = linli.accounts.sign_up("138 0013 8000", "张三", "hash", places.community)
    stored = b"".join(e.state for e in linli.recorder.select_events(account_id))
    assert "张三".encode() not in stored and b"13800138000" not in stored
    assert linli.accounts.person_name(account_id) == "张三"


def test_a_phone_number_can_open_only_one_account(linli, places):
    linli.accounts.sign_up("13800138000", "张三", "hash", places.community)
    with pytest.raises(PhoneTakenError):
        linli.accounts.sign_up("+86 138-0013-8000", "李四", "hash", places.community)


def test_a_repeated_sign_up_command_has_one_effect(linli, places):
    first = linli.accounts.sign_up("13800138000", "张三", "hash", places.community, command_id="c-1")
    again = linli.accounts.sign_up("13800138000", "张三", "hash", places.community, command_id="c-1")
    assert first == again
    assert len(linli.repository.get(first).residencies) == 1


def test_a_resident_is_pending_until_a_worker_of_that_community_verifies_them(linli, places):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", places.community)
    assert not linli.accounts.is_verified_resident(account_id, places.community)
    worker = make_worker(linli, places.community)
    linli.accounts.verify_residency(worker, account_id, places.community)
    assert linli.accounts.is_verified_resident(account_id, places.community)


@pytest.mark.parametrize("role, scope", [("worker", "other_community"), ("fund_manager", "community"),
                                         ("street_official", "street"), (None, None)])
def test_only_a_worker_of_the_same_community_may_verify(linli, places, role, scope):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", places.community)
    someone = linli.accounts.sign_up(new_phone(), "某人", "hash", None)
    if role:
        linli.accounts.grant_role(someone, role, getattr(places, scope))
    with pytest.raises(NotAllowedError):
        linli.accounts.verify_residency(someone, account_id, places.community)


def test_a_rejected_resident_may_ask_again_and_a_decided_request_cannot_be_decided_twice(linli, places):
    worker = make_worker(linli, places.community)
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", places.community)
    linli.accounts.reject_residency(worker, account_id, places.community, "不在本社区居住")
    with pytest.raises(ConflictError):
        linli.accounts.verify_residency(worker, account_id, places.community)
    linli.accounts.request_residency(account_id, places.community)
    linli.accounts.verify_residency(worker, account_id, places.community)
    with pytest.raises(ConflictError):
        linli.accounts.request_residency(account_id, places.community)


def test_roles_hold_only_in_their_scope(linli, places):
    worker = make_worker(linli, places.community)
    assert linli.accounts.has_role(worker, roles.WORKER, places.community)
    assert not linli.accounts.has_role(worker, roles.WORKER, places.other_community)


def test_erasing_a_person_deletes_their_key_so_nothing_sealed_can_be_read(linli, places):
    phone = new_phone()
    account_id = linli.accounts.sign_up(phone, "张三", "hash", places.community)
    linli.accounts.erase_person(account_id)
    assert linli.accounts.person_name(account_id) == "（已删除）"
    assert linli.sealer.unseal(account_id, linli.repository.get(account_id).personal) is None
    assert linli.accounts.login_record(phone) is None
    with pytest.raises(NotAllowedError):
        linli.repository.get(account_id).request_residency(places.other_community, linli.clock())


def test_event_bodies_take_time_as_an_argument_so_replay_gives_the_same_state(linli, places, clock):
    account_id = linli.accounts.sign_up(new_phone(), "张三", "hash", places.community)
    clock.advance(days=3)
    replayed = linli.repository.get(account_id)
    assert replayed.registered_at.isoformat().startswith("2026-05-01")
    assert isinstance(replayed, Account)
