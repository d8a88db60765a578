"""The cue linter: can a question bank be passed without reading the module?

For every bank, and for every course as a whole, in every language the bank is written in, it
computes the expected score of trainees who never read anything and follow one fixed strategy:

* ``random``: a uniform guess (the chance level every other strategy is compared with);
* ``longest`` / ``shortest``: pick the longest (shortest) option; in a multiple-response item,
  tick the options longer (shorter) than the item's average option;
* ``not-longest`` / ``not-shortest``: in a single-choice item, guess among the other options;
* ``true`` / ``false``: always answer true (false) to true/false items, guess the rest;
* ``ticks-k``: in multiple-response items always tick k options at random, guess the rest;
* ``longest-k``: in multiple-response items always tick the k longest options.

It also measures what the strategies feed on (the length of keys against distractors, the
share of true statements, how often the same number of options is correct) and finds prompts
that repeat or nearly repeat anywhere in the curriculum, and sections no question assesses.
Thresholds and their reasons: docs/cue-linter.md. `flask curricula validate` and the content
tests run it; ``python -m app.curriculum.cues [bank files]`` prints the tables alone.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from math import comb
from pathlib import Path

from .source import Problem
from .tree import BASE_LANGUAGE, BankDef, Curriculum, read_curriculum

#: Largest expected gain over random guessing, in score points (0-1), that a no-reading
#: strategy may have over a whole bank (about 16 questions) and over a whole course.
BANK_MARGIN = 0.10
COURSE_MARGIN = 0.05
#: Mean length of keys over mean length of distractors must lie in this range.
BANK_LENGTH_RATIO = (0.75, 1.33)
COURSE_LENGTH_RATIO = (0.87, 1.15)
#: Share of true/false items whose answer is "true".
BANK_TRUE_SHARE = (0.2, 0.8)
COURSE_TRUE_SHARE = (0.4, 0.6)
#: Largest share of single-choice items whose key is the (strictly or tied) longest option.
BANK_KEY_LONGEST = 0.5
COURSE_KEY_LONGEST_OVER_CHANCE = 0.12
#: Largest share of multiple-response items that have the same number of correct options.
BANK_SAME_TICKS = 0.8
COURSE_SAME_TICKS = 0.5
#: Two prompts this similar (0-1, difflib ratio on normalised words) are a repeat.
NEAR_DUPLICATE = 0.85
#: Fewer items than this are too few to judge by rates: the table says so and nothing fails.
MIN_ITEMS = 10
#: Section headings that need no question of their own.
UNASSESSED_SECTIONS = ("Summary",)


@dataclass
class Item:
    """One question as a trainee reading `language` sees it."""

    bank: str
    key: str
    type: str
    prompt: str
    options: list[tuple[str, str]]
    answer: object

    @property
    def correct(self) -> set[str]:
        if self.type == "single":
            return {self.answer}
        return set(self.answer) if self.type == "multiple" else set()


def items_of(bank: BankDef, language: str) -> list[Item]:
    tr = (bank.translations.get(language) or {}).get("questions", {}) if language != BASE_LANGUAGE else {}
    out = []
    for q in bank.questions:
        t = tr.get(q.key, {})
        options = [(oid, (t.get("options") or {}).get(oid) or text) for oid, text in q.options]
        out.append(Item(bank.module_id, q.key, q.type, t.get("prompt") or q.prompt, options, q.answer))
    return out


# --- Strategies: expected score of one item ------------------------------------------------


def _random(item: Item) -> float:
    n = len(item.options)
    if item.type == "true_false":
        return 0.5
    if item.type == "single":
        return 1 / n
    return 1 / (2 ** n - 1)


def _by_length(item: Item, pick) -> float:
    if item.type == "true_false":
        return 0.5
    lengths = {oid: len(text) for oid, text in item.options}
    if item.type == "single":
        best = pick(lengths.values())
        chosen = [oid for oid, n in lengths.items() if n == best]
        return (item.answer in chosen) / len(chosen)
    mean = sum(lengths.values()) / len(lengths)
    longer = pick is max
    ticked = {oid for oid, n in lengths.items() if (n > mean if longer else n < mean)}
    if not ticked:
        best = pick(lengths.values())
        ticked = {oid for oid, n in lengths.items() if n == best}
    return float(ticked == item.correct)


def _avoid(pick):
    """Single choice: guess among the options that are not the longest (or not the shortest)."""
    def strategy(item: Item) -> float:
        if item.type != "single":
            return _random(item)
        lengths = {oid: len(text) for oid, text in item.options}
        extreme = pick(lengths.values())
        rest = [oid for oid, n in lengths.items() if n != extreme] or list(lengths)
        return (item.answer in rest) / len(rest)
    return strategy


def _always(value: bool):
    def strategy(item: Item) -> float:
        return float(item.answer is value) if item.type == "true_false" else _random(item)
    return strategy


def _ticks(k: int):
    def strategy(item: Item) -> float:
        if item.type != "multiple":
            return _random(item)
        n = len(item.options)
        if k > n:
            return 0.0
        return (len(item.correct) == k) / comb(n, k)
    return strategy


def _longest_ticks(k: int):
    def strategy(item: Item) -> float:
        if item.type != "multiple":
            return _random(item)
        ranked = sorted(item.options, key=lambda o: -len(o[1]))
        return float({oid for oid, _ in ranked[:k]} == item.correct)
    return strategy


def strategies(max_options: int) -> dict:
    out = {
        "random": _random,
        "longest": lambda i: _by_length(i, max),
        "shortest": lambda i: _by_length(i, min),
        "not-longest": _avoid(max),
        "not-shortest": _avoid(min),
        "true": _always(True),
        "false": _always(False),
    }
    for k in range(1, max_options + 1):
        out[f"ticks-{k}"] = _ticks(k)
        out[f"longest-{k}"] = _longest_ticks(k)
    return out


# --- Measures -------------------------------------------------------------------------------


@dataclass
class Measures:
    """What a no-reading trainee could exploit in a set of items."""

    label: str
    language: str
    counts: dict[str, int]
    scores: dict[str, float]
    length_ratio: float | None
    key_longest: float | None
    key_longest_chance: float | None
    true_share: float | None
    ticks: dict[int, int]
    failures: list[str] = field(default_factory=list)

    @property
    def best(self) -> tuple[str, float]:
        name = max((n for n in self.scores if n != "random"), key=lambda n: self.scores[n])
        return name, self.scores[name]


def measure(label: str, language: str, items: list[Item]) -> Measures:
    counts = {t: sum(1 for i in items if i.type == t) for t in ("single", "multiple", "true_false")}
    max_options = max((len(i.options) for i in items), default=0)
    scores = {name: (sum(f(i) for i in items) / len(items) if items else 0.0)
              for name, f in strategies(max_options).items()}
    key_len, other_len = [], []
    for i in items:
        for oid, text in i.options:
            (key_len if oid in i.correct else other_len).append(len(text))
    ratio = (sum(key_len) / len(key_len)) / (sum(other_len) / len(other_len)) if key_len and other_len else None
    singles = [i for i in items if i.type == "single"]
    key_longest = chance = None
    if singles:
        key_longest = sum(
            1 for i in singles
            if len(dict(i.options)[i.answer]) == max(len(t) for _, t in i.options)
        ) / len(singles)
        chance = sum(1 / len(i.options) for i in singles) / len(singles)
    tf = [i for i in items if i.type == "true_false"]
    true_share = sum(1 for i in tf if i.answer is True) / len(tf) if tf else None
    ticks: dict[int, int] = {}
    for i in items:
        if i.type == "multiple":
            ticks[len(i.correct)] = ticks.get(len(i.correct), 0) + 1
    return Measures(label, language, counts, scores, ratio, key_longest, chance, true_share, ticks)


def judge(m: Measures, *, course: bool) -> Measures:
    """Fill `m.failures` by the bank or course thresholds."""
    if sum(m.counts.values()) < MIN_ITEMS:
        return m
    margin = COURSE_MARGIN if course else BANK_MARGIN
    low, high = COURSE_LENGTH_RATIO if course else BANK_LENGTH_RATIO
    t_low, t_high = COURSE_TRUE_SHARE if course else BANK_TRUE_SHARE
    chance = m.scores["random"]
    for name, score in m.scores.items():
        if name != "random" and score - chance > margin:
            m.failures.append(f"strategy '{name}' scores {score:.0%} against chance {chance:.0%}")
    if m.length_ratio is not None and not low <= m.length_ratio <= high:
        m.failures.append(f"keys are {m.length_ratio:.2f} times as long as distractors (allowed {low}-{high})")
    if m.key_longest is not None:
        limit = (m.key_longest_chance + COURSE_KEY_LONGEST_OVER_CHANCE) if course else BANK_KEY_LONGEST
        if m.key_longest > limit:
            m.failures.append(f"the key is the longest option in {m.key_longest:.0%} of single-choice items "
                              f"(allowed {limit:.0%})")
    if m.true_share is not None and m.counts["true_false"] >= 2 and not t_low <= m.true_share <= t_high:
        m.failures.append(f"{m.true_share:.0%} of true/false items are true (allowed {t_low:.0%}-{t_high:.0%})")
    n_multi = sum(m.ticks.values())
    if n_multi >= 3:
        share = max(m.ticks.values()) / n_multi
        if share > (COURSE_SAME_TICKS if course else BANK_SAME_TICKS):
            k = max(m.ticks, key=m.ticks.get)
            m.failures.append(f"{share:.0%} of multiple-response items have exactly {k} correct options")
    return m


# --- Repeats and coverage ---------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def near_duplicates(items: list[Item]) -> list[tuple[Item, Item, float]]:
    """Pairs of prompts that repeat or nearly repeat (word-set prefilter, then difflib)."""
    normal = [(i, _normal(i.prompt)) for i in items]
    words = [set(n.split()) for _, n in normal]
    found = []
    for (a, na), (b, nb), wa, wb in (
        (normal[x], normal[y], words[x], words[y]) for x, y in combinations(range(len(normal)), 2)
    ):
        if not wa or not wb or len(wa & wb) / len(wa | wb) < 0.5:
            continue
        ratio = SequenceMatcher(None, na, nb, autojunk=False).ratio()
        if ratio >= NEAR_DUPLICATE:
            found.append((a, b, ratio))
    return found


def unassessed_sections(cur: Curriculum, bank: BankDef) -> list[str]:
    module = cur.modules.get(bank.module_id)
    if module is None:
        return []
    assessed = {q.section for q in bank.questions}
    return [s.heading for s in module.body.sections
            if s.heading not in UNASSESSED_SECTIONS and s.heading not in assessed]


# --- The whole curriculum ---------------------------------------------------------------------


@dataclass
class CueReport:
    banks: list[Measures]
    courses: list[Measures]
    problems: list[Problem]

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def languages_of(bank: BankDef) -> list[str]:
    return [BASE_LANGUAGE] + sorted(bank.translations)


def lint(cur: Curriculum, only: set[str] | None = None) -> CueReport:
    """Run every check on the banks whose path is in `only` (all if None) and on every course."""
    banks_m, courses_m, problems = [], [], []
    by_language: dict[str, list[Item]] = {}
    for prong in sorted(cur.courses):
        course_items: dict[str, list[Item]] = {}
        for module in cur.modules_of(prong):
            bank = cur.banks.get(module.id)
            if bank is None:
                continue
            selected = only is None or bank.path in only
            for language in languages_of(bank):
                items = items_of(bank, language)
                course_items.setdefault(language, []).extend(items)
                by_language.setdefault(language, []).extend(items)
                if selected:
                    m = judge(measure(bank.module_id, language, items), course=False)
                    banks_m.append(m)
                    problems += [Problem(bank.path, 1, f"cue linter [{language}]: {f}") for f in m.failures]
            if selected:
                missing = [q.key for q in bank.questions if not q.section]
                if missing:
                    problems.append(Problem(bank.path, 1, f"cue linter: questions name no section: {', '.join(missing)}"))
                for heading in unassessed_sections(cur, bank):
                    problems.append(Problem(bank.path, 1, f"cue linter: no question assesses section '{heading}'"))
        if only is None or any(cur.banks[m.id].path in only for m in cur.modules_of(prong) if m.id in cur.banks):
            for language, items in sorted(course_items.items()):
                m = judge(measure(f"[{prong}]", language, items), course=True)
                courses_m.append(m)
                course_path = cur.courses[prong].path
                problems += [Problem(course_path, 1, f"cue linter, whole course [{language}]: {f}") for f in m.failures]
    paths = {b.module_id: b.path for b in cur.banks.values()}
    for language, items in sorted(by_language.items()):
        for a, b, ratio in near_duplicates(items):
            if only is not None and paths[a.bank] not in only and paths[b.bank] not in only:
                continue
            problems.append(Problem(paths[b.bank], 1, f"cue linter [{language}]: question '{b.key}' repeats "
                                                      f"'{a.key}' of {a.bank} ({ratio:.0%} alike)"))
    return CueReport(banks_m, courses_m, problems)


def table(measures: list[Measures]) -> str:
    """A fixed-width table: one row per bank (or course) and language."""
    head = (f"{'bank':<54} {'lang':<4} {'S/M/T':<8} {'chance':>6} {'best no-reading strategy':>26} "
            f"{'key/dist':>8} {'key-longest':>11} {'true':>5} {'ticks':<14} verdict")
    rows = [head, "-" * len(head)]
    for m in measures:
        name, score = m.best
        ratio = f"{m.length_ratio:.2f}" if m.length_ratio is not None else "-"
        longest = f"{m.key_longest:.0%}" if m.key_longest is not None else "-"
        true = f"{m.true_share:.0%}" if m.true_share is not None else "-"
        ticks = " ".join(f"{k}:{v}" for k, v in sorted(m.ticks.items())) or "-"
        counts = f"{m.counts['single']}/{m.counts['multiple']}/{m.counts['true_false']}"
        rows.append(f"{m.label:<54} {m.language:<4} {counts:<8} {m.scores['random']:>6.0%} "
                    f"{name + ' ' + format(score, '.0%'):>26} {ratio:>8} {longest:>11} {true:>5} {ticks:<14} "
                    f"{'FAIL' if m.failures else ('ok' if sum(m.counts.values()) >= MIN_ITEMS else 'too few')}")
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    cur = read_curriculum(root / "curricula", root / "assessments")
    only = None
    if argv:
        only = set()
        for arg in argv:
            path = Path(arg).resolve()
            try:
                only.add(str(path.relative_to(root)))
            except ValueError:
                only.add(arg)
    report = lint(cur, only)
    print(table(report.banks))
    print()
    print(table(report.courses))
    for problem in report.problems:
        print(problem)
    print(f"{len(report.problems)} cue problem(s).")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
