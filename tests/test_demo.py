"""`flask demo seed` on the real curriculum: one account per role, idempotent, and they can sign in."""

import sqlalchemy as sa

from app.auth.models import User
from app.demo import DEMO_PASSWORD, DEMO_USERS
from app.extensions import db
from tests.conftest import login


def test_demo_seed_creates_every_role_once_and_accounts_sign_in(real_app):
    runner = real_app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    with real_app.app_context():
        roles = set(db.session.scalars(sa.select(User.role)))
        assert roles == {"trainee", "academy_admin", "coordinator", "regional_coordinator", "platform_admin"}
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(DEMO_USERS)
    client = real_app.test_client()
    response = login(client, "trainee@demo.thb-academy.org", DEMO_PASSWORD)
    assert response.status_code == 302
    assert "Modules" in client.get("/learn/").text
    admin = real_app.test_client()
    login(admin, "academy.admin@demo.thb-academy.org", DEMO_PASSWORD)
    report = admin.get("/academies/demo-police-academy-al/reports").text
    assert "trainee@demo.thb-academy.org" in report
    prosecutor = real_app.test_client()
    login(prosecutor, "prosecutor.sq@demo.thb-academy.org", DEMO_PASSWORD)
    dashboard = prosecutor.get("/learn/").text
    assert "Trafikimi i qenieve njerëzore për prokurorët dhe gjyqtarët" in dashboard  # course title in Albanian


def test_demo_coordinators_see_coverage(real_app):
    real_app.test_cli_runner().invoke(args=["demo", "seed"])
    national = real_app.test_client()
    login(national, "coordinator@demo.thb-academy.org", DEMO_PASSWORD)
    page = national.get("/coverage/")
    assert page.status_code == 200 and "Coverage by prong" in page.text
    regional = real_app.test_client()
    login(regional, "regional@demo.thb-academy.org", DEMO_PASSWORD)
    page = regional.get("/coverage/")
    assert page.status_code == 200 and "Coverage by country and prong" in page.text
