"""Simplified Chinese is the source language (msgids are Chinese); English comes from gettext catalogs.

Every `web/locale/en/LC_MESSAGES/*.po` is read at start-up and merged, so each area keeps its own catalog."""
from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"


def load_catalogs() -> dict[str, gettext.NullTranslations]:
    """The translations per language; Chinese needs none."""
    catalogs: dict[str, gettext.NullTranslations] = {"zh": gettext.NullTranslations()}
    merged: Translations | None = None
    for po in sorted((LOCALE_DIR / "en" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f, locale="en")
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = Translations(fp=buffer)
        merged = translations if merged is None else merged.merge(translations)
    catalogs["en"] = merged or gettext.NullTranslations()
    return catalogs
