"""Country profiles (curricula/countries/<cc>.yml)."""

from __future__ import annotations

from pathlib import Path

from .claims import _read_claim
from .definitions import COUNTRY_RE, LANGUAGE_RE, CountryProfile, Curriculum, LegalReference
from .fields import _bool, _display, _Reporter, _text, _text_list
from .source import LineDict, read_yaml_file, sha256


def _fallback(data, languages: list[str], report) -> list[str]:
    """The languages a reader of this country falls back to, in order, before English (default: `languages`)."""
    if "fallback" not in data:
        return list(languages)
    fallback = _text_list(data, "fallback", report, required=False)
    for index, lang in enumerate(fallback):
        if not LANGUAGE_RE.match(lang) or lang == "en":
            report(data["fallback"].line_of(index),
                   f"fallback language '{lang}' must be an ISO 639 code other than 'en' (English always comes last)")
    return fallback


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
    fallback = _fallback(data, languages, report)
    refs: dict[str, LegalReference] = {}
    raw_refs = data.get("legal_references")
    if not isinstance(raw_refs, LineDict) or not raw_refs:
        report(data.line_of("legal_references"), "missing field 'legal_references' (a mapping of key to reference)")
    else:
        for key, ref in raw_refs.items():
            if not isinstance(ref, LineDict):
                report(raw_refs.line_of(key), f"legal reference '{key}' must be a mapping")
                continue
            local = _local_citations(ref, key, report)
            if "status" in ref:
                fields = LineDict({k: v for k, v in ref.items() if k not in ("citation", "description",
                                                                             "local_citations")})
                fields.key_lines = ref.key_lines
                fields.line = ref.line
                claim = _read_claim(fields, key, raw_refs.line_of(key), report)
                for derived in ("verified", "source"):
                    if derived in ref:
                        report(ref.line_of(derived), f"'{derived}' follows from the status of '{key}'; remove it")
                refs[key] = LegalReference(
                    key, _text(ref, "citation", report), _text(ref, "description", report, required=False),
                    claim.citation if claim else "", bool(claim and claim.status == "law"), claim, local,
                )
                continue
            refs[key] = LegalReference(
                key,
                _text(ref, "citation", report),
                _text(ref, "description", report, required=False),
                _text(ref, "source", report),
                _bool(ref, "verified", report),
                local_citations=local,
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
            local_names, fallback,
        )


def _local_citations(ref: LineDict, key: str, report) -> dict[str, str]:
    """A reference's `local_citations`: language code -> the citation as that language cites the law."""
    raw = ref.get("local_citations")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report(ref.line_of("local_citations"), f"'local_citations' of '{key}' must map a language code to a citation")
        return {}
    local = {}
    for lang, text in raw.items():
        line = raw.line_of(lang) if isinstance(raw, LineDict) else ref.line_of("local_citations")
        if not LANGUAGE_RE.fullmatch(str(lang)) or not isinstance(text, str) or not text.strip():
            report(line, f"'local_citations' of '{key}': '{lang}' must be a language code with a citation")
            continue
        local[str(lang)] = text.strip()
    return local
