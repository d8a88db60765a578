"""The interface every page shares: the language switcher, labels instead of codes, dates that do not break,
and e-mail addresses refused with their reason."""

import io
import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.foundation.emails import email_problem
from app.foundation.redirects import is_safe_path
from tests.conftest import csrf_from, login
from tests.factories import get_academy

RESERVED = "dritan.hoxha@thb-academy.test"
REASON = "The domain name thb-academy.test is a special-use or reserved name that cannot be used with e-mail."


def switch(client, language, next_path, page="/login"):
    token = csrf_from(client.get(page).text)
    return client.post("/language", data={"csrf_token": token, "language": language, "next": next_path})


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


# --- language switcher --------------------------------------------------------------------------


def test_switcher_on_the_sign_in_page_changes_the_language_for_an_anonymous_visitor(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    assert 'action="/language"' in page and '<option value="sq" lang="sq">Shqip</option>' in page
    response = switch(client, "sq", "/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    assert html_lang(page) == "sq"
    assert ">Hyr<" in page  # "Sign in" in Albanian
    switch(client, "sr", "/login")
    assert html_lang(client.get("/login").text) == "sr-Latn"


def test_switcher_needs_its_csrf_token_and_changes_nothing_without_it(client):
    client.get("/login")
    response = client.post("/language", data={"language": "sq", "next": "/login"})
    assert response.status_code == 400
    assert html_lang(client.get("/login", headers={"Accept-Language": "en"}).text) == "en"


def test_switcher_keeps_the_choice_on_the_account_of_a_signed_in_person(app, client, make_user):
    user = make_user(email="officer@example.org", language="en")
    login(client, user["email"])
    response = switch(client, "sr", "/learn/?tab=1", page="/learn/")
    assert response.status_code == 302 and response.headers["Location"] == "/learn/?tab=1"
    with app.app_context():
        assert db.session.get(User, user["id"]).language == "sr"
    page = client.get("/learn/").text
    assert html_lang(page) == "sr-Latn" and "Moja obuka" in page  # "My training" in Serbian
    # The choice is the account's: a new session (another browser) finds it.
    other = app.test_client()
    login(other, user["email"])
    assert html_lang(other.get("/learn/").text) == "sr-Latn"


def test_switcher_refuses_an_unknown_language(client):
    assert switch(client, "xx", "/login").status_code == 400


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x",
                                    "", "evil", "/ok\r\nLocation: x"])
def test_switcher_sends_back_only_to_a_page_of_this_site(client, target):
    response = switch(client, "en", target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_safe_paths():
    assert is_safe_path("/academies/a/reports?status=overdue&page=2")
    for bad in ("//x.org", "https://x.org/", "/\\x.org", "x", "", None, "/a\nb"):
        assert not is_safe_path(bad), bad


def test_every_page_has_the_switcher_and_a_menu_for_narrow_screens(client, make_user):
    user = make_user(email="officer@example.org")
    login(client, user["email"])
    page = client.get("/learn/").text
    assert page.count('action="/language"') == 2  # the wide header and the narrow menu (one is hidden)
    assert '<details class="menu header-narrow">' in page
    assert 'class="link-button sign-out"' in page
    assert '<main id="main" class="wrap page-reading"' in page


# --- labels, not codes --------------------------------------------------------------------------


@pytest.fixture
def admin_client(app, make_user):
    with app.app_context():
        get_academy("AL", "academy-a")
        db.session.commit()
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a")
    client = app.test_client()
    login(client, "admin.a@example.org")
    return client


def test_staff_pages_show_labels_and_names_not_codes_or_slugs(app, admin_client, make_user):
    trainee = make_user(email="ana@example.org", academy="academy-a", category="police", name="Ana Officer")
    trainees = admin_client.get("/academies/academy-a/trainees").text
    cells = re.findall(r"<td>([^<]*)</td>", trainees)
    assert "General police officer" in cells and "police" not in cells
    assert '<main id="main" class="wrap page-wide"' in trainees
    detail = admin_client.get(f"/academies/academy-a/trainees/{trainee['id']}").text
    assert "<dd>General police officer</dd>" in detail
    overview = admin_client.get("/academies/academy-a/").text
    assert "<dd>Albania</dd>" in overview
    home = admin_client.get("/home").text
    assert "<dd>Albania</dd>" in home


def test_country_names_follow_the_viewers_language(app, make_user):
    make_user(email="coordinator@example.org", role="coordinator", country="AL", language="sq")
    client = app.test_client()
    login(client, "coordinator@example.org")
    assert "<dd>Shqipëri</dd>" in client.get("/home").text


def test_regional_coordinators_home_names_every_country_not_one(app, make_user):
    make_user(email="regional@example.org", role="regional_coordinator", country="RS")
    client = app.test_client()
    login(client, "regional@example.org")
    home = client.get("/home").text
    assert "every country of this installation" in home and "<dd>Serbia</dd>" not in home


def test_dates_in_tables_are_kept_on_one_line(app, admin_client):
    token = csrf_from(admin_client.get("/academies/academy-a/trainees/new").text)
    admin_client.post("/academies/academy-a/trainees/new", data={
        "csrf_token": token, "name": "Ana Officer", "email": "ana@example.org", "category": "police", "language": "en"})
    log = admin_client.get("/academies/academy-a/audit").text
    assert "Created trainee Ana Officer" in log
    assert re.search(r'<time class="date" datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z">\d{4}-\d{2}-\d{2} \d{2}:\d{2}</time>', log)


# --- e-mail addresses refused with the reason ----------------------------------------------------


def test_email_problems_name_the_reason():
    assert email_problem(RESERVED) == REASON
    assert email_problem("officer@demo.example.org") is None
    assert "@-sign" in email_problem("officer.example.org")
    assert "SPACE" in email_problem("ana officer@example.org")
    assert "period" in email_problem("officer@localhost")


def test_trainee_form_gives_the_reason_not_just_invalid(admin_client):
    token = csrf_from(admin_client.get("/academies/academy-a/trainees/new").text)
    response = admin_client.post("/academies/academy-a/trainees/new", data={
        "csrf_token": token, "name": "Dritan Hoxha", "email": RESERVED, "category": "police", "language": "en"})
    assert response.status_code in (200, 422)
    assert REASON in response.text
    assert "Invalid email address." not in response.text


def test_csv_import_gives_the_reason_per_line(app, admin_client):
    text = "email,name,category\nok@example.org,OK,police\n" + f"{RESERVED},Dritan Hoxha,police\n"
    token = csrf_from(admin_client.get("/academies/academy-a/import").text)
    response = admin_client.post("/academies/academy-a/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "t.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert f"Line 3: &#39;{RESERVED}&#39; cannot be used: {REASON}" in response.text


def test_command_line_gives_the_reason(app, runner):
    result = runner.invoke(args=["users", "create", "--email", RESERVED, "--name", "X", "--role", "coordinator",
                                 "--country", "AL", "--password-stdin"], input="a long password here\n")
    assert result.exit_code != 0
    assert REASON in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).filter_by(email=RESERVED)) is None


def test_demo_seed_moves_former_test_domain_accounts_keeping_them(real_app):
    runner = real_app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with real_app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="trainee@demo.example.org"))
        user.email = "trainee@thb-academy.test"  # as an earlier version made it
        user_id = user.id
        db.session.commit()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with real_app.app_context():
        assert db.session.get(User, user_id).email == "trainee@demo.example.org"
        assert db.session.scalar(sa.select(User.id).filter_by(email="trainee@thb-academy.test")) is None
    assert login(real_app.test_client(), "trainee@demo.example.org", DEMO_PASSWORD).status_code == 302
