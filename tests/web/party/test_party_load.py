"""Over real HTTP, all at once: one active registration per person however many consents race (for one community
or for two), and a waiting registration is confirmed or returned, never both."""
from __future__ import annotations

import secrets

import pytest

from domain.accounts.model import Account, Community
from domain.party.model import Registration
from domain.party.policies import ACTIVE, CONSENT_VERSION
from projections import party as views
from tests.builders import wait_for_views
from tests.web.builders import all_at_once, log_in, serving

pytestmark = pytest.mark.slow
RESIDENT, WORKER, OTHER_WORKER = "13800000001", "13800000002", "13800000007"


def test_twenty_simultaneous_consents_make_one_registration(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        c1 = Community.id_for("320106001001")
        client, token = log_in(server, RESIDENT)
        clients.append(client)

        def consent(i):
            return client.post(f"/c/{c1}/party/consent", data={
                "csrf_token": token, "command_id": secrets.token_hex(16), "version": CONSENT_VERSION, "agree": "yes"})
        statuses = [r.status_code for r in all_at_once(20, consent)]
        assert all(s < 500 for s in statuses), statuses
        assert statuses.count(303) == 1 and set(statuses) <= {303, 409}
        registration = svc.app.party.registration(Account.id_for(svc.app.phone_key(RESIDENT)))
        assert len(registration.stints) == 1


def test_consents_racing_for_two_communities_leave_exactly_one_active(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        c1, c2 = Community.id_for("320106001001"), Community.id_for("320106001002")
        resident = Account.id_for(app.phone_key(RESIDENT))
        app.accounts.request_residency(resident, c2)
        app.accounts.verify_residency(Account.id_for(app.phone_key(OTHER_WORKER)), resident, c2)
        wait_for_views(server)
        client, token = log_in(server, RESIDENT)
        clients.append(client)

        def consent(i):
            community = (c1, c2)[i % 2]
            return client.post(f"/c/{community}/party/consent", data={
                "csrf_token": token, "command_id": secrets.token_hex(16), "version": CONSENT_VERSION, "agree": "yes"})
        statuses = [r.status_code for r in all_at_once(12, consent)]
        assert all(s < 500 for s in statuses), statuses
        registration = app.party.registration(resident)
        states = [s["state"] for s in registration.stints]
        assert sum(state in ACTIVE for state in states) == 1
        assert all(state == "ended" for state in states[:-1])
        wait_for_views(server)
        listed = [views.current(svc.views, str(resident))]
        assert len([x for x in listed if x]) == 1


def test_a_waiting_registration_is_confirmed_or_returned_never_both(tmp_path):
    with serving(tmp_path / "data") as (server, svc, clients):
        app = svc.app
        c1 = Community.id_for("320106001001")
        resident = Account.id_for(app.phone_key(RESIDENT))
        stint = app.party.give_consent(resident, c1, CONSENT_VERSION, True)
        app.party.submit_registration(resident, c1, stint, "某公司", "某公司党委", "陈书记", "025-83123456",
                                      ["邻里互助"], "", "", [])
        wait_for_views(server)
        client, token = log_in(server, WORKER)
        clients.append(client)
        path = f"/c/{c1}/party/registry/{Registration.id_for(resident)}"

        def decide(i):
            data = {"csrf_token": token, "command_id": secrets.token_hex(16), "stint": str(stint)}
            if i % 2:
                return client.post(path + "/return", data={**data, "reason": "请补充"})
            return client.post(path + "/confirm", data=data)
        statuses = [r.status_code for r in all_at_once(10, decide)]
        assert all(s < 500 for s in statuses), statuses
        assert statuses.count(303) == 1
        state = app.party.registration(resident).current()["state"]
        assert state in ("confirmed", "returned")
