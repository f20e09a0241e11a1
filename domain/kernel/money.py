"""Money is integer fen. Parse what people type; refuse anything that could be mis-read."""
from __future__ import annotations

import re
import unicodedata

from domain.kernel.errors import InvalidInputError

FEN_PER_YUAN = 100
MAX_FEN = 100_000_000 * FEN_PER_YUAN  # 1 亿元: anything above is a typo, not a community budget

_AMOUNT = re.compile(r"^(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d{1,2}))?$")
_DECORATION = re.compile(r"^[¥￥]|元$|^RMB|^CNY", re.IGNORECASE)


class AmountError(InvalidInputError):
    """An amount typed by a person could not be read as a whole number of fen."""

    message = "金额格式不正确：{reason}"


def parse_fen(text: str | int, *, allow_zero: bool = False) -> int:
    """Read `¥1,234.50`, `1234.5`, `１２３４` or `1000元` as fen; refuse everything ambiguous."""
    if isinstance(text, int) and not isinstance(text, bool):
        fen = text
    else:
        for ch in str(text):  # NFKC would turn ², ① or ٣ into digits that nobody typed as such
            if unicodedata.category(ch) == "No" or (
                    unicodedata.category(ch) == "Nd" and not ("0" <= ch <= "9" or "０" <= ch <= "９")):
                raise AmountError(reason="请使用数字 0-9 填写")
        raw = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
        previous = None
        while previous != raw:
            previous, raw = raw, _DECORATION.sub("", raw).strip()
        if not raw:
            raise AmountError(reason="请填写金额")
        if raw.startswith("-"):
            raise AmountError(reason="金额不能为负数")
        if len(raw) > 20:
            raise AmountError(reason="金额过大")
        match = _AMOUNT.match(raw)
        if not match:
            if re.fullmatch(r"\d+(\.\d+)?", raw):
                raise AmountError(reason="最多保留两位小数（精确到分）")
            raise AmountError(reason="只能包含数字、千位逗号和小数点，例如 1,234.50")
        whole = int(match["int"].replace(",", ""))
        frac = (match["frac"] or "").ljust(2, "0")
        fen = whole * FEN_PER_YUAN + int(frac or 0)
    if fen < 0:
        raise AmountError(reason="金额不能为负数")
    if fen == 0 and not allow_zero:
        raise AmountError(reason="金额必须大于 0")
    if fen > MAX_FEN:
        raise AmountError(reason="金额过大")
    return fen


def format_fen(fen: int) -> str:
    """Show fen as yuan with thousands separators: 123450 → '1,234.50'."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{part:02d}"
