"""A trainee's whole journey in headless Chromium: sign in, read, fail the quiz, pass it, complete."""

import re

import pytest
import sqlalchemy as sa

from app.curriculum.models import Course, Module
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.factories import create_test_user
from tests.quiz_helpers import answer_form

pytestmark = pytest.mark.browser


def first_police_module(app):
    with app.app_context():
        module = db.session.scalar(
            sa.select(Module).join(Course).filter(Course.prong == "police", Module.retired.is_(False))
            .order_by(Module.position).limit(1)
        )
        return module.slug, module.current_version.title, module.current_version.section_count


def answer_quiz(page, app, *, right: bool) -> None:
    token = page.locator('input[name="attempt"]').input_value()
    for field, values in answer_form(app, token, right=right).items():
        for value in values:
            page.locator(f"#{field}-{value}").check()
    page.get_by_role("button", name="Submit answers").click()


def test_trainee_reads_a_module_fails_then_passes_the_quiz(real_app, live_real, page, assert_accessible):
    with real_app.app_context():
        create_test_user(email="browser.trainee@example.org", country="AL", language="en", name="Browser Trainee")
    slug, title, sections = first_police_module(real_app)

    page.goto(f"{live_real.url}/login")
    assert_accessible(page)
    sign_in(page, live_real.url, "browser.trainee@example.org")
    page.wait_for_url(re.compile(r"/learn/$"))
    assert_accessible(page)
    assert page.get_by_text("0 of", exact=False).first.is_visible()

    page.get_by_role("link", name=title).click()
    # The course starts with a choice: take the pre-test now, or skip it for good.
    page.wait_for_url(re.compile(r"/learn/courses/\d+/start$"))
    assert page.get_by_role("button", name="Skip the pre-test and start the course").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Take the pre-test now").click()
    page.wait_for_url(re.compile(r"/learn/courses/\d+/pre-test$"))
    answer_quiz(page, real_app, right=False)
    page.wait_for_url(re.compile(r"/learn/results/"))
    assert page.get_by_role("heading", name="Pre-test result").is_visible()
    page.get_by_role("link", name="Back to my training").click()
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(rf"/learn/modules/{slug}$"))
    assert_accessible(page)
    assert page.locator("#module-state").get_attribute("data-state") == "not_started"
    page.get_by_role("link", name="Start reading").click()

    for number in range(1, sections + 1):
        page.wait_for_url(re.compile(rf"/sections/{number}$"))
        assert page.locator("article h1").is_visible()
        if number in (1, 2, sections):
            assert_accessible(page)
        if number < sections:
            page.get_by_role("button", name="Continue").click()
        else:
            page.get_by_role("button", name="Finish reading and go to the quiz").click()

    page.wait_for_url(re.compile(rf"/learn/modules/{slug}/quiz$"))
    assert page.locator("#quiz-terms").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(rf"/learn/modules/{slug}/quiz$"))
    assert_accessible(page)
    answer_quiz(page, real_app, right=False)
    page.wait_for_url(re.compile(r"/learn/results/"))
    assert page.locator("#quiz-outcome").inner_text().startswith("Not passed")
    assert page.locator("#module-complete").count() == 0
    assert_accessible(page)

    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(re.compile(rf"/learn/modules/{slug}/quiz$"))
    answer_quiz(page, real_app, right=True)
    page.wait_for_url(re.compile(r"/learn/results/"))
    assert page.locator("#quiz-outcome").inner_text().startswith("Passed")
    assert page.locator("#module-complete").is_visible()
    assert page.locator("#next-step").get_by_role("link").first.inner_text().startswith("Next module:")
    assert_accessible(page)

    page.get_by_role("link", name="Back to my training").click()
    item = page.locator(".module-item", has=page.get_by_role("link", name=title))
    assert item.locator("[data-state]").get_attribute("data-state") == "complete"
    page.goto(f"{live_real.url}/learn/modules/{slug}")
    assert page.locator("#module-state").get_attribute("data-state") == "complete"
    assert_accessible(page)
