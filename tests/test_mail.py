"""E-mail: the outbox, sending through a real SMTP server (aiosmtpd) or to a folder, invitations, password
reset, the profile and e-mail change; every message read back and parsed."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa

from app.academy import services as academy_services
from app.audit.models import AuditEvent
from app.auth.models import User, UserToken
from app.extensions import db
from app.mail import services as mail
from app.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from app.utils import utcnow
from tests.conftest import PASSWORD, csrf_from, login
from tests.factories import get_academy
from tests.mail_helpers import SmtpServer, free_port, link_in, text_of

HEADER = "email,name,category,unit,personnel_number,language,cohort,due_date\n"


@pytest.fixture
def admin_client(app, make_user):
    with app.app_context():
        get_academy("AL", "academy-a")
        db.session.commit()
    make_user(email="admin.a@example.org", role="academy_admin", academy="academy-a")
    client = app.test_client()
    assert login(client, "admin.a@example.org").status_code == 302
    return client


def post(client, url, data=None, page_url=None):
    token = csrf_from(client.get(page_url or url).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def import_csv(client, text):
    import io
    import re

    token = csrf_from(client.get("/academies/academy-a/import").text)
    page = client.post("/academies/academy-a/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "t.csv")}, content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    action = re.search(r'action="(/academies/academy-a/import/[^"]+/confirm)"', page.text).group(1)
    return client.post(action, data={"csrf_token": csrf_from(page.text)})


def outbox(app, **filters):
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage).filter_by(**filters).order_by(OutboxMessage.id)))


def set_password(client, link, password="a brand new password"):
    form = client.get(link)
    assert form.status_code == 200, form.text
    return client.post(link, data={"csrf_token": csrf_from(form.text), "password": password, "confirm": password})


# --- the outbox and its delivery -----------------------------------------------------------------


def test_without_a_mail_server_messages_go_to_the_folder_and_the_log(app, admin_client, tmp_path, monkeypatch,
                                                                     caplog):
    monkeypatch.setitem(app.config, "MAIL_FOLDER", tmp_path / "mail")
    caplog.set_level(logging.INFO, logger="app.mail.services")
    response = post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "Arta Dema", "email": "arta@example.org", "category": "police", "language": "en"})
    assert response.status_code == 302
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "arta@example.org" and "set your password" in message["Subject"]
    assert "/set-password/" in link_in(message)
    assert "arta@example.org" in caplog.text and str(files[0]) in caplog.text
    [row] = outbox(app, recipient="arta@example.org")
    assert row.status == SENT and row.attempts == 1 and row.kind == "invitation"
    assert row.body_text == mail.SCRUBBED and "/set-password/" not in row.body_text


def test_a_refused_change_queues_and_sends_nothing(app, admin_client, smtp):
    post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "First", "email": "first@example.org", "category": "police", "personnel_number": "P-1",
        "language": "en"})
    assert len(smtp.wait_for(1)) == 1
    refused = post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "Second", "email": "second@example.org", "category": "police", "personnel_number": "P-1",
        "language": "en"}, page_url="/academies/academy-a/trainees/new")
    assert "already used by another trainee" in refused.text
    # A service that queued its invitation and then was rolled back by its caller: nothing kept, nothing sent.
    with app.app_context():
        academy = academy_services.academy_by_slug("academy-a")
        admin = db.session.scalar(sa.select(User).filter_by(email="admin.a@example.org"))
        academy_services.create_trainee(admin, academy, email="third@example.org", name="Third", category="police",
                                        unit=None, personnel_number=None, language="en")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2  # in the transaction
        db.session.rollback()
    assert [m.recipient for m in outbox(app)] == ["first@example.org"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserToken)) == 1
    assert [m["To"] for m in smtp.wait_for(2, timeout=0.5)] == ["first@example.org"]


def test_a_message_is_retried_after_the_server_was_down_and_given_up_after_the_last_attempt(
        app, runner, monkeypatch, caplog):
    port = free_port()  # nothing listens here yet
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 0)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    # Staff created by command get an invitation too; the server being down does not undo the account.
    result = runner.invoke(args=["users", "create", "--email", "coord@example.org", "--name", "Coordinator",
                                 "--role", "coordinator", "--country", "AL"])
    assert result.exit_code == 0, result.output
    assert "invitation e-mailed" in result.output
    [row] = outbox(app, recipient="coord@example.org")
    assert row.status == PENDING and row.attempts == 1 and "Connection" in row.last_error
    server = SmtpServer(port).start()
    try:
        assert "Sent 1" in runner.invoke(args=["mail", "send"]).output
        [message] = server.messages
        assert message["To"] == "coord@example.org" and "/set-password/" in link_in(message)
        [row] = outbox(app, recipient="coord@example.org")
        assert row.status == SENT and row.attempts == 2 and row.last_error is None
        assert "Sent 0" in runner.invoke(args=["mail", "send"]).output  # sent is sent: never again
        assert len(server.messages) == 1
    finally:
        server.stop()
    # Down for good: after MAIL_MAX_ATTEMPTS tries the message is failed and logged, not retried again.
    caplog.set_level(logging.WARNING, logger="app.mail.services")
    runner.invoke(args=["users", "create", "--email", "staff2@example.org", "--name", "Staff Two",
                        "--role", "coordinator", "--country", "AL"])
    for _ in range(4):
        runner.invoke(args=["mail", "send"])
    [row] = outbox(app, recipient="staff2@example.org")
    assert row.status == FAILED and row.attempts == 3
    assert "failed for good after 3 attempts" in caplog.text


def _raw_messages(app, n):
    with app.app_context():
        rows = [OutboxMessage(recipient=f"r{i}@example.org", subject=f"S{i}", body_text="Hello", language="en",
                              kind="test", idempotency_key=f"test:{i}", status=PENDING, attempts=0,
                              next_attempt_at=utcnow()) for i in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [r.id for r in rows]


def test_two_senders_at_once_send_each_message_once(app, smtp):
    ids = _raw_messages(app, 20)
    results = []

    def sender():
        with app.app_context():
            results.append(mail.deliver(ids))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r["sent"] for r in results) == 20 and sum(r["skipped"] for r in results) == 20
    assert sorted(m["To"] for m in smtp.messages) == sorted(f"r{i}@example.org" for i in range(20))
    assert len({m["Message-ID"] for m in smtp.messages}) == 20
    assert {(r.status, r.attempts) for r in outbox(app, kind="test")} == {(SENT, 1)}
    with app.app_context():
        assert mail.send_pending()["sent"] == 0
    assert len(smtp.messages) == 20


def test_a_send_interrupted_midway_is_not_sent_again(app, smtp):
    [stale_id, fresh_id] = _raw_messages(app, 2)
    with app.app_context():
        for message_id, claimed in ((stale_id, utcnow() - timedelta(hours=2)), (fresh_id, utcnow())):
            db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id)
                               .values(status=SENDING, attempts=1, claimed_at=claimed))
        db.session.commit()
        counts = mail.send_pending()
    assert counts["stale"] == 1 and counts["sent"] == 0 and smtp.messages == []
    statuses = {r.id: r.status for r in outbox(app, kind="test")}
    assert statuses == {stale_id: FAILED, fresh_id: SENDING}


def test_a_request_sends_its_messages_in_the_background_after_commit(app, client, smtp, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SEND_ASYNC", True)
    make_user(email="bg@example.org")
    page = client.get("/forgot-password")
    response = client.post("/forgot-password", data={"csrf_token": csrf_from(page.text), "email": "bg@example.org"})
    assert response.status_code == 302
    mail.wait_for_senders()
    assert [m["To"] for m in smtp.messages] == ["bg@example.org"]


# --- invitations --------------------------------------------------------------------------------


def test_an_import_invites_each_new_trainee_in_their_language_and_the_link_works_once(app, admin_client, smtp):
    response = import_csv(admin_client, HEADER + "besa@example.org,Besa Kola,police,,,sq,,\n"
                                                 "john@example.org,John Smith,police,,,en,,\n")
    assert response.status_code == 302
    smtp.wait_for(2)
    [besa], [john] = smtp.to("besa@example.org"), smtp.to("john@example.org")
    # In the recipient's language: Albanian for Besa (the footer is already translated; dates in Albanian form).
    assert besa["Content-Language"] == "sq" and "trajnim kundër trafikimit" in text_of(besa)
    assert john["Content-Language"] == "en" and "training against trafficking" in text_of(john)
    assert "Besa Kola" in text_of(besa) and "Test academy AL" in text_of(besa)
    with app.app_context():
        summary = db.session.scalar(sa.select(AuditEvent.summary).filter_by(action="trainee.import"))
        assert "2 invitations sent" in summary
        # Only the hash of the token is stored.
        token = link_in(besa).rsplit("/", 1)[1]
        assert token not in {t.token_hash for t in db.session.scalars(sa.select(UserToken))}
        # ... and once sent, the message's text (which held the link) is not kept either.
        assert all(token not in m.body_text for m in db.session.scalars(sa.select(OutboxMessage)))
    trainee = app.test_client()
    link = link_in(besa)
    assert trainee.get(link).status_code == 200 and trainee.get(link).status_code == 200  # GET changes nothing
    done = set_password(trainee, link)
    assert done.status_code == 302
    assert "Besa Kola" in trainee.get("/", follow_redirects=True).text  # signed in
    assert login(app.test_client(), "besa@example.org", "a brand new password").status_code == 302
    assert trainee.get(link).status_code == 404
    again = app.test_client()
    assert again.post(link, data={"password": "another password!", "confirm": "another password!"}).status_code in (
        400, 404)
    assert login(app.test_client(), "besa@example.org", "a brand new password").status_code == 302
    # An expired invitation: refused with the reason.
    with app.app_context():
        db.session.execute(sa.update(UserToken).where(UserToken.used_at.is_(None))
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    expired = app.test_client().get(link_in(john))
    assert expired.status_code == 404 and "not valid any more" in expired.text


def test_an_invitation_lasts_seven_days_and_a_new_one_ends_the_old_link(app, admin_client, smtp, runner):
    post(admin_client, "/academies/academy-a/trainees/new", {
        "name": "Dea", "email": "dea@example.org", "category": "police", "language": "en"})
    with app.app_context():
        token = db.session.scalar(sa.select(UserToken))
        assert token.expires_at - token.created_at == timedelta(days=7)
    assert runner.invoke(args=["users", "invite", "--email", "dea@example.org"]).exit_code == 0
    first, second = smtp.wait_for(2)
    assert app.test_client().get(link_in(first)).status_code == 404
    assert app.test_client().get(link_in(second)).status_code == 200


# --- forgotten passwords -------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_any_address_and_the_link_resets_once(app, make_user, smtp):
    make_user(email="known@example.org")
    answers = []
    for address in ("known@example.org", "nobody@example.org", "not an address"):
        client = app.test_client()
        page = client.get("/login")
        assert "/forgot-password" in page.text
        form = client.get("/forgot-password")
        response = client.post("/forgot-password", data={"csrf_token": csrf_from(form.text), "email": address})
        answers.append((response.status_code, response.headers.get("Location"),
                        client.get(response.headers["Location"]).text.replace(csrf_from(form.text), "")))
    assert answers[0][:2] == answers[1][:2] == answers[2][:2] == (302, "/login")
    notices = [a[2][a[2].index('class="flash'):a[2].index("</p>", a[2].index('class="flash'))] for a in answers]
    assert notices[0] == notices[1] == notices[2] and "If an account uses that address" in notices[0]
    [message] = smtp.wait_for(1, timeout=1)
    assert message["To"] == "known@example.org" and "new password" in message["Subject"]
    with app.app_context():
        token = db.session.scalar(sa.select(UserToken).filter_by(purpose="password_reset"))
        assert token.expires_at - token.created_at == timedelta(hours=1)
        assert db.session.scalar(sa.select(AuditEvent.action).filter_by(action="user.password_reset_request"))
    # A second request right away sends nothing more (the first link still works).
    client = app.test_client()
    form = client.get("/forgot-password")
    client.post("/forgot-password", data={"csrf_token": csrf_from(form.text), "email": "known@example.org"})
    assert len(smtp.wait_for(2, timeout=0.5)) == 1
    reset = app.test_client()
    assert set_password(reset, link_in(message), "my reset password").status_code == 302
    assert login(app.test_client(), "known@example.org", PASSWORD).status_code == 200  # the old one is gone
    assert login(app.test_client(), "known@example.org", "my reset password").status_code == 302
    assert app.test_client().get(link_in(message)).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.summary).filter_by(action="user.password_set")).endswith(
            "by password_reset link.")


# --- the profile ---------------------------------------------------------------------------------


def test_profile_changes_name_language_and_password(app, trainee_client, smtp):
    page = trainee_client.get("/profile")
    assert page.status_code == 200 and 'href="/profile"' in page.text
    response = trainee_client.post("/profile", data={"csrf_token": csrf_from(page.text), "name": "Ana Renamed",
                                                     "language": "sq"})
    assert response.status_code == 302
    after = trainee_client.get("/profile").text
    assert '<html lang="sq">' in after and "trajnim kundër trafikimit" in after  # the interface speaks Albanian
    assert "Ana Renamed" in after
    wrong = trainee_client.post("/profile/password", data={
        "csrf_token": csrf_from(after), "current": "not my password", "password": "the next password",
        "confirm": "the next password"})
    assert wrong.status_code == 422
    assert login(app.test_client(), "trainee@example.org", PASSWORD).status_code == 302
    right = trainee_client.post("/profile/password", data={
        "csrf_token": csrf_from(after), "current": PASSWORD, "password": "the next password",
        "confirm": "the next password"})
    assert right.status_code == 302
    assert login(app.test_client(), "trainee@example.org", "the next password").status_code == 302
    [notice] = smtp.wait_for(1)
    assert notice["To"] == "trainee@example.org" and notice["Content-Language"] == "sq"
    assert "/forgot-password" in link_in(notice)
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"user.profile", "user.password_change"} <= actions
    assert trainee_client.post("/profile", data={"name": "X", "language": "sq"}).status_code == 400  # no CSRF


def test_profile_refuses_a_language_outside_the_choices(app, trainee_client):
    page = trainee_client.get("/profile")
    response = trainee_client.post("/profile", data={"csrf_token": csrf_from(page.text), "name": "Ana",
                                                     "language": "xx"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(User.language).filter_by(email="trainee@example.org")) == "en"


def test_an_email_change_is_confirmed_by_a_link_to_the_new_address(app, trainee_client, smtp, make_user):
    make_user(email="taken@example.org")
    page = trainee_client.get("/profile").text
    taken = trainee_client.post("/profile/email", data={"csrf_token": csrf_from(page), "email": "taken@example.org",
                                                        "password": PASSWORD})
    assert taken.status_code == 422 and "Another account uses taken@example.org" in taken.text
    wrong = trainee_client.post("/profile/email", data={"csrf_token": csrf_from(page), "email": "new@example.org",
                                                        "password": "wrong"})
    assert wrong.status_code == 422 and outbox(app) == []
    asked = trainee_client.post("/profile/email", data={"csrf_token": csrf_from(page), "email": "New@Example.org",
                                                        "password": PASSWORD})
    assert asked.status_code == 302
    smtp.wait_for(2)
    [confirm], [notice] = smtp.to("new@example.org"), smtp.to("trainee@example.org")
    assert "new@example.org" in text_of(notice) and "/forgot-password" in link_in(notice)
    link = link_in(confirm)
    other = app.test_client()
    shown = other.get(link)
    assert shown.status_code == 200 and "new@example.org" in shown.text
    with app.app_context():  # GET changed nothing
        assert db.session.scalar(sa.select(User.email).filter(User.name == "Test User", User.email != "taken@example.org")) == "trainee@example.org"
    done = other.post(link, data={"csrf_token": csrf_from(shown.text)})
    assert done.status_code == 302
    assert login(app.test_client(), "new@example.org").status_code == 302
    assert login(app.test_client(), "trainee@example.org").status_code == 200
    assert other.get(link).status_code == 404
    with app.app_context():
        token = db.session.scalar(sa.select(UserToken).filter_by(purpose="email_change"))
        assert token.expires_at - token.created_at == timedelta(hours=24)
        assert db.session.scalar(sa.select(AuditEvent.action).filter_by(action="user.email_change"))


def test_the_profile_needs_a_signed_in_user(client):
    assert client.get("/profile").status_code == 302
