"""The three prongs of the programme, defined once.

A prong is a course (police, investigators, judiciary) and a trainee's service category is the prong
whose course they take. Database constraints, form choices, CLI choices, the API schema and the
content validator all read this module.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PRONGS = ("police", "investigators", "judiciary")

#: A trainee's service category, as people are called in each prong.
CATEGORY_LABELS = {
    "police": _l("General police officer"),
    "investigators": _l("Specialised anti-trafficking investigator"),
    "judiciary": _l("Prosecutor or judge"),
}

#: The course of each prong, as a short label for tables and charts.
PRONG_LABELS = {
    "police": _l("Police"),
    "investigators": _l("Investigators"),
    "judiciary": _l("Prosecutors and judges"),
}


def sql_in(column: str, *, nullable: bool = False) -> str:
    """A CHECK constraint's text: `column` is one of the prongs (or NULL when `nullable`)."""
    listed = ", ".join(f"'{p}'" for p in PRONGS)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


def category_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in CATEGORY_LABELS.items()]


def prong_label(prong: str | None) -> str:
    return str(PRONG_LABELS.get(prong, prong or ""))
