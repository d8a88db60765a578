"""CSV and XLSX exports, written one way: UTF-8 with a BOM (so spreadsheets read the letters right), and
every text cell that starts with = + - @ kept as text (spreadsheet formula injection). Numbers stay numbers."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def safe_cell(value):
    """A text cell a spreadsheet would run as a formula is shown as text; anything else is kept as it is."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def to_xlsx(header: list[str], rows, title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Sheet")[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
