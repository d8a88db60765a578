"""The platform administrator's user management on pages: list, create, change role and scope,
suspend (confirmed), reset a password (confirmed); all audited; nobody else gets in."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.factories import get_academy
from tests.mail_helpers import link_in


def _admin(make_user, client):
    admin = make_user(email="root@example.org", role="platform_admin", name="Root Admin")
    login(client, admin["email"])
    return admin


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        db.session.expunge(user)
        return user


def test_only_the_platform_administrator_manages_accounts(app, client, make_user):
    make_user(email="aa@example.org", role="academy_admin")
    make_user(email="coord@example.org", role="coordinator")
    make_user(email="trainee@example.org")
    for email in ("aa@example.org", "coord@example.org", "trainee@example.org"):
        other = app.test_client()
        login(other, email)
        assert other.get("/admin/users/").status_code == 403, email
        assert other.get("/admin/users/new").status_code == 403, email
        assert other.post("/admin/users/1/suspend").status_code in (400, 403), email
    assert client.get("/admin/users/").status_code == 302  # not signed in: to sign-in


def test_list_filters_sorts_and_pages_in_the_database(app, client, make_user):
    _admin(make_user, client)
    for n in range(3):
        make_user(email=f"coord{n}@example.org", role="coordinator", country="RS", name=f"Coordinator {n}")
    make_user(email="t1@example.org", name="Zana Trainee")
    page = client.get("/admin/users/?role=coordinator").text
    assert "3 accounts" in page and "Coordinator 0" in page and "Zana Trainee" not in page
    page = client.get("/admin/users/?q=zana").text
    assert "1 account" in page and "Zana Trainee" in page
    table = client.get("/admin/users/?sort=name&dir=desc").text.split('id="users-table"')[1]
    assert table.index("Zana Trainee") < table.index("Root Admin") < table.index("Coordinator 2") < table.index("Coordinator 0")
    table = client.get("/admin/users/?sort=name").text.split('id="users-table"')[1]
    assert table.index("Coordinator 0") < table.index("Root Admin") < table.index("Zana Trainee")
    # Stale or hostile parameters open the list, never a 500.
    for query in ("sort=password_hash", "page=-4", "page=abc", "page=99999999999999999999", "role=god"):
        assert client.get(f"/admin/users/?{query}").status_code == 200, query
    assert client.get("/admin/users/?country=%00").status_code == 400  # a NUL byte is refused everywhere


def test_create_an_account_without_password_audited(app, client, make_user, smtp):
    _admin(make_user, client)
    form = client.get("/admin/users/new").text
    response = client.post("/admin/users/new", data={
        "csrf_token": csrf_from(form), "name": "Nadia Coordinator", "email": "nadia@example.org",
        "role": "coordinator", "country": "AL", "academy": "", "category": "", "language": "sq"})
    assert response.status_code == 302
    nadia = _user(app, "nadia@example.org")
    assert nadia.role == "coordinator" and nadia.password_hash == "!" and nadia.language == "sq"
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).filter_by(target_id=nadia.id)))
        assert {"user.create", "user.invite"} <= actions
    # The invitation arrives at the mail server, in Albanian (her language), and its link sets a password.
    invitation = smtp.wait_for(1)[0]
    assert invitation["To"] == "nadia@example.org"
    page = app.test_client().get(link_in(invitation))
    assert page.status_code == 200 and 'type="password"' in page.text
    # A broken combination is refused with the reason and creates nothing.
    refused = client.post("/admin/users/new", data={
        "csrf_token": csrf_from(form), "name": "No Academy", "email": "noacad@example.org",
        "role": "academy_admin", "country": "AL", "academy": "", "category": "", "language": "sq"})
    assert refused.status_code == 200 and "must belong to an academy" in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).filter_by(email="noacad@example.org")) is None


def test_change_role_and_scope(app, client, make_user):
    _admin(make_user, client)
    person = make_user(email="move@example.org", role="coordinator", country="AL", name="Mover")
    with app.app_context():
        get_academy("AL", "tirana")
        db.session.commit()
    edit = client.get(f"/admin/users/{person['id']}/edit").text
    assert 'value="move@example.org"' in edit
    response = client.post(f"/admin/users/{person['id']}/edit", data={
        "csrf_token": csrf_from(edit), "name": "Mover", "email": "move@example.org", "role": "academy_admin",
        "country": "AL", "academy": "tirana", "category": "", "language": "en"})
    assert response.status_code == 302
    moved = _user(app, "move@example.org")
    assert moved.role == "academy_admin"
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(target_id=person["id"], action="user.update"))
        assert "role: coordinator → academy_admin" in event.summary
    # An academy in another country is refused.
    with app.app_context():
        get_academy("RS", "belgrade")
        db.session.commit()
    refused = client.post(f"/admin/users/{person['id']}/edit", data={
        "csrf_token": csrf_from(edit), "name": "Mover", "email": "move@example.org", "role": "academy_admin",
        "country": "AL", "academy": "belgrade", "category": "", "language": "en"})
    assert refused.status_code == 200 and "is in RS, not AL" in refused.text
    assert _user(app, "move@example.org").academy_id != None  # noqa: E711  (still Tirana)


def test_suspend_asks_first_then_ends_sign_in(app, client, make_user):
    admin = _admin(make_user, client)
    person = make_user(email="coord@example.org", role="coordinator", name="Dritan Coordinator")
    confirm = client.get(f"/admin/users/{person['id']}/suspend")
    assert confirm.status_code == 200 and "Suspend Dritan Coordinator?" in confirm.text
    assert _user(app, "coord@example.org").active  # GET changed nothing
    client.post(f"/admin/users/{person['id']}/suspend", data={"csrf_token": csrf_from(confirm.text)})
    assert not _user(app, "coord@example.org").active
    other = app.test_client()
    assert login(other, "coord@example.org").status_code == 200  # refused: the form again
    # The administrator cannot suspend themselves.
    own = client.get(f"/admin/users/{admin['id']}/suspend")
    client.post(f"/admin/users/{admin['id']}/suspend", data={"csrf_token": csrf_from(own.text)})
    assert _user(app, "root@example.org").active


def test_reset_ends_the_password_and_sends_a_new_invitation(app, client, make_user, smtp):
    _admin(make_user, client)
    person = make_user(email="coord@example.org", role="coordinator", name="Dritan Coordinator")
    page = client.get(f"/admin/users/{person['id']}").text
    assert "Reset the password" in page and "Send a new invitation" not in page
    confirm = client.get(f"/admin/users/{person['id']}/reset")
    assert "Reset the password of Dritan Coordinator?" in confirm.text
    assert login(app.test_client(), "coord@example.org").status_code == 302  # GET changed nothing
    client.post(f"/admin/users/{person['id']}/reset", data={"csrf_token": csrf_from(confirm.text)})
    assert login(app.test_client(), "coord@example.org").status_code == 200  # the old password is refused
    assert smtp.wait_for(1)[0]["To"] == "coord@example.org"
    page = client.get(f"/admin/users/{person['id']}").text
    assert "Send a new invitation" in page and "no password yet" in page


def test_unknown_account_is_404(app, client, make_user):
    _admin(make_user, client)
    assert client.get("/admin/users/99999999999999999999").status_code == 404
