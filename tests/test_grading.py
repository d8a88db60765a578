"""Grading on the server: single, multiple and true/false, and the pass mark."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Module, Question
from app.extensions import db
from app.learning import services

SLUG = "police-01-basics"


@pytest.fixture
def trainee(make_user):
    """A Serbian trainee: the mini bank has exactly three questions for RS, so every type is drawn."""
    return make_user(email="rs.trainee@example.org", country="RS")


def ready_attempt(app, user_id):
    user = db.session.get(User, user_id)
    module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
    for index in range(3):
        services.record_section_read(user, module, index)
    return user, services.start_quiz(user, module)


def form_for(attempt, choose):
    """`choose(question, order)` returns the option ids (or [bool]) to pick."""
    questions = {q.id: q for q in db.session.scalars(sa.select(Question))}
    form = {}
    for entry in attempt.drawn:
        q = questions[entry["question_id"]]
        picked = choose(q, entry["order"])
        if q.type == "true_false":
            form[f"q-{q.id}"] = ["true" if picked[0] else "false"]
        else:
            form[f"q-{q.id}"] = [str(entry["order"].index(oid) + 1) for oid in picked]
    return form


def right(q, order):
    key = q.data["answer"]
    return [key] if q.type == "true_false" else (key if isinstance(key, list) else [key])


def test_all_right_scores_100_and_passes(app, trainee):
    with app.app_context():
        user, attempt = ready_attempt(app, trainee["id"])
        graded = services.submit_quiz(user, attempt.token, form_for(attempt, right))
        assert (graded.correct_count, graded.score_percent, graded.passed) == (3, 100, True)
        db.session.rollback()


def test_partial_multiple_response_counts_as_wrong(app, trainee):
    with app.app_context():
        user, attempt = ready_attempt(app, trainee["id"])

        def partial(q, order):
            if q.type == "multiple":
                return q.data["answer"][:1]  # one of the two right options only
            return right(q, order)

        graded = services.submit_quiz(user, attempt.token, form_for(attempt, partial))
        assert graded.correct_count == 2
        stored = graded.answers
        multiple_id = next(e["question_id"] for e in attempt.drawn if db.session.get(Question, e["question_id"]).type == "multiple")
        assert stored[str(multiple_id)] == ["a"]  # the author's option id is recorded, not the position
        db.session.rollback()


def test_multiple_response_with_an_extra_option_counts_as_wrong(app, trainee):
    with app.app_context():
        user, attempt = ready_attempt(app, trainee["id"])

        def extra(q, order):
            return list(order) if q.type == "multiple" else right(q, order)

        graded = services.submit_quiz(user, attempt.token, form_for(attempt, extra))
        assert graded.correct_count == 2
        db.session.rollback()


def test_pass_mark_boundary(app, trainee):
    """Pass mark 60% of 3 questions: 2 right (67%) passes, 1 right (33%) does not."""
    with app.app_context():
        user, attempt = ready_attempt(app, trainee["id"])
        first_id = attempt.drawn[0]["question_id"]

        def all_but_first(q, order):
            if q.id != first_id:
                return right(q, order)
            if q.type == "true_false":
                return [not q.data["answer"]]
            keys = set(q.data["answer"]) if isinstance(q.data["answer"], list) else {q.data["answer"]}
            return [next(o for o in order if o not in keys)]

        graded = services.submit_quiz(user, attempt.token, form_for(attempt, all_but_first))
        assert (graded.correct_count, graded.score_percent, graded.passed) == (2, 67, True)
        db.session.rollback()
        user, attempt = ready_attempt(app, trainee["id"])
        second_ids = {attempt.drawn[0]["question_id"], attempt.drawn[1]["question_id"]}

        def one_right(q, order):
            if q.id not in second_ids:
                return right(q, order)
            if q.type == "true_false":
                return [not q.data["answer"]]
            keys = set(q.data["answer"]) if isinstance(q.data["answer"], list) else {q.data["answer"]}
            return [next(o for o in order if o not in keys)]

        graded = services.submit_quiz(user, attempt.token, form_for(attempt, one_right))
        assert (graded.correct_count, graded.score_percent, graded.passed) == (1, 33, False)
        db.session.rollback()


def test_option_order_is_shuffled_per_attempt(app, trainee):
    with app.app_context():
        user, _ = ready_attempt(app, trainee["id"])
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        orders = set()
        for _ in range(30):
            attempt = services.start_quiz(user, module)
            orders.add(tuple(tuple(e["order"]) for e in sorted(attempt.drawn, key=lambda e: e["question_id"])))
            attempt.submitted_at, attempt.passed, attempt.score_percent = services.utcnow(), False, 0
            db.session.flush()
        assert len(orders) > 1
        db.session.rollback()
