"""Translation review in a CAT tool: a module's translation (its text, the national passages of the countries
that read the language, its question bank) exported as a PO file, and the reviewed file imported back.

The Markdown and YAML files stay the source of truth: an import rewrites the translation's files from the
reviewed entries, marked `reviewed` with the reviewer's name and date, after checking that the English it was
reviewed against is still the English of the tree (else the file is stale and refused), that every entry is
translated and no longer fuzzy, that placeholders, claim marks and national slots are kept, and that the tree
with the new files passes `flask curricula validate` (the cue linter included). All or nothing: a refused
file changes nothing. Draft and outdated translations are exported as fuzzy entries, so a reviewer's tool
shows what to look at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polib
import yaml
from ruamel.yaml import YAML

from . import cues
from .definitions import BASE_LANGUAGE, LANGUAGE_RE, Curriculum
from .tree import read_curriculum

SECTION_RE = re.compile(r"^## ", re.M)
#: What must survive translation unchanged: placeholders, claim marks, national slots.
KEPT_RE = re.compile(r"\{\{[^}]+\}\}|\[\[[^\]]+\]\]|^::: *national +\S+", re.M)


class ReviewFileError(Exception):
    """A review file that cannot be imported; `problems` says what and where (entry context)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    module_id: str
    language: str
    files: list[str] = field(default_factory=list)
    entries: int = 0


def _sections(body: str) -> list[str]:
    """A Markdown body split at its '## ' headings (the text before the first heading is dropped)."""
    starts = [m.start() for m in SECTION_RE.finditer(body)]
    return [body[a:b].strip() for a, b in zip(starts, starts[1:] + [len(body)], strict=True)]


def _body(path: Path) -> tuple[dict, str]:
    text = path.read_text("utf-8")
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front) or {}, body


def _countries_reading(cur: Curriculum, language: str) -> list[str]:
    return sorted(code for code, p in cur.profiles.items() if language in p.languages or language in p.fallback)


def _english(cur: Curriculum, curricula: Path, assessments: Path, module_id: str, language: str) -> dict:
    """Every English text of the module a reviewer sees, by entry context, with its path on disk."""
    module = cur.modules[module_id]
    path = curricula.resolve().parent / module.path
    meta, body = _body(path)
    texts = {"module.title": module.title}
    texts.update({f"module.objective.{i}": o for i, o in enumerate(module.objectives, 1)})
    texts.update({f"module.section.{i}": s for i, s in enumerate(_sections(body), 1)})
    bank = cur.banks.get(module_id)
    for q in bank.questions if bank else []:
        texts[f"bank.{q.key}.prompt"] = q.prompt
        for oid, text in q.options:
            texts[f"bank.{q.key}.option.{oid}"] = text
        texts[f"bank.{q.key}.explanation"] = q.explanation
    for passage in cur.passages_of(module_id):
        if passage.language == BASE_LANGUAGE and passage.country in _countries_reading(cur, language):
            for slot, chunk in passage.passages.items():
                texts[f"passage.{passage.country}.{slot}"] = chunk.text
    return texts


def _translated(cur: Curriculum, curricula: Path, module_id: str, language: str) -> tuple[dict, set[str]]:
    """The current translation by entry context, and the contexts whose text is draft or outdated."""
    module = cur.modules[module_id]
    texts: dict[str, str] = {}
    fuzzy: set[str] = set()
    translation = next((t for t in cur.translations_of(module_id) if t.language == language and t.country is None), None)
    if translation is not None:
        _, body = _body(curricula.resolve().parent / translation.path)
        part = {"module.title": translation.title}
        part.update({f"module.objective.{i}": o for i, o in enumerate(translation.objectives, 1)})
        part.update({f"module.section.{i}": s for i, s in enumerate(_sections(body), 1)})
        texts.update(part)
        if translation.status != "reviewed" or str(translation.source_version) != str(module.version):
            fuzzy |= set(part)
    bank = cur.banks.get(module_id)
    block = (bank.translations or {}).get(language) if bank else None
    if block:
        for qkey, item in block["questions"].items():
            part = {f"bank.{qkey}.prompt": item.get("prompt"), f"bank.{qkey}.explanation": item.get("explanation")}
            part.update({f"bank.{qkey}.option.{oid}": text for oid, text in (item.get("options") or {}).items()})
            part = {k: v for k, v in part.items() if v}
            texts.update(part)
            if block["status"] != "reviewed":
                fuzzy |= set(part)
    for passage in cur.passages_of(module_id):
        if passage.language == language:
            for slot, chunk in passage.passages.items():
                texts[f"passage.{passage.country}.{slot}"] = chunk.text
                fuzzy.add(f"passage.{passage.country}.{slot}")  # passages carry no review status of their own
    return texts, fuzzy


def export_po(curricula: Path, assessments: Path, module_id: str, language: str) -> polib.POFile:
    """The module's translation into `language` as a PO catalogue for a reviewer's CAT tool."""
    cur = read_curriculum(curricula, assessments)
    if module_id not in cur.modules:
        raise ReviewFileError([f"unknown module '{module_id}'"])
    if not LANGUAGE_RE.match(language) or language == BASE_LANGUAGE:
        raise ReviewFileError([f"'{language}' is not a language to translate into"])
    module = cur.modules[module_id]
    english = _english(cur, curricula, assessments, module_id, language)
    translated, fuzzy = _translated(cur, curricula, module_id, language)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"THB Academy {module_id} {module.version}",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-THB-Module": module_id,
        "X-THB-Source-Version": str(module.version),
    }
    for ctxt, source in english.items():
        entry = polib.POEntry(msgctxt=ctxt, msgid=source, msgstr=translated.get(ctxt, ""))
        if ctxt in fuzzy and entry.msgstr:
            entry.flags.append("fuzzy")
        if ctxt.startswith("passage."):
            entry.comment = f"National passage for {ctxt.split('.')[1]}: keep the [[cN]] marks after the facts they support."
        elif ctxt.startswith("module.section."):
            entry.comment = "A whole section in Markdown: keep the heading level, the {{...}} placeholders and '::: national' blocks."
        po.append(entry)
    return po


def _check_entries(po: polib.POFile, english: dict[str, str]) -> list[str]:
    problems = []
    seen = set()
    for entry in po:
        if entry.obsolete:
            continue
        ctxt = entry.msgctxt or ""
        seen.add(ctxt)
        if ctxt not in english:
            problems.append(f"{ctxt or '(no context)'}: not an entry of this module (was the file made for another module?)")
            continue
        if entry.msgid != english[ctxt]:
            problems.append(f"{ctxt}: the English text changed since this file was exported; export the module again")
            continue
        if not entry.msgstr.strip():
            problems.append(f"{ctxt}: not translated")
        elif "fuzzy" in entry.flags:
            problems.append(f"{ctxt}: still marked fuzzy (not reviewed)")
        else:
            missing = [k for k in KEPT_RE.findall(entry.msgid) if k not in entry.msgstr]
            if missing:
                problems.append(f"{ctxt}: the translation lost {', '.join(dict.fromkeys(missing))}")
    for ctxt in english:
        if ctxt not in seen:
            problems.append(f"{ctxt}: missing from the file (export the module again)")
    return problems


def _dump_front(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=4096) + "---\n"


def _new_files(cur: Curriculum, curricula: Path, assessments: Path, module_id: str, language: str,
               values: dict[str, str], reviewer: str, on: date) -> dict[Path, str]:
    """The files the reviewed entries become, by path relative to the tree's root, as text."""
    module = cur.modules[module_id]
    module_path = Path(module.path)
    files: dict[Path, str] = {}
    objectives = [values[k] for k in sorted((k for k in values if k.startswith("module.objective.")),
                                             key=lambda k: int(k.rsplit(".", 1)[1]))]
    sections = [values[k] for k in sorted((k for k in values if k.startswith("module.section.")),
                                           key=lambda k: int(k.rsplit(".", 1)[1]))]
    meta = {"module": module_id, "language": language, "status": "reviewed", "source_version": module.version,
            "reviewed_by": reviewer, "reviewed_on": on.isoformat(), "title": values["module.title"],
            "objectives": objectives}
    files[module_path.parent / "translations" / language / f"{module_id}.md"] = (
        _dump_front(meta) + "\n" + "\n\n".join(sections) + "\n")
    bank = cur.banks.get(module_id)
    if bank is not None:
        rt = YAML()
        rt.preserve_quotes, rt.width = True, 4096
        rt.indent(mapping=2, sequence=4, offset=2)
        bank_rel = Path(bank.path)
        data = rt.load((curricula.resolve().parent / bank_rel).read_text("utf-8"))
        questions = {}
        for q in bank.questions:
            item = {"prompt": values[f"bank.{q.key}.prompt"]}
            if q.options:
                item["options"] = {oid: values[f"bank.{q.key}.option.{oid}"] for oid, _ in q.options}
            item["explanation"] = values[f"bank.{q.key}.explanation"]
            questions[q.key] = item
        data.setdefault("translations", {})[language] = {
            "status": "reviewed", "reviewed_by": reviewer, "reviewed_on": on.isoformat(), "questions": questions}
        out = io.StringIO()
        rt.dump(data, out)
        files[bank_rel] = out.getvalue()
    for passage in cur.passages_of(module_id):
        if passage.language != BASE_LANGUAGE:
            continue
        slots = {slot: values.get(f"passage.{passage.country}.{slot}") for slot in passage.passages}
        if not all(slots.values()):
            continue
        english_path = Path(passage.path)
        front, _ = _body(curricula.resolve().parent / english_path)
        front = {"module": module_id, "country": passage.country, "language": language,
                 **{k: v for k, v in front.items() if k not in ("module", "country", "language")}}
        body = "\n".join(f"::: passage {slot}\n{text}\n:::\n" for slot, text in slots.items())
        files[english_path.parent / f"{module_id}.{language}.md"] = _dump_front(front) + "\n" + body
    return files


def import_po(curricula: Path, assessments: Path, text: str, *, reviewer: str, on: date) -> ImportReport:
    """Write a reviewed PO file back into the tree, all or nothing; ReviewFileError says why not."""
    reviewer = (reviewer or "").strip()
    if curricula.resolve().parent != assessments.resolve().parent:
        raise ReviewFileError(["curricula/ and assessments/ must sit side by side"])
    if not reviewer:
        raise ReviewFileError(["the reviewer's name is required"])
    if "\n" not in text or "msgid" not in text:  # polib would read a one-line text as a file name
        raise ReviewFileError(["not a PO file: no entries (msgid/msgstr) found"])
    try:
        po = polib.pofile(text)
    except (OSError, ValueError, UnicodeError) as exc:
        raise ReviewFileError([f"not a PO file: {exc}"]) from None
    module_id = po.metadata.get("X-THB-Module", "")
    language = po.metadata.get("Language", "")
    cur = read_curriculum(curricula, assessments)
    if module_id not in cur.modules:
        raise ReviewFileError([f"the file names no module of this curriculum (X-THB-Module: '{module_id}')"])
    if not LANGUAGE_RE.match(language) or language == BASE_LANGUAGE:
        raise ReviewFileError([f"the file's Language header ('{language}') is not a language to translate into"])
    english = _english(cur, curricula, assessments, module_id, language)
    problems = _check_entries(po, english)
    if problems:
        raise ReviewFileError(problems)
    values = {e.msgctxt: e.msgstr.strip() for e in po if not e.obsolete}
    files = _new_files(cur, curricula, assessments, module_id, language, values, reviewer, on)
    # Validate the tree as it would be, in a copy, before touching the real files.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        shutil.copytree(curricula, copy / curricula.name)
        shutil.copytree(assessments, copy / assessments.name)
        for rel, content in files.items():
            target = copy / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, "utf-8")
        checked = read_curriculum(copy / curricula.name, copy / assessments.name)
        found = [str(p) for p in checked.problems]
        if not found:
            found = [str(p) for p in cues.lint(checked).problems]
        if found:
            raise ReviewFileError(["the reviewed files would not pass validation:"] + found)
    for rel, content in files.items():
        target = curricula.resolve().parent / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + ".tmp")
        temporary.write_text(content, "utf-8")
        os.replace(temporary, target)
    return ImportReport(module_id, language, sorted(str(r) for r in files), len(values))
