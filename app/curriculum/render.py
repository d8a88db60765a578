"""Turning a module into the HTML a trainee of one country and language reads.

Markdown is rendered and sanitised here and nowhere else. Rendering happens when
the curriculum is loaded (`loader.py`), once per module version, country and
language, and the result is stored with the hash of everything it was made
from; requests only read stored renditions.
"""

from __future__ import annotations

import re
from functools import lru_cache

import markdown
import nh3
from flask_babel import force_locale, gettext
from markupsafe import escape

from .source import sha256
from .tree import (
    BASE_LANGUAGE,
    CLAIM_REF_RE,
    PLACEHOLDER_RE,
    Body,
    CountryProfile,
    Curriculum,
    ModuleDef,
    PassageFile,
    TranslationDef,
)

#: Bump when the rendering changes, so that a reload re-renders everything.
RENDERER_VERSION = "4"  # 3: claims' citations marked <cite>; a passage carries its language

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "cite",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": {"colspan"}, "ol": {"start"}}
_HEADING_TAG = re.compile(r"<(/?)h([3-6])\b")
_MD_SPECIAL = re.compile(r"([\\*_\[\]`])")


@lru_cache(maxsize=4096)
def _markdown_cached(digest: str, text: str) -> str:
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    # A section's own heading is the page's h1, so `###` in the text is the page's second level.
    html = _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer")


def markdown_to_html(text: str) -> str:
    """Render Markdown to sanitised HTML, cached by the hash of the text."""
    return _markdown_cached(sha256(text), text)


def _fill(text: str, profile: CountryProfile, notices: list[dict], language: str = BASE_LANGUAGE) -> str:
    """Fill `{{country.*}}` and `{{law.*}}` placeholders; note unverified legal facts."""

    def replace(match: re.Match) -> str:
        namespace, key = match.group(1), match.group(2)
        if namespace == "country" and key == "name":
            return _MD_SPECIAL.sub(r"\\\1", profile.name_in(language))
        ref = profile.legal_references.get(key) if namespace == "law" else None
        if ref is None:  # the validator refuses such a tree; never show a raw placeholder
            return "…"
        if not ref.verified:
            unconfirmed = ref.claim is not None and ref.claim.status == "unconfirmed"
            notice = {"kind": "unverified_fact", "citation": ref.citation_in(language) or ref.citation,
                      "source": gettext("Not yet confirmed") if unconfirmed else ref.source}
            if notice not in notices:
                notices.append(notice)
        local = ref.citation_in(language)
        if local is not None:
            return _MD_SPECIAL.sub(r"\\\1", local)
        # No citation in this language yet: the English one, marked as a cited title.
        return "<cite>" + str(escape(_MD_SPECIAL.sub(r"\\\1", ref.citation))) + "</cite>"

    return PLACEHOLDER_RE.sub(replace, text)


def pick_text(cur: Curriculum, module: ModuleDef, country: str, language: str) -> TranslationDef | None:
    """The translation a trainee reads: language+country, else language, else None (English base)."""
    if language == BASE_LANGUAGE:
        return None
    candidates = [t for t in cur.translations_of(module.id) if t.language == language]
    return next((t for t in candidates if t.country == country), None) or next(
        (t for t in candidates if t.country is None), None
    )


def pick_passage(cur: Curriculum, module_id: str, country: str, language: str, slot: str) -> PassageFile | None:
    """The national passage for a slot: in the trainee's language, else in English, else None."""
    files = [p for p in cur.passages_of(module_id) if p.country == country and slot in p.passages]
    return next((p for p in files if p.language == language), None) or next(
        (p for p in files if p.language == BASE_LANGUAGE), None
    )


def _slot_label(kind: str, country: str) -> str:
    """The label above a national slot, in the current (forced) locale."""
    if kind == "fallback":
        return gettext("General text: not yet localised for %(country)s", country=country)
    return gettext("National passage: %(country)s", country=country)


def _claim_label(status: str) -> str:
    """What stands behind a claim, as the reader is told it (current, forced locale)."""
    if status == "law":
        return gettext("The law's text:")
    if status == "secondary":
        return gettext("Secondary source, not the law's text:")
    return gettext("Not yet confirmed")


def _with_claims(passage: PassageFile, text: str) -> tuple[str, str]:
    """Number the [[cN]] marks of a passage text in order of appearance; and the list of their sources."""
    numbers: dict[str, int] = {}

    def mark(match: re.Match) -> str:
        number = numbers.setdefault(match.group(1), len(numbers) + 1)
        return f"<sup>[{number}]</sup>"

    marked = CLAIM_REF_RE.sub(mark, text)
    if not numbers:
        return marked, ""
    items = []
    for key, number in sorted(numbers.items(), key=lambda kv: kv[1]):
        claim = passage.claims.get(key)
        if claim is None:
            continue
        items.append(f'<li value="{number}" class="claim claim-{claim.status}"><span class="claim-status">'
                     f"{escape(_claim_label(claim.status))}</span> {_cited(claim)}</li>")
    return marked, f'<ol class="claims">{"".join(items)}</ol>'


def _cited(claim) -> str:
    """A claim's citation, a cited title (law, report), marked <cite>. What an unconfirmed claim asks the national
    coordinator is their task, not the reader's: the reader is told only that it is not yet confirmed (the
    question is on the coordinator's review sheet)."""
    return "" if claim.status == "unconfirmed" else f"<cite>{escape(claim.citation)}</cite>"


def rendition_hash(cur: Curriculum, module: ModuleDef, profile: CountryProfile, language: str) -> str:
    """Hash of every input of a rendition: unchanged inputs need no re-rendering.

    The interface catalog is an input too (the slot labels are stored in the rendition), so a
    changed translation of a label re-renders the modules in that language on the next load."""
    translation = pick_text(cur, module, profile.code, language)
    passages = sorted({p.content_hash for p in cur.passages_of(module.id) if p.country == profile.code})
    with force_locale(translation.language if translation else BASE_LANGUAGE):
        labels = [_slot_label(kind, "") for kind in ("fallback", "passage")]
        labels += [_claim_label(status) for status in ("law", "secondary", "unconfirmed")]
        labels += [gettext("Not yet confirmed")]
    return sha256(
        RENDERER_VERSION, module.content_hash, translation.content_hash if translation else "",
        *passages, profile.content_hash, language, *labels,
    )


def render_module(cur: Curriculum, module: ModuleDef, profile: CountryProfile, language: str) -> dict:
    """Render one module for one country and language into a JSON-able mapping."""
    translation = pick_text(cur, module, profile.code, language)
    body: Body = translation.body if translation else module.body
    text_language = translation.language if translation else BASE_LANGUAGE
    notices: list[dict] = []
    if translation is not None:
        if translation.status == "draft":
            notices.append({"kind": "draft_translation", "language": translation.language})
        if str(translation.source_version) != str(module.version):
            notices.append({"kind": "outdated_translation", "language": translation.language,
                            "source_version": str(translation.source_version), "version": str(module.version)})
    sections = []
    country_name = profile.name_in(text_language)
    with force_locale(text_language):
        for section in body.sections:
            section_notices: list[dict] = []
            parts = []
            for chunk in section.chunks:
                if chunk.slot is None:
                    parts.append(markdown_to_html(_fill(chunk.text, profile, section_notices, text_language)))
                    continue
                passage = pick_passage(cur, module.id, profile.code, text_language, chunk.slot)
                if passage is None:
                    section_notices.append({"kind": "not_localised", "country": country_name})
                    inner = markdown_to_html(_fill(chunk.text, profile, section_notices, text_language))
                    css = "national not-localised"
                    label = _slot_label("fallback", country_name)
                else:
                    if not passage.verified:
                        section_notices.append({"kind": "unverified_passage", "country": country_name,
                                                "sources": list(passage.sources)})
                    text, claims_html = _with_claims(passage, passage.passages[chunk.slot].text)
                    inner = markdown_to_html(_fill(text, profile, section_notices, passage.language)) + claims_html
                    css = "national" if passage.verified else "national unverified"
                    label = _slot_label("passage", country_name)
                shown_in = text_language if passage is None else passage.language
                parts.append(
                    f'<aside class="{css}" aria-label="{escape(label)}"><p class="national-label">{escape(label)}</p>'
                    f'<div class="national-text" lang="{escape(shown_in)}">{inner}</div></aside>'
                )
            heading = _fill(section.heading, profile, section_notices, text_language).replace("\\", "")
            sections.append({"heading": heading, "html": "\n".join(parts), "notices": section_notices})
    return {
        "language": text_language,
        "title": translation.title if translation else module.title,
        "objectives": list(translation.objectives if translation else module.objectives),
        "sections": sections,
        "notices": notices,
    }


def rendition_languages(cur: Curriculum, module: ModuleDef) -> list[str]:
    """Languages worth a stored rendition: English plus every language a translation or passage is in."""
    languages = {BASE_LANGUAGE}
    languages.update(t.language for t in cur.translations_of(module.id))
    languages.update(p.language for p in cur.passages_of(module.id))
    return sorted(languages)
