"""What a context adds to pages it does not own: a card on the community overview, items in a person's schedule,
notices on the home page, columns of the street's table, the main tasks on the home page in elder mode. Each context's `pages.py` may define the hooks the
registry collects (`web.contexts.contributions`), so the accounts pages never import another context."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A partial template and what it needs (a card on the overview, a notice on the home page)."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgendaItem:
    """One coming thing in a person's schedule (我的安排), sorted by `starts_at` across contexts."""

    kind: str            # a msgid naming the context, e.g. "议事会"
    title: str
    url: str
    starts_at: str       # UTC ISO, for sorting
    when: str            # as shown, Shanghai time
    place: str
    waitlisted: bool = False
    rescheduled: bool = False


@dataclass(frozen=True)
class Column:
    """A column of the street's table of communities: its header (a msgid) and a cell per community id."""

    header: str
    cells: Mapping[str, str]
    empty: str = ""                # shown (a msgid) for a community without a cell
    header_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Task:
    """A main task one tap from the home page in elder mode (报名、表决、反映问题…): its label (a msgid), where it
    goes, and its place among the others."""

    label: str
    url: str
    order: int
