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
    """Count the rows `query` selects, then fetch one page of them (LIMIT/OFFSET in the database).

    Two queries, on purpose: COUNT(*) OVER () in the page's query would make the database read and keep every
    row before the LIMIT (140 ms against 3 + 0.1 ms at 20,000 trainees sorted by an index). A page past the end
    shows the last page, so a list that shrank under a bookmarked address still shows rows.
    """
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // per_page))
    page = min(max(page, 1), last)
    paged = query.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(paged)) if scalars else list(db.session.execute(paged).all())
    return Page(items, page, per_page, total)
