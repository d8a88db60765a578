"""National passage files (curricula/<prong>/national/<cc>/<module-id>[.<lang>].md)."""

from __future__ import annotations

from pathlib import Path

from .bodies import _parse_passages, _placeholders
from .claims import _read_claims
from .definitions import (
    BASE_LANGUAGE,
    CLAIM_KEY_RE,
    CLAIM_REF_RE,
    LANGUAGE_RE,
    Claim,
    Curriculum,
    PassageFile,
)
from .fields import _bool, _display, _Reporter, _text, _text_list
from .source import read_markdown


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
