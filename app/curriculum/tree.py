"""The curriculum tree on disk, parsed into plain definitions and checked.

`read_curriculum()` reads every course, module, country profile, national
passage, translation and question bank, and returns them together with every
problem found, each naming its file and line. Nothing here touches the database:
`loader.py` imports a tree that has no problems, and `flask curricula validate`
prints the problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.foundation.prongs import PRONGS

from .source import LineDict, LineList, Problem, SourceError, read_markdown, read_yaml_file, sha256

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

    def name_in(self, language: str) -> str:
        return self.local_names.get(language, self.name)

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "languages": list(self.languages),
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
    #: Title and description per language: {"sq": {"status": "draft", "title": ..., "description": ...}}.
    translations: dict[str, dict] = field(default_factory=dict)


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
class Curriculum:
    profiles: dict[str, CountryProfile] = field(default_factory=dict)
    courses: dict[str, CourseDef] = field(default_factory=dict)
    modules: dict[str, ModuleDef] = field(default_factory=dict)
    passages: list[PassageFile] = field(default_factory=list)
    translations: list[TranslationDef] = field(default_factory=list)
    banks: dict[str, BankDef] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def modules_of(self, prong: str) -> list[ModuleDef]:
        return sorted((m for m in self.modules.values() if m.prong == prong), key=lambda m: m.order)

    def translations_of(self, module_id: str) -> list[TranslationDef]:
        return [t for t in self.translations if t.module_id == module_id]

    def passages_of(self, module_id: str) -> list[PassageFile]:
        return [p for p in self.passages if p.module_id == module_id]


class _Reporter:
    """Collects problems for one file."""

    def __init__(self, problems: list[Problem], path: str):
        self.problems = problems
        self.path = path

    def __call__(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _text(meta: LineDict, key: str, report: _Reporter, *, required: bool = True) -> str:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            report(meta.line_of(key), f"missing field '{key}'")
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be text")
        return ""
    return str(value).strip()


def _int(meta: LineDict, key: str, report: _Reporter, *, minimum: int, maximum: int | None = None) -> int:
    value = meta.get(key)
    if value is None:
        report(meta.line_of(key), f"missing field '{key}'")
        return minimum
    if not isinstance(value, int) or isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be a whole number")
        return minimum
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        report(meta.line_of(key), f"field '{key}' must be {bound}")
        return minimum
    return value


def _text_list(meta: LineDict, key: str, report: _Reporter, *, required: bool = True) -> list[str]:
    value = meta.get(key)
    if value is None:
        if required:
            report(meta.line_of(key), f"missing field '{key}'")
        return []
    if not isinstance(value, list):
        report(meta.line_of(key), f"field '{key}' must be a list of texts")
        return []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            line = value.line_of(index) if isinstance(value, LineList) else meta.line_of(key)
            hint = " (quote it: a ': ' inside makes YAML read a mapping)" if isinstance(item, dict) else ""
            report(line, f"item {index + 1} of '{key}' must be a text{hint}")
            return []
    if required and not value:
        report(meta.line_of(key), f"field '{key}' must not be empty")
    return [v.strip() for v in value]


def _bool(meta: LineDict, key: str, report: _Reporter) -> bool:
    value = meta.get(key)
    if not isinstance(value, bool):
        report(meta.line_of(key), f"field '{key}' must be true or false")
        return False
    return value


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
    seen: dict[str, int] = {}
    for section in sections:
        for chunk in section.chunks:
            if chunk.slot:
                if chunk.slot in seen:
                    report(chunk.line - 1, f"national slot '{chunk.slot}' is used twice (first on line {seen[chunk.slot]})")
                seen.setdefault(chunk.slot, chunk.line - 1)
    placeholders = _placeholders(body, start_line)
    return Body(sections, placeholders)


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


def _read_profile(path: Path, root: Path, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    data = read_yaml_file(path, display)
    code = _text(data, "code", report)
    if code and not COUNTRY_RE.match(code):
        report(data.line_of("code"), f"country code '{code}' must be two upper-case letters")
    if code and code.lower() != path.stem:
        report(data.line_of("code"), f"country code '{code}' does not match the file name '{path.name}'")
    name = _text(data, "name", report)
    languages = _text_list(data, "languages", report)
    for index, lang in enumerate(languages):
        if not LANGUAGE_RE.match(lang):
            report(data["languages"].line_of(index), f"language '{lang}' is not an ISO 639 code")
    refs: dict[str, LegalReference] = {}
    raw_refs = data.get("legal_references")
    if not isinstance(raw_refs, LineDict) or not raw_refs:
        report(data.line_of("legal_references"), "missing field 'legal_references' (a mapping of key to reference)")
    else:
        for key, ref in raw_refs.items():
            if not isinstance(ref, LineDict):
                report(raw_refs.line_of(key), f"legal reference '{key}' must be a mapping")
                continue
            if "status" in ref:
                fields = LineDict({k: v for k, v in ref.items() if k not in ("citation", "description")})
                fields.key_lines = ref.key_lines
                fields.line = ref.line
                claim = _read_claim(fields, key, raw_refs.line_of(key), report)
                for derived in ("verified", "source"):
                    if derived in ref:
                        report(ref.line_of(derived), f"'{derived}' follows from the status of '{key}'; remove it")
                refs[key] = LegalReference(
                    key, _text(ref, "citation", report), _text(ref, "description", report, required=False),
                    claim.citation if claim else "", bool(claim and claim.status == "law"), claim,
                )
                continue
            refs[key] = LegalReference(
                key,
                _text(ref, "citation", report),
                _text(ref, "description", report, required=False),
                _text(ref, "source", report),
                _bool(ref, "verified", report),
            )
    institutions = data.get("institutions") or []
    if not isinstance(institutions, list):
        report(data.line_of("institutions"), "field 'institutions' must be a list")
        institutions = []
    for index, inst in enumerate(institutions):
        if not isinstance(inst, LineDict):
            report(institutions.line_of(index), "each institution must be a mapping")
            continue
        _text(inst, "name", report)
        _text(inst, "source", report)
        _bool(inst, "verified", report)
    local_names: dict[str, str] = {}
    raw_names = data.get("local_names") or {}
    if not isinstance(raw_names, dict):
        report(data.line_of("local_names"), "field 'local_names' must map a language code to the country's name in it")
        raw_names = {}
    for lang, local in raw_names.items():
        if not LANGUAGE_RE.match(str(lang)) or not isinstance(local, str) or not local.strip():
            report(raw_names.line_of(lang) if isinstance(raw_names, LineDict) else data.line_of("local_names"),
                   f"local name for '{lang}' must be a language code mapped to a non-empty name")
            continue
        local_names[str(lang)] = local.strip()
    if code in cur.profiles:
        report(data.line_of("code"), f"duplicate country '{code}' (also in {cur.profiles[code].path})")
        return
    if code:
        cur.profiles[code] = CountryProfile(
            code, name, languages, refs, [dict(i) for i in institutions if isinstance(i, dict)],
            _text(data, "notes", report, required=False), display, sha256(path.read_text("utf-8")),
            local_names,
        )


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
    cur.courses[prong] = CourseDef(
        prong,
        _text(data, "title", report),
        _text(data, "description", report),
        _text(data, "audience", report, required=False),
        display,
        test_draw,
        data.line_of("tests"),
        _course_translations(data, report),
    )


def _translation_blocks(data: LineDict, report: _Reporter, contents: str, needs: str, required_map: str | None = None):
    """The `translations: {<lang>: {status: draft|reviewed, ...}}` blocks of a course.yml or a bank:
    yields (language, entry, status) for each well-formed block and reports the others by line.
    `required_map` names a key whose value must be a mapping (a bank's `questions`)."""
    raw = data.get("translations")
    if raw is None:
        return
    if not isinstance(raw, LineDict):
        report(data.line_of("translations"), f"field 'translations' must map languages to {contents}")
        return
    for lang, entry in raw.items():
        line = raw.line_of(lang)
        if not isinstance(lang, str) or not LANGUAGE_RE.match(lang):
            report(line, f"language '{lang}' is not an ISO 639 code")
            continue
        if not isinstance(entry, LineDict) or (required_map and not isinstance(entry.get(required_map), LineDict)):
            report(line, f"translation '{lang}' needs {needs}")
            continue
        status = _text(entry, "status", report)
        if status and status not in TRANSLATION_STATUSES:
            report(entry.line_of("status"), f"status '{status}' must be one of: {', '.join(TRANSLATION_STATUSES)}")
        yield lang, entry, status or "draft"


def _course_translations(data: LineDict, report: _Reporter) -> dict[str, dict]:
    """`translations: {<lang>: {status, title, description}}` of a course.yml."""
    return {
        lang: {"status": status, "title": _text(entry, "title", report),
               "description": _text(entry, "description", report)}
        for lang, entry, status in _translation_blocks(
            data, report, "a title and description", "'status', 'title' and 'description'")
    }


def _read_module(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    doc = read_markdown(path, display)
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
    )
    if not module_id:
        return
    if module_id in cur.modules:
        report(meta.line_of("id"), f"duplicate module id '{module_id}' (also in {cur.modules[module_id].path})")
        return
    clash = next((m for m in cur.modules.values() if m.prong == prong and m.order == module.order), None)
    if clash:
        report(meta.line_of("order"), f"order {module.order} is already taken by {clash.path}")
    cur.modules[module_id] = module


def _read_passage(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    doc = read_markdown(path, display)
    meta = doc.meta
    module_id = _text(meta, "module", report)
    country = _text(meta, "country", report)
    if country and country.lower() != path.parent.name:
        report(meta.line_of("country"), f"country '{country}' does not match the directory '{path.parent.name}'")
    # <module-id>.md holds the English passage (or the one language given in front matter);
    # <module-id>.<lang>.md holds the passage in <lang>, so a country can have both.
    stem, _, file_language = path.stem.partition(".")
    if module_id and module_id != stem:
        report(meta.line_of("module"), f"module '{module_id}' does not match the file name '{path.name}'")
    language = _text(meta, "language", report, required=False) or file_language or BASE_LANGUAGE
    if not LANGUAGE_RE.match(language):
        report(meta.line_of("language"), f"language '{language}' is not an ISO 639 code")
    if file_language and language != file_language:
        report(meta.line_of("language"), f"language '{language}' does not match the file name '{path.name}' (expected '{file_language}')")
    passages = _parse_passages(doc.body, doc.body_start_line, report)
    claims: dict[str, Claim] = {}
    if "claims" in meta:
        # The newer form: what stands behind each fact; `verified` and `sources` follow from the claims.
        for derived in ("verified", "sources"):
            if derived in meta:
                report(meta.line_of(derived), f"'{derived}' follows from the claims; remove it")
        claims = _read_claims(meta, report)
        used = set()
        for chunk in passages.values():
            for offset, row in enumerate(chunk.text.split("\n")):
                for ref in CLAIM_REF_RE.findall(row):
                    used.add(ref)
                    if ref not in claims and CLAIM_KEY_RE.match(ref):
                        report(chunk.line + offset, f"[[{ref}]] names no claim in the front matter")
        for key, claim in claims.items():
            if key not in used:
                report(claim.line, f"claim '{key}' is not marked anywhere in the text ([[{key}]])")
        if not used:
            report(doc.body_start_line, "no claim is marked in the text: put [[c1]] after the fact it supports")
        verified = bool(claims) and all(c.status == "law" for c in claims.values())
        sources = list(dict.fromkeys(c.citation for c in claims.values() if c.status != "unconfirmed"))
    else:
        verified = _bool(meta, "verified", report)
        sources = _text_list(meta, "sources", report)
    cur.passages.append(PassageFile(
        module_id, country, language, verified, sources, passages,
        _placeholders(doc.body, doc.body_start_line), display, doc.content_hash, claims,
    ))


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


def _read_question(raw, line: int, report: _Reporter) -> QuestionDef | None:
    if not isinstance(raw, LineDict):
        report(line, "each question must be a mapping")
        return None
    key = _text(raw, "id", report)
    qtype = _text(raw, "type", report)
    if qtype and qtype not in QUESTION_TYPES:
        report(raw.line_of("type"), f"unknown question type '{qtype}' (expected one of: {', '.join(QUESTION_TYPES)})")
        qtype = ""
    prompt = _text(raw, "prompt", report)
    explanation = _text(raw, "explanation", report)
    options: list[tuple[str, str]] = []
    answer: object = None
    raw_answer = raw.get("answer")
    if qtype == "true_false":
        if "options" in raw:
            report(raw.line_of("options"), "a true_false question takes no options")
        if not isinstance(raw_answer, bool):
            report(raw.line_of("answer"), "the answer of a true_false question must be true or false")
        answer = bool(raw_answer)
    elif qtype in ("single", "multiple"):
        raw_options = raw.get("options")
        if not isinstance(raw_options, list) or len(raw_options) < 2:
            report(raw.line_of("options"), "a choice question needs at least two options")
            raw_options = raw_options if isinstance(raw_options, list) else []
        for index, opt in enumerate(raw_options):
            opt_line = raw_options.line_of(index) if isinstance(raw_options, LineList) else raw.line
            if not isinstance(opt, LineDict):
                report(opt_line, "each option must be a mapping with 'id' and 'text'")
                continue
            oid, text = _text(opt, "id", report), _text(opt, "text", report)
            stray = [str(k) for k in opt if k not in ("id", "text")]
            if stray:
                report(opt_line, f"option has unexpected keys {', '.join(repr(k) for k in stray)}: "
                                 f"a comma in unquoted text inside {{...}} splits it; put the text in quotes")
            if oid in {o for o, _ in options}:
                report(opt_line, f"duplicate option id '{oid}'")
                continue
            if oid:
                options.append((oid, text))
        ids = {o for o, _ in options}
        answer_line = raw.line_of("answer")
        if qtype == "single":
            if not isinstance(raw_answer, str) or not raw_answer:
                report(answer_line, "the answer of a single-choice question must be one option id")
            elif raw_answer not in ids:
                report(answer_line, f"answer '{raw_answer}' points to no option (options: {', '.join(sorted(ids))})")
            answer = str(raw_answer) if raw_answer is not None else ""
        else:
            if not isinstance(raw_answer, list) or not raw_answer or not all(isinstance(a, str) for a in raw_answer):
                report(answer_line, "the answer of a multiple-response question must be a list of option ids")
                answer = []
            else:
                for missing in [a for a in raw_answer if a not in ids]:
                    report(answer_line, f"answer '{missing}' points to no option (options: {', '.join(sorted(ids))})")
                if len(set(raw_answer)) != len(raw_answer):
                    report(answer_line, "the answer lists an option twice")
                answer = sorted(set(raw_answer))
    countries = None
    if "countries" in raw:
        countries = _text_list(raw, "countries", report)
    section = _text(raw, "section", report, required=False) or None
    return QuestionDef(key, qtype, prompt, options, answer, explanation, countries, raw.line, section)


_CLAIM_FIELDS = {
    "law": (("law", "article", "publication"), ()),
    "secondary": (("document", "year"), ("paragraph", "page", "section")),
    "unconfirmed": (("confirm",), ()),
}


def _read_claim(raw, key: str, line: int, report: _Reporter) -> Claim | None:
    """A claim: `status` and the fields its status needs (law: law, article, publication; secondary:
    document, year and one of paragraph, page, section; unconfirmed: confirm)."""
    if not isinstance(raw, LineDict):
        report(line, f"claim '{key}' must be a mapping with 'status' and its source")
        return None
    status = _text(raw, "status", report)
    if status and status not in CLAIM_STATUSES:
        report(raw.line_of("status"), f"claim '{key}' has status '{status}' (expected one of: {', '.join(CLAIM_STATUSES)})")
        return None
    if not status:
        return None
    required, one_of = _CLAIM_FIELDS[status]
    fields = {}
    for name in required:
        value = _text(raw, name, report, required=False)
        if not value:
            report(raw.line_of(name) if name in raw else raw.line,
                   f"claim '{key}' ({status}) needs '{name}'" + {
                       "publication": " (the official publication where the law's text was read)",
                       "article": " (the article of the law)", "law": " (the law's title)",
                       "document": " (the report or document, named precisely)", "year": " (the document's year)",
                       "confirm": " (what the national coordinator should confirm)"}.get(name, ""))
        fields[name] = value
    if one_of:
        given = {name: _text(raw, name, report, required=False) for name in one_of}
        if not any(given.values()):
            report(raw.line, f"claim '{key}' ({status}) needs one of {', '.join(one_of)}: where in the document")
        fields.update({k: v for k, v in given.items() if v})
    allowed = set(required) | set(one_of) | {"status", "note"}
    stray = [str(k) for k in raw if k not in allowed]
    if stray:
        report(raw.line, f"claim '{key}' has unexpected keys {', '.join(repr(k) for k in stray)} for status '{status}'")
    return Claim(key, status, fields, raw.line)


def _read_claims(meta: LineDict, report: _Reporter) -> dict[str, Claim]:
    raw = meta.get("claims")
    if not isinstance(raw, LineDict) or not raw:
        report(meta.line_of("claims"), "'claims' must map claim keys (c1, c2 ...) to their sources")
        return {}
    claims = {}
    for key, item in raw.items():
        key = str(key)
        if not CLAIM_KEY_RE.match(key):
            report(raw.line_of(key), f"claim key '{key}' must be c1, c2 ...")
            continue
        claim = _read_claim(item, key, raw.line_of(key), report)
        if claim is not None:
            claims[key] = claim
    return claims


def _read_retake(data: LineDict, report: _Reporter) -> dict:
    """`retake: {max_attempts: 3, wait_minutes: 60}`: both optional, both positive whole numbers."""
    raw = data.get("retake")
    if raw is None:
        return {}
    if not isinstance(raw, LineDict):
        report(data.line_of("retake"), "'retake' must be a mapping with 'max_attempts' and/or 'wait_minutes'")
        return {}
    stray = [str(k) for k in raw if k not in ("max_attempts", "wait_minutes")]
    if stray:
        report(data.line_of("retake"), f"'retake' has unexpected keys {', '.join(repr(k) for k in stray)} "
                                       f"(expected max_attempts, wait_minutes)")
    result = {}
    for key, maximum in (("max_attempts", 100), ("wait_minutes", 60 * 24 * 30)):
        if key in raw:
            result[key] = _int(raw, key, report, minimum=1, maximum=maximum)
    return result


def _read_bank(path: Path, root: Path, prong: str, cur: Curriculum) -> None:
    display = _display(path, root)
    report = _Reporter(cur.problems, display)
    data = read_yaml_file(path, display)
    module_id = _text(data, "module", report)
    if module_id and module_id != path.stem:
        report(data.line_of("module"), f"module '{module_id}' does not match the file name '{path.name}'")
    pass_mark = _int(data, "pass_mark", report, minimum=1, maximum=100)
    draw = _int(data, "draw", report, minimum=1)
    questions: list[QuestionDef] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, LineList) or not raw_questions:
        report(data.line_of("questions"), "missing field 'questions' (a list of questions)")
        raw_questions = LineList()
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        question = _read_question(raw, raw_questions.line_of(index), report)
        if question is None:
            continue
        if question.key in seen:
            report(question.line, f"duplicate question id '{question.key}' (first on line {seen[question.key]})")
            continue
        seen[question.key] = question.line
        questions.append(question)
    translations: dict[str, dict] = {}
    by_key = {q.key: q for q in questions}
    for lang, entry, status in _translation_blocks(
            data, report, "translated questions", "'status' and a 'questions' mapping", required_map="questions"):
        items = {}
        for qkey, item in entry["questions"].items():
            qline = entry["questions"].line_of(qkey)
            question = by_key.get(qkey)
            if question is None:
                report(qline, f"translation of question '{qkey}', which is not in this bank")
                continue
            if not isinstance(item, LineDict):
                report(qline, f"translation of question '{qkey}' must be a mapping")
                continue
            options = item.get("options") or {}
            if not isinstance(options, dict):
                report(item.line_of("options"), "translated 'options' must map option ids to text")
                options = {}
            for oid in options:
                if oid not in {o for o, _ in question.options}:
                    report(item.line_of("options"), f"translated option '{oid}' is not an option of question '{qkey}'")
            items[qkey] = {
                "prompt": _text(item, "prompt", report),
                "options": {str(k): str(v) for k, v in options.items()},
                "explanation": _text(item, "explanation", report),
            }
        translations[lang] = {"status": status, "questions": items}
    cur.banks[module_id or display] = BankDef(
        module_id, pass_mark, draw, questions, translations, display, sha256(path.read_text("utf-8")),
        _read_retake(data, report),
    )


def _guarded(reader, path: Path, root: Path, cur: Curriculum, *args) -> None:
    try:
        reader(path, root, *args, cur) if args else reader(path, root, cur)
    except SourceError as exc:
        cur.problems.append(exc.problem)


def read_curriculum(curricula_dir: Path, assessments_dir: Path) -> Curriculum:
    """Read and check the whole tree; the result's `problems` lists everything wrong."""
    root = curricula_dir.resolve().parent
    cur = Curriculum()
    countries_dir = curricula_dir / "countries"
    for path in sorted(countries_dir.glob("*.yml")):
        _guarded(_read_profile, path, root, cur)
    if not cur.profiles:
        cur.problems.append(Problem(_display(countries_dir, root), 1, "no country profiles"))
    for child in sorted(p for p in curricula_dir.iterdir() if p.is_dir() and p.name != "countries"):
        if child.name not in PRONGS:
            cur.problems.append(Problem(_display(child, root), 1,
                                        f"unknown prong directory '{child.name}' (expected one of: {', '.join(PRONGS)})"))
    for prong in PRONGS:
        prong_dir = curricula_dir / prong
        if not prong_dir.is_dir():
            continue
        course_file = prong_dir / "course.yml"
        if course_file.exists():
            _guarded(_read_course, course_file, root, cur, prong)
        else:
            cur.problems.append(Problem(_display(course_file, root), 1, "missing course file"))
        for path in sorted(prong_dir.glob("*.md")):
            _guarded(_read_module, path, root, cur, prong)
        for path in sorted((prong_dir / "national").glob("*/*.md")):
            _guarded(_read_passage, path, root, cur, prong)
        for path in sorted((prong_dir / "translations").glob("*/*.md")):
            _guarded(_read_translation, path, root, cur, prong)
        bank_dir = assessments_dir / prong
        for path in sorted(bank_dir.glob("*.yml")):
            _guarded(_read_bank, path, root, cur, prong)
    _cross_check(cur)
    cur.problems.sort()
    return cur


def _check_placeholders(placeholders: list[Placeholder], path: str, cur: Curriculum,
                        countries: list[str] | None = None) -> None:
    for ph in placeholders:
        if ph.namespace == "country":
            if ph.key not in COUNTRY_FIELDS:
                cur.problems.append(Problem(path, ph.line, f"unknown placeholder '{{{{country.{ph.key}}}}}' (known: country.name)"))
            continue
        if ph.namespace != "law":
            cur.problems.append(Problem(path, ph.line, f"unknown placeholder namespace '{ph.namespace}' (known: country, law)"))
            continue
        for code in countries or sorted(cur.profiles):
            profile = cur.profiles[code] if code in cur.profiles else None
            if profile is not None and ph.key not in profile.legal_references:
                cur.problems.append(Problem(
                    path, ph.line,
                    f"placeholder '{{{{law.{ph.key}}}}}' has no value for {code} ({profile.path})",
                ))


def _cross_check(cur: Curriculum) -> None:
    problems = cur.problems
    for module in cur.modules.values():
        _check_placeholders(module.body.placeholders, module.path, cur)
        if module.id not in cur.banks:
            problems.append(Problem(module.path, 1, f"module '{module.id}' has no question bank (assessments/{module.prong}/{module.id}.yml)"))
    for passage in cur.passages:
        module = cur.modules.get(passage.module_id)
        if passage.module_id and module is None:
            problems.append(Problem(passage.path, 2, f"national passage for unknown module '{passage.module_id}'"))
            continue
        if passage.country and passage.country not in cur.profiles:
            problems.append(Problem(passage.path, 3, f"national passage for unknown country '{passage.country}'"))
            continue
        if module is None:
            continue
        for slot, chunk in passage.passages.items():
            if slot not in module.body.slots:
                problems.append(Problem(passage.path, chunk.line - 1,
                                        f"module '{module.id}' has no national slot '{slot}' (slots: {', '.join(module.body.slots) or 'none'})"))
        _check_placeholders(passage.placeholders, passage.path, cur, [passage.country])
    seen_pairs: dict[tuple, str] = {}
    for passage in cur.passages:
        pair = (passage.module_id, passage.country, passage.language)
        if pair in seen_pairs:
            problems.append(Problem(passage.path, 1, f"a second national passage file for the same module, country and language (first: {seen_pairs[pair]})"))
        seen_pairs.setdefault(pair, passage.path)
    for tr in cur.translations:
        module = cur.modules.get(tr.module_id)
        if module is None:
            if tr.module_id:
                problems.append(Problem(tr.path, 2, f"translation of unknown module '{tr.module_id}'"))
            continue
        if tr.country and tr.country not in cur.profiles:
            problems.append(Problem(tr.path, 4, f"translation for unknown country '{tr.country}'"))
        if len(tr.body.sections) != len(module.body.sections):
            problems.append(Problem(
                tr.path, tr.body.sections[0].line if tr.body.sections else 1,
                f"has {len(tr.body.sections)} sections but the module has {len(module.body.sections)} ({module.path})",
            ))
        if sorted(tr.body.slots) != sorted(module.body.slots):
            problems.append(Problem(tr.path, 1, f"national slots {sorted(tr.body.slots)} differ from the module's {sorted(module.body.slots)}"))
        if len(tr.objectives) != len(module.objectives):
            problems.append(Problem(tr.path, 1, f"has {len(tr.objectives)} objectives but the module has {len(module.objectives)}"))
        _check_placeholders(tr.body.placeholders, tr.path, cur)
    for prong, course in cur.courses.items():
        if course.test_draw is None:
            continue
        banks = [cur.banks[m.id] for m in cur.modules_of(prong) if m.id in cur.banks]
        for code in sorted(cur.profiles):
            available = sum(1 for b in banks for q in b.questions if not q.countries or code in q.countries)
            if available < course.test_draw:
                problems.append(Problem(course.path, course.test_line,
                                        f"the course tests draw {course.test_draw} questions but the modules have only "
                                        f"{available} for {code}"))
                break
    for key, bank in cur.banks.items():
        if bank.module_id not in cur.modules:
            if bank.module_id:
                problems.append(Problem(bank.path, 1, f"question bank for unknown module '{bank.module_id}'"))
            continue
        headings = [s.heading for s in cur.modules[bank.module_id].body.sections]
        for question in bank.questions:
            if question.section is not None and question.section not in headings:
                problems.append(Problem(bank.path, question.line,
                                        f"question '{question.key}' names section '{question.section}', which is not a "
                                        f"'## ' heading of {cur.modules[bank.module_id].path}"))
            for code in question.countries or []:
                if code not in cur.profiles:
                    problems.append(Problem(bank.path, question.line, f"question '{question.key}' names unknown country '{code}'"))
        for code in sorted(cur.profiles):
            available = sum(1 for q in bank.questions if not q.countries or code in q.countries)
            if available < bank.draw:
                problems.append(Problem(bank.path, 1, f"draws {bank.draw} questions but only {available} are available for {code}"))
                break
