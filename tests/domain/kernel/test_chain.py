"""The link format of the hash chain: one definition in `domain/kernel/chain.py`, repeated exactly by the standalone
verifier; what each link covers; and which place an event belongs to."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from domain.kernel import chain

ROOT = Path(__file__).resolve().parents[3]


def standalone():
    spec = importlib.util.spec_from_file_location("verify_linli", ROOT / "tools" / "verify_linli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VERIFIER = standalone()
values = st.recursive(st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.text(max_size=20),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=12)
states = st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=8)


@given(states, st.text(min_size=1, max_size=40), st.integers(1, 10**6))
def test_the_standalone_verifier_computes_exactly_the_same_digests(state, topic, version):
    originator = str(uuid4())
    assert VERIFIER.field_digest(state) == chain.field_digest(state)
    assert VERIFIER.digest_of_state(state) == chain.digest_of_state(state)
    fields = {k: chain.field_digest(v) for k, v in state.items()}
    assert VERIFIER.state_digest(fields) == chain.state_digest(fields)
    event = chain.event_digest(originator, version, topic, chain.event_time(state), chain.digest_of_state(state))
    assert VERIFIER.event_digest(originator, version, topic, VERIFIER.event_time(state),
                                 VERIFIER.digest_of_state(state)) == event
    assert VERIFIER.link(chain.GENESIS, event) == chain.link(chain.GENESIS, event)
    assert (VERIFIER.GENESIS, VERIFIER.LINK_FORMAT) == (chain.GENESIS, chain.LINK_FORMAT)


def test_the_fast_field_digests_write_exactly_what_the_encoder_writes():
    tricky = ["", "引号\"与\\反斜杠", "换行\n\t\x00\x1f\u2028", "😀", 0, -1, 10**40, True, False, None, 1.5,
              {"_type_": "uuid_hex", "_data_": "6c05b372bea7554b8daf1c8b7ca96838"},
              {"_type_": "datetime_iso", "_data_": "2026-05-01T01:00:00+00:00"},
              {"_data_": "x", "_type_": 1}, {"_type_": "a", "_data_": "b", "c": 1}, [1, "二", None], {"b": 1, "a": [2]}]
    for value in tricky:
        assert chain.field_digest(value) == VERIFIER.field_digest(value) == chain._digest("field", value), value
    fields = {name: chain.field_digest(name) for name in ("金额", "a\"b", "timestamp", "")}
    assert chain.state_digest(fields) == VERIFIER.state_digest(fields) == chain._digest("state", sorted(fields.items()))


@given(states)
def test_a_field_left_out_by_its_digest_gives_the_same_state_digest(state):
    for name in list(state):
        shown = {k: v for k, v in state.items() if k != name}
        assert chain.digest_of_state(shown, {name: chain.field_digest(state[name])}) == chain.digest_of_state(state)


def test_a_link_covers_the_digest_before_it_and_every_part_of_the_event():
    state = {"timestamp": {"_type_": "datetime_iso", "_data_": "2026-05-01T01:00:00+00:00"}, "amount": 1200000,
             "payee_sealed": "sealed:v1:abc"}
    base = dict(originator_id=str(uuid4()), version=3, topic="domain.fund.model:Fund.Allocated",
                time=chain.event_time(state), state=chain.digest_of_state(state))
    first = chain.link(chain.GENESIS, chain.event_digest(**base))
    changed = [{"originator_id": str(uuid4())}, {"version": 4}, {"topic": "domain.fund.model:Fund.Committed"},
               {"time": "2026-05-01T01:00:01+00:00"}, {"state": chain.digest_of_state({**state, "amount": 1900000})},
               {"state": chain.digest_of_state({k: v for k, v in state.items() if k != "payee_sealed"})}]
    for change in changed:
        assert chain.link(chain.GENESIS, chain.event_digest(**{**base, **change})) != first
    assert chain.link("1" * 64, chain.event_digest(**base)) != first
    assert chain.event_time(state) == "2026-05-01T01:00:00+00:00"


def uid():
    return {"_type_": "uuid_hex", "_data_": uuid4().hex}


def test_an_event_belongs_to_the_place_it_names_else_to_its_aggregates_first_place():
    community, street, district = uid(), uid(), uid()
    as_id = chain.canonical_id
    founded = str(uuid4())
    assert chain.place_named("domain.accounts.model:Community.Founded", founded,
                             {"street_id": street, "district_id": district}) == founded
    assert chain.place_named("x:Meeting.Scheduled", "m", {"community_id": community}) == as_id(community)
    assert chain.place_named("x:ActionDay.Created", "d", {"community_id": None, "street_id": street}) == as_id(street)
    assert chain.place_named("x:Call.Opened", "c", {"street_id": None, "district_id": district}) == as_id(district)
    assert chain.place_named("x:Certificate.Opened", "c", {"org_id": community, "org_kind": "community"}) == \
        as_id(community)
    assert chain.place_named("x:Account.RoleGranted", "a", {"scope_id": community}) is None
    aggregates: dict[str, str] = {}
    meeting, account = str(uuid4()), str(uuid4())
    assert chain.place_of("x:Meeting.Scheduled", meeting, 1, {"community_id": community}, aggregates) == \
        as_id(community)
    assert chain.place_of("x:Meeting.VoteCast", meeting, 9, {"voter": uid()}, aggregates) == as_id(community)
    # an account belongs to no place; its residency request names one and goes there, and only there
    assert chain.place_of("x:Account.Registered", account, 1, {"phone_key": "k"}, aggregates) is None
    assert chain.place_of("x:Account.ResidencyRequested", account, 2, {"community_id": community}, aggregates) == \
        as_id(community)
    assert chain.place_of("x:Account.PasswordChanged", account, 3, {"password_hash": "h"}, aggregates) is None


def test_ids_are_compared_in_one_form_whatever_the_store_wrote():
    value = uuid4()
    assert chain.canonical_id(value) == chain.canonical_id(value.hex) == chain.canonical_id(str(value)) == \
        chain.canonical_id({"_type_": "uuid_hex", "_data_": value.hex}) == str(value)
    assert chain.event_name("domain.action_day:ActionDay.CheckedIn") == "ActionDay.CheckedIn"
