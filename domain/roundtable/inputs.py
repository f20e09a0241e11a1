"""What workers and residents type, read as domain values (times: `domain.kernel.time`)."""
from __future__ import annotations

import re
import unicodedata

from domain.kernel.errors import InvalidInputError

_INT = re.compile(r"^\d{1,6}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
PHONE_TAIL = 4   # a check-in search finds a phone by exactly its last 4 digits, never by more (issue 9, item 9)


def parse_int(text: str | None, field: str, *, required: bool = True) -> int | None:
    """A small whole number typed in a form (full-width digits accepted): capacity, minutes, a position, stars."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw and not required:
        return None
    if not _INT.match(raw):
        raise InvalidInputError("{field}应为整数", field=field)
    return int(raw)


def check_in_query(raw: str | None) -> str:
    """What the worker typed into the check-in search: NFKC, no control or bidi characters, at most 40 characters;
    a phone's digits typed with spaces or dashes become the digits alone."""
    text = _CONTROL.sub("", unicodedata.normalize("NFKC", raw or "")).strip()[:40]
    compact = re.sub(r"[\s\-]", "", text)
    return compact if compact.isdigit() else text


def is_phone_tail(query: str) -> bool:
    """The search is for a phone: exactly its last 4 digits. Longer digit strings find nobody, or 40 searches of
    a few digits each would recover a whole number."""
    return len(query) == PHONE_TAIL and query.isascii() and query.isdigit()


def asks_for_digits(query: str) -> bool:
    """Digits that are not a phone's last 4: the search finds nobody and says to type the last 4 digits."""
    return query.isdigit() and not is_phone_tail(query)


TALLY_FIELDS = ("for", "against", "abstain")


def tally_field(motion_id: str, choice: str) -> str:
    """The minutes form's field for one motion's count of one choice (e.g. `for_2`)."""
    return f"{choice}_{motion_id}"


def parse_tallies(form: dict, motion_ids: list[str]) -> dict[str, tuple[int, int, int]]:
    """The tallies typed into the minutes form: motion id → (for, against, abstain). A motion left blank is left
    out (the minutes then do not state it, which the meeting refuses); a malformed number is an input error."""
    tallies = {}
    for motion_id in motion_ids:
        typed = [form.get(tally_field(motion_id, c), "") for c in TALLY_FIELDS]
        if not any(t.strip() for t in typed):
            continue
        tallies[motion_id] = tuple(parse_int(t, "票数") for t in typed)
    return tallies
