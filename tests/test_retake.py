"""Attempts that resist guessing: a retake asks what was not just asked; limits and pauses are shown first."""

from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Module, QuestionBank
from app.curriculum.tree import read_curriculum
from app.extensions import db
from app.learning import services
from app.learning.models import ModuleProgress, QuizAttempt
from app.utils import utcnow
from tests.conftest import login
from tests.quiz_helpers import answer_form, begin, open_quiz

SLUG = "police-01-basics"


def _ready(app, user_id):
    module = db.session.scalar(sa.select(Module).filter_by(slug=SLUG))
    db.session.add(ModuleProgress(user_id=user_id, module_id=module.id, module_version_id=module.current_version_id,
                                  furthest_section=2, reached_end_at=utcnow()))
    db.session.commit()
    return db.session.get(User, user_id), module


def test_a_retake_draws_the_questions_not_seen_in_the_last_attempt(app, trainee):
    # Albania: 4 questions, 3 drawn; after an attempt, the next must include the one not seen.
    with app.test_request_context():
        user, module = _ready(app, trainee["id"])
        for _ in range(5):
            first = services.start_quiz(user, module)
            token = first.token
            db.session.commit()
            seen = {e["question_id"] for e in first.drawn}
            services.submit_quiz(user, token, answer_form(app, token, right=False))
            db.session.commit()
            second = services.start_quiz(user, module)
            db.session.commit()
            fresh = {e["question_id"] for e in second.drawn} - seen
            assert len(fresh) == 1, "the question not seen before must be drawn"
            services.submit_quiz(user, second.token, answer_form(app, second.token, right=False))
            db.session.commit()


def test_attempt_limit_and_pause_are_shown_before_and_enforced(app, client, trainee):
    with app.test_request_context():
        user, module = _ready(app, trainee["id"])
        bank = db.session.get(QuestionBank, module.current_bank_id)
        bank.max_attempts, bank.retake_wait_minutes = 2, 60
        db.session.commit()
    try:
        login(client, trainee["email"])
        begin(client, SLUG)
        page = client.get(f"/learn/modules/{SLUG}").get_data(as_text=True)
        assert "This quiz can be taken 2 times." in page and "You have 2 attempts left." in page
        assert "the next one opens 60 minutes later" in page
        quiz = open_quiz(client, SLUG)
        assert quiz.status_code == 200
        with app.app_context():
            attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(user_id=trainee["id"]))
            token = attempt.token
        from tests.conftest import csrf_from
        client.post(f"/learn/modules/{SLUG}/quiz",
                    data={"csrf_token": csrf_from(quiz.text), "attempt": token, **answer_form(app, token, right=False)})
        # Within the pause: no new attempt, and the page says when.
        blocked = client.get(f"/learn/modules/{SLUG}/quiz")
        assert blocked.status_code == 302
        page = client.get(f"/learn/modules/{SLUG}").get_data(as_text=True)
        assert "The next attempt opens at" in page and 'id="retake-blocked"' in page
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).filter_by(user_id=trainee["id"])) == 1
            # After the pause, the second (last) attempt.
            done = db.session.scalar(sa.select(QuizAttempt).filter_by(user_id=trainee["id"]))
            done.submitted_at = utcnow() - timedelta(minutes=61)
            db.session.commit()
        quiz = open_quiz(client, SLUG)
        assert quiz.status_code == 200
        with app.app_context():
            token = db.session.scalar(sa.select(QuizAttempt.token).filter_by(user_id=trainee["id"], submitted_at=None))
        client.post(f"/learn/modules/{SLUG}/quiz",
                    data={"csrf_token": csrf_from(quiz.text), "attempt": token, **answer_form(app, token, right=False)})
        with app.app_context():
            for a in db.session.scalars(sa.select(QuizAttempt).filter_by(user_id=trainee["id"])):
                a.submitted_at = utcnow() - timedelta(minutes=120)
            db.session.commit()
        assert client.get(f"/learn/modules/{SLUG}/quiz").status_code == 302
        page = client.get(f"/learn/modules/{SLUG}").get_data(as_text=True)
        assert "You have used every attempt at this quiz." in page
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).filter_by(user_id=trainee["id"])) == 2
    finally:
        with app.app_context():
            bank = db.session.get(QuestionBank, db.session.scalar(sa.select(Module).filter_by(slug=SLUG)).current_bank_id)
            bank.max_attempts = bank.retake_wait_minutes = None
            db.session.commit()


def test_a_wrong_answer_links_back_to_its_section(app, client, trainee):
    with app.test_request_context():
        user, module = _ready(app, trainee["id"])
        attempt = services.start_quiz(user, module)
        token = attempt.token
        db.session.commit()
    login(client, trainee["email"])
    quiz = open_quiz(client, SLUG)
    from tests.conftest import csrf_from
    response = client.post(f"/learn/modules/{SLUG}/quiz",
                           data={"csrf_token": csrf_from(quiz.text), "attempt": token,
                                 **answer_form(app, token, right=False)})
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/learn/modules/{SLUG}/sections/' in result and "Read section" in result


def test_retake_rules_are_read_and_checked(mini_copy):
    bank = mini_copy / "assessments" / "police" / "police-01-basics.yml"
    text = bank.read_text("utf-8")
    bank.write_text(text.replace("draw: 3\n", "draw: 3\nretake: {max_attempts: 3, wait_minutes: 30}\n"), "utf-8")
    cur = read_curriculum(mini_copy / "curricula", mini_copy / "assessments")
    assert cur.problems == [] and cur.banks["police-01-basics"].retake == {"max_attempts": 3, "wait_minutes": 30}
    bank.write_text(text.replace("draw: 3\n", "draw: 3\nretake: {max_attempts: 0, every: 30}\n"), "utf-8")
    found = [str(p) for p in read_curriculum(mini_copy / "curricula", mini_copy / "assessments").problems]
    assert any("unexpected keys 'every'" in p for p in found), found
    assert any("field 'max_attempts' must be between 1 and 100" in p for p in found), found


def test_a_section_that_is_not_a_heading_is_refused(mini_copy):
    bank = mini_copy / "assessments" / "police" / "police-01-basics.yml"
    bank.write_text(bank.read_text("utf-8").replace("section: First section", "section: First sektion"), "utf-8")
    found = [str(p) for p in read_curriculum(mini_copy / "curricula", mini_copy / "assessments").problems]
    assert any("names section 'First sektion', which is not a '## ' heading" in p for p in found), found
