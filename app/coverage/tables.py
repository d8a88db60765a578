"""The coverage tables as people read them: names (countries from CLDR in the viewer's language, academies by
name, prongs by label), figures formatted, withheld cells marked, and links one level down. A page renders a
`Table`; its export writes the same `Table` through foundation/spreadsheets.py, so the two cannot differ.

No figure is counted here: every number comes from `services.compute` (overdue included) or
`services.knowledge_gain`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.academy.models import Academy
from app.foundation import spreadsheets
from app.foundation.languages import country_name
from app.foundation.prongs import CATEGORY_LABELS, PRONGS, prong_label
from app.foundation.stages import curriculum_label, sex_label, stage_label

from .drill import unit_label
from .services import DELIVERY_MEASURES

NUMBERS = ("target", "trained", "lapsed", "in_progress", "enrolled", "coverage", "trained_lost", "overdue")
HEADERS = {
    "country": _l("Country"), "academy": _l("Academy"), "unit": _l("Unit"), "prong": _l("Prong"),
    "period": _l("Period"), "target": _l("Target"), "trained": _l("Trained"), "lapsed": _l("Lapsed"),
    "in_progress": _l("In progress"),
    "enrolled": _l("Enrolled"), "coverage": _l("Coverage (%)"), "trained_lost": _l("Trained staff lost"),
    "overdue": _l("Overdue"), "note": _l("Note"),
    "stage": _l("Training stage"), "sex": _l("Sex"), "trained_online": _l("Trained online"),
    "trained_classroom": _l("Trained in class"), "trained_blended": _l("Trained blended"),
}


def note_text(row: dict) -> str:
    """The explanation of a row's coverage figure (`services.target_note`), in the viewer's language."""
    if row.get("target_note") == "above_target":
        return _("More trained than the target (set from %(date)s): the target is older than the headcount, or "
                 "too low.", date=row["target_from"])
    if row.get("target_note") == "stale_target":
        return _("The target was set from %(date)s, more than a year before this date: staff may have changed "
                 "since.", date=row["target_from"])
    return ""


@dataclass
class Cell:
    #: What an export writes: a number, a name, or the word for a withheld figure.
    value: object
    #: What the page shows.
    text: str
    href: str | None = None
    withheld: bool = False
    numeric: bool = False
    #: An explanation: the page shows its number, linked to the numbered notes under the table; exports the text.
    note: str = ""


@dataclass
class Table:
    id: str
    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    #: Rows that stand for a place with no figures: (the place's cells, the note), written after the place.
    empty: str = ""

    def values(self) -> list[list[object]]:
        return [[c.value for c in row] for row in self.rows]

    def notes(self) -> list[tuple[int, str]]:
        """The distinct notes of the table's cells, numbered as the page marks them."""
        found: list[str] = []
        for row in self.rows:
            for cell in row:
                if cell.note and cell.note not in found:
                    found.append(cell.note)
        return list(enumerate(found, start=1))

    def note_number(self, note: str) -> int:
        return next(number for number, text in self.notes() if text == note)


def withheld_word() -> str:
    return _("withheld")


def _number(value, withheld: bool, href: str | None = None) -> Cell:
    if withheld:
        return Cell(withheld_word(), withheld_word(), None, True, True)
    if value is None:
        return Cell(None, "—", None, False, True)
    return Cell(value, format_decimal(value), href, False, True)


def _coverage(ratio, withheld: bool, href: str | None) -> Cell:
    if withheld:
        return Cell(withheld_word(), withheld_word(), None, True, True)
    if ratio is None:
        return Cell(None, "—", None, False, True)
    return Cell(round(ratio * 100, 1), format_percent(ratio, "#,##0.0%"), href, False, True)


def figure_cells(row: dict, href: str | None, with_overdue: bool) -> list[Cell]:
    """Target, trained, lapsed, in progress, enrolled, coverage, trained staff lost (and overdue) of one row of
    `compute`, then the note explaining its coverage."""
    hidden = row["suppressed"]
    note = note_text(row)
    cells = [_number(row["target"], False, href), _number(row["trained"], hidden, href),
             _number(row["lapsed"], hidden, href), _number(row["in_progress"], hidden, href),
             _number(row["enrolled"], hidden, href), _coverage(row["coverage"], hidden, href),
             _number(row["trained_lost"], hidden, href)]
    if with_overdue:
        cells.append(_number(row.get("overdue"), hidden or row.get("overdue") is None, href))
    cells.append(Cell(note, "", None, False, False, note))
    return cells


def names(academies: dict[str, Academy]) -> dict[str, Callable]:
    """How each naming column shows its value."""
    return {
        "country": country_name,
        "academy": lambda slug: academies[slug].name if slug in academies else (slug or ""),
        "unit": unit_label,
        "prong": prong_label,
        "period": lambda period: period or "",
        "stage": stage_label,
        "sex": sex_label,
    }


def figures_table(table_id: str, title: str, result: dict, columns: list[str], academies: dict[str, Academy], *,
                  link: Callable[[dict], str | None] | None = None, name_link: dict | None = None,
                  with_overdue: bool = False, listed: list | None = None, empty: str = "") -> Table:
    """A table of `compute` rows: naming columns, then the figures; `link(row)` is where a figure leads.

    `listed`: every value of the first naming column that must appear (countries, academies); those without
    a row get one saying `empty` (no trainees yet).
    """
    shown = names(academies)
    figures = (["target", "trained", "lapsed", "in_progress", "enrolled", "coverage", "trained_lost"]
               + (["overdue"] if with_overdue else []) + ["note"])
    table = Table(table_id, title, [str(HEADERS[c]) for c in columns + figures], empty=empty)
    first = columns[0]
    present = {r.get(first) for r in result["rows"]}
    missing = [value for value in (listed or []) if value not in present]
    rows = list(result["rows"]) + [{first: value, "_empty": True} for value in missing]
    if listed is not None:  # by name in the viewer's language, then prong in the programme's order
        rows.sort(key=lambda r: (shown[first](r.get(first)).casefold(), str(r.get(first)),
                                 PRONGS.index(r["prong"]) if r.get("prong") in PRONGS else len(PRONGS)))
    for row in rows:
        href = link(row) if link and not row.get("_empty") else None
        cells = []
        for c in columns:
            if row.get("_empty") and c != first:
                continue
            text = shown[c](row.get(c))
            target = (name_link or {}).get(c)
            cells.append(Cell(text, text, target(row) if target else None))
        if row.get("_empty"):
            cells += [Cell(empty, empty)] + [Cell(None, "") for _ in range(len(columns) - 1 + len(figures) - 1)]
        else:
            cells += figure_cells(row, href, with_overdue)
        table.rows.append(cells)
    return table


def overdue_table(table_id: str, title: str, result: dict, academies: dict[str, Academy],
                  link: Callable[[dict], str | None]) -> Table:
    """Trainees overdue per academy (from `compute`'s overdue, protected with it)."""
    table = Table(table_id, title, [str(HEADERS["country"]), str(HEADERS["academy"]), _("Trainees overdue")])
    shown = names(academies)
    for row in sorted(result["rows"], key=lambda r: (country_name(r["country"]), shown["academy"](r["academy"]))):
        text = shown["academy"](row["academy"])
        table.rows.append([Cell(country_name(row["country"]), country_name(row["country"])),
                           Cell(text, text, link(row)),
                           _number(row.get("overdue"), row.get("overdue") is None)])
    return table


def gain_table(table_id: str, title: str, gain: list[dict]) -> Table:
    table = Table(table_id, title, [_("Prong"), _("Trainees with both tests"), _("Pre-test mean (%)"),
                                    _("Post-test mean (%)"), _("Gain (points)")])
    for g in gain:
        label = prong_label(g["prong"])
        cells = [Cell(label, label)]
        for key in ("people", "pre", "post", "gain"):
            value = g[key]
            if g["suppressed"]:
                cells.append(Cell(withheld_word(), withheld_word(), None, True, True))
            elif key == "gain":
                cells.append(Cell(value, ("+" if value >= 0 else "") + format_decimal(value, "#,##0.0"), numeric=True))
            else:
                cells.append(Cell(value, format_decimal(value), numeric=True))
        table.rows.append(cells)
    return table


def delivery_table(table_id: str, title: str, result: dict, columns: list[str],
                   academies: dict[str, Academy]) -> Table:
    """The trained of each row of `compute` and how their completions were delivered (online, classroom,
    blended): each a count of its own, protected with the row."""
    shown = names(academies)
    figures = ["trained", *DELIVERY_MEASURES]
    table = Table(table_id, title, [str(HEADERS[c]) for c in columns + figures])
    for row in result["rows"]:
        cells = [Cell(shown[c](row.get(c)), shown[c](row.get(c))) for c in columns]
        cells += [_number(row[name], row["suppressed"]) for name in figures]
        table.rows.append(cells)
    return table


def institutionalisation_tables(rules: list, years: list) -> dict[str, Table]:
    """The institutionalisation page's two tables (`coverage.institutionalisation`): each rule, and academies per
    year, course and curriculum."""
    listed = Table("rules", _("Courses built into curricula"),
                   [str(HEADERS["country"]), str(HEADERS["academy"]), _("Course"), _("Service category"),
                    _("Curriculum"), _("Since")])
    for r in rules:
        values = [country_name(r.country), r.academy.name, r.course.title, str(CATEGORY_LABELS.get(r.category, r.category)),
                  curriculum_label(r.curriculum)]
        since = r.since.isoformat()
        # A date never breaks across lines (as the `date` filter of the templates writes it).
        listed.rows.append([Cell(v, v) for v in values]
                           + [Cell(since, Markup('<time class="date" datetime="{0}">{0}</time>').format(since))])
    counted = Table("per-year", _("Academies per year, course and curriculum"),
                    [_("Year"), _("Course"), _("Curriculum"), _("Academies")])
    for y in years:
        counted.rows.append([Cell(y.year, str(y.year)), Cell(y.course.title, y.course.title),
                             Cell(curriculum_label(y.curriculum), curriculum_label(y.curriculum)),
                             Cell(y.academies, format_decimal(y.academies), numeric=True)])
    return {"rules": listed, "per_year": counted}


def export(table: Table, fmt: str, filename: str) -> tuple[bytes | str, str, str]:
    """(body, mimetype, file name) of a table as CSV or XLSX, the header in the viewer's language."""
    if fmt == "csv":
        return spreadsheets.to_csv(table.header, table.values()), "text/csv; charset=utf-8", f"{filename}.csv"
    sheet = "".join(ch for ch in table.title if ch not in '[]:*?/\\').strip()  # characters a sheet name may not hold
    body = spreadsheets.to_xlsx(table.header, table.values(), sheet)
    return body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{filename}.xlsx"
