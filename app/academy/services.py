"""Academy administration: who may manage what, trainees, cohorts, assignments, rules, audit.

Every function that changes something records an AuditEvent and only flushes; the route commits.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.auth.models import User
from app.foundation.roles import Role
from app.auth.services import UserError, create_user, normalise_email
from app.curriculum.models import Course, Module
from app.foundation.prongs import PRONGS
from app.extensions import db
from app.utils import utcnow

from .models import Academy, Assignment, AuditEvent, Cohort, CohortMembership, MandatoryCourse


class AcademyError(ValueError):
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


def cohort_in(academy: Academy, cohort_id: int) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).filter_by(id=cohort_id, academy_id=academy.id))


def audit(actor: User | None, academy: Academy | None, action: str, target, summary: str) -> None:
    db.session.add(AuditEvent(
        academy_id=academy.id if academy else None, actor_id=actor.id if actor else None, action=action,
        target_type=type(target).__name__.lower(), target_id=getattr(target, "id", None), summary=summary,
    ))


def audit_events(academy: Academy | None, limit: int = 200) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if academy is not None:
        query = query.filter(AuditEvent.academy_id == academy.id)
    return list(db.session.scalars(query))


# --- academies -----------------------------------------------------------------------------------


def create_academy(actor: User, *, slug: str, name: str, country: str, kind: str) -> Academy:
    if actor.role != Role.PLATFORM_ADMIN:
        raise AcademyError("Only platform administrators create academies.")
    if db.session.scalar(sa.select(Academy.id).filter_by(slug=slug)):
        raise AcademyError(f"An academy with the short name '{slug}' already exists.")
    academy = Academy(slug=slug, name=name.strip(), country_code=country, kind=kind)
    db.session.add(academy)
    db.session.flush()
    audit(actor, academy, "academy.create", academy, f"Created academy {academy.name} ({country}).")
    return academy


# --- trainees ------------------------------------------------------------------------------------


def _check_personnel_number(academy: Academy, number: str | None, exclude_id: int | None = None) -> None:
    if not number:
        return
    query = sa.select(User.id).filter_by(academy_id=academy.id, personnel_number=number)
    if exclude_id is not None:
        query = query.filter(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise AcademyError(f"Personnel number {number} is already used by another trainee of this academy.")


def create_trainee(actor: User, academy: Academy, *, email: str, name: str, category: str, unit: str | None,
                   personnel_number: str | None, language: str, password: str | None = None) -> User:
    """A new trainee of the academy. Without a password the account cannot sign in until one is set."""
    _check_personnel_number(academy, personnel_number)
    try:
        user = create_user(email=email, name=name, role=Role.TRAINEE.value, country=academy.country_code,
                           password=password, academy=academy.slug, category=category, language=language)
    except UserError as exc:
        raise AcademyError(str(exc)) from None
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
        raise AcademyError(str(exc)) from None
    if category not in PRONGS:
        raise AcademyError(f"Unknown service category '{category}'.")
    if email != trainee.email and db.session.scalar(sa.select(User.id).filter_by(email=email)):
        raise AcademyError(f"A user with the e-mail {email} already exists.")
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
    trainee.suspended_at = utcnow() if suspended else None
    action = "trainee.suspend" if suspended else "trainee.reactivate"
    audit(actor, academy, action, trainee, f"{'Suspended' if suspended else 'Reactivated'} {trainee.name}.")


def trainees_of(academy: Academy, *, search: str = "", include_suspended: bool = True) -> list[User]:
    query = sa.select(User).filter_by(academy_id=academy.id, role=Role.TRAINEE).order_by(User.name)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.filter(sa.or_(sa.func.lower(User.name).like(like), sa.func.lower(User.email).like(like),
                                    sa.func.lower(sa.func.coalesce(User.personnel_number, "")).like(like)))
    if not include_suspended:
        query = query.filter(User.active.is_(True))
    return list(db.session.scalars(query))


# --- cohorts -------------------------------------------------------------------------------------


def create_cohort(actor: User, academy: Academy, name: str, description: str = "") -> Cohort:
    name = name.strip()
    if not name:
        raise AcademyError("A cohort needs a name.")
    if db.session.scalar(sa.select(Cohort.id).filter_by(academy_id=academy.id, name=name)):
        raise AcademyError(f"A cohort named '{name}' already exists in this academy.")
    cohort = Cohort(academy_id=academy.id, name=name, description=description.strip())
    db.session.add(cohort)
    db.session.flush()
    audit(actor, academy, "cohort.create", cohort, f"Created cohort {name}.")
    return cohort


def cohort_members(cohort: Cohort) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(CohortMembership, CohortMembership.user_id == User.id)
        .filter(CohortMembership.cohort_id == cohort.id, CohortMembership.left_at.is_(None)).order_by(User.name)
    ))


def cohorts_of(academy: Academy) -> list[tuple[Cohort, int]]:
    counts = dict(db.session.execute(
        sa.select(CohortMembership.cohort_id, sa.func.count(CohortMembership.id))
        .filter(CohortMembership.left_at.is_(None)).group_by(CohortMembership.cohort_id)
    ).all())
    cohorts = db.session.scalars(sa.select(Cohort).filter_by(academy_id=academy.id).order_by(Cohort.name))
    return [(c, counts.get(c.id, 0)) for c in cohorts]


def join_cohort(actor: User | None, academy: Academy, cohort: Cohort, trainee: User) -> bool:
    """Add a trainee; False if already a member."""
    if trainee.academy_id != academy.id or cohort.academy_id != academy.id:
        raise AcademyError("The trainee and the cohort must belong to this academy.")
    current = db.session.scalar(sa.select(CohortMembership.id).filter_by(
        cohort_id=cohort.id, user_id=trainee.id, left_at=None))
    if current is not None:
        return False
    db.session.add(CohortMembership(cohort_id=cohort.id, user_id=trainee.id))
    db.session.flush()
    audit(actor, academy, "cohort.join", cohort, f"{trainee.name} joined {cohort.name}.")
    return True


def leave_cohort(actor: User, academy: Academy, cohort: Cohort, trainee: User) -> bool:
    membership = db.session.scalar(sa.select(CohortMembership).filter_by(
        cohort_id=cohort.id, user_id=trainee.id, left_at=None))
    if membership is None:
        return False
    membership.left_at = utcnow()
    audit(actor, academy, "cohort.leave", cohort, f"{trainee.name} left {cohort.name}.")
    return True


# --- assignments and rules -----------------------------------------------------------------------


def assign(actor: User, academy: Academy, *, course: Course, module: Module | None = None,
           trainee: User | None = None, cohort: Cohort | None = None, due_date: date | None = None) -> Assignment:
    if (trainee is None) == (cohort is None):
        raise AcademyError("Assign to one trainee or to one cohort.")
    if module is not None and module.course_id != course.id:
        raise AcademyError("That module is not part of the course.")
    if trainee is not None and trainee.academy_id != academy.id:
        raise AcademyError("The trainee does not belong to this academy.")
    if cohort is not None and cohort.academy_id != academy.id:
        raise AcademyError("The cohort does not belong to this academy.")
    if due_date is not None and due_date < utcnow().date():
        raise AcademyError("The due date is in the past.")
    assignment = Assignment(academy_id=academy.id, course_id=course.id, module_id=module.id if module else None,
                            user_id=trainee.id if trainee else None, cohort_id=cohort.id if cohort else None,
                            due_date=due_date, created_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    what = f"module {module.slug}" if module else f"course {course.title}"
    who = f"trainee {trainee.name}" if trainee else f"cohort {cohort.name}"
    due = f", due {due_date.isoformat()}" if due_date else ""
    audit(actor, academy, "assignment.create", assignment, f"Assigned {what} to {who}{due}.")
    return assignment


def withdraw_assignment(actor: User, academy: Academy, assignment: Assignment) -> None:
    if assignment.academy_id != academy.id or assignment.withdrawn_at is not None:
        raise AcademyError("No such assignment.")
    assignment.withdrawn_at = utcnow()
    audit(actor, academy, "assignment.withdraw", assignment, f"Withdrew assignment #{assignment.id}.")


def assignments_of(academy: Academy, cohort: Cohort | None = None) -> list[Assignment]:
    """Current assignments, with course, module, cohort and trainee loaded in a few queries (no N+1)."""
    from sqlalchemy.orm import selectinload

    query = (sa.select(Assignment).filter_by(academy_id=academy.id, withdrawn_at=None)
             .options(selectinload(Assignment.course), selectinload(Assignment.cohort),
                      selectinload(Assignment.module).selectinload(Module.current_version),
                      selectinload(Assignment.trainee))
             .order_by(Assignment.id.desc()))
    if cohort is not None:
        query = query.filter_by(cohort_id=cohort.id)
    return list(db.session.scalars(query))


def set_mandatory(actor: User, academy: Academy, course: Course, category: str, due_within_days: int | None):
    if category not in PRONGS:
        raise AcademyError(f"Unknown service category '{category}'.")
    rule = db.session.scalar(sa.select(MandatoryCourse).filter_by(
        academy_id=academy.id, course_id=course.id, category=category))
    if rule is None:
        rule = MandatoryCourse(academy_id=academy.id, course_id=course.id, category=category)
        db.session.add(rule)
    rule.due_within_days = due_within_days
    db.session.flush()
    within = f" within {due_within_days} days" if due_within_days else ""
    audit(actor, academy, "mandatory.set", rule, f"{course.title} is mandatory for {category}{within}.")
    return rule


def remove_mandatory(actor: User, academy: Academy, rule_id: int) -> None:
    rule = db.session.scalar(sa.select(MandatoryCourse).filter_by(id=rule_id, academy_id=academy.id))
    if rule is None:
        raise AcademyError("No such rule.")
    audit(actor, academy, "mandatory.remove", rule, f"{rule.course.title} is no longer mandatory for {rule.category}.")
    db.session.delete(rule)


def mandatory_rules(academy: Academy) -> list[MandatoryCourse]:
    return list(db.session.scalars(sa.select(MandatoryCourse).filter_by(academy_id=academy.id)))


def courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.id)))


def trainee_cohorts(trainee: User) -> list[tuple[Cohort, CohortMembership]]:
    return list(db.session.execute(
        sa.select(Cohort, CohortMembership).join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .filter(CohortMembership.user_id == trainee.id).order_by(CohortMembership.joined_at)
    ).all())
