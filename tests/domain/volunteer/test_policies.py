"""The station's read rules and the new-day rule as a role matrix: who plans days in a community, who reads its (or its
street's) hours, who sees a certificate in full."""
from __future__ import annotations

import pytest

from domain.kernel import roles
from domain.volunteer import policies
from tests.builders import make_resident, make_worker

ROLES = ("worker", "other_worker", "fund_manager", "resident", "street_official", "nobody")


def actor_for(linli, places, who):
    account = {
        "worker": lambda: make_worker(linli, places.community),
        "other_worker": lambda: make_worker(linli, places.other_community),
        "fund_manager": lambda: make_worker(linli, places.community, role=roles.FUND_MANAGER),
        "resident": lambda: make_resident(linli, places.community),
        "street_official": lambda: make_worker(linli, places.street, role=roles.STREET_OFFICIAL),
        "nobody": lambda: linli.accounts.sign_up("13911113333", "路人", "x", None),
    }[who]()
    return account, linli.accounts.actor(account)


@pytest.mark.parametrize("who, plans, reads, reads_street", [
    ("worker", True, True, False),
    ("other_worker", False, False, False),
    ("fund_manager", False, False, False),
    ("resident", False, False, False),
    ("street_official", True, False, True),
    ("nobody", False, False, False),
])
def test_who_plans_days_and_reads_hours_in_a_community(linli, places, who, plans, reads, reads_street):
    _, actor = actor_for(linli, places, who)
    assert policies.may_plan_days(actor, places.community, places.street) is plans
    assert policies.may_read_hours(actor, places.community) is reads
    assert policies.may_read_street_hours(actor, places.street) is reads_street


@pytest.mark.parametrize("who", ROLES)
def test_a_certificate_is_seen_by_its_holder_and_the_issuing_communitys_workers(linli, places, who):
    holder = make_resident(linli, places.community)
    account, actor = actor_for(linli, places, who)
    assert policies.may_see_certificate(actor, holder, places.community) is (who == "worker")
    assert policies.may_see_certificate(actor, account, places.community) is True  # their own
    assert policies.may_see_certificate(actor, holder, places.street) is False  # a street's: only the holder
