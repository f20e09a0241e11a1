"""The fold reads exactly the events it names, under their topics now and before the classes moved, and the read
model handles the same events (so the two cannot drift apart silently)."""
from __future__ import annotations

from eventsourcing.utils import get_topic, resolve_topic

from domain.party import record
from projections import party as views


def test_every_topic_the_fold_reads_resolves_to_an_event_class():
    for topic in record.topics():
        assert isinstance(resolve_topic(topic), type), topic


def test_the_fold_has_a_handler_for_every_event_it_reads():
    for topic in record.topics():
        name = resolve_topic(topic).__qualname__.replace(".", "_")
        assert hasattr(record.ServiceLedger, "_" + name), name


def test_the_read_model_handles_every_event_the_fold_reads():
    current = {get_topic(resolve_topic(topic)) for topic in record.topics()}
    assert current <= views.projection.topics
