"""The localisation matrix: per course and module, which countries have a national passage and which
languages a translation, and how far each is verified or reviewed."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.foundation.prongs import PRONGS

from .tree import Curriculum

VERIFIED, UNVERIFIED, MISSING = "verified", "unverified", "missing"


@dataclass
class ModuleStatusRow:
    prong: str
    module_id: str
    title: str
    version: str
    slots: list[str]
    #: country code -> verified | unverified | missing (only when the module has national slots)
    national: dict[str, str] = field(default_factory=dict)
    #: language (or language-COUNTRY) -> "draft" | "reviewed", with " (outdated)" if it translates an older version
    translations: dict[str, str] = field(default_factory=dict)
    questions: int = 0
    #: language -> "draft" | "reviewed" for the question bank's translations
    quiz_translations: dict[str, str] = field(default_factory=dict)


def matrix(cur: Curriculum) -> list[ModuleStatusRow]:
    rows = []
    for prong in PRONGS:
        for module in cur.modules_of(prong):
            slots = list(dict.fromkeys(module.body.slots))
            row = ModuleStatusRow(prong, module.id, module.title, str(module.version), slots,
                                  questions=len(cur.banks[module.id].questions) if module.id in cur.banks else 0)
            if slots:
                passages = cur.passages_of(module.id)
                for code in sorted(cur.profiles):
                    mine = [p for p in passages if p.country == code]
                    covered = {slot for p in mine for slot in p.passages}
                    if not set(slots) <= covered:
                        row.national[code] = MISSING
                    elif all(p.verified for p in mine):
                        row.national[code] = VERIFIED
                    else:
                        row.national[code] = UNVERIFIED
            for tr in cur.translations_of(module.id):
                key = f"{tr.language}-{tr.country}" if tr.country else tr.language
                outdated = " (outdated)" if str(tr.source_version) != str(module.version) else ""
                row.translations[key] = tr.status + outdated
            bank = cur.banks.get(module.id)
            for language, block in sorted((bank.translations if bank else {}).items()):
                row.quiz_translations[language] = str(block.get("status", "draft"))
            rows.append(row)
    return rows


def claim_counts(cur: Curriculum) -> dict[str, dict[str, int]]:
    """country -> status -> number of national claims (English passages and profile references);
    "none" counts facts still in the older form, with no status of their own."""
    counts = {code: {"law": 0, "secondary": 0, "unconfirmed": 0, "none": 0} for code in sorted(cur.profiles)}
    for passage in cur.passages:
        if passage.country not in counts or passage.language != "en":
            continue
        if passage.claims:
            for claim in passage.claims.values():
                counts[passage.country][claim.status] += 1
        else:
            counts[passage.country]["none"] += 1
    for code, profile in cur.profiles.items():
        for ref in profile.legal_references.values():
            counts[code][ref.claim.status if ref.claim else "none"] += 1
    return counts


def claims_text(counts: dict[str, dict[str, int]]) -> str:
    lines = ["National claims by what stands behind them (English passages and profile references):",
             f"{'':<3} {'law':>5} {'secondary':>9} {'unconfirmed':>11} {'no status':>9}"]
    for code, c in counts.items():
        lines.append(f"{code:<3} {c['law']:>5} {c['secondary']:>9} {c['unconfirmed']:>11} {c['none']:>9}")
    return "\n".join(lines)


def course_translations(cur: Curriculum) -> dict[str, dict[str, str]]:
    """prong -> language -> "draft" | "reviewed" for each course's translated title and description."""
    return {prong: {lang: entry["status"] for lang, entry in sorted(course.translations.items())}
            for prong, course in cur.courses.items()}


SYMBOLS = {VERIFIED: "✓", UNVERIFIED: "~", MISSING: "·"}


def as_text(rows: list[ModuleStatusRow], countries: list[str], courses: dict[str, dict[str, str]] | None = None) -> str:
    """A plain-text table for the terminal."""
    width = max([len(row.module_id) for row in rows] + [6])
    lines = ["Localisation matrix. National passages: ✓ verified, ~ unverified, · missing, - no national slot.",
             f"{'module':<{width}} {'v':>3} {'qs':>3}  " + " ".join(f"{c:<2}" for c in countries)
             + "  translations (text; quiz)"]
    current = None
    for row in rows:
        if row.prong != current:
            current = row.prong
            titles = ", ".join(f"{k} {v}" for k, v in (courses or {}).get(current, {}).items()) or "none"
            lines.append(f"[{current}]  course title and description translated: {titles}")
        marks = " ".join(f"{SYMBOLS[row.national[c]]:<2}" if row.slots else "- " for c in countries)
        translations = ", ".join(f"{k} {v}" for k, v in sorted(row.translations.items())) or "none"
        quiz = ", ".join(f"{k} {v}" for k, v in sorted(row.quiz_translations.items())) or "none"
        lines.append(f"{row.module_id:<{width}} {row.version:>3} {row.questions:>3}  {marks}  {translations}; quiz: {quiz}")
    return "\n".join(lines)


#: Columns of the per-language translation sheet (for those who commission reviews).
LANGUAGE_SHEET_HEADER = ["course", "module", "version", "text", "questions", "national passages", "to do"]


class _States(dict):
    """Translation states as a person reads them, in the current locale."""

    def __getitem__(self, key):
        return str(dict.__getitem__(self, key))


_STATE = _States(missing=_l("missing"), draft=_l("draft"), reviewed=_l("reviewed"), outdated=_l("(outdated)"))


def language_sheet(cur: Curriculum, language: str) -> list[list]:
    """Per module, how far its translation into `language` is: the text (missing, draft, reviewed, each
    possibly outdated), the question bank's translation, and the national passages written in the language
    for the countries that read it; then what a reviewer or translator has to do."""
    readers = sorted(code for code, p in cur.profiles.items() if language in p.languages or language in p.fallback)
    rows = []
    for prong in PRONGS:
        for module in cur.modules_of(prong):
            tr = next((t for t in cur.translations_of(module.id) if t.language == language and t.country is None), None)
            outdated = tr is not None and str(tr.source_version) != str(module.version)
            text = _STATE["missing"] if tr is None else _STATE[tr.status] + (" " + _STATE["outdated"] if outdated else "")
            bank = cur.banks.get(module.id)
            block = (bank.translations or {}).get(language) if bank else None
            questions = _STATE["missing"] if block is None else _STATE["reviewed" if block.get("status") == "reviewed" else "draft"]
            national = {p.country for p in cur.passages_of(module.id) if p.language == language}
            slots = bool(module.body.slots)
            passages = (gettext("%(done)d of %(total)d", done=len(national & set(readers)), total=len(readers))
                        if slots and readers else "–")
            todo = []
            if tr is None or block is None:
                todo.append(gettext("translate"))
            if outdated:
                todo.append(gettext("update to the English version"))
            if (tr is not None and tr.status != "reviewed") or (block is not None and block.get("status") != "reviewed"):
                todo.append(gettext("native review"))
            if slots and readers and len(national & set(readers)) < len(readers):
                todo.append(gettext("translate national passages"))
            rows.append([prong, module.id, str(module.version), text, questions, passages, "; ".join(todo) or gettext("done")])
    return rows
