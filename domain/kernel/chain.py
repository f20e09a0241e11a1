"""The hash chain over the event log: one running SHA-256 digest for the whole store, and one for each place.

A link covers the digest before it and one event: its aggregate id, version, topic, time and stored state — the
fields as the recorder holds them, personal ones sealed ("sealed:v1:…" under a per-person key), so erasing a person
(deleting their key) changes no link. Each field enters through a digest of its own, so an export may leave out a
field (a certificate's verification code, a reason written in clear) and still be checked: it gives that field's
digest instead of its value.

Which place an event belongs to: a place's own founding event belongs to that place; an event that names a place
(`community_id`, a certificate's community or street `org_id`, `street_id`, `district_id` — the first one set, in
that order) belongs to it; any other event belongs to the place its aggregate's first event named; an event of no
place is only in the store's chain.

`tools/verify_linli.py` repeats the digest functions below exactly (it runs with the standard library alone, so it
cannot import them); `tests/domain/kernel/test_chain.py` holds the two together."""
from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring   # what the encoder below writes a text with (ensure_ascii=False)
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from uuid import UUID

GENESIS = "0" * 64            # the digest before the first event of every chain
LINK_FORMAT = "linli-chain/1"
PLACE_AGGREGATES = ("Community", "Street", "District")
PLACE_FIELDS = ("community_id", "org_id", "street_id", "district_id")
ORG_PLACES = ("community", "street")   # a certificate's `org_kind` that names a place


# One encoder, made once: `json.dumps` with these options would build a new one for every field of every event.
_canonical = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _digest(*parts: Any) -> str:
    """SHA-256 (hex) of the parts as canonical JSON: sorted keys, no spaces, UTF-8."""
    return hashlib.sha256(_canonical(list(parts)).encode("utf-8")).hexdigest()


def field_digest(value: Any) -> str:
    """The digest of one stored field's value (as the stored JSON has it: `{"_type_": …, "_data_": …}` and all):
    `_digest("field", value)`. Most values are a text, a number or an encoded id or time, whose canonical JSON is
    written here directly (the very bytes the encoder writes, a test holds them together): a rebuild digests every
    field of every event."""
    text = _scalar(value)
    if text is None and type(value) is dict and value.keys() == {"_type_", "_data_"}:
        kind, data = value["_type_"], value["_data_"]
        if type(kind) is str and type(data) is str:
            text = '{"_data_":' + encode_basestring(data) + ',"_type_":' + encode_basestring(kind) + "}"
    if text is None:
        return _digest("field", value)
    return hashlib.sha256(('["field",' + text + "]").encode("utf-8")).hexdigest()


def _scalar(value: Any) -> str | None:
    """The canonical JSON of a text, a whole number, a truth value or null; None for anything else."""
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is int:
        return int.__repr__(value)
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    return None


def state_digest(fields: Mapping[str, str]) -> str:
    """The digest of a stored state from its fields' digests (field name → `field_digest`):
    `_digest("state", sorted(fields.items()))`, written directly as `field_digest` is."""
    pairs = ",".join("[" + encode_basestring(name) + "," + encode_basestring(digest) + "]"
                     for name, digest in sorted(fields.items()))
    return hashlib.sha256(('["state",[' + pairs + "]]").encode("utf-8")).hexdigest()


def event_digest(originator_id: str, version: int, topic: str, time: str, state: str) -> str:
    """The digest of one event: aggregate id (`str(UUID)`), version, stored topic, time and `state_digest`."""
    return _digest("event", originator_id, version, topic, time, state)


def link(prev: str, event: str) -> str:
    """The chain's digest after an event: the digest before it and the event's `event_digest`."""
    return _digest(LINK_FORMAT, prev, event)


def digest_of_state(state: Mapping[str, Any], withheld: Mapping[str, str] | None = None) -> str:
    """`state_digest` of a stored state whose fields are given by value, or by digest (`withheld`) when left out."""
    fields = {name: field_digest(value) for name, value in state.items()}
    fields.update(withheld or {})
    return state_digest(fields)


def event_time(state: Mapping[str, Any]) -> str:
    """The event's time as stored (ISO 8601), or '' when the state has none."""
    stamp = state.get("timestamp")
    return stamp.get("_data_", "") if isinstance(stamp, dict) else str(stamp or "")


def canonical_id(value: Any) -> str:
    """An aggregate id as `str(UUID)`, from a UUID, its hex (SQLite) or the stored `{"_type_": "uuid_hex", …}`."""
    if isinstance(value, dict):
        value = value.get("_data_")
    return str(value) if isinstance(value, UUID) else _id_text(str(value))


@lru_cache(maxsize=65_536)
def _id_text(text: str) -> str:
    return str(UUID(text))


def event_name(topic: str) -> str:
    """`Aggregate.Event` of a stored topic (`module:Aggregate.Event`; a moved class keeps its old module name)."""
    return topic.rsplit(":", 1)[-1]


def place_named(topic: str, originator_id: str, state: Mapping[str, Any]) -> str | None:
    """The place (community, street or district id) an event names itself, or None."""
    if event_name(topic).split(".")[0] in PLACE_AGGREGATES:
        return originator_id
    for name in PLACE_FIELDS:
        value = state.get(name)
        if value in (None, ""):
            continue
        if name == "org_id" and state.get("org_kind") not in ORG_PLACES:
            continue
        try:
            return canonical_id(value)
        except ValueError:
            continue
    return None


def place_of(topic: str, originator_id: str, version: int, state: Mapping[str, Any],
             aggregates: dict[str, str]) -> str | None:
    """The place an event belongs to; `aggregates` (aggregate id → place of its first event) learns from it."""
    named = place_named(topic, originator_id, state)
    if version == 1 and named is not None:
        aggregates[originator_id] = named
    return named or aggregates.get(originator_id)
