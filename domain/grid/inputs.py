"""What residents, grid workers and officials type into the grid pages, read as domain values."""
from __future__ import annotations

import re
import unicodedata

from domain.grid.model import MAX_ACCEPT_HOURS, RATINGS, HoursError, RatingError, ScoreError, WeightError


def _digits(value: str | None, pattern: str) -> str | None:
    text = unicodedata.normalize("NFKC", value or "").strip()
    return text if re.fullmatch(pattern, text) else None


def parse_hours(value: str | None, maximum: int = MAX_ACCEPT_HOURS) -> int:
    """A time limit in whole hours (`24`, `２４`); the model checks its bounds."""
    text = _digits(value, r"[0-9]{1,4}")
    if text is None:
        raise HoursError(max=maximum)
    return int(text)


def parse_score(value: str | None) -> int:
    """A rating of a community or street: 1 to 5."""
    text = _digits(value, r"[1-5]")
    if text is None:
        raise ScoreError()
    return int(text)


def parse_rating(value: str | None) -> str:
    """满意 / 基本满意 / 不满意, by their codes."""
    if value not in RATINGS:
        raise RatingError()
    return value


def parse_percent(value: str | None, floor: int) -> int:
    """A weight in whole percent (`70`, `70%`)."""
    text = _digits((value or "").replace("%", "").replace("％", ""), r"[0-9]{1,3}")
    if text is None:
        raise WeightError(floor=floor)
    return int(text)


def parse_flag(value: str | None) -> bool:
    """A checkbox: ticked or not."""
    return value in ("1", "on", "yes", "true")
