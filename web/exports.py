"""Files people download: CSV that a spreadsheet can never run as a formula, named for Chinese and ASCII clients."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from starlette.responses import Response

_PLAIN_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d{1,2})?|-?\d+(\.\d{1,2})?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will never run as a formula. A plain (negative) number such as `-1,234.50` stays a
    number an auditor can sum; anything else starting with = + - @ tab or a line break is quoted as text."""
    text = "" if value is None else str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(rows: Iterable[Sequence[object]], filename: str, chinese_name: str | None = None) -> Response:
    """A CSV download (UTF-8 with BOM, so Excel reads the Chinese), every cell made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(chinese_name or filename)}",
        "Cache-Control": "no-store"})
