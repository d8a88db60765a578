"""`flask demo seed`: fictional academies, accounts, a cohort and a mandatory rule, through the same
services as the pages (so the audit log records them). Idempotent."""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.academy import services as academies
from app.academy.models import Academy
from app.auth.models import User
from app.curriculum.models import Country, Course
from app.demo_region import seed_region
from app.enrolment import services as enrolment
from app.enrolment.models import Cohort, MandatoryCourse
from app.extensions import db
from app.foundation.roles import Role

demo_cli = click.Group("demo", help="Demo data for trying the platform.")

#: Demo academies are fictional and named as such: no real institution is implied.
DEMO_ACADEMIES = [
    ("demo-police-academy-al", "Demo Police Academy (Albania, fictional)", "AL", "police_academy"),
    ("demo-police-academy-rs", "Demo Police Academy (Serbia, fictional)", "RS", "police_academy"),
    ("demo-judicial-centre-hr", "Demo Judicial Training Centre (Croatia, fictional)", "HR", "judicial_training_centre"),
    ("demo-judicial-centre-al", "Demo Judicial Training Centre (Albania, fictional)", "AL", "judicial_training_centre"),
    ("demo-judicial-centre-rs", "Demo Judicial Training Centre (Serbia, fictional)", "RS", "judicial_training_centre"),
]

DEMO_PASSWORD = "demo-password-2026"
#: The demo accounts live under demo.example.org, a domain reserved for documentation (RFC 2606: no real mail
#: reaches anyone) that the e-mail check accepts (.test, where they lived before, is refused). `seed` moves them.
FORMER_DEMO_DOMAIN = "thb-academy.test"
DEMO_USERS = [
    dict(email="trainee@demo.example.org", name="Arta Demo", role="trainee", country="AL",
         academy="demo-police-academy-al", category="police", language="en"),
    dict(email="trainee.sq@demo.example.org", name="Besnik Demo", role="trainee", country="AL",
         academy="demo-police-academy-al", category="police", language="sq"),
    dict(email="trainee.sr@demo.example.org", name="Milica Demo", role="trainee", country="RS",
         academy="demo-police-academy-rs", category="police", language="sr"),
    dict(email="investigator@demo.example.org", name="Dragan Demo", role="trainee", country="RS",
         academy="demo-police-academy-rs", category="investigators", language="en"),
    dict(email="judge@demo.example.org", name="Ivana Demo", role="trainee", country="HR",
         academy="demo-judicial-centre-hr", category="judiciary", language="en"),
    dict(email="prosecutor.sq@demo.example.org", name="Drita Demo", role="trainee", country="AL",
         academy="demo-judicial-centre-al", category="judiciary", language="sq"),
    dict(email="judge.sr@demo.example.org", name="Jelena Demo", role="trainee", country="RS",
         academy="demo-judicial-centre-rs", category="judiciary", language="sr"),
    dict(email="academy.admin@demo.example.org", name="Elira Demo", role="academy_admin", country="AL",
         academy="demo-police-academy-al", language="en"),
    dict(email="coordinator@demo.example.org", name="Genti Demo", role="coordinator", country="AL", language="en"),
    dict(email="regional@demo.example.org", name="Regional Demo", role="regional_coordinator", country="RS",
         language="en"),
    dict(email="admin@demo.example.org", name="Platform Admin", role="platform_admin", country="AL", language="en"),
]


@demo_cli.command("seed")
@with_appcontext
def seed_command():
    """Create the fictional demo academies and one account per role (idempotent)."""
    for slug, name, country, kind in DEMO_ACADEMIES:
        if db.session.get(Country, country) is None:
            raise click.ClickException(f"Country {country} is not loaded. Run 'flask curricula load' first.")
        if academies.academy_by_slug(slug) is None:
            academies.create_academy(None, slug=slug, name=name, country=country, kind=kind)
    db.session.flush()
    _move_former_demo_accounts()
    for spec in DEMO_USERS:
        if db.session.scalar(sa.select(User).filter_by(email=spec["email"])) is None:
            academies.create_account(None, password=DEMO_PASSWORD, **spec)
    _seed_demo_academy()
    region = seed_region(DEMO_PASSWORD)
    db.session.commit()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for spec in DEMO_USERS:
        click.echo(f"  {spec['role']:<15} {spec['email']:<40} {spec['country']} {spec.get('category') or ''}")
    click.echo("One police trainee per country, in the country's language (same password):")
    for entry in region:
        click.echo(f"  trainee         {entry['email']:<40} {entry['country']} police ({entry['language']})")


def _move_former_demo_accounts() -> None:
    """Demo accounts made by an earlier version under @thb-academy.test move to the demo domain."""
    for spec in DEMO_USERS:
        local = spec["email"].rpartition("@")[0]
        former = db.session.scalar(sa.select(User).filter_by(email=f"{local}@{FORMER_DEMO_DOMAIN}"))
        if former is not None and db.session.scalar(sa.select(User.id).filter_by(email=spec["email"])) is None:
            former.email = spec["email"]
    db.session.flush()


def _seed_demo_academy() -> None:
    """A cohort and a mandatory-course rule in the Albanian demo academy, so that reports have content."""
    academy = db.session.scalar(sa.select(Academy).filter_by(slug="demo-police-academy-al"))
    course = db.session.scalar(sa.select(Course).filter_by(prong="police"))
    if academy is None or course is None:
        return
    cohort = db.session.scalar(sa.select(Cohort).filter_by(academy_id=academy.id, name="Demo intake 2027"))
    if cohort is None:
        cohort = enrolment.create_cohort(None, academy, "Demo intake 2027", "Fictional demo cohort.")
    for user in db.session.scalars(sa.select(User).filter_by(academy_id=academy.id, role=Role.TRAINEE.value)):
        enrolment.join_cohort(None, academy, cohort, user)
    if db.session.scalar(sa.select(MandatoryCourse.id).filter_by(academy_id=academy.id, course_id=course.id,
                                                                 category="police", stage="in_service")) is None:
        enrolment.set_mandatory(None, academy, course, "police", 180)
    # The same course in basic training too, with the same deadline (so that cadets keep it), since 2019.
    if db.session.scalar(sa.select(MandatoryCourse.id).filter_by(academy_id=academy.id, course_id=course.id,
                                                                 category="police", stage="basic")) is None:
        enrolment.set_mandatory(None, academy, course, "police", 180, stage="basic", since=date(2019, 9, 1))
