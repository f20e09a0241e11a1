"""Classes that moved keep their old topics, so stores written before the move still load and replay."""
from __future__ import annotations

from eventsourcing.utils import register_topic


def moved(old_topics: dict[str, type]) -> None:
    """Resolve each old topic (`module:Class`) to the class now living elsewhere; nested event classes follow."""
    for topic, cls in old_topics.items():
        register_topic(topic, cls)
