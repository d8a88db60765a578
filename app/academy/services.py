"""Academy administration: who may manage which academy, academies and their trainees.

Every function that changes something records an audit event and only flushes; the route commits.
Cohorts, assignments and mandatory rules are the enrolment area's (`app/enrolment`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.services import audit
from app.auth.accounts import invite
from app.auth.models import User
from app.auth.services import (
    EmailTaken,
    UserError,
    check_scope,
    create_user,
    normalise_email,
    record_service,
)
from app.curriculum.models import Country
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role
from app.foundation.stages import DEFAULT_TRAINING_STAGE, SEXES, TRAINING_STAGES
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


def counts(academy: Academy, category: str | None = None) -> dict[str, int]:
    """Trainees of the academy (of one category if given), and how many of them are suspended (one query)."""
    query = (sa.select(sa.func.count(User.id),
                       sa.func.coalesce(sa.func.sum(sa.case((User.active.is_(False), 1), else_=0)), 0))
             .filter(User.academy_id == academy.id, User.role == Role.TRAINEE.value))
    if category is not None:
        query = query.filter(User.category == category)
    total, suspended = db.session.execute(query).one()
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


def update_account(actor: User, user: User, *, name: str, email: str, role: str, country: str,
                   academy: str | None, category: str | None, language: str) -> User:
    """Change an account's name, e-mail, role and scope (platform administrators), by the same rules as
    creating one (`auth.services.check_scope`); audited with what changed."""
    found = academy_by_slug(academy) if academy else None
    if academy and found is None:
        raise AcademyError(_l("Unknown academy '%(slug)s'.", slug=academy))
    try:
        email = normalise_email(email)
        role_value, country_row = check_scope(role=role, country=country, academy=found, category=category or None)
    except UserError as exc:
        raise AcademyError(exc.message) from None
    if not (name or "").strip():
        raise AcademyError(_l("A name is required."))
    if email != user.email and db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise AcademyError(_l("This e-mail address cannot be used."))
    if actor.id == user.id and role_value != Role(user.role):
        raise AcademyError(_l("You cannot change your own role."))
    before = {"name": user.name, "email": user.email, "role": user.role, "country": user.country_code,
              "academy": user.academy.slug if user.academy else None, "category": user.category,
              "language": user.language}
    user.name, user.email, user.role = name.strip(), email, role_value.value
    user.country_code, user.academy_id = country_row.code, found.id if found else None
    user.category, user.language = category or None, language
    after = {"name": user.name, "email": user.email, "role": user.role, "country": user.country_code,
             "academy": found.slug if found else None, "category": user.category, "language": user.language}
    changed = ", ".join(f"{k}: {before[k]} → {after[k]}" for k in before if before[k] != after[k])
    if changed:
        audit(actor, found, "user.update", user, f"Changed {user.name}: {changed}.")
    db.session.flush()
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


def _check_stage_and_sex(academy: Academy, training_stage: str, sex: str | None) -> None:
    if training_stage not in TRAINING_STAGES:
        raise AcademyError(_l("Unknown training stage '%(stage)s'.", stage=training_stage))
    if sex is not None and (sex not in SEXES or not academy.collects_sex):
        raise AcademyError(_l("This academy does not record that value of sex."))


def create_trainee(actor: User, academy: Academy, *, email: str, name: str, category: str, unit: str | None,
                   personnel_number: str | None, language: str, password: str | None = None,
                   training_stage: str = DEFAULT_TRAINING_STAGE, sex: str | None = None) -> User:
    """A new trainee of the academy. Without a password the account cannot sign in until one is set, and an
    invitation with a link to set it is e-mailed (after commit)."""
    _check_personnel_number(academy, personnel_number)
    _check_stage_and_sex(academy, training_stage, sex or None)
    try:
        user = create_user(email=email, name=name, role=Role.TRAINEE.value, country=academy.country_code,
                           password=password, academy=academy, category=category, language=language)
    except EmailTaken:
        raise email_taken_error(academy, normalise_email(email)) from None
    except UserError as exc:
        raise AcademyError(exc.message if isinstance(exc, ServiceError) else str(exc)) from None
    user.unit = (unit or "").strip() or None
    user.personnel_number = (personnel_number or "").strip() or None
    user.training_stage, user.sex = training_stage, sex or None
    db.session.flush()
    audit(actor, academy, "trainee.create", user, f"Created trainee {user.name} <{user.email}>.")
    if password is None:
        invite(user, by=actor)
    return user


def update_trainee(actor: User, academy: Academy, trainee: User, *, name: str, email: str, category: str,
                   unit: str | None, personnel_number: str | None, language: str,
                   training_stage: str | None = None, sex: str | None | object = ...) -> User:
    """Change a trainee's details; `training_stage` None keeps it, `sex` left out keeps it (the form has no such
    field where the academy does not collect it), "" or None is "not stated"."""
    training_stage = training_stage or trainee.training_stage
    sex = trainee.sex if sex is ... else (sex or None)
    if sex != trainee.sex:
        _check_stage_and_sex(academy, training_stage, sex)
    elif training_stage not in TRAINING_STAGES:
        _check_stage_and_sex(academy, training_stage, None)
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
                        ("language", language), ("training_stage", training_stage), ("sex", sex)):
        if getattr(trainee, attr) != value:
            changes.append(attr)
            setattr(trainee, attr, value)
    if changes:
        audit(actor, academy, "trainee.update", trainee, f"Changed {', '.join(changes)} of {trainee.name}.")
    return trainee


def set_suspended(actor: User, academy: Academy | None, trainee: User, suspended: bool, *,
                  reason: str = "suspended", on: date | None = None) -> None:
    """Suspend or reactivate any account (a trainee's from the academy's pages, staff from the platform
    administrator's). Nothing of the person's history is touched either way: suspension ends the person's
    period of service (`reason` "left" when they left the service) and reactivation opens a new one
    (`auth.services.record_service`), on `on` (default today)."""
    if trainee.active == (not suspended):
        return
    if actor is not None and actor.id == trainee.id:
        raise AcademyError(_l("You cannot suspend your own account."))
    trainee.active = not suspended
    if suspended:
        trainee.end_sessions()
    trainee.suspended_at = (datetime.combine(on, time.min) if on else utcnow()) if suspended else None
    record_service(trainee, not suspended, on=on, reason=reason)
    kind = "trainee" if trainee.is_trainee else "user"
    action = f"{kind}.suspend" if suspended else f"{kind}.reactivate"
    what = ("Recorded that {} left the service" if reason == "left" else "Suspended {}") if suspended \
        else "Reactivated {}"
    when = f" on {on.isoformat()}" if on else ""
    audit(actor, academy, action, trainee, f"{what.format(trainee.name)}{when}.")


def set_collects_sex(actor: User, academy: Academy, collects: bool) -> None:
    """Whether the academy records its trainees' sex (the field on its trainee forms and in its import). Turning it
    off keeps what was recorded: figures go on counting it."""
    if academy.collects_sex == collects:
        return
    academy.collects_sex = collects
    audit(actor, academy, "academy.settings", academy,
          f"{academy.name} {'now records' if collects else 'no longer records'} trainees' sex.")
