"""Interface languages and their names."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

#: UI languages with a message catalog in app/translations (English is the source language), mapped to
#: the locale used for formatting and catalog lookup. Serbian is written in Latin script (`sr`) and in
#: Cyrillic (`sr_Cyrl`, transliterated from the Latin catalog: scripts/serbian_cyrillic.py); Montenegrin
#: (`cnr`) is looked up by Babel as Latin-script Serbian of Montenegro, so its catalog sits there.
UI_LANGUAGES = {
    "en": "en", "sq": "sq", "sr": "sr_Latn", "sr_Cyrl": "sr_Cyrl", "bg": "bg", "mk": "mk", "ro": "ro", "tr": "tr",
    "hr": "hr", "bs": "bs", "sl": "sl", "cnr": "sr_Latn_ME",
}

#: Names CLDR gives differently from how the language's own speakers and law name it.
_OWN_NAMES = {"cnr": (_l("Montenegrin"), "crnogorski")}


def catalog_dir(code: str) -> str:
    """The directory of app/translations that holds the catalog of UI language `code`."""
    return "sr_Latn_ME" if code == "cnr" else code


def own_language_name(code: str) -> str:
    """A language's name in itself, with its script where it has two ('srpski (latinica)', 'српски
    (ћирилица)'); Montenegrin as its speakers name it."""
    if code in _OWN_NAMES:
        return _OWN_NAMES[code][1]
    try:
        locale = Locale.parse(UI_LANGUAGES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code
    if locale.script and code in UI_LANGUAGES:
        return locale.get_display_name(locale) or code
    return locale.get_language_name(locale) or code


def language_name(code: str) -> str:
    """'sq' -> 'Albanian (shqip)': the language's name in the UI language and in itself; a language
    written in more than one script names the script ('Serbian (Cyrillic) — српски (ћирилица)')."""
    if code in _OWN_NAMES:
        shown, own = str(_OWN_NAMES[code][0]), _OWN_NAMES[code][1]
        return shown if shown == own else f"{shown} ({own})"
    try:
        locale = Locale.parse(UI_LANGUAGES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code
    ui = get_locale() or Locale.parse("en")
    if locale.script and code in UI_LANGUAGES:
        shown, own = locale.get_display_name(ui), locale.get_display_name(locale)
        return shown if shown == own else f"{shown} — {own}"
    own, shown = locale.get_language_name(locale), locale.get_language_name(ui)
    return shown if not own or own == shown else f"{shown} ({own})"


def country_name(code: str | None, fallback: str | None = None) -> str:
    """'AL' -> 'Albania' / 'Shqipëri' / 'Albanija': a country's name from CLDR in the interface language.

    Kosovo is territory XK in CLDR. A code CLDR does not know keeps `fallback` (the profile's name) or itself.
    """
    if not code:
        return fallback or ""
    ui = get_locale() or Locale.parse("en")
    return ui.territories.get(code.upper()) or fallback or code
