"""The localisation matrix: per course and module, which countries have a national passage and which
languages a translation, and how far each is verified or reviewed."""

from __future__ import annotations

from dataclasses import dataclass, field

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
