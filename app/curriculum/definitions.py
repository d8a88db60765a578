"""The curriculum as plain definitions: what the readers make of the files, and the names they share.

Nothing here reads a file or touches the database (see tree.py for the order in which files are read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.foundation.prongs import PRONGS  # noqa: F401  (part of this module's vocabulary)

from .source import Problem

BASE_LANGUAGE = "en"
QUESTION_TYPES = ("single", "multiple", "true_false")
TRANSLATION_STATUSES = ("draft", "reviewed")

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
HEADING_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
SLOT_OPEN_RE = re.compile(r"^:::\s*national\s+([a-z][a-z0-9_-]*)\s*$")
PASSAGE_OPEN_RE = re.compile(r"^:::\s*passage\s+([a-z][a-z0-9_-]*)\s*$")
FENCE_CLOSE_RE = re.compile(r"^:::\s*$")
DIRECTIVE_RE = re.compile(r"^:::")
CODE_FENCE_RE = re.compile(r"^\s*(```|~~~)")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_]+)\.([A-Za-z0-9_]+)\s*\}\}")
COUNTRY_FIELDS = ("name",)
#: What stands behind a national fact: the law's own text, a secondary source, or nothing yet.
CLAIM_STATUSES = ("law", "secondary", "unconfirmed")
CLAIM_REF_RE = re.compile(r"\[\[(c\d+)\]\]")
CLAIM_KEY_RE = re.compile(r"^c\d+$")


@dataclass
class Claim:
    """What stands behind one national fact (docs/curriculum-format.md, "Claims")."""

    key: str
    status: str
    fields: dict
    line: int

    @property
    def citation(self) -> str:
        f = self.fields
        if self.status == "law":
            return f"{f['law']}, {f['article']} ({f['publication']})"
        if self.status == "secondary":
            where = (f"para. {f['paragraph']}" if f.get("paragraph") else
                     f"p. {f['page']}" if f.get("page") else f"section {f.get('section', '')}")
            return f"{f['document']} ({f['year']}), {where}"
        return f.get("confirm", "")


@dataclass
class LegalReference:
    key: str
    citation: str
    description: str
    source: str
    verified: bool
    #: The status of the reference when given as a claim (law | secondary | unconfirmed); None: older form.
    claim: Claim | None = None
    #: The citation as the law is cited in a text language (its official title there), per language code.
    local_citations: dict[str, str] = field(default_factory=dict)

    def citation_in(self, language: str) -> str | None:
        """The citation in `language`, or None where only the English one exists."""
        return self.citation if language == "en" else self.local_citations.get(language)


@dataclass
class CountryProfile:
    code: str
    name: str
    languages: list[str]
    legal_references: dict[str, LegalReference]
    institutions: list[dict]
    notes: str
    path: str
    content_hash: str
    #: The country's name per text language, for {{country.name}} in translations (English: `name`).
    local_names: dict[str, str] = field(default_factory=dict)
    #: Languages a reader falls back to, in order, when a text is not in theirs; English comes last.
    fallback: list[str] = field(default_factory=list)

    def name_in(self, language: str) -> str:
        return self.local_names.get(language, self.name)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "languages": list(self.languages),
            "fallback": list(self.fallback),
            "legal_references": {
                key: {
                    "citation": ref.citation,
                    "description": ref.description,
                    "source": ref.source,
                    "verified": ref.verified,
                    "status": ref.claim.status if ref.claim else None,
                }
                for key, ref in self.legal_references.items()
            },
            "institutions": [dict(item) for item in self.institutions],
            "notes": self.notes,
        }


@dataclass
class CourseDef:
    prong: str
    title: str
    description: str
    audience: str
    path: str
    #: Questions in the course pre-test and post-test (drawn from the modules' banks); None: no tests.
    test_draw: int | None = None
    test_line: int = 1
    #: Months after completion when the follow-up questionnaire is sent (`follow_up_months`); None: not sent.
    follow_up_months: int | None = None
    #: Title and description per language: {"sq": {"status": "draft", "title": ..., "description": ...}}.
    translations: dict[str, dict] = field(default_factory=dict)
    #: Months a completion counts before it lapses and a refresher is due; None: it never lapses.
    validity_months: int | None = None


@dataclass
class Chunk:
    """A run of Markdown (`slot` is None) or a national slot with its fallback text."""

    text: str
    line: int
    slot: str | None = None


@dataclass
class Section:
    heading: str
    line: int
    chunks: list[Chunk] = field(default_factory=list)


@dataclass
class Placeholder:
    namespace: str
    key: str
    line: int


@dataclass
class Body:
    sections: list[Section]
    placeholders: list[Placeholder]

    @property
    def slots(self) -> list[str]:
        return [c.slot for s in self.sections for c in s.chunks if c.slot]


@dataclass
class ModuleDef:
    id: str
    prong: str
    order: int
    title: str
    estimated_minutes: int
    version: str
    objectives: list[str]
    sources: list[str]
    body: Body
    path: str
    content_hash: str
    #: The file's text, stored with each module version so that older versions can be rendered again.
    source: str = ""


@dataclass
class PassageFile:
    module_id: str
    country: str
    language: str
    verified: bool
    sources: list[str]
    passages: dict[str, Chunk]
    placeholders: list[Placeholder]
    path: str
    content_hash: str
    #: Claims by key (c1, c2 ...), marked in the text as [[c1]]; empty in files of the older form.
    claims: dict[str, Claim] = field(default_factory=dict)


@dataclass
class TranslationDef:
    module_id: str
    language: str
    country: str | None
    status: str
    source_version: str
    title: str
    objectives: list[str]
    body: Body
    path: str
    content_hash: str


@dataclass
class QuestionDef:
    key: str
    type: str
    prompt: str
    options: list[tuple[str, str]]
    answer: object  # str, list[str] or bool, by type
    explanation: str
    countries: list[str] | None
    line: int
    #: The heading of the module section the question assesses (English, as in the module file).
    section: str | None = None

    def as_json(self) -> dict:
        return {
            "prompt": self.prompt,
            "options": [{"id": oid, "text": text} for oid, text in self.options],
            "answer": self.answer,
            "explanation": self.explanation,
            "section": self.section,
        }


@dataclass
class BankDef:
    module_id: str
    pass_mark: int
    draw: int
    questions: list[QuestionDef]
    translations: dict[str, dict]
    path: str
    content_hash: str
    #: Limits on attempts: {"max_attempts": int | None, "wait_minutes": int | None}.
    retake: dict = field(default_factory=dict)


@dataclass
class GuideDef:
    """A module's facilitator notes (curricula/<prong>/guides/<module-id>.md): for trainers and
    administrators, never shown to trainees."""

    module_id: str
    duration_minutes: int
    #: The five sections in GUIDE_SECTIONS order: (heading, Markdown text).
    sections: list[tuple[str, str]]
    path: str
    content_hash: str


#: The headings every trainer's guide has, in this order.
GUIDE_SECTIONS = ("Timing", "Learning activities", "Running the case", "Discussion questions", "Materials")


@dataclass
class Curriculum:
    profiles: dict[str, CountryProfile] = field(default_factory=dict)
    courses: dict[str, CourseDef] = field(default_factory=dict)
    modules: dict[str, ModuleDef] = field(default_factory=dict)
    passages: list[PassageFile] = field(default_factory=list)
    translations: list[TranslationDef] = field(default_factory=list)
    banks: dict[str, BankDef] = field(default_factory=dict)
    guides: dict[str, GuideDef] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def modules_of(self, prong: str) -> list[ModuleDef]:
        return sorted((m for m in self.modules.values() if m.prong == prong), key=lambda m: m.order)

    def translations_of(self, module_id: str) -> list[TranslationDef]:
        return [t for t in self.translations if t.module_id == module_id]

    def passages_of(self, module_id: str) -> list[PassageFile]:
        return [p for p in self.passages if p.module_id == module_id]
