"""Quiz submissions that must be refused and change nothing: tampered, replayed, foreign, no CSRF."""

import pytest
import sqlalchemy as sa

from app.curriculum.models import Module, Question
from app.extensions import db
from app.learning.models import ModuleProgress, QuizAttempt
from tests.conftest import csrf_from, login
from tests.quiz_helpers import answer_form, attempt_token, read_all_sections, submit
from tests.quiz_helpers import open_quiz as open_quiz_page

SLUG = "police-01-basics"


def snapshot(app):
    """Everything a submission could change."""
    with app.app_context():
        attempts = [
            (a.token, a.submitted_at, a.answers, a.correct_count, a.passed)
            for a in db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id))
        ]
        progress = [
            (p.user_id, p.furthest_section, p.quiz_passed_at, p.completed_at)
            for p in db.session.scalars(sa.select(ModuleProgress).order_by(ModuleProgress.id))
        ]
        return attempts, progress


@pytest.fixture
def open_quiz(app, trainee_client):
    read_all_sections(trainee_client, SLUG, 3)
    page = open_quiz_page(trainee_client, SLUG).text
    token = attempt_token(page)
    return {"token": token, "csrf": csrf_from(page), "form": answer_form(app, token, right=True)}


def undrawn_question_id(app, token):
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        drawn = {e["question_id"] for e in attempt.drawn}
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        ids = db.session.scalars(sa.select(Question.id).filter_by(bank_id=module.current_bank_id)).all()
        return next(i for i in ids if i not in drawn)


def test_unknown_question_id_is_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    form = dict(open_quiz["form"], **{"q-999999": ["1"]})
    response = submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], form)
    assert response.status_code == 400
    assert "not drawn" in response.text
    assert snapshot(app) == before


def test_answer_for_a_question_not_drawn_is_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    form = dict(open_quiz["form"], **{f"q-{undrawn_question_id(app, open_quiz['token'])}": ["true"]})
    response = submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], form)
    assert response.status_code == 400
    assert snapshot(app) == before


def test_malformed_field_name_is_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    form = dict(open_quiz["form"], **{"q-abc": ["1"]})
    assert submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], form).status_code == 400
    assert snapshot(app) == before


def test_option_outside_the_choices_is_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    field = next(iter(open_quiz["form"]))
    form = dict(open_quiz["form"], **{field: ["7"]})
    response = submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], form)
    assert response.status_code == 400 and "not one of the options" in response.text
    assert snapshot(app) == before


def test_several_answers_to_a_single_answer_question_are_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=open_quiz["token"]))
        types = {q.id: q.type for q in db.session.scalars(sa.select(Question))}
        single = next(e["question_id"] for e in attempt.drawn if types[e["question_id"]] != "multiple")
    form = dict(open_quiz["form"], **{f"q-{single}": ["1", "2"] if types[single] == "single" else ["true", "false"]})
    assert submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], form).status_code == 400
    assert snapshot(app) == before


def test_replayed_submission_is_rejected_and_the_first_result_stands(app, trainee_client, open_quiz):
    first = submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], open_quiz["form"])
    assert first.status_code == 302
    before = snapshot(app)
    wrong = answer_form(app, open_quiz["token"], right=False)
    replay = submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], wrong)
    assert replay.status_code == 409
    assert "already been submitted" in replay.text
    assert snapshot(app) == before


def test_another_trainees_attempt_cannot_be_submitted(app, client, trainee_client, open_quiz, make_user):
    other = make_user(email="other@example.org")
    other_client = app.test_client()
    login(other_client, other["email"])
    page = other_client.get("/learn/").text
    before = snapshot(app)
    response = submit(other_client, SLUG, open_quiz["token"], csrf_from(page), open_quiz["form"])
    assert response.status_code == 404
    assert snapshot(app) == before


def test_submission_without_csrf_token_is_rejected(app, trainee_client, open_quiz):
    before = snapshot(app)
    response = trainee_client.post(f"/learn/modules/{SLUG}/quiz", data={"attempt": open_quiz["token"], **open_quiz["form"]})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_a_result_page_of_another_trainee_is_not_shown(app, trainee_client, open_quiz, make_user):
    submit(trainee_client, SLUG, open_quiz["token"], open_quiz["csrf"], open_quiz["form"])
    other = make_user(email="other2@example.org")
    other_client = app.test_client()
    login(other_client, other["email"])
    assert other_client.get(f"/learn/results/{open_quiz['token']}").status_code == 404
    assert trainee_client.get(f"/learn/results/{open_quiz['token']}").status_code == 200
