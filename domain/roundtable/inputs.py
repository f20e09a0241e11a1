"""What workers and residents type, read as domain values (times: `domain.kernel.time`)."""
from __future__ import annotations

import re
import unicodedata

from domain.kernel.errors import InvalidInputError

_INT = re.compile(r"^\d{1,6}$")


def parse_int(text: str | None, field: str, *, required: bool = True) -> int | None:
    """A small whole number typed in a form (full-width digits accepted): capacity, minutes, a position, stars."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw and not required:
        return None
    if not _INT.match(raw):
        raise InvalidInputError("{field}应为整数", field=field)
    return int(raw)
