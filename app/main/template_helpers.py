"""Jinja filters shared by every template."""

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale


def language_name(code: str) -> str:
    """'sq' -> 'Albanian (shqip)': the language's name in the UI language and in itself."""
    from app import UI_LANGUAGES  # the script a language is written in here (sr: Latin)

    try:
        locale = Locale.parse(UI_LANGUAGES.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code
    ui = get_locale() or Locale.parse("en")
    own, shown = locale.get_language_name(locale), locale.get_language_name(ui)
    return shown if not own or own == shown else f"{shown} ({own})"


def register(app):
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.globals["get_locale"] = get_locale
