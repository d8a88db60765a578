"""Course pre-tests and post-tests, and the knowledge gain they measure."""

from datetime import date, datetime

import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.coverage import services as coverage
from app.curriculum.models import Course, Question
from app.extensions import db
from app.foundation import disclosure
from app.learning.models import QuizAttempt
from tests.conftest import csrf_from, login
from tests.quiz_helpers import (
    answer_form,
    attempt_token,
    open_course_test,
    open_quiz,
    read_all_sections,
    submit,
)

SLUG = "police-01-basics"


def course_id(app):
    with app.app_context():
        return db.session.scalar(sa.select(Course.id).filter_by(prong="police"))


def take_test(app, client, cid, which, right=True):
    page = open_course_test(client, cid, which)
    assert page.status_code == 200, page.status_code
    token = attempt_token(page.text)
    response = client.post(f"/learn/courses/{cid}/{which}", data={
        "csrf_token": csrf_from(page.text), "attempt": token, **answer_form(app, token, right=right)})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).text


def test_pre_test_before_the_course_post_test_after(app, trainee_client, trainee):
    cid = course_id(app)
    dashboard = trainee_client.get("/learn/").text
    assert "Pre-test: choose before you start" in dashboard and "Post-test: opens when the course is complete" in dashboard
    assert trainee_client.get(f"/learn/courses/{cid}/post-test").status_code == 302  # not yet
    result = take_test(app, trainee_client, cid, "pre-test", right=False)
    assert "Pre-test result" in result and "0 of 3 right (0%)" in result
    assert trainee_client.get(f"/learn/courses/{cid}/pre-test").status_code == 302  # only once
    read_all_sections(trainee_client, SLUG, 3)
    quiz = open_quiz(trainee_client, SLUG).text
    token = attempt_token(quiz)
    submit(trainee_client, SLUG, token, csrf_from(quiz), answer_form(app, token, right=True))
    assert "Take the post-test" in trainee_client.get("/learn/").text
    result = take_test(app, trainee_client, cid, "post-test", right=True)
    assert "3 of 3 right (100%)" in result
    dashboard = trainee_client.get("/learn/").text
    assert "Pre-test: 0%" in dashboard and "Post-test: 100%" in dashboard
    with app.app_context():
        kinds = dict(db.session.execute(sa.select(QuizAttempt.kind, QuizAttempt.passed)
                                        .filter(QuizAttempt.kind != "module")).all())
        assert kinds == {"pre_test": None, "post_test": None}  # no pass mark


def test_pre_test_closes_once_the_course_has_started(app, trainee_client):
    cid = course_id(app)
    read_all_sections(trainee_client, SLUG, 1)
    assert "only open before you start the course" in trainee_client.get("/learn/").text
    assert trainee_client.get(f"/learn/courses/{cid}/pre-test").status_code == 302


def test_course_test_draws_from_the_modules_and_hides_answers(app, trainee_client):
    cid = course_id(app)
    page = open_course_test(trainee_client, cid, "pre-test").text
    token = attempt_token(page)
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).filter_by(token=token))
        bank_ids = set(db.session.scalars(sa.select(Question.bank_id).filter(
            Question.id.in_([e["question_id"] for e in attempt.drawn]))))
        assert attempt.kind == "pre_test" and attempt.question_count == 3 and len(bank_ids) == 1
    assert "Recruitment is an act." not in page and "explanation" not in page


def test_tampered_course_test_is_rejected(app, trainee_client):
    cid = course_id(app)
    page = open_course_test(trainee_client, cid, "pre-test").text
    token = attempt_token(page)
    form = dict(answer_form(app, token), **{"q-999999": ["1"]})
    response = trainee_client.post(f"/learn/courses/{cid}/pre-test", data={"csrf_token": csrf_from(page),
                                                                          "attempt": token, **form})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(QuizAttempt.submitted_at).filter_by(token=token)) is None


def test_course_not_in_the_trainees_plan_is_404(app, client, make_user):
    judge = make_user(email="j@example.org", category="judiciary")
    login(client, judge["email"])
    assert client.get(f"/learn/courses/{course_id(app)}/pre-test").status_code == 404


def test_knowledge_gain_is_post_minus_pre_for_those_with_both(ctx):
    academy = Academy(slug="kg", name="KG", country_code="AL")
    db.session.add(academy)
    db.session.flush()
    cid = db.session.scalar(sa.select(Course.id).filter_by(prong="police"))
    when = datetime(2026, 3, 1)
    both = []
    for i in range(8):  # seven with both tests: published as 5 to 9, always over the threshold of five
        user = User(email=f"kg{i}@example.org", name="KG", password_hash="!", role="trainee", country_code="AL",
                    academy_id=academy.id, category="police", language="en")
        db.session.add(user)
        db.session.flush()
        scores = [("pre_test", 40)] + ([("post_test", 80)] if i < 7 else [])  # the 8th took only the pre-test
        if i < 7:
            both.append(user)
        for kind, score in scores:
            db.session.add(QuizAttempt(token=f"kg{i}{kind}", user_id=user.id, kind=kind, course_id=cid, drawn=[],
                                       question_count=5, submitted_at=when, score_percent=score, correct_count=0))
    db.session.flush()
    q = coverage.Query(date(2026, 6, 1))
    # Published under the cell-key method: the six's count perturbed by their keys, each mean moved by up to 2.
    keys = sum(u.record_key for u in both)
    pre, post = disclosure.perturb_mean(40.0, keys), disclosure.perturb_mean(80.0, keys + 1)
    assert coverage.knowledge_gain(q, coverage.Scope()) == [
        {"prong": "police", "people": disclosure.perturb(7, keys), "suppressed": False, "pre": round(pre, 1),
         "post": round(post, 1), "gain": round(post - pre, 1)}]
    assert abs(pre - 40) <= 2 and abs(post - 80) <= 2
    withheld = coverage.knowledge_gain(q, coverage.Scope(), threshold=10)
    assert withheld == [{"prong": "police", "people": None, "suppressed": True, "pre": None, "post": None, "gain": None}]
    assert coverage.knowledge_gain(coverage.Query(date(2026, 2, 1)), coverage.Scope()) == []  # before the tests
    assert coverage.knowledge_gain(q, coverage.Scope(countries={"RS"})) == []
