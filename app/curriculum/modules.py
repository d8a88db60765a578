"""Module files and their translations (Markdown with YAML front matter)."""

from __future__ import annotations

from pathlib import Path

from .bodies import parse_body
from .definitions import (
    ID_RE,
    LANGUAGE_RE,
    PRONGS,
    TRANSLATION_STATUSES,
    Curriculum,
    ModuleDef,
    TranslationDef,
)
from .fields import _display, _int, _Reporter, _text, _text_list
from .source import SourceError, parse_markdown, read_markdown


def module_from_source(text: str, display: str, prong: str) -> ModuleDef | None:
    """A module version's stored text read again (for rendering it with today's passages); None if unreadable."""
    problems: list = []
    try:
        doc = parse_markdown(text, display)
    except SourceError:
        return None
    _module_id, module = _module_def(doc, display, prong, _Reporter(problems, display))
    return None if problems else module


def _read_module(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    doc = read_markdown(path, display)
    module_id, module = _module_def(doc, display, prong, report)
    if not module_id:
        return
    if module_id in cur.modules:
        report(doc.meta.line_of("id"), f"duplicate module id '{module_id}' (also in {cur.modules[module_id].path})")
        return
    clash = next((m for m in cur.modules.values() if m.prong == prong and m.order == module.order), None)
    if clash:
        report(doc.meta.line_of("order"), f"order {module.order} is already taken by {clash.path}")
    cur.modules[module_id] = module


def _module_def(doc, display: str, prong: str, report: _Reporter):
    meta = doc.meta
    module_id = _text(meta, "id", report)
    if module_id and not ID_RE.match(module_id):
        report(meta.line_of("id"), f"id '{module_id}' may use only lower-case letters, digits and '-'")
    declared = _text(meta, "prong", report)
    if declared and declared not in PRONGS:
        report(meta.line_of("prong"), f"unknown prong '{declared}' (expected one of: {', '.join(PRONGS)})")
    elif declared and declared != prong:
        report(meta.line_of("prong"), f"prong '{declared}' does not match the directory '{prong}'")
    module = ModuleDef(
        id=module_id,
        prong=prong,
        order=_int(meta, "order", report, minimum=1),
        title=_text(meta, "title", report),
        estimated_minutes=_int(meta, "estimated_minutes", report, minimum=1, maximum=600),
        version=_text(meta, "version", report),
        objectives=_text_list(meta, "objectives", report),
        sources=_text_list(meta, "sources", report),
        body=parse_body(doc.body, doc.body_start_line, report),
        path=display,
        content_hash=doc.content_hash,
        source=doc.raw,
    )
    return module_id, module


def _read_translation(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    doc = read_markdown(path, display)
    meta = doc.meta
    module_id = _text(meta, "module", report)
    if module_id and module_id != path.stem:
        report(meta.line_of("module"), f"module '{module_id}' does not match the file name '{path.name}'")
    language = _text(meta, "language", report)
    country = _text(meta, "country", report, required=False) or None
    expected_dir = f"{language}-{country}" if country else language
    if language and path.parent.name != expected_dir:
        report(meta.line_of("language"), f"a translation into '{expected_dir}' belongs in translations/{expected_dir}/")
    if language and not LANGUAGE_RE.match(language):
        report(meta.line_of("language"), f"language '{language}' is not an ISO 639 code")
    status = _text(meta, "status", report)
    if status and status not in TRANSLATION_STATUSES:
        report(meta.line_of("status"), f"status '{status}' must be one of: {', '.join(TRANSLATION_STATUSES)}")
    cur.translations.append(TranslationDef(
        module_id, language, country, status or "draft", _text(meta, "source_version", report),
        _text(meta, "title", report), _text_list(meta, "objectives", report),
        parse_body(doc.body, doc.body_start_line, report), display, doc.content_hash,
    ))
