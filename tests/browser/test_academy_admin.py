"""An academy administrator in headless Chromium: import with a bad row, fix, import, cohort,
assignment with a due date, and the report moving when a trainee completes a module."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import PASSWORD, csrf_from, login
from tests.factories import create_test_user, get_academy
from tests.quiz_helpers import answer_form, attempt_token, open_quiz, read_all_sections, submit

pytestmark = pytest.mark.browser
SLUG = "police-01-basics"


def test_import_cohort_assignment_and_report(app, live_mini, page, assert_accessible, tmp_path):
    from app.extensions import db

    with app.app_context():
        get_academy("AL", "academy-a")
        db.session.commit()
        create_test_user(email="admin.a@example.org", role="academy_admin", academy="academy-a", name="Admin A")
    base = live_mini.url
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill("admin.a@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="My academy").click()
    assert_accessible(page)

    header = "email;name;category;unit;personnel_number;language;cohort;due_date\n"
    bad = header + "ana@example.org;Ana Officer;police;North;P-1;sq;;\nben@example.org;Ben Officer;pilot;South;P-2;en;;\n"
    csv_file = tmp_path / "intake.csv"
    csv_file.write_text("\ufeff" + bad, encoding="utf-8")
    page.get_by_role("navigation", name="Academy").get_by_role("link", name="Import").click()
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    errors = page.locator("#import-error-list")
    assert "Line 3: unknown category 'pilot'" in errors.inner_text()
    assert page.get_by_role("button", name="Confirm the import").count() == 0
    assert_accessible(page)

    csv_file.write_text("\ufeff" + bad.replace(";pilot;", ";police;"), encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("#import-summary").inner_text() == "2 new, 0 to update, 0 unchanged."
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url(re.compile(r"/trainees$"))
    assert page.get_by_role("link", name="Ana Officer").is_visible()

    page.get_by_role("navigation", name="Academy").get_by_role("link", name="Cohorts").click()
    page.get_by_label("Name").fill("Intake 2027")
    page.get_by_role("button", name="Create cohort").click()
    # Members are picked from the trainee list: tick them, add them (the paste box stays for lists on paper).
    page.get_by_role("link", name="Add members").click()
    assert_accessible(page)
    page.get_by_label("Select Ana Officer").check()
    page.get_by_label("Select Ben Officer").check()
    page.get_by_role("button", name="Add the selected to Intake 2027").click()
    assert page.get_by_role("heading", name="Members (2)").is_visible()
    assert "2 added to the cohort" in page.locator(".flash").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Assign a course to this cohort").click()
    due = (date.today() + timedelta(days=45)).isoformat()
    page.get_by_label("Course", exact=True).select_option(label="Test police course")
    page.get_by_label("Due date (optional)").fill(due)
    page.get_by_role("button", name="Assign").click()
    assert page.locator("#assignment-table").get_by_role("cell", name=due).is_visible()
    # What each trainee must take by when, from the one rule: both members, through the cohort.
    due_rows = page.locator("#due-table tbody tr")
    assert due_rows.count() == 2 and "cohort assignment" in due_rows.first.inner_text()
    assert_accessible(page)

    page.goto(f"{base}/academies/academy-a/reports")
    assert_accessible(page)
    row = page.locator('tr[data-email="ana@example.org"]')
    assert row.locator("[data-status]").get_attribute("data-status") == "not_started"

    # Ana signs in through a sign-in link and completes the module (through HTTP, as her browser would).
    ana = app.test_client()
    with app.app_context():
        from app.auth import tokens
        from app.auth.models import User

        token = tokens.issue(db.session.query(User).filter_by(email="ana@example.org").one(), tokens.SIGN_IN_LINK)
        db.session.commit()
    form = ana.get(f"/set-password/{token}")
    done = ana.post(f"/set-password/{token}", data={"csrf_token": csrf_from(form.text), "password": PASSWORD,
                                                    "confirm": PASSWORD})
    assert done.status_code == 302  # and she is signed in
    assert login(app.test_client(), "ana@example.org").status_code == 302
    read_all_sections(ana, SLUG, 3)
    quiz = open_quiz(ana, SLUG).text
    attempt = attempt_token(quiz)
    submit(ana, SLUG, attempt, csrf_from(quiz), answer_form(app, attempt, right=True))

    page.reload()
    row = page.locator('tr[data-email="ana@example.org"]')
    assert row.locator("[data-status]").get_attribute("data-status") == "completed"
    assert "100%" in row.inner_text()
    assert "2 trainees: 1 completed" in page.locator("#report-summary").inner_text()
