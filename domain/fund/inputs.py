"""What fund managers type, read as domain values (amounts are read by `domain.kernel.money.parse_fen`)."""
from __future__ import annotations

from domain.kernel.errors import InvalidInputError


def check_year(year: int | str) -> int:
    """A fund year between 2000 and 2100, written with the ASCII digits only (no `2_026`, ` 2026`, `٢٠٢٦`)."""
    if isinstance(year, bool) or not isinstance(year, (int, str)):
        raise InvalidInputError("年度不正确")
    text = str(year)
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise InvalidInputError("年度不正确")
    value = int(text)
    if not 2000 <= value <= 2100:
        raise InvalidInputError("年度不正确")
    return value
