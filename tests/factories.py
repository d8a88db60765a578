"""Test data: made through the same services the product uses, or (for figures over many people) rows written
directly with the dates a test needs. Every test module takes its helpers from here or tests/quiz_helpers.py."""

from datetime import datetime

import sqlalchemy as sa

from app.academy.models import Academy
from app.auth.models import User
from app.auth.services import create_user, record_service
from app.curriculum.models import Course
from app.extensions import db
from app.learning.models import CourseProgress
from app.learning.progress import record_completion

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
    if not active:
        record_service(user, False)
    db.session.commit()
    return {"id": user.id, "email": user.email}


JAN = datetime(2026, 1, 10, 9)


def people(acad, n, *, prong="police", created=JAN, started=None, completed=None, suspended=None, tag="p"):
    """n trainees of an academy, with optional course start/completion and suspension times (their service
    from `created` to `suspended`)."""
    course = db.session.scalar(sa.select(Course).filter_by(prong=prong))
    course_id = course.id if course else None
    made = []
    for i in range(n):
        user = User(email=f"{tag}{i}.{acad.slug}@example.org", name=f"{tag} {i}", password_hash="!", role="trainee",
                    country_code=acad.country_code, academy_id=acad.id, category=prong, language="en",
                    created_at=created, suspended_at=suspended, active=suspended is None)
        db.session.add(user)
        db.session.flush()
        record_service(user, True, on=created.date())
        if suspended is not None:
            record_service(user, False, on=suspended.date())
        if started and course_id:
            db.session.add(CourseProgress(user_id=user.id, course_id=course_id, started_at=started,
                                          completed_at=completed))
            if completed is not None:
                record_completion(user.id, course, completed, how="first")
        made.append(user)
    db.session.flush()
    return made
