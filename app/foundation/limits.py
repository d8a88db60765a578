"""Bounds on what a request may carry: ids in addresses, page numbers, lengths. One definition of each."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: The largest id a table holds (PostgreSQL `integer`); a larger one in an address is simply not found.
MAX_ID = 2**31 - 1
#: The largest page number of any list: beyond it there is nothing to show.
MAX_PAGE = 10**6


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for every route: digits up to MAX_ID, so a huge id is a 404, never a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def int_arg(args, name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole-number query parameter within [low, high], else `default` (a bad value is treated as absent)."""
    raw = (args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return default
    value = int(raw)
    return value if low <= value <= high else default


def column_length(model, column: str) -> int:
    """The declared length of a string column: forms and imports check against the same number."""
    return model.__table__.c[column].type.length
