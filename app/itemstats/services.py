"""Item statistics for a module's question bank, as Moodle's quiz statistics report gives them and more.

Per question, over the submitted module-quiz answers stored in `AttemptAnswer`:

* facility: the share of answers that were right;
* discrimination: the point-biserial correlation between being right on this question and the share
  right of the rest of the same attempt (Moodle's discrimination index is this correlation);
* options: how often each option was chosen (true/false: each value);
* flags: too easy, too hard, negatively or weakly discriminating, a distractor nobody picks;

overall, and split by the trainee's language and country, because a translation error shows up as
one language's drop. All figures come from one aggregate query of additive sums (count, right,
rest, rest squared, right x rest, and one count per option bit) grouped by question, language and
country; the splits and the overall figure are sums of those groups. A second query gives the pre-
and post-test facility per module (knowledge gain). Every count is protected as coverage protects it
(app/foundation/disclosure.py, the cell-key method): the numbers of answers, of right answers and of
each option's choices are published perturbed by the record keys of the people who gave them, shares
are read from the perturbed counts, and a group whose perturbed number of people is under the
threshold is withheld (people are counted per question, language and country and summed for the
coarser groups: exact unless a trainee changed language or country between attempts, when they count
twice). Definitions: docs/item-statistics.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import sqrt

import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Country, Course, Module, Question, QuestionBank
from app.extensions import db
from app.foundation import disclosure
from app.foundation.disclosure import DEFAULT_THRESHOLD
from app.learning.models import AttemptAnswer

#: Option bits read per question (options are at most this many).
MAX_OPTIONS = 10
TOO_EASY = 0.90
TOO_HARD = 0.25
WEAK_DISCRIMINATION = 0.15
#: A wrong option chosen by fewer than this share of answers "is picked by nobody"...
UNUSED_DISTRACTOR = 0.02
#: ...judged only once this many answers are in.
UNUSED_DISTRACTOR_MIN_N = 20


@dataclass
class Sums:
    n: int = 0
    people: int = 0
    right: int = 0
    rest_n: int = 0
    rest: float = 0.0
    rest2: float = 0.0
    right_rest: float = 0.0
    bits: list[int] = field(default_factory=lambda: [0] * MAX_OPTIONS)
    #: Sums of the answerers' record keys: of every answer, of the right ones, and per option bit.
    key_n: int = 0
    key_right: int = 0
    key_bits: list[int] = field(default_factory=lambda: [0] * MAX_OPTIONS)

    def add(self, other: Sums) -> None:
        self.n += other.n
        self.people += other.people
        self.right += other.right
        self.rest_n += other.rest_n
        self.rest += other.rest
        self.rest2 += other.rest2
        self.right_rest += other.right_rest
        self.bits = [a + b for a, b in zip(self.bits, other.bits, strict=True)]
        self.key_n += other.key_n
        self.key_right += other.key_right
        self.key_bits = [a + b for a, b in zip(self.key_bits, other.key_bits, strict=True)]


@dataclass
class Cell:
    """The figures of one question over one group of answers (withheld: every figure None)."""

    n: int | None
    withheld: bool
    facility: float | None
    discrimination: float | None
    option_shares: list[float] | None
    flags: list[str]


def _discrimination(s: Sums) -> float | None:
    """Point-biserial r between right (0/1) and the rest-of-attempt score, from the sums."""
    n = s.rest_n
    if n < 2:
        return None
    mean_x, mean_r = s.right / s.n, s.rest / n
    var_x = mean_x - mean_x ** 2
    var_r = s.rest2 / n - mean_r ** 2
    if var_x <= 1e-12 or var_r <= 1e-12:
        return None
    cov = s.right_rest / n - mean_x * mean_r
    return max(-1.0, min(1.0, cov / sqrt(var_x * var_r)))


def _share(part: int, whole: int) -> float:
    return max(0.0, min(1.0, part / whole))


def _cell(s: Sums, question: Question, threshold: int) -> Cell:
    if disclosure.perturb(s.people, s.key_n) < threshold:
        return Cell(None if s.n else 0, s.n > 0, None, None, None, [])
    n = max(1, disclosure.perturb(s.n, s.key_n))
    facility = _share(disclosure.perturb(s.right, s.key_right), n)
    disc = _discrimination(s)
    count = 2 if question.type == "true_false" else len(question.data.get("options", []))
    shares = [_share(disclosure.perturb(s.bits[i], s.key_bits[i]), n) for i in range(count)]
    flags = []
    if facility > TOO_EASY:
        flags.append("too_easy")
    if facility < TOO_HARD:
        flags.append("too_hard")
    if disc is not None and disc < 0:
        flags.append("negative_discrimination")
    elif disc is not None and disc < WEAK_DISCRIMINATION:
        flags.append("weak_discrimination")
    if question.type != "true_false" and n >= UNUSED_DISTRACTOR_MIN_N:
        key = question.data["answer"]
        keys = set(key) if isinstance(key, list) else {key}
        ids = [o["id"] for o in question.data.get("options", [])]
        if any(oid not in keys and shares[i] < UNUSED_DISTRACTOR for i, oid in enumerate(ids)):
            flags.append("unused_distractor")
    return Cell(n, False, facility, disc, shares, flags)


def _grouped_sums(bank_id: int) -> dict[tuple[int, str, str], Sums]:
    """The one aggregate query: additive sums per question, language and country."""
    a = AttemptAnswer
    rest = a.rest_score
    columns = [
        a.question_id, a.language, a.country_code, sa.func.count(), sa.func.count(sa.distinct(a.user_id)),
        sa.func.sum(a.correct),
        sa.func.count(rest), sa.func.sum(rest), sa.func.sum(rest * rest), sa.func.sum(a.correct * rest),
    ] + [sa.func.sum(sa.case((a.chosen_mask.op("&")(1 << i) > 0, 1), else_=0)) for i in range(MAX_OPTIONS)]
    key = User.record_key
    columns += [sa.func.sum(key), sa.func.sum(sa.case((a.correct == 1, key), else_=0))]
    columns += [sa.func.sum(sa.case((a.chosen_mask.op("&")(1 << i) > 0, key), else_=0)) for i in range(MAX_OPTIONS)]
    rows = db.session.execute(
        sa.select(*columns).join(User, User.id == a.user_id).where(a.bank_id == bank_id, a.kind == "module")
        .group_by(a.question_id, a.language, a.country_code)
    )
    out = {}
    for qid, language, country, n, people, right, rest_n, rest_sum, rest2, right_rest, *rest in rows:
        bits, key_n, key_right = rest[:MAX_OPTIONS], rest[MAX_OPTIONS], rest[MAX_OPTIONS + 1]
        key_bits = rest[MAX_OPTIONS + 2:]
        out[(qid, language, country)] = Sums(n, people, int(right or 0), rest_n, float(rest_sum or 0), float(rest2 or 0),
                                             float(right_rest or 0), [int(b or 0) for b in bits], int(key_n or 0),
                                             int(key_right or 0), [int(k or 0) for k in key_bits])
    return out


@dataclass
class QuestionStats:
    question: Question
    overall: Cell
    by_language: dict[str, Cell]
    by_country: dict[str, Cell]


def bank_statistics(module: Module, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """Figures for every question of the module's current bank."""
    bank = db.session.get(QuestionBank, module.current_bank_id) if module.current_bank_id else None
    if bank is None:
        return {"bank": None, "questions": [], "languages": [], "countries": []}
    sums = _grouped_sums(bank.id)
    languages = sorted({lang for _q, lang, _c in sums})
    countries = sorted({c for _q, _l, c in sums})
    result = []
    for question in bank.questions:
        overall, by_lang, by_country = Sums(), {}, {}
        for (qid, lang, country), s in sums.items():
            if qid != question.id:
                continue
            overall.add(s)
            by_lang.setdefault(lang, Sums()).add(s)
            by_country.setdefault(country, Sums()).add(s)
        result.append(QuestionStats(
            question, _cell(overall, question, threshold),
            {lang: _cell(by_lang.get(lang, Sums()), question, threshold) for lang in languages},
            {c: _cell(by_country.get(c, Sums()), question, threshold) for c in countries},
        ))
    return {"bank": bank, "questions": result, "languages": languages, "countries": countries,
            "threshold": threshold}


def knowledge_gain(course: Course, threshold: int = DEFAULT_THRESHOLD) -> list[dict]:
    """Pre- and post-test facility per module of the course (its questions in those tests)."""
    a = AttemptAnswer
    ids = [m.id for m in course.modules]
    rows = db.session.execute(
        sa.select(a.module_id, a.kind, sa.func.count(), sa.func.count(sa.distinct(a.user_id)), sa.func.sum(a.correct),
                  sa.func.sum(User.record_key), sa.func.sum(sa.case((a.correct == 1, User.record_key), else_=0)))
        .join(User, User.id == a.user_id)
        .where(a.module_id.in_(ids), a.kind.in_(("pre_test", "post_test")))
        .group_by(a.module_id, a.kind)
    )
    got = {(mid, kind): (n, people, int(right or 0), int(kn or 0), int(kr or 0))
           for mid, kind, n, people, right, kn, kr in rows}
    out = []
    for module in course.modules:
        entry = {"module": module}
        for kind in ("pre_test", "post_test"):
            n, people, right, key_n, key_right = got.get((module.id, kind), (0, 0, 0, 0, 0))
            shown = disclosure.perturb(people, key_n) >= threshold
            published_n = max(1, disclosure.perturb(n, key_n))
            entry[kind] = {"n": published_n if shown else None, "withheld": people > 0 and not shown,
                           "facility": _share(disclosure.perturb(right, key_right), published_n) if shown else None}
        pre, post = entry["pre_test"]["facility"], entry["post_test"]["facility"]
        entry["gain"] = None if pre is None or post is None else post - pre
        out.append(entry)
    return out


def module_by_slug(slug: str) -> Module | None:
    return db.session.scalar(sa.select(Module).filter_by(slug=slug, retired=False))


def modules() -> list[Module]:
    return list(db.session.scalars(
        sa.select(Module).join(Course, Course.id == Module.course_id).where(Module.retired.is_(False))
        .order_by(Course.id, Module.position)
    ))


def courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.id)))


def country_names() -> dict[str, str]:
    return dict(db.session.execute(sa.select(Country.code, Country.name)).all())


CSV_HEADER = ["module", "question", "type", "section", "group", "answers", "facility", "discrimination",
              "option", "option_chosen_share", "option_correct", "flags"]


def csv_rows(module: Module, stats: dict) -> list[list]:
    """The statistics as rows for a CSV file (CSV_HEADER): one per question, group and option."""
    rows = []
    for qs in stats["questions"]:
        q = qs.question
        groups = [("all", qs.overall)] + [(f"language:{k}", v) for k, v in qs.by_language.items()] \
            + [(f"country:{k}", v) for k, v in qs.by_country.items()]
        key = q.data["answer"]
        keys = set(key) if isinstance(key, list) else {key}
        options = ([("true", True in keys or key is True), ("false", key is False)] if q.type == "true_false"
                   else [(o["id"], o["id"] in keys) for o in q.data.get("options", [])])
        for label, cell in groups:
            base = [module.slug, q.key, q.type, q.data.get("section") or "", label,
                    "withheld" if cell.withheld else cell.n,
                    _fmt(cell.facility), _fmt(cell.discrimination)]
            for i, (oid, correct) in enumerate(options):
                share = cell.option_shares[i] if cell.option_shares else None
                rows.append(base + [oid, _fmt(share), "yes" if correct else "no", " ".join(cell.flags)])
    return rows


def _fmt(value: float | None) -> float | str:
    """A figure rounded for the CSV (a number, so that a negative one is not taken for a formula), or blank."""
    return "" if value is None else round(value, 3)
