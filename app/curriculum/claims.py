"""Claims: what stands behind a national fact (the law's text, a secondary source, or nothing yet)."""

from __future__ import annotations

from .definitions import CLAIM_KEY_RE, CLAIM_STATUSES, Claim
from .fields import _Reporter, _text
from .source import LineDict

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
    for name in ("confirmed_by", "confirmed_on", "note"):  # who confirmed it, when (review sheet), and remarks
        value = _text(raw, name, report, required=False)
        if value:
            fields[name] = value
    allowed = set(required) | set(one_of) | {"status", "note", "confirmed_by", "confirmed_on"}
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
