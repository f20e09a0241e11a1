"""Organisations register with a street (the registrant becomes a member: the `org_member` role scoped to the
organisation, in the same append), are approved by that street's or district's officials, may be marked hub
organisations, add and remove members; a credit code registers once; the contact is sealed and erasable."""
from __future__ import annotations

import pytest

from domain.grants.model import CreditCodeTakenError, Organisation, OrganisationStateError
from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from tests.builders import make_worker
from tests.domain.grants.builders import CODE_A, CODE_C, person


def register(app, places, by, code=CODE_C, name="鼓楼公益基金会", kind="foundation"):
    return app.grants.register_organisation(by, name, code, kind, places.street, "王联系", "13911112222")


def test_the_registrant_becomes_the_first_member_through_the_org_member_role(linli, places):
    founder, _ = person(linli, "郑会长")
    org = register(linli, places, founder)
    o = linli.grants.organisation(org)
    assert o.status == "pending" and o.street_id == places.street and o.district_id == places.district
    assert linli.accounts.actor(founder).has_role(roles.ORG_MEMBER, org)
    assert str(founder) in o.members


def test_a_credit_code_registers_once_and_the_second_attempt_records_nothing(linli, places):
    first, _ = person(linli, "甲")
    second, _ = person(linli, "乙")
    register(linli, places, first)
    before = linli.recorder.max_notification_id()
    with pytest.raises(CreditCodeTakenError):
        register(linli, places, second, code=" 53320000mj000123x1 ", name="另一个名字")
    assert linli.recorder.max_notification_id() == before
    assert not any(r == roles.ORG_MEMBER for r, _ in linli.accounts.actor(second).grants)


def test_an_invalid_code_or_contact_is_refused_before_anything_is_recorded(linli, places):
    founder, _ = person(linli, "甲")
    before = linli.recorder.max_notification_id()
    for code, phone, name in (("53320000MJ000123X2", "13911112222", "王联系"), (CODE_C, "12345", "王联系"),
                              (CODE_C, "13911112222", "<b>王</b>")):
        with pytest.raises(InvalidInputError):
            linli.grants.register_organisation(founder, "基金会", code, "foundation", places.street, name, phone)
    assert linli.recorder.max_notification_id() == before


def test_an_unknown_street_is_not_found(linli, places):
    founder, _ = person(linli, "甲")
    with pytest.raises(NotFoundError):
        linli.grants.register_organisation(founder, "基金会", CODE_C, "foundation", places.community, "王联系",
                                           "13911112222")


def test_the_street_or_district_officials_decide_nobody_else(linli, places):
    founder, _ = person(linli, "甲")
    org = register(linli, places, founder)
    for outsider in (founder, make_worker(linli, places.community), make_worker(linli, places.district, "street_official")):
        with pytest.raises(NotAllowedError):
            linli.grants.approve_organisation(outsider, org)
    linli.grants.approve_organisation(make_worker(linli, places.street, roles.STREET_OFFICIAL), org)
    assert linli.grants.organisation(org).status == "approved"
    with pytest.raises(OrganisationStateError):
        linli.grants.approve_organisation(make_worker(linli, places.district, roles.DISTRICT_OFFICIAL), org)


def test_a_rejected_registration_frees_its_code_for_a_corrected_one(linli, places):
    founder, _ = person(linli, "甲")
    official = make_worker(linli, places.district, roles.DISTRICT_OFFICIAL)
    org = register(linli, places, founder)
    linli.grants.reject_organisation(official, org, "名称与登记证书不一致")
    assert linli.grants.organisation(org).status == "rejected"
    again = register(linli, places, founder, name="鼓楼区公益基金会")
    assert again != org and linli.grants.organisation(again).status == "pending"


def test_an_official_marks_an_approved_organisation_as_a_hub(linli, places, case):
    linli.grants.mark_hub(case.street_official, case.org, True)
    assert linli.grants.organisation(case.org).hub
    with pytest.raises(ConflictError):
        linli.grants.mark_hub(case.district_official, case.org, True)
    with pytest.raises(NotAllowedError):
        linli.grants.mark_hub(case.member, case.org, False)
    linli.grants.mark_hub(case.district_official, case.org, False)
    assert not linli.grants.organisation(case.org).hub


def test_a_pending_organisation_cannot_be_marked_a_hub(linli, places):
    founder, _ = person(linli, "甲")
    org = register(linli, places, founder)
    with pytest.raises(OrganisationStateError):
        linli.grants.mark_hub(make_worker(linli, places.street, roles.STREET_OFFICIAL), org, True)


def test_members_add_and_remove_members_whose_role_follows(linli, places, case):
    newcomer, phone = person(linli, "新成员")
    linli.grants.add_member(case.member2, case.org, phone)
    assert linli.accounts.actor(newcomer).has_role(roles.ORG_MEMBER, case.org)
    with pytest.raises(ConflictError):
        linli.grants.add_member(case.member, case.org, phone)
    with pytest.raises(NotAllowedError):
        linli.grants.add_member(case.other_member, case.org, phone)    # not a member of this one
    with pytest.raises(NotFoundError):
        linli.grants.add_member(case.member, case.org, "13700000000")   # no account
    linli.grants.remove_member(case.member, case.org, newcomer)
    assert not linli.accounts.actor(newcomer).has_role(roles.ORG_MEMBER, case.org)
    assert str(newcomer) in linli.grants.organisation(case.org).ever_members


def test_the_last_member_stays(linli, places):
    founder, _ = person(linli, "甲")
    org = register(linli, places, founder)
    with pytest.raises(ConflictError):
        linli.grants.remove_member(founder, org, founder)


def test_the_contact_is_sealed_under_its_own_key_and_erasing_it_deletes_the_key(linli, places, case):
    events = linli.repository.event_store.get(case.org)
    registered = next(e for e in events if isinstance(e, Organisation.Registered))
    assert "13912345678" not in registered.contact and "郑会长" not in registered.contact
    assert linli.grants.contact(case.org) == {"name": "郑会长", "phone": "13912345678"}
    linli.grants.erase_contact(case.member, case.org, "联系人离职")
    assert linli.sealer.keys.get(registered.contact_id) is None
    assert linli.sealer.unseal(registered.contact_id, registered.contact) is None
    assert linli.grants.contact(case.org) is None
    with pytest.raises(ConflictError):
        linli.grants.erase_contact(case.street_official, case.org, "再删一次")
    with pytest.raises(NotAllowedError):
        linli.grants.erase_contact(case.worker, case.org, "不是本组织")


def test_a_new_contact_replaces_the_old_one_whose_key_is_deleted(linli, places, case):
    registered = next(e for e in linli.repository.event_store.get(case.org) if isinstance(e, Organisation.Registered))
    linli.grants.change_contact(case.member2, case.org, "钱干事", "13955556666")
    assert linli.grants.contact(case.org) == {"name": "钱干事", "phone": "13955556666"}
    assert linli.sealer.keys.get(registered.contact_id) is None


def test_a_registration_for_an_organisation_already_there_collides(linli, places, case):
    founder, _ = person(linli, "甲")
    with pytest.raises(ConflictError):
        linli.grants.register_organisation(founder, "重复", CODE_C, "foundation", places.street, "王联系",
                                           "13911112222", organisation_id=case.org)
    assert linli.grants.organisation(case.org).credit_code == CODE_A
