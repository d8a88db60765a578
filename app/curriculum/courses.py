"""Course files (curricula/<prong>/course.yml)."""

from __future__ import annotations

from pathlib import Path

from .definitions import CourseDef, Curriculum
from .fields import _display, _int, _Reporter, _text, _translation_blocks
from .source import LineDict, read_yaml_file


def _read_course(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    data = read_yaml_file(path, display)
    declared = _text(data, "prong", report)
    if declared and declared != prong:
        report(data.line_of("prong"), f"prong '{declared}' does not match the directory '{prong}'")
    test_draw = None
    tests = data.get("tests")
    if tests is not None:
        if not isinstance(tests, LineDict):
            report(data.line_of("tests"), "field 'tests' must be a mapping with 'draw'")
        else:
            test_draw = _int(tests, "draw", report, minimum=1, maximum=100)
    validity_months = None
    if data.get("validity_months") is not None:
        validity_months = _int(data, "validity_months", report, minimum=1, maximum=240)
    follow_up = _int(data, "follow_up_months", report, minimum=1, maximum=36) \
        if data.get("follow_up_months") is not None else None
    cur.courses[prong] = CourseDef(
        prong,
        _text(data, "title", report),
        _text(data, "description", report),
        _text(data, "audience", report, required=False),
        display,
        test_draw,
        data.line_of("tests"),
        follow_up_months=follow_up,
        translations=_course_translations(data, report),
        validity_months=validity_months,
    )


def _course_translations(data: LineDict, report: _Reporter) -> dict[str, dict]:
    """`translations: {<lang>: {status, title, description}}` of a course.yml."""
    return {
        lang: {"status": status, "title": _text(entry, "title", report),
               "description": _text(entry, "description", report)}
        for lang, entry, status in _translation_blocks(
            data, report, "a title and description", "'status', 'title' and 'description'")
    }
