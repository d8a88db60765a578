"""Test data made through the same services the product uses."""

import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.services import create_user
from app.extensions import db

PASSWORD = "correct horse battery"


def get_academy(country: str, slug: str | None = None) -> Academy:
    slug = slug or f"test-academy-{country.lower()}"
    academy = db.session.scalar(sa.select(Academy).filter_by(slug=slug))
    if academy is None:
        academy = Academy(slug=slug, name=f"Test academy {country}", country_code=country)
        db.session.add(academy)
        db.session.flush()
    return academy


def create_test_user(*, email, role="trainee", country="AL", category="police", language="en",
                     academy=None, active=True, name="Test User"):
    if role in ("trainee", "academy_admin") and academy is None:
        academy = get_academy(country).slug
    found = db.session.scalar(sa.select(Academy).filter_by(slug=academy)) if academy else None
    user = create_user(email=email, name=name, role=role, country=country, password=PASSWORD,
                       academy=found, category=category if role == "trainee" else None, language=language)
    user.active = active
    db.session.commit()
    return {"id": user.id, "email": user.email}
