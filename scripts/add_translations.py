"""Add English translations to one catalog: python scripts/add_translations.py core 'msgid=translation' ..."""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(__file__).resolve().parent.parent / "web/locale/en/LC_MESSAGES" / f"{sys.argv[1]}.po"
with path.open("rb") as f:
    catalog = read_po(f, locale="en")
for pair in sys.argv[2:]:
    msgid, _, msgstr = pair.partition("=")
    catalog.add(msgid, msgstr)
catalog.fuzzy = False
with path.open("wb") as f:
    write_po(f, catalog, width=120)
