"""`flask demo seed` on the real curriculum: one account per role, idempotent, and they can sign in."""

import sqlalchemy as sa

from app.auth.models import User
from app.demo import DEMO_PASSWORD, DEMO_USERS
from app.demo_region import DEMO_DOMAIN, DEMO_TRAINEES, HISTORY_PER_ACADEMY
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
        people = db.session.scalar(sa.select(sa.func.count(User.id)))
        assert people == len(DEMO_USERS) + len(DEMO_TRAINEES) * (1 + HISTORY_PER_ACADEMY)
    client = real_app.test_client()
    response = login(client, "trainee@demo.example.org", DEMO_PASSWORD)
    assert response.status_code == 302
    assert "Modules" in client.get("/learn/").text
    admin = real_app.test_client()
    login(admin, "academy.admin@demo.example.org", DEMO_PASSWORD)
    report = admin.get("/academies/demo-police-academy-al/reports").text
    assert "trainee@demo.example.org" in report
    prosecutor = real_app.test_client()
    login(prosecutor, "prosecutor.sq@demo.example.org", DEMO_PASSWORD)
    dashboard = prosecutor.get("/learn/").text
    assert "Trafikimi i qenieve njerëzore për prokurorët dhe gjyqtarët" in dashboard  # course title in Albanian


def test_demo_coordinators_see_coverage(real_app):
    real_app.test_cli_runner().invoke(args=["demo", "seed"])
    national = real_app.test_client()
    login(national, "coordinator@demo.example.org", DEMO_PASSWORD)
    page = national.get("/coverage/")
    assert page.status_code == 200 and "Coverage by prong" in page.text
    regional = real_app.test_client()
    login(regional, "regional@demo.example.org", DEMO_PASSWORD)
    page = regional.get("/coverage/")
    assert page.status_code == 200 and "Coverage by country and prong" in page.text


def test_demo_shows_every_country_in_its_language_with_figures_above_the_threshold(real_app):
    """A newcomer sees the main features with numbers: a trainee per country in its default language, and
    coverage and item statistics that are not withheld as under five people."""
    real_app.test_cli_runner().invoke(args=["demo", "seed"])
    with real_app.app_context():
        from app.curriculum.models import Country
        for code in DEMO_TRAINEES:
            trainee = db.session.scalar(sa.select(User).filter_by(email=f"trainee.{code.lower()}@{DEMO_DOMAIN}"))
            assert trainee is not None and trainee.language == db.session.get(Country, code).languages[0], code
    client = real_app.test_client()
    assert login(client, f"trainee.bg@{DEMO_DOMAIN}", DEMO_PASSWORD).status_code == 302
    dashboard = client.get("/learn/").text
    assert 'lang="bg"' in dashboard  # the course in Bulgarian, the country's language
    with real_app.app_context():
        from app.coverage.services import Query, Scope, compute
        from app.utils import utcnow
        table = compute(Query(as_of=utcnow().date(), group_by=("country", "prong")), Scope())
        police = [r for r in table["rows"] if r["prong"] == "police"]
        shown = [r for r in police if not r.get("suppressed")]
        assert len(shown) >= 10, police  # the countries' police figures are shown, not withheld
        assert all(r["trained"] >= 5 for r in shown)
    admin = real_app.test_client()
    login(admin, "admin@demo.example.org", DEMO_PASSWORD)
    with real_app.app_context():
        from app.itemstats.services import bank_statistics, module_by_slug
        stats = bank_statistics(module_by_slug("police-01-what-trafficking-is"))
        overall = [q.overall for q in stats["questions"]]
        assert sum(1 for c in overall if not c.withheld and c.n) >= 10  # item statistics with figures


def test_demo_evaluation_figures_are_above_the_threshold(real_app):
    """The demo's reaction and follow-up answers give the regional coordinator figures, not withheld cells."""
    from app.coverage.services import Scope
    from app.evaluation import services as evaluation

    real_app.test_cli_runner().invoke(args=["demo", "seed"])
    regional = real_app.test_client()
    login(regional, "regional@demo.example.org", DEMO_PASSWORD)
    page = regional.get("/evaluation/results")
    assert page.status_code == 200 and "Respondents:" in page.text
    with real_app.app_context():
        [police] = [row for row in evaluation.aggregates(Scope()) if row["course"] == "police"]
        assert police["reaction"]["respondents"] >= 5 and police["reaction"]["items"][0]["mean"] is not None
        assert police["follow_up"]["respondents"] >= 5
