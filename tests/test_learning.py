"""The trainee learning loop: dashboard, reading in order, quiz, completion."""

import sqlalchemy as sa
from markupsafe import escape

from app.curriculum.models import Question
from app.extensions import db
from app.learning.models import ModuleProgress, QuizAttempt
from tests.conftest import csrf_from
from tests.quiz_helpers import (
    answer_form,
    attempt_token,
    begin,
    open_quiz,
    read_all_sections,
    submit,
)

SLUG = "police-01-basics"


def progress_row(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(ModuleProgress).filter_by(user_id=user_id))


def test_dashboard_lists_the_course_of_the_trainees_prong(trainee_client):
    page = trainee_client.get("/learn/").text
    assert "Test police course" in page
    assert "Basics" in page
    assert "0 of 1 modules complete" in page
    assert 'data-state="not_started"' in page


def test_trainee_of_another_prong_cannot_open_the_module(client, make_user):
    from tests.conftest import login

    judge = make_user(email="judge@example.org", category="judiciary")
    login(client, judge["email"])
    assert client.get(f"/learn/modules/{SLUG}").status_code == 404
    assert "No course is available" in client.get("/learn/").text


def test_sections_are_read_in_order_and_progress_is_remembered(app, trainee_client, trainee):
    begin(trainee_client, SLUG)
    response = trainee_client.get(f"/learn/modules/{SLUG}/sections/3")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sections/1")
    page = trainee_client.get(f"/learn/modules/{SLUG}/sections/1")
    assert "The first section text." in page.text
    trainee_client.post(f"/learn/modules/{SLUG}/sections/1/read", data={"csrf_token": csrf_from(page.text)})
    assert progress_row(app, trainee["id"]).furthest_section == 0
    # Skipping section 2 by posting section 3 directly is refused and records nothing.
    trainee_client.post(f"/learn/modules/{SLUG}/sections/3/read", data={"csrf_token": csrf_from(page.text)})
    row = progress_row(app, trainee["id"])
    assert row.furthest_section == 0 and row.reached_end_at is None
    overview = trainee_client.get(f"/learn/modules/{SLUG}").text
    assert f"/learn/modules/{SLUG}/sections/2" in overview and "Continue reading" in overview


def test_quiz_is_closed_until_the_module_is_read(app, trainee_client, trainee):
    response = trainee_client.get(f"/learn/modules/{SLUG}/quiz")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0


def test_quiz_page_carries_no_answer_key_or_explanations(app, trainee_client):
    read_all_sections(trainee_client, SLUG, 3)
    page = open_quiz(trainee_client, SLUG).text
    for secret in ("Recruitment is an act.", "Consent is irrelevant", "Deception and abduction are means",
                   "correct", "explanation"):
        assert secret not in page
    # Option values are display positions, not the author's option ids.
    assert 'value="a"' not in page and 'value="1"' in page


def test_failing_then_passing_completes_the_module_and_the_course(app, trainee_client, trainee):
    read_all_sections(trainee_client, SLUG, 3)
    assert progress_row(app, trainee["id"]).reached_end_at is not None
    page = open_quiz(trainee_client, SLUG).text
    token = attempt_token(page)
    result = submit(trainee_client, SLUG, token, csrf_from(page), answer_form(app, token, right=False))
    assert result.status_code == 302
    outcome = trainee_client.get(result.headers["Location"]).text
    assert "Not passed: 0 of 3 right (0%)" in outcome
    assert progress_row(app, trainee["id"]).completed_at is None
    page = open_quiz(trainee_client, SLUG).text
    token2 = attempt_token(page)
    assert token2 != token
    result = submit(trainee_client, SLUG, token2, csrf_from(page), answer_form(app, token2, right=True))
    outcome = trainee_client.get(result.headers["Location"]).text
    assert "Passed: 3 of 3 right (100%)" in outcome and "Module complete" in outcome
    row = progress_row(app, trainee["id"])
    assert row.completed_at is not None and row.quiz_passed_at is not None
    dashboard = trainee_client.get("/learn/").text
    assert "Course complete" in dashboard and "1 of 1 modules complete" in dashboard
    assert "best quiz score 100%" in dashboard


def test_results_show_explanations_after_submission(app, trainee_client):
    read_all_sections(trainee_client, SLUG, 3)
    page = open_quiz(trainee_client, SLUG).text
    token = attempt_token(page)
    result = submit(trainee_client, SLUG, token, csrf_from(page), answer_form(app, token, right=True))
    outcome = trainee_client.get(result.headers["Location"]).text
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        explanations = [db.session.get(Question, e["question_id"]).data["explanation"] for e in attempt.drawn]
    assert len(explanations) == 3
    for explanation in explanations:  # every drawn question's explanation, and only after submitting
        assert str(escape(explanation)) in outcome, explanation
        assert str(escape(explanation)) not in page


def test_reopening_the_quiz_reuses_the_open_attempt(app, trainee_client):
    read_all_sections(trainee_client, SLUG, 3)
    first = attempt_token(open_quiz(trainee_client, SLUG).text)
    second = attempt_token(open_quiz(trainee_client, SLUG).text)
    assert first == second
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1


def test_unanswered_question_reshows_the_form_and_records_nothing(app, trainee_client):
    read_all_sections(trainee_client, SLUG, 3)
    page = open_quiz(trainee_client, SLUG).text
    token = attempt_token(page)
    form = answer_form(app, token, right=True)
    dropped = sorted(form)[0]
    kept = {k: v for k, v in form.items() if k != dropped}
    response = submit(trainee_client, SLUG, token, csrf_from(page), kept)
    assert response.status_code == 422
    with app.app_context():
        drawn = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token)).drawn
    number = next(n for n, e in enumerate(drawn, start=1) if f"q-{e['question_id']}" == dropped)
    assert f"Please answer question {number} before submitting." in response.text  # it names which
    for field, values in kept.items():  # answers given so far are kept
        assert f'name="{field}" id="{field}-{values[0]}" value="{values[0]}"\n        checked' in response.text
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        assert attempt.submitted_at is None


def test_country_specific_questions_are_drawn_only_for_that_country(app, make_user):
    from app.auth.models import User
    from app.curriculum.models import Module, Question
    from app.learning import services

    serbian = make_user(email="rs@example.org", country="RS")
    with app.app_context():
        user = db.session.get(User, serbian["id"])
        module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
        for index in range(3):
            services.record_section_read(user, module, index)
        only_al = db.session.scalar(sa.select(Question.id).filter_by(key="q4", bank_id=module.current_bank_id))
        for _ in range(5):
            attempt = services.start_quiz(user, module)
            assert only_al not in [e["question_id"] for e in attempt.drawn]
            attempt.submitted_at, attempt.passed, attempt.score_percent = services.utcnow(), False, 0  # close it to draw anew
            db.session.flush()
        db.session.rollback()
