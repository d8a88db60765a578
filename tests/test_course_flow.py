"""The trainee's way through a course: the pre-test choice at the start, quizzes started on POST only,
"next module" after a pass, and the completion page with the certificate."""

import re

import sqlalchemy as sa

from app.curriculum.models import Course, Module
from app.extensions import db
from app.learning.models import CourseProgress, QuizAttempt
from tests.conftest import csrf_from, login
from tests.factories import create_test_user
from tests.quiz_helpers import (
    answer_form,
    attempt_token,
    open_quiz,
    read_all_sections,
    skip_pre_test,
    submit,
)

SLUG = "police-01-basics"


def _count(app, model, **where):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def _course_id(app, prong="police"):
    with app.app_context():
        return db.session.scalar(sa.select(Course.id).filter_by(prong=prong))


def test_opening_a_module_asks_about_the_pre_test_first_and_records_nothing(app, trainee_client, trainee):
    cid = _course_id(app)
    response = trainee_client.get(f"/learn/modules/{SLUG}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/courses/{cid}/start")
    for url in (f"/learn/modules/{SLUG}/sections/1", f"/learn/courses/{cid}/pre-test"):
        again = trainee_client.get(url)
        assert again.status_code == 302 and again.headers["Location"].endswith(f"/learn/courses/{cid}/start")
    choice = trainee_client.get(f"/learn/courses/{cid}/start").text
    assert "Take the pre-test now" in choice and "Skip the pre-test and start the course" in choice
    assert "closes for good" in choice
    assert _count(app, CourseProgress, user_id=trainee["id"]) == 0
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 0


def test_skipping_the_pre_test_is_for_good_and_opens_the_first_module(app, trainee_client, trainee):
    cid = _course_id(app)
    choice = trainee_client.get(f"/learn/courses/{cid}/start").text
    response = trainee_client.post(f"/learn/courses/{cid}/pre-test/skip", data={"csrf_token": csrf_from(choice)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/learn/modules/{SLUG}")
    assert _count(app, CourseProgress, user_id=trainee["id"]) == 1
    assert trainee_client.get(f"/learn/modules/{SLUG}").status_code == 200
    # The pre-test is closed: neither its page nor its POST starts one, and a second skip is refused.
    assert trainee_client.get(f"/learn/courses/{cid}/pre-test").status_code == 302
    trainee_client.post(f"/learn/courses/{cid}/pre-test/start", data={"csrf_token": csrf_from(choice)})
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 0
    again = trainee_client.post(f"/learn/courses/{cid}/pre-test/skip", data={"csrf_token": csrf_from(choice)})
    assert again.status_code == 302
    assert _count(app, CourseProgress, user_id=trainee["id"]) == 1
    assert "Pre-test: not taken" in trainee_client.get("/learn/").text


def test_skip_without_csrf_changes_nothing(app, trainee_client, trainee):
    cid = _course_id(app)
    assert trainee_client.post(f"/learn/courses/{cid}/pre-test/skip").status_code == 400
    assert _count(app, CourseProgress, user_id=trainee["id"]) == 0


def test_taking_the_pre_test_from_the_choice_page(app, trainee_client, trainee):
    cid = _course_id(app)
    choice = trainee_client.get(f"/learn/courses/{cid}/start").text
    started = trainee_client.post(f"/learn/courses/{cid}/pre-test/start", data={"csrf_token": csrf_from(choice)})
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/learn/courses/{cid}/pre-test")
    page = trainee_client.get(f"/learn/courses/{cid}/pre-test").text
    token = attempt_token(page)
    # Until it is submitted the choice page offers to continue it, not a second one.
    assert "Continue the pre-test" in trainee_client.get(f"/learn/courses/{cid}/start").text
    trainee_client.post(f"/learn/courses/{cid}/pre-test", data={"csrf_token": csrf_from(page), "attempt": token,
                                                                **answer_form(app, token)})
    assert _count(app, QuizAttempt, user_id=trainee["id"], kind="pre_test") == 1
    # With the pre-test taken, the module opens directly.
    assert trainee_client.get(f"/learn/modules/{SLUG}").status_code == 200


def test_opening_the_quiz_records_nothing_until_the_trainee_starts_it(app, trainee_client, trainee):
    read_all_sections(trainee_client, SLUG, 3)
    page = trainee_client.get(f"/learn/modules/{SLUG}/quiz")
    assert page.status_code == 200 and "Start now" in page.text and 'name="attempt"' not in page.text
    assert "You pass with" in page.text
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 0
    assert trainee_client.post(f"/learn/modules/{SLUG}/quiz/start").status_code == 400  # no CSRF token
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 0
    quiz = open_quiz(trainee_client, SLUG)
    assert 'name="attempt"' in quiz.text
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 1
    # Reloading shows the same attempt; the module page offers to continue it.
    assert attempt_token(trainee_client.get(f"/learn/modules/{SLUG}/quiz").text) == attempt_token(quiz.text)
    assert "Continue the quiz" in trainee_client.get(f"/learn/modules/{SLUG}").text
    assert _count(app, QuizAttempt, user_id=trainee["id"]) == 1


def test_completion_page_before_and_after_the_course_is_complete(app, trainee_client, trainee):
    cid = _course_id(app)
    early = trainee_client.get(f"/learn/courses/{cid}/complete")
    assert early.status_code == 302
    read_all_sections(trainee_client, SLUG, 3)
    quiz = open_quiz(trainee_client, SLUG).text
    token = attempt_token(quiz)
    result = submit(trainee_client, SLUG, token, csrf_from(quiz), answer_form(app, token, right=True))
    outcome = trainee_client.get(result.headers["Location"]).text
    # The only module is done: the result's main step is the completion page, not "take it again".
    assert "Course complete: your certificate" in outcome
    assert re.search(rf'id="next-step">\s*<a class="button" href="/learn/courses/{cid}/complete"', outcome)
    done = trainee_client.get(f"/learn/courses/{cid}/complete")
    assert done.status_code == 200
    assert "You completed" in done.text and f"/certificates/{cid}" in done.text
    assert "Take the post-test" in done.text
    assert trainee_client.get("/learn/").text.count(f"/learn/courses/{cid}/complete") >= 1


def test_next_module_after_a_pass_in_the_real_police_course(real_app):
    with real_app.app_context():
        create_test_user(email="flow@example.org", country="AL", category="police")
        modules = db.session.scalars(sa.select(Module).join(Course).filter(Course.prong == "police")
                                     .order_by(Module.position)).all()
        first, second = modules[0], modules[1]
        first_slug, second_slug = first.slug, second.slug
        sections = first.current_version.section_count
        second_title = second.current_version.title
    client = real_app.test_client()
    login(client, "flow@example.org")
    start = client.get(f"/learn/modules/{first_slug}")
    skip_pre_test(client, start.headers["Location"])
    read_all_sections(client, first_slug, sections)
    quiz = open_quiz(client, first_slug).text
    token = attempt_token(quiz)
    result = submit(client, first_slug, token, csrf_from(quiz), answer_form(real_app, token, right=True))
    outcome = client.get(result.headers["Location"]).text
    assert "Next module:" in outcome and f'href="/learn/modules/{second_slug}"' in outcome
    assert second_title in outcome
    module_page = client.get(f"/learn/modules/{first_slug}").text
    assert "Next module:" in module_page and "Take the quiz again" in module_page
