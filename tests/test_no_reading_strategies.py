"""A trainee who never reads cannot pass: every module quiz of the shipped curriculum, taken many times with
each no-reading strategy on what the quiz page shows, passes no more often than random guessing allows;
taken with the right answers, it passes."""

import random
from math import comb, sqrt

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Module, Question, QuestionBank
from app.extensions import db
from app.learning import services
from app.learning.models import ModuleProgress, QuizAttempt
from app.utils import utcnow
from tests.factories import create_test_user
from tests.quiz_helpers import answer_form

ATTEMPTS = 12  # per module and strategy: 29 modules x 12 = 348 attempts per strategy


def _pick_random(item, rng):
    if item["type"] == "true_false":
        return [rng.choice(["true", "false"])]
    values = [v for v, _t in item["options"]]
    if item["type"] == "single":
        return [rng.choice(values)]
    while True:
        chosen = [v for v in values if rng.random() < 0.5]
        if chosen:
            return chosen


def _by_length(item, rng, longest: bool):
    if item["type"] == "true_false":
        return [rng.choice(["true", "false"])]
    lengths = {v: len(t) for v, t in item["options"]}
    best = (max if longest else min)(lengths.values())
    if item["type"] == "single":
        return [rng.choice([v for v, n in lengths.items() if n == best])]
    mean = sum(lengths.values()) / len(lengths)
    chosen = [v for v, n in lengths.items() if (n > mean if longest else n < mean)]
    return chosen or [v for v, n in lengths.items() if n == best]


def _avoid_longest(item, rng):
    if item["type"] != "single":
        return _pick_random(item, rng)
    lengths = {v: len(t) for v, t in item["options"]}
    longest = max(lengths.values())
    return [rng.choice([v for v, n in lengths.items() if n != longest] or list(lengths))]


def _always(value):
    def strategy(item, rng):
        return [value] if item["type"] == "true_false" else _pick_random(item, rng)
    return strategy


def _ticks(k):
    def strategy(item, rng):
        if item["type"] != "multiple":
            return _pick_random(item, rng)
        values = [v for v, _t in item["options"]]
        return rng.sample(values, min(k, len(values)))
    return strategy


STRATEGIES = {
    "random": _pick_random,
    "longest": lambda i, r: _by_length(i, r, True),
    "shortest": lambda i, r: _by_length(i, r, False),
    "never the longest": _avoid_longest,
    "always true": _always("true"),
    "always false": _always("false"),
    "tick one": _ticks(1),
    "tick two": _ticks(2),
    "tick three": _ticks(3),
}


def _chance(question: Question) -> float:
    n = len(question.data.get("options", []))
    return {"true_false": 0.5, "single": 1 / max(n, 1)}.get(question.type, 1 / max(2 ** n - 1, 1))


def _chance_pass_probability(bank: QuestionBank, country: str, rng) -> float:
    """Probability that random guessing passes this bank's quiz: exact over the guessed items, averaged
    over random draws of the bank's questions."""
    pool = [q for q in bank.questions if not q.countries or country in q.countries]
    need = -(-bank.pass_mark * bank.draw_count // 100)
    total = 0.0
    draws = 400
    for _ in range(draws):
        chances = [_chance(q) for q in rng.sample(pool, bank.draw_count)]
        dist = [1.0]
        for p in chances:
            dist = [(dist[i] if i < len(dist) else 0) * (1 - p) + (dist[i - 1] * p if i > 0 else 0)
                    for i in range(len(dist) + 1)]
        total += sum(dist[need:])
    return total / draws


@pytest.fixture
def reader(real_app):
    with real_app.test_request_context():
        ref = create_test_user(email="no-reader@example.org", country="AL", language="en")
        user = db.session.get(User, ref["id"])
        modules = db.session.scalars(sa.select(Module).filter_by(retired=False).order_by(Module.id)).all()
        for module in modules:
            version = db.session.get(services.ModuleVersion, module.current_version_id)
            db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, module_version_id=version.id,
                                          furthest_section=version.section_count - 1, reached_end_at=utcnow()))
        db.session.commit()
        yield user, modules


def test_no_reading_strategy_passes_more_often_than_chance(real_app, reader):
    user, modules = reader
    rng = random.Random(7)
    with real_app.test_request_context():
        user = db.session.get(User, user.id)
        expected = 0.0
        passes = {name: 0 for name in STRATEGIES}
        for module in modules:
            module = db.session.get(Module, module.id)
            bank = db.session.get(QuestionBank, module.current_bank_id)
            p0 = _chance_pass_probability(bank, user.country_code, rng)
            expected += p0 * ATTEMPTS
            for name, strategy in STRATEGIES.items():
                for _ in range(ATTEMPTS):
                    attempt = services.start_quiz(user, module)
                    view = services.quiz_form_view(attempt)
                    form = {item["field"]: strategy(item, rng) for item in view["questions"]}
                    services.submit_quiz(user, attempt.token, form)
                    passes[name] += bool(attempt.passed)
            db.session.commit()
        # Passes of a guesser are a sum of rare events: allow chance plus four standard deviations.
        allowed = expected + 4 * sqrt(max(expected, 1.0))
        assert all(count <= allowed for count in passes.values()), (passes, expected, allowed)
        # The strategies really were played: every attempt was recorded.
        submitted = db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).filter_by(user_id=user.id))
        assert submitted == ATTEMPTS * len(STRATEGIES) * len(modules)


def test_a_trainee_who_knows_the_answers_passes_every_module_quiz(real_app, reader):
    user, modules = reader
    with real_app.test_request_context():
        user = db.session.get(User, user.id)
        for module in modules:
            module = db.session.get(Module, module.id)
            attempt = services.start_quiz(user, module)
            token = attempt.token
            db.session.commit()
            services.submit_quiz(user, token, answer_form(real_app, token, right=True))
            db.session.commit()
            attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
            assert attempt.passed and attempt.score_percent == 100, module.slug


def test_the_chance_pass_probability_is_computed_right():
    """The exact computation above, checked against a closed form: 6 true/false items, 5 needed."""
    class Q:
        type, countries, data = "true_false", None, {}

    class Bank:
        questions, pass_mark, draw_count = [Q() for _ in range(6)], 70, 6

    p = _chance_pass_probability(Bank, "AL", random.Random(1))
    assert p == pytest.approx((comb(6, 5) + comb(6, 6)) / 2 ** 6)
