"""Jinja filters and globals shared by every template: labels instead of codes, dates that do not break,
the page's width, and the language switcher's choices."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import request
from flask_babel import format_date, get_locale
from markupsafe import Markup, escape

from app.foundation import stages
from app.foundation.languages import UI_LANGUAGES, country_name, language_name, own_language_name
from app.foundation.prongs import CATEGORY_LABELS, prong_label
from app.foundation.redirects import is_safe_path

#: Blueprints whose pages are read rather than worked in: they keep a reading measure (about 70
#: characters a line). Every other page (administration, coordination, statistics) uses the full width.
READING_BLUEPRINTS = {"learning", "auth", "certificates"}
READING_ENDPOINTS = {"curriculum.preview"}


def category_label(category: str | None) -> str:
    """'judiciary' -> 'Prosecutor or judge' (a trainee's service category)."""
    return str(CATEGORY_LABELS.get(category, category or ""))


def iso_date(value: date | datetime | None, empty: str = "—") -> Markup | str:
    """A date as YYYY-MM-DD in a <time> element that never breaks across lines (tables, lists)."""
    if value is None:
        return empty
    day = value.date() if isinstance(value, datetime) else value
    return Markup('<time class="date" datetime="{0}">{0}</time>').format(day.isoformat())


def iso_datetime(value: datetime | None, empty: str = "—") -> Markup | str:
    """A moment as YYYY-MM-DD HH:MM (UTC), unbroken, in a <time> element."""
    if value is None:
        return empty
    return Markup('<time class="date" datetime="{0}Z">{1}</time>').format(
        value.strftime("%Y-%m-%dT%H:%M"), value.strftime("%Y-%m-%d %H:%M"))


_DATE_IN_TEXT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?\b")


def keep_dates(text: str | None) -> Markup:
    """Running text (an audit summary) with its dates kept on one line each."""
    escaped = escape(text or "")
    return Markup(_DATE_IN_TEXT.sub(lambda m: f'<span class="date">{m.group(0)}</span>', str(escaped)))


def cite(value) -> Markup:
    """A cited title (a law, a report, a source) marked as such: it stays in its own language."""
    if isinstance(value, (list, tuple)):
        return Markup("; ").join(Markup("<cite>{}</cite>").format(v) for v in value)
    return Markup("<cite>{}</cite>").format(value)


def page_width() -> str:
    """'page-reading' for pages that are read (a comfortable measure), 'page-wide' for pages worked in."""
    if request.blueprint in READING_BLUEPRINTS or request.endpoint in READING_ENDPOINTS:
        return "page-reading"
    return "page-wide"


def ui_languages() -> list[tuple[str, str, bool]]:
    """(code, the language's name in itself, is it the current one) for the language switcher."""
    current = str(get_locale() or "en")
    choices = []
    for code, locale_name in UI_LANGUAGES.items():
        own = own_language_name(code)
        choices.append((code, own[:1].upper() + own[1:], str(locale_name) == current or code == current))
    return choices


def here() -> str:
    """The current page's path and query, to come back to after a POST (same-site, never a full URL)."""
    path = request.full_path if request.query_string else request.path
    return path if is_safe_path(path) else "/"


def register(app):
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["cite"] = cite
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["prong_label"] = prong_label
    app.jinja_env.filters["category_label"] = category_label
    app.jinja_env.filters["stage_label"] = stages.stage_label
    app.jinja_env.filters["curriculum_label"] = stages.curriculum_label
    app.jinja_env.filters["sex_label"] = stages.sex_label
    app.jinja_env.filters["date"] = iso_date
    app.jinja_env.filters["datetime"] = iso_datetime
    app.jinja_env.filters["keep_dates"] = keep_dates
    app.jinja_env.globals.update(get_locale=get_locale, format_date=format_date, country_name=country_name,
                                 prong_label=prong_label,
                                 category_label=category_label, page_width=page_width,
                                 ui_languages=ui_languages, here=here)
