"""Interface languages and their names."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale

#: UI languages with a message catalog in app/translations (English is the source language),
#: mapped to the locale used for formatting: Serbian is written in Latin script here.
UI_LANGUAGES = {"en": "en", "sq": "sq", "sr": "sr_Latn"}


def language_name(code: str) -> str:
    """'sq' -> 'Albanian (shqip)': the language's name in the UI language and in itself."""
    try:
        locale = Locale.parse(UI_LANGUAGES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code
    ui = get_locale() or Locale.parse("en")
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
