"""Serbian in Cyrillic, transliterated mechanically from the reviewed Latin catalog (Serbia's official script;
one text kept by hand, not two).

    .venv/bin/python scripts/serbian_cyrillic.py     # writes app/translations/sr_Cyrl/LC_MESSAGES/messages.po

Placeholders (%(name)s, %d, %%), HTML tags and entities, URLs, e-mail addresses, commands (`flask …`),
CSV column names and abbreviations written in Latin capitals (PDF, CSV, XLSX, API) stay as they are.
scripts/update-translations.sh runs this after updating the Latin catalog, and tests check that the
Cyrillic catalog is the transliteration of the Latin one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import cyrtranslit
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LATIN = ROOT / "app/translations/sr/LC_MESSAGES/messages.po"
CYRILLIC = ROOT / "app/translations/sr_Cyrl/LC_MESSAGES/messages.po"

#: Spans kept in Latin script.
KEEP_RE = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"  # %(name)s
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"           # %d, %%
    r"|\{[^{}\s]*\}"                                         # {name}
    r"|<[^>]+>|&[a-z]+;|&#\d+;"                              # HTML tags and entities
    r"|https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"           # URLs, e-mail addresses
    r"|`[^`]*`|\bflask [a-z-]+(?: [a-z-]+)*"                 # commands
    r"|\byes ili no\b|\b(?:email|personnel_number|attended|score|category|cohort|due_date|yes)\b"
    r"|\b[A-Z]{2,}[A-Z0-9-]*\b|\b[A-Z]\d+\b"                # PDF, CSV, XLSX, API, CETS, Q1
    r"|\bCtrl\+[A-Z]\b|\bUTF-8\b|\be-mail\b"
)


def to_cyrillic(text: str) -> str:
    """`text` in Cyrillic, with the spans of KEEP_RE left as they are."""
    out, last = [], 0
    for match in KEEP_RE.finditer(text):
        out.append(cyrtranslit.to_cyrillic(text[last:match.start()], "sr"))
        out.append(match.group(0))
        last = match.end()
    out.append(cyrtranslit.to_cyrillic(text[last:], "sr"))
    return "".join(out)


def build(latin: Path = LATIN, target: Path = CYRILLIC) -> int:
    with latin.open("rb") as handle:
        catalog = read_po(handle, locale="sr_Latn")
    catalog.locale = "sr_Cyrl"
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.string, tuple):
            message.string = tuple(to_cyrillic(s) if s else s for s in message.string)
        elif message.string:
            message.string = to_cyrillic(message.string)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return len(catalog)


if __name__ == "__main__":
    count = build()
    print(f"Wrote {CYRILLIC.relative_to(ROOT)} ({count} messages), transliterated from {LATIN.relative_to(ROOT)}.",
          file=sys.stderr)
