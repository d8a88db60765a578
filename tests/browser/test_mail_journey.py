"""E-mail in headless Chromium: an administrator adds a trainee, the invitation arrives at a real SMTP
server, the trainee follows it, sets a password, opens the profile from the header; "Forgot your
password?" from the sign-in page; the reminder settings. axe-core on every page."""

import re

import pytest
from babel.support import Translations

from app.mail import services as mail
from tests.conftest import PASSWORD, ROOT
from tests.factories import create_test_user, get_academy
from tests.mail_helpers import SmtpServer, link_in

pytestmark = pytest.mark.browser
#: The Albanian catalog, for what an Albanian reader sees.
SQ = Translations.load(str(ROOT / "app" / "translations"), ["sq"])


@pytest.fixture
def smtp(app, monkeypatch):
    server = SmtpServer().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_SEND_ASYNC", True)  # as in production: after the response
    yield server
    server.stop()


def test_invitation_to_first_sign_in_and_profile(app, live_mini, smtp, chromium, page, assert_accessible):
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
    page.goto(f"{base}/academies/academy-a/trainees/new")
    page.get_by_label("Full name").fill("Arben Hoxha")
    page.get_by_label("E-mail").fill("arben@example.org")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("An invitation to set a password is on its way to arben@example.org").is_visible()
    assert page.get_by_role("button", name="Print a sign-in link (no e-mail)").is_visible()
    page.get_by_role("navigation", name="Academy").get_by_role("link", name="Reminders").click()
    assert page.get_by_label("Remind trainees this many days before a due date").input_value() == "14, 3"
    assert_accessible(page)

    mail.wait_for_senders()
    [invitation] = smtp.wait_for(1)
    assert invitation["To"] == "arben@example.org" and invitation["Content-Language"] == "sq"  # the form's default
    trainee = chromium.new_context(bypass_csp=True, locale="en-GB").new_page()
    trainee.goto(base + link_in(invitation))
    assert trainee.get_by_role("heading", name="Set your password").is_visible()
    assert_accessible(trainee)
    trainee.get_by_label("New password", exact=True).fill("arben's own password")
    trainee.get_by_label("Repeat the new password").fill("arben's own password")
    trainee.get_by_role("button", name="Set password").click()
    # Arben reads Albanian (the form's default for Albania): the interface answers in it.
    assert trainee.get_by_text(SQ.gettext("Your password is set and you are signed in.")).is_visible()
    trainee.get_by_role("link", name="Arben Hoxha").click()
    assert trainee.get_by_role("heading", name=SQ.gettext("Your profile")).is_visible()
    assert_accessible(trainee)
    assert trainee.locator("html").get_attribute("lang") == "sq"
    trainee.locator("#language").select_option("en")
    trainee.locator("form[action$='/profile'] [type=submit]").click()
    trainee.wait_for_url(re.compile(r"/profile$"))
    assert trainee.locator("html").get_attribute("lang") == "en"
    trainee.context.close()

    # Forgot password, from the sign-in page of a new browser.
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page)
    page.get_by_label("E-mail").fill("arben@example.org")
    page.get_by_role("button", name="Send me a link").click()
    assert page.get_by_text("If an account uses that address").is_visible()
    mail.wait_for_senders()
    reset = smtp.wait_for(2)[1]
    assert reset["To"] == "arben@example.org" and reset["Content-Language"] == "en"
    page.goto(base + link_in(reset))
    page.locator("#password").fill("a newer password")
    page.locator("#confirm").fill("a newer password")
    page.locator("main form button, main form input[type=submit]").first.click()
    assert page.locator(".flash-success").is_visible()
