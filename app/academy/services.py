"""Academy administration: who may manage which academy, academies and their trainees.

Every function that changes something records an audit event and only flushes; the route commits.
Cohorts, assignments and mandatory rules are the enrolment area's (`app/enrolment`).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import audit
from app.auth.models import User
from app.auth.services import EmailTaken, UserError, create_user, normalise_email
from app.curriculum.models import Country
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role
from app.utils import utcnow

from .models import ACADEMY_KINDS, Academy


class AcademyError(ServiceError):
    """A change refused; the message says why."""


# --- who may manage what (the one place) ---------------------------------------------------------


def can_manage(actor: User, academy: Academy) -> bool:
    if actor.role == Role.PLATFORM_ADMIN:
        return True
    return actor.role == Role.ACADEMY_ADMIN and actor.academy_id == academy.id


def managed_academies(actor: User) -> list[Academy]:
    query = sa.select(Academy).order_by(Academy.name)
    if actor.role != Role.PLATFORM_ADMIN:
        query = query.filter(Academy.id == (actor.academy_id if actor.role == Role.ACADEMY_ADMIN else -1))
    return list(db.session.scalars(query))


def academy_for(actor: User, slug: str) -> Academy | None:
    """The academy `slug` if the actor may manage it; None otherwise (the route answers 404)."""
    academy = db.session.scalar(sa.select(Academy).filter_by(slug=slug))
    return academy if academy is not None and can_manage(actor, academy) else None


def trainee_in(academy: Academy, trainee_id: int) -> User | None:
    return db.session.scalar(sa.select(User).filter_by(id=trainee_id, academy_id=academy.id, role=Role.TRAINEE))


def find_trainee(academy: Academy, identifier: str) -> User | None:
    """A trainee of the academy by e-mail or personnel number."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return db.session.scalar(sa.select(User).filter(
        User.academy_id == academy.id, User.role == Role.TRAINEE.value,
        sa.or_(User.email == identifier.lower(), User.personnel_number == identifier)))


def counts(academy: Academy) -> dict[str, int]:
    """Trainees of the academy, and how many of them are suspended (one query)."""
    total, suspended = db.session.execute(
        sa.select(sa.func.count(User.id), sa.func.coalesce(sa.func.sum(sa.case((User.active.is_(False), 1), else_=0)), 0))
        .filter(User.academy_id == academy.id, User.role == Role.TRAINEE.value)).one()
    return {"trainees": total, "suspended": int(suspended)}


# --- academies -----------------------------------------------------------------------------------


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def create_academy(actor: User | None, *, slug: str, name: str, country: str, kind: str) -> Academy:
    if actor is not None and actor.role != Role.PLATFORM_ADMIN:
        raise AcademyError(_l("Only platform administrators create academies."), 403)
    if not SLUG_RE.match(slug or ""):
        raise AcademyError(_l("The short name '%(slug)s' may hold only lower-case letters, digits and '-'.", slug=slug))
    if db.session.scalar(sa.select(Academy.id).filter_by(slug=slug)):
        raise AcademyError(_l("An academy with the short name '%(slug)s' already exists.", slug=slug))
    if kind not in ACADEMY_KINDS:
        raise AcademyError(_l("Unknown kind of academy '%(kind)s'.", kind=kind))
    if db.session.get(Country, country) is None:
        raise AcademyError(_l("Unknown country '%(country)s'. Load the curricula first (flask curricula load).",
                              country=country))
    academy = Academy(slug=slug, name=name.strip(), country_code=country, kind=kind)
    db.session.add(academy)
    db.session.flush()
    audit(actor, academy, "academy.create", academy, f"Created academy {academy.name} ({country}).")
    return academy


def academy_by_slug(slug: str) -> Academy | None:
    return db.session.scalar(sa.select(Academy).filter_by(slug=slug)) if slug else None


def create_account(actor: User | None, *, email: str, name: str, role: str, country: str, password: str | None,
                   academy: str | None = None, category: str | None = None, language: str | None = None) -> User:
    """Any account (trainee, academy administrator, coordinator ...), by academy short name; audited.
    The command line and the pages create accounts through here or `create_trainee`."""
    found = academy_by_slug(academy) if academy else None
    if academy and found is None:
        raise AcademyError(_l("Unknown academy '%(slug)s'.", slug=academy))
    try:
        user = create_user(email=email, name=name, role=role, country=country, password=password, academy=found,
                           category=category, language=language)
    except UserError as exc:
        raise AcademyError(exc.message) from None
    audit(actor, found, "user.create", user, f"Created {user.role} {user.name} <{user.email}>.")
    return user


# --- trainees ------------------------------------------------------------------------------------


def _check_personnel_number(academy: Academy, number: str | None, exclude_id: int | None = None) -> None:
    if not number:
        return
    query = sa.select(User.id).filter_by(academy_id=academy.id, personnel_number=number)
    if exclude_id is not None:
        query = query.filter(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise AcademyError(_l("Personnel number %(number)s is already used by another trainee of this academy.",
                              number=number))


def email_taken_error(academy: Academy, email: str) -> AcademyError:
    """The refusal of an e-mail that is taken: named as a trainee of this academy, else only 'cannot be used',
    so that an academy never learns that someone has an account in another academy or country."""
    owner = db.session.scalar(sa.select(User).filter_by(email=email))
    if owner is not None and owner.academy_id == academy.id and owner.is_trainee:
        return AcademyError(_l("A trainee of this academy already has the e-mail %(email)s.", email=email))
    return AcademyError(_l("The e-mail %(email)s cannot be used for this account. Check it, or ask the platform "
                           "administrator.", email=email))


def create_trainee(actor: User, academy: Academy, *, email: str, name: str, category: str, unit: str | None,
                   personnel_number: str | None, language: str, password: str | None = None) -> User:
    """A new trainee of the academy. Without a password the account cannot sign in until one is set."""
    _check_personnel_number(academy, personnel_number)
    try:
        user = create_user(email=email, name=name, role=Role.TRAINEE.value, country=academy.country_code,
                           password=password, academy=academy, category=category, language=language)
    except EmailTaken:
        raise email_taken_error(academy, normalise_email(email)) from None
    except UserError as exc:
        raise AcademyError(exc.message if isinstance(exc, ServiceError) else str(exc)) from None
    user.unit = (unit or "").strip() or None
    user.personnel_number = (personnel_number or "").strip() or None
    db.session.flush()
    audit(actor, academy, "trainee.create", user, f"Created trainee {user.name} <{user.email}>.")
    return user


def update_trainee(actor: User, academy: Academy, trainee: User, *, name: str, email: str, category: str,
                   unit: str | None, personnel_number: str | None, language: str) -> User:
    try:
        email = normalise_email(email)
    except UserError as exc:
        raise AcademyError(exc.message if isinstance(exc, ServiceError) else str(exc)) from None
    if category not in PRONGS:
        raise AcademyError(_l("Unknown service category '%(category)s'.", category=category))
    if email != trainee.email and db.session.scalar(sa.select(User.id).filter_by(email=email)):
        raise email_taken_error(academy, email)
    personnel_number = (personnel_number or "").strip() or None
    _check_personnel_number(academy, personnel_number, exclude_id=trainee.id)
    changes = []
    for attr, value in (("name", name.strip()), ("email", email), ("category", category),
                        ("unit", (unit or "").strip() or None), ("personnel_number", personnel_number),
                        ("language", language)):
        if getattr(trainee, attr) != value:
            changes.append(attr)
            setattr(trainee, attr, value)
    if changes:
        audit(actor, academy, "trainee.update", trainee, f"Changed {', '.join(changes)} of {trainee.name}.")
    return trainee


def set_suspended(actor: User, academy: Academy, trainee: User, suspended: bool) -> None:
    """Suspend or reactivate. Nothing of the trainee's history is touched either way."""
    if trainee.active == (not suspended):
        return
    trainee.active = not suspended
    if suspended:
        trainee.end_sessions()
    trainee.suspended_at = utcnow() if suspended else None
    action = "trainee.suspend" if suspended else "trainee.reactivate"
    audit(actor, academy, action, trainee, f"{'Suspended' if suspended else 'Reactivated'} {trainee.name}.")


def trainees_page(academy: Academy, *, search: str = "", page: int = 1, per_page: int = 50) -> tuple[list[User], int]:
    """One page of the academy's trainees by name, matching `search`, and how many match: paged in the database."""
    query = sa.select(User).filter_by(academy_id=academy.id, role=Role.TRAINEE)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.filter(sa.or_(sa.func.lower(User.name).like(like), sa.func.lower(User.email).like(like),
                                    sa.func.lower(sa.func.coalesce(User.personnel_number, "")).like(like)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(User.name, User.id).limit(per_page).offset((max(page, 1) - 1) * per_page))
    return list(rows), total
