"""English left in translated text: runs of four or more Latin-script words of which at least two are
English function words ('the', 'of', 'and', ...) that are not also words of the target language. Cited
titles may stay in English when quoted or in italics, so quoted and italic spans are not searched."""

from __future__ import annotations

import re

from .definitions import Curriculum
from .source import Problem

FUNCTION_WORDS = frozenset("""
the of and to in is for that with as on be are by this not or it from at an which have has was were will can who
their they he she his her must should may if when where what do does you your we our been being would could there
these those than then into about only also any all each other such no its them more most after before because while
""".split())
#: Function words that are also ordinary words of a target language (Serbian 'to', 'on'; Albanian 'me' ...).
COLLISIONS = {
    "sr": {"to", "on", "do", "no", "a", "i"}, "hr": {"to", "on", "do", "no", "a", "i"},
    "bs": {"to", "on", "do", "no", "a", "i"}, "cnr": {"to", "on", "do", "no", "a", "i"},
    "sl": {"to", "on", "do", "no", "a", "i", "in"}, "sq": {"me", "as", "has", "at"}, "tr": {"in", "on"},
    "ro": {"a", "in", "do", "no", "are", "care"},
}
TOKEN_RE = re.compile(r"\w[\w'’-]*|[^\w\s]", re.U)
LATIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
QUOTED_RE = re.compile(r"\*[^*]{1,300}\*|“[^”]{0,300}”|„[^“”]{0,300}[“”]|\"[^\"\n]*\"|«[^»]{0,300}»|`[^`\n]*`"
                       r"|\([A-Z][^)\n]*\)")


def english_runs(text: str, language: str) -> list[str]:
    """The runs of English words in `text`, a text in `language`."""
    words = FUNCTION_WORDS - COLLISIONS.get(language.split("-")[0], set())
    found, run = [], []
    for token in TOKEN_RE.findall(QUOTED_RE.sub(" § ", text)) + ["§"]:
        if LATIN_WORD_RE.fullmatch(token):
            run.append(token)
            continue
        if len(run) >= 4 and sum(w.lower() in words for w in run) >= 2:
            found.append(" ".join(run))
        run = []
    return found


def check_english(cur: Curriculum) -> None:
    """A problem for each translated text (module translation, translated passage, bank translation) with
    a run of English in it."""
    def report(path: str, line: int, runs: list[str]) -> None:
        cur.problems.append(Problem(path, line, "English left in a translated text: " + "; ".join(f"'{r}'" for r in runs[:3])))

    for translation in cur.translations:
        texts = [translation.title, *translation.objectives]
        texts += [chunk.text for section in translation.body.sections for chunk in section.chunks]
        texts += [section.heading for section in translation.body.sections]
        runs = [r for t in texts for r in english_runs(t, translation.language)]
        if runs:
            report(translation.path, 1, runs)
    for passage in cur.passages:
        if passage.language != "en":
            runs = [r for chunk in passage.passages.values() for r in english_runs(chunk.text, passage.language)]
            if runs:
                report(passage.path, 1, runs)
    for bank in cur.banks.values():
        for language, block in (bank.translations or {}).items():
            texts = [v for item in block["questions"].values() for v in
                     [item.get("prompt"), item.get("explanation"), *(item.get("options") or {}).values()] if v]
            runs = [r for t in texts for r in english_runs(t, language)]
            if runs:
                report(bank.path, 1, [f"{language}: {r}" for r in runs])
