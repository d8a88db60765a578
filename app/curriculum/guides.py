"""Trainer's guides (curricula/<prong>/guides/<module-id>.md): facilitator notes for each module, with the
five sections of GUIDE_SECTIONS in order (timing, learning activities, running the case, discussion
questions with model answers, materials)."""

from __future__ import annotations

import re
from pathlib import Path

from .definitions import GUIDE_SECTIONS, Curriculum, GuideDef
from .fields import _display, _int, _Reporter, _text
from .source import read_markdown

HEADING_RE = re.compile(r"^## +(.+?)\s*$")


def _read_guide(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    doc = read_markdown(path, display)
    module_id = _text(doc.meta, "module", report)
    if module_id and module_id != path.stem:
        report(doc.meta.line_of("module"), f"module '{module_id}' does not match the file name '{path.name}'")
    minutes = _int(doc.meta, "duration_minutes", report, minimum=10, maximum=2400)
    found: list[tuple[str, int, list[str]]] = []
    for offset, line in enumerate(doc.body.split("\n")):
        match = HEADING_RE.match(line)
        if match:
            found.append((match.group(1), doc.body_start_line + offset, []))
        elif found:
            found[-1][2].append(line)
    headings = [h for h, _, _ in found]
    if headings != list(GUIDE_SECTIONS):
        report(found[0][1] if found else doc.body_start_line,
               "a trainer's guide has the sections " + ", ".join(f"'## {h}'" for h in GUIDE_SECTIONS)
               + " in this order; found: " + (", ".join(f"'## {h}'" for h in headings) or "none"))
        return
    sections = []
    for heading, line, rows in found:
        text = "\n".join(rows).strip()
        if not text:
            report(line, f"section '{heading}' is empty")
        sections.append((heading, text))
    questions = dict(sections)["Discussion questions"]
    if "Model answer" not in questions:
        report(found[3][1], "discussion questions need model answers ('Model answer:' after each question)")
    if module_id and minutes is not None:
        if module_id in cur.guides:
            report(1, f"a second guide for module '{module_id}' (first: {cur.guides[module_id].path})")
            return
        cur.guides[module_id] = GuideDef(module_id, minutes, sections, display, doc.content_hash)
