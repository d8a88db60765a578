"""Jinja filters shared by every template."""

from flask_babel import format_date, get_locale

from app.foundation.languages import language_name


def register(app):
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["format_date"] = format_date
