"""`flask users`, `flask academies` and `flask demo`: accounts from the command line."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.academy.models import ACADEMY_KINDS, Academy
from app.curriculum.models import Country
from app.foundation.prongs import PRONGS
from app.extensions import db

from app.foundation.roles import Role

from .models import User
from .services import UserError, create_user

users_cli = click.Group("users", help="Manage user accounts.")
academies_cli = click.Group("academies", help="Manage academies.")
demo_cli = click.Group("demo", help="Demo data for trying the platform.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--country", required=True, help="Country code, e.g. AL.")
@click.option("--academy", help="Academy slug (trainees and academy administrators).")
@click.option("--category", type=click.Choice(PRONGS), help="Service category of a trainee.")
@click.option("--language", help="Preferred language (ISO 639); default: the country's first language.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email, name, role, country, academy, category, language, password_stdin):
    """Create a user account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, name=name, role=role, country=country, password=password,
                           academy=academy, category=category, language=language)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} {user.email} ({user.country_code}).")


@academies_cli.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--country", required=True)
@click.option("--kind", type=click.Choice(ACADEMY_KINDS), default="police_academy", show_default=True)
@with_appcontext
def create_academy_command(slug, name, country, kind):
    """Create an academy."""
    if db.session.get(Country, country.upper()) is None:
        raise click.ClickException(f"Unknown country '{country}'. Load the curricula first.")
    if db.session.scalar(sa.select(Academy).filter_by(slug=slug)):
        raise click.ClickException(f"An academy with the slug '{slug}' already exists.")
    db.session.add(Academy(slug=slug, name=name, country_code=country.upper(), kind=kind))
    db.session.commit()
    click.echo(f"Created academy {slug}.")


#: Demo academies are fictional and named as such: no real institution is implied.
DEMO_ACADEMIES = [
    ("demo-police-academy-al", "Demo Police Academy (Albania, fictional)", "AL", "police_academy"),
    ("demo-police-academy-rs", "Demo Police Academy (Serbia, fictional)", "RS", "police_academy"),
    ("demo-judicial-centre-hr", "Demo Judicial Training Centre (Croatia, fictional)", "HR", "judicial_training_centre"),
    ("demo-judicial-centre-al", "Demo Judicial Training Centre (Albania, fictional)", "AL", "judicial_training_centre"),
    ("demo-judicial-centre-rs", "Demo Judicial Training Centre (Serbia, fictional)", "RS", "judicial_training_centre"),
]

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    dict(email="trainee@thb-academy.test", name="Arta Demo", role="trainee", country="AL",
         academy="demo-police-academy-al", category="police", language="en"),
    dict(email="trainee.sq@thb-academy.test", name="Besnik Demo", role="trainee", country="AL",
         academy="demo-police-academy-al", category="police", language="sq"),
    dict(email="trainee.sr@thb-academy.test", name="Milica Demo", role="trainee", country="RS",
         academy="demo-police-academy-rs", category="police", language="sr"),
    dict(email="investigator@thb-academy.test", name="Dragan Demo", role="trainee", country="RS",
         academy="demo-police-academy-rs", category="investigators", language="en"),
    dict(email="judge@thb-academy.test", name="Ivana Demo", role="trainee", country="HR",
         academy="demo-judicial-centre-hr", category="judiciary", language="en"),
    dict(email="prosecutor.sq@thb-academy.test", name="Drita Demo", role="trainee", country="AL",
         academy="demo-judicial-centre-al", category="judiciary", language="sq"),
    dict(email="judge.sr@thb-academy.test", name="Jelena Demo", role="trainee", country="RS",
         academy="demo-judicial-centre-rs", category="judiciary", language="sr"),
    dict(email="academy.admin@thb-academy.test", name="Elira Demo", role="academy_admin", country="AL",
         academy="demo-police-academy-al", language="en"),
    dict(email="coordinator@thb-academy.test", name="Genti Demo", role="coordinator", country="AL", language="en"),
    dict(email="regional@thb-academy.test", name="Regional Demo", role="regional_coordinator", country="RS",
         language="en"),
    dict(email="admin@thb-academy.test", name="Platform Admin", role="platform_admin", country="AL", language="en"),
]


@demo_cli.command("seed")
@with_appcontext
def seed_command():
    """Create the fictional demo academies and one account per role (idempotent)."""
    for slug, name, country, kind in DEMO_ACADEMIES:
        if db.session.get(Country, country) is None:
            raise click.ClickException(f"Country {country} is not loaded. Run 'flask curricula load' first.")
        if db.session.scalar(sa.select(Academy).filter_by(slug=slug)) is None:
            db.session.add(Academy(slug=slug, name=name, country_code=country, kind=kind))
    db.session.flush()
    for spec in DEMO_USERS:
        if db.session.scalar(sa.select(User).filter_by(email=spec["email"])) is None:
            create_user(password=DEMO_PASSWORD, **spec)
    _seed_demo_academy()
    db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for spec in DEMO_USERS:
        click.echo(f"  {spec['role']:<15} {spec['email']:<34} {spec['country']} {spec.get('category') or ''}")


def _seed_demo_academy() -> None:
    """A cohort and a mandatory-course rule in the Albanian demo academy, so that reports have content."""
    from app.academy.models import Cohort, CohortMembership, MandatoryCourse
    from app.curriculum.models import Course

    academy = db.session.scalar(sa.select(Academy).filter_by(slug="demo-police-academy-al"))
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    if academy is None or course is None:
        return
    cohort = db.session.scalar(sa.select(Cohort).filter_by(academy_id=academy.id, name="Demo intake 2027"))
    if cohort is None:
        cohort = Cohort(academy_id=academy.id, name="Demo intake 2027", description="Fictional demo cohort.")
        db.session.add(cohort)
        db.session.flush()
    for user in db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, role="trainee")):
        if db.session.scalar(sa.select(CohortMembership.id).filter_by(cohort_id=cohort.id, user_id=user.id,
                                                                      left_at=None)) is None:
            db.session.add(CohortMembership(cohort_id=cohort.id, user_id=user.id))
    if db.session.scalar(sa.select(MandatoryCourse.id).filter_by(academy_id=academy.id, course_id=course.id,
                                                                 category="police")) is None:
        db.session.add(MandatoryCourse(academy_id=academy.id, course_id=course.id, category="police",
                                       due_within_days=180))
