"""Each role's work end to end in headless Chromium, with the e-mail going through a real SMTP server
(aiosmtpd): an academy administrator imports an intake and the invitations arrive; a trainee follows the
link, sets a password and takes the course from the pre-test choice to the certificate; the reminders and
the weekly digest arrive on the right dates, once; a national coordinator drills down and exports; the
platform administrator creates a coordinator, who is invited."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.extensions import db
from app.utils import utcnow
from tests.conftest import PASSWORD
from tests.factories import create_test_user, get_academy
from tests.mail_helpers import link_in, text_of
from tests.quiz_helpers import answer_form

pytestmark = pytest.mark.browser


def _sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _answer(page, app, *, right=True):
    token = page.locator('input[name="attempt"]').input_value()
    for field, values in answer_form(app, token, right=right).items():
        for value in values:
            page.locator(f"#{field}-{value}").check()
    page.get_by_role("button", name="Submit answers").click()


def test_every_role_does_its_work(app, live_mini, smtp, chromium, page, assert_accessible, tmp_path):
    due = utcnow().date() + timedelta(days=20)
    with app.app_context():
        academy = get_academy("AL", "academy-e2e")
        academy.digest_weekday = (due + timedelta(days=1)).weekday()  # the digest goes out the day after the due date
        db.session.commit()
        create_test_user(email="admin.e2e@example.org", role="academy_admin", academy="academy-e2e", name="Admin E")
        create_test_user(email="coord.e2e@example.org", role="coordinator", country="AL", name="Coordinator E")
        create_test_user(email="root.e2e@example.org", role="platform_admin", country="AL", name="Root E")
    base = live_mini.url

    # 1. The academy administrator imports an intake; the invitations arrive at the mail server.
    _sign_in(page, base, "admin.e2e@example.org")
    page.get_by_role("link", name="My academy").first.click()
    page.get_by_role("navigation", name="Academy").get_by_role("link", name="Import").click()
    intake = tmp_path / "intake.csv"
    intake.write_text("email;name;category;unit;personnel_number;language;cohort;due_date\n"
                      f"ana.e2e@example.org;Ana Officer;police;North;E-1;en;Intake 12;{due.isoformat()}\n"
                      f"ben.e2e@example.org;Ben Officer;police;North;E-2;en;Intake 12;{due.isoformat()}\n",
                      encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(intake))
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("#import-summary").inner_text() == "2 new, 0 to update, 0 unchanged."
    page.get_by_role("button", name="Confirm the import").click()
    page.wait_for_url(re.compile(r"/trainees$"))
    assert_accessible(page)
    invitations = smtp.wait_for(2)
    assert sorted(m["To"] for m in invitations) == ["ana.e2e@example.org", "ben.e2e@example.org"]
    ana_invitation = next(m for m in invitations if m["To"] == "ana.e2e@example.org")

    # 2. Ana follows the link, sets a password and takes the course from the pre-test choice to the certificate.
    trainee = chromium.new_context(bypass_csp=True, locale="en-GB").new_page()
    trainee.goto(base + link_in(ana_invitation))
    trainee.get_by_label("New password", exact=True).fill("ana's own password")
    trainee.get_by_label("Repeat the new password").fill("ana's own password")
    trainee.get_by_role("button", name="Set password").click()
    trainee.wait_for_url(re.compile(r"/learn/$"))
    trainee.get_by_role("link", name="Start the course").click()
    trainee.wait_for_url(re.compile(r"/learn/courses/\d+/start$"))
    assert_accessible(trainee)
    trainee.get_by_role("button", name="Take the pre-test now").click()
    _answer(trainee, app, right=False)
    trainee.wait_for_url(re.compile(r"/learn/results/"))
    trainee.get_by_role("link", name="Back to my training").click()
    trainee.get_by_role("link", name="Start the course").click()  # the pre-test is taken: on to module 1
    trainee.get_by_role("link", name="Start reading").click()
    while True:
        finish = trainee.get_by_role("button", name="Finish reading and go to the quiz")
        if finish.count():
            finish.click()
            break
        trainee.get_by_role("button", name="Continue").click()
    trainee.get_by_role("button", name="Start now").click()
    _answer(trainee, app, right=True)
    trainee.wait_for_url(re.compile(r"/learn/results/"))
    trainee.get_by_role("link", name="Course complete: your certificate").click()
    assert trainee.locator("#course-complete").is_visible()
    assert_accessible(trainee)
    trainee.get_by_role("link", name="View your certificate").click()
    assert trainee.locator("#certificate-code").inner_text().strip()
    trainee.context.close()

    # 3. Reminders: Ben, who has not started, is reminded before the due date and told once when overdue;
    #    the administrator gets the weekly digest; a second run on the same day sends nothing.
    runner = app.test_cli_runner()
    before = len(smtp.messages)
    for day in (due - timedelta(days=14), due - timedelta(days=14), due + timedelta(days=1), due + timedelta(days=1)):
        result = runner.invoke(args=["reminders", "send", "--as-of", day.isoformat()])
        assert result.exit_code == 0, result.output
    arrived = smtp.wait_for(before + 3)[before:]
    to_ben = [m for m in arrived if m["To"] == "ben.e2e@example.org"]
    digest = [m for m in arrived if m["To"] == "admin.e2e@example.org"]
    assert len(to_ben) == 2 and len(digest) == 1, [(m["To"], m["Subject"]) for m in arrived]
    assert "Ben Officer" in text_of(digest[0]) and "Ana Officer" not in text_of(digest[0])
    assert not [m for m in arrived if m["To"] == "ana.e2e@example.org"]  # she completed: nothing to remind

    # 4. The national coordinator drills down from the country to the academy and exports the table.
    coordinator = chromium.new_context(bypass_csp=True, locale="en-GB", accept_downloads=True).new_page()
    _sign_in(coordinator, base, "coord.e2e@example.org")
    coordinator.goto(f"{base}/coverage/")
    coordinator.get_by_role("link", name="Drill down").click()
    with app.app_context():
        name = db.session.scalar(sa.select(Academy.name).filter_by(slug="academy-e2e"))
    coordinator.locator("#level").get_by_role("link", name=name).first.click()
    assert coordinator.get_by_role("heading", name=f"Training coverage: {name}").is_visible()
    assert_accessible(coordinator)
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="CSV").first.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    assert len(rows) >= 2 and "Ana Officer" not in str(rows)  # figures only, never names
    coordinator.context.close()

    # 5. The platform administrator creates a national coordinator for Serbia, who is invited.
    admin = chromium.new_context(bypass_csp=True, locale="en-GB").new_page()
    _sign_in(admin, base, "root.e2e@example.org")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Users").first.click()
    admin.get_by_role("link", name="Create an account").click()
    admin.get_by_label("Full name").fill("Jelena Coordinator")
    admin.get_by_label("E-mail").fill("jelena.e2e@example.org")
    admin.get_by_label("Role").select_option("coordinator")
    admin.get_by_label("Country").select_option("RS")
    admin.get_by_label("Preferred language").select_option("sr")
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("an invitation to set a password was sent to jelena.e2e@example.org").is_visible()
    assert_accessible(admin)
    invited = [m for m in smtp.wait_for(len(smtp.messages) + 1) if m["To"] == "jelena.e2e@example.org"]
    assert len(invited) == 1 and "/set-password/" in link_in(invited[0])
    admin.context.close()
