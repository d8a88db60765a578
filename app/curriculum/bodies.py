"""Module bodies and national passage files: `##` sections, national slots, placeholders."""

from __future__ import annotations

from .definitions import (
    CODE_FENCE_RE,
    DIRECTIVE_RE,
    FENCE_CLOSE_RE,
    HEADING_RE,
    PASSAGE_OPEN_RE,
    PLACEHOLDER_RE,
    SLOT_OPEN_RE,
    Body,
    Chunk,
    Placeholder,
    Section,
)
from .fields import _Reporter


def _placeholders(text: str, line: int) -> list[Placeholder]:
    found = []
    for offset, row in enumerate(text.split("\n")):
        for match in PLACEHOLDER_RE.finditer(row):
            found.append(Placeholder(match.group(1), match.group(2), line + offset))
    return found


def parse_body(body: str, start_line: int, report: _Reporter) -> Body:
    """Split a module body into `##` sections, each a list of Markdown and national-slot chunks."""
    sections: list[Section] = []
    current: Section | None = None
    buffer: list[str] = []
    buffer_line = start_line
    slot: str | None = None
    slot_line = 0
    in_code = False

    def flush(kind_slot: str | None = None) -> None:
        nonlocal buffer
        text = "\n".join(buffer)
        if current is not None and (text.strip() or kind_slot):
            current.chunks.append(Chunk(text.strip("\n"), buffer_line, kind_slot))
        buffer = []

    for offset, row in enumerate(body.split("\n")):
        line = start_line + offset
        if CODE_FENCE_RE.match(row):
            in_code = not in_code
        heading = None if in_code else HEADING_RE.match(row)
        if heading:
            if slot is not None:
                report(slot_line, f"national slot '{slot}' is not closed by ':::' before the next section")
                slot = None
            flush()
            current = Section(heading.group(1), line)
            sections.append(current)
            buffer_line = line + 1
            continue
        if current is None:
            if row.strip():
                report(line, "text before the first '## ' section heading")
            continue
        if not in_code and DIRECTIVE_RE.match(row):
            opened = SLOT_OPEN_RE.match(row)
            if opened:
                if slot is not None:
                    report(line, f"national slot '{opened.group(1)}' opened inside slot '{slot}'")
                    continue
                flush()
                slot, slot_line = opened.group(1), line
                buffer_line = line + 1
                continue
            if FENCE_CLOSE_RE.match(row):
                if slot is None:
                    report(line, "':::' closes no national slot")
                    continue
                flush(slot)
                slot = None
                buffer_line = line + 1
                continue
            report(line, "unknown directive; expected '::: national <slot>' or ':::'")
            continue
        if not buffer:
            buffer_line = line
        buffer.append(row)
    if slot is not None:
        report(slot_line, f"national slot '{slot}' is not closed by ':::'")
        flush(slot)
    else:
        flush()
    if not sections:
        report(start_line, "no sections: a module needs at least one '## ' heading")
    _check_slots_once(sections, report)
    return Body(sections, _placeholders(body, start_line))


def _check_slots_once(sections: list[Section], report: _Reporter) -> None:
    seen: dict[str, int] = {}
    for section in sections:
        for chunk in section.chunks:
            if chunk.slot:
                if chunk.slot in seen:
                    report(chunk.line - 1, f"national slot '{chunk.slot}' is used twice (first on line {seen[chunk.slot]})")
                seen.setdefault(chunk.slot, chunk.line - 1)


def _parse_passages(body: str, start_line: int, report: _Reporter) -> dict[str, Chunk]:
    passages: dict[str, Chunk] = {}
    slot: str | None = None
    slot_line = 0
    buffer: list[str] = []
    for offset, row in enumerate(body.split("\n")):
        line = start_line + offset
        opened = PASSAGE_OPEN_RE.match(row)
        if opened:
            if slot is not None:
                report(line, f"passage '{opened.group(1)}' opened inside passage '{slot}'")
                continue
            slot, slot_line, buffer = opened.group(1), line, []
            if slot in passages:
                report(line, f"passage '{slot}' appears twice in this file")
            continue
        if FENCE_CLOSE_RE.match(row) and slot is not None:
            text = "\n".join(buffer).strip("\n")
            if not text.strip():
                report(slot_line, f"passage '{slot}' is empty")
            passages[slot] = Chunk(text, slot_line + 1, slot)
            slot = None
            continue
        if slot is None:
            if row.strip():
                report(line, "text outside a '::: passage <slot>' block")
            continue
        buffer.append(row)
    if slot is not None:
        report(slot_line, f"passage '{slot}' is not closed by ':::'")
    if not passages:
        report(start_line, "no '::: passage <slot>' blocks")
    return passages
