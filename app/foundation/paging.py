"""Lists paged in the database: one page of rows and how many there are, from a SELECT.

Query parameters come from the address bar and may be anything; `page_number` and `page_size` turn
them into values a query can use (a bad value falls back to the default, never an error page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
#: Far beyond any real list; keeps OFFSET arithmetic sane whatever is typed into the address bar.
MAX_PAGE = 100_000


@dataclass
class Page:
    """One page of a list: its rows, the page number (1-based), the page size and the total count."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        """The 1-based position of the first row shown (0 when the list is empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def clean_text(value, max_length: int = 200) -> str:
    """A search or filter text from the address bar: control characters (NUL, which PostgreSQL refuses in text,
    among them) dropped, trimmed, cut to `max_length`."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable())
    return text.strip()[:max_length]


def page_number(args: Mapping[str, str]) -> int:
    try:
        value = int(args.get("page", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), MAX_PAGE)


def page_size(args: Mapping[str, str], default: int = DEFAULT_PAGE_SIZE) -> int:
    try:
        value = int(args.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return value if value in PAGE_SIZES else default


def paginate(query: sa.Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """One page of the rows `query` selects (LIMIT/OFFSET in the database) and how many there are in all.

    The total comes with the page (COUNT(*) OVER ()), so a page is one query. A page past the end shows the
    last page, so a list that shrank under a bookmarked address still shows rows.
    """
    page = max(page, 1)
    rows = _fetch(query, page, per_page)
    if rows:
        total = rows[0][-1]
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
        last = max(1, -(-total // per_page))
        if page > last and total:
            page = last
            rows = _fetch(query, page, per_page)
    items = [row[0] for row in rows] if scalars else rows
    return Page(items, page, per_page, total)


def _fetch(query: sa.Select, page: int, per_page: int) -> list:
    counted = query.add_columns(sa.func.count().over().label("_total"))
    return list(db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all())
