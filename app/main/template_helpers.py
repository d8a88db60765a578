"""Jinja filters shared by every template."""

from flask_babel import format_date, get_locale

from app.foundation.languages import country_name, language_name
from app.foundation.prongs import CATEGORY_LABELS, prong_label


def register(app):
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.filters["category_label"] = lambda code: str(CATEGORY_LABELS.get(code, code or ""))
    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["prong_label"] = prong_label
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["format_date"] = format_date
