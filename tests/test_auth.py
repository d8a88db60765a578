"""Sign-in, sign-out, roles and the users CLI."""

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from, login


def test_sign_in_with_right_password_opens_the_dashboard(client, trainee):
    response = login(client, trainee["email"])
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/learn/")
    assert "My training" in client.get("/learn/").text


def test_wrong_password_is_refused_with_a_message(client, trainee):
    response = login(client, trainee["email"], "wrong password!")
    assert response.status_code == 200
    assert "The e-mail or password is not right" in response.text
    assert client.get("/learn/").status_code == 302  # still signed out


def test_email_is_case_insensitive(client, trainee):
    assert login(client, trainee["email"].upper()).status_code == 302


def test_suspended_account_cannot_sign_in(client, make_user):
    user = make_user(email="suspended@example.org", active=False)
    response = login(client, user["email"])
    assert response.status_code == 200
    assert client.get("/learn/").status_code == 302


def test_sign_in_without_csrf_token_is_refused(client, trainee):
    response = client.post("/login", data={"email": trainee["email"], "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.text
    assert client.get("/learn/").status_code == 302


def test_sign_out_needs_a_post_with_csrf(trainee_client):
    assert trainee_client.get("/logout").status_code == 405
    assert trainee_client.post("/logout", data={}).status_code == 400  # no token: stays signed in
    assert trainee_client.get("/learn/").status_code == 200
    token = csrf_from(trainee_client.get("/learn/").text)
    trainee_client.post("/logout", data={"csrf_token": token})
    assert trainee_client.get("/learn/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, trainee):
    page = client.get("/login?next=https://evil.example/")
    response = client.post("/login?next=https://evil.example/", data={
        "email": trainee["email"], "password": PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_hashed_with_scrypt(app, trainee):
    with app.app_context():
        user = db.session.get(User, trainee["id"])
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash


def test_trainee_cannot_open_staff_pages(trainee_client):
    assert trainee_client.get("/curriculum/").status_code == 403
    assert trainee_client.get("/curriculum/modules/police-01-basics").status_code == 403


def test_staff_cannot_use_the_trainee_pages(client, make_user):
    admin = make_user(email="admin@example.org", role="platform_admin")
    login(client, admin["email"])
    assert client.get("/learn/").status_code == 403
    assert client.get("/").headers["Location"].endswith("/home")
    assert client.get("/curriculum/").status_code == 200


def test_pages_need_sign_in(client):
    for url in ("/learn/", "/learn/modules/police-01-basics", "/curriculum/", "/home"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_cli_creates_a_trainee_with_password_from_stdin(app, runner):
    with app.app_context():
        from tests.factories import get_academy

        get_academy("AL")
        db.session.commit()
    result = runner.invoke(args=[
        "users", "create", "--email", "New.Officer@example.org", "--name", "New Officer", "--role", "trainee",
        "--country", "AL", "--academy", "test-academy-al", "--category", "police", "--password-stdin",
    ], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="new.officer@example.org"))
        assert user.category == "police" and user.language == "sq"  # the country's first language
        assert user.check_password("a long enough password")


def test_cli_refuses_a_trainee_without_academy_and_writes_nothing(app, runner):
    result = runner.invoke(args=[
        "users", "create", "--email", "x@example.org", "--name", "X", "--role", "trainee",
        "--country", "AL", "--category", "police", "--password-stdin",
    ], input="a long enough password\n")
    assert result.exit_code != 0
    assert "must belong to an academy" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).filter_by(email="x@example.org")) is None


def test_cli_refuses_unknown_country_short_password_and_duplicates(app, runner, trainee):
    base = ["users", "create", "--name", "X", "--role", "coordinator", "--password-stdin"]
    result = runner.invoke(args=base + ["--email", "c@example.org", "--country", "ZZ"], input="long enough pass\n")
    assert "Unknown country 'ZZ'" in result.output
    result = runner.invoke(args=base + ["--email", "c@example.org", "--country", "AL"], input="short\n")
    assert "at least 10 characters" in result.output
    result = runner.invoke(args=base + ["--email", trainee["email"], "--country", "AL"], input="long enough pass\n")
    assert "already exists" in result.output


def test_security_headers_are_set(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
