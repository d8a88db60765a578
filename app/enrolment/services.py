"""Cohorts, assignments and mandatory-course rules of an academy.

Every function that changes something records an audit event and only flushes; the caller commits.
The rule that turns these into "who must take what by when" is in `rules.py`.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.audit.services import audit
from app.auth.models import User
from app.curriculum.models import Course, Module
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.prongs import PRONGS
from app.foundation.stages import CURRICULA
from app.utils import utcnow

from .models import Assignment, Cohort, CohortMembership, MandatoryCourse


class EnrolmentError(ServiceError):
    """A change to cohorts, assignments or rules refused; the message says why."""


# --- cohorts -------------------------------------------------------------------------------------


def cohort_in(academy, cohort_id: int) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).filter_by(id=cohort_id, academy_id=academy.id))


def create_cohort(actor: User, academy, name: str, description: str = "") -> Cohort:
    name = name.strip()
    if not name:
        raise EnrolmentError(_l("A cohort needs a name."))
    if db.session.scalar(sa.select(Cohort.id).filter_by(academy_id=academy.id, name=name)):
        raise EnrolmentError(_l("A cohort named '%(name)s' already exists in this academy.", name=name))
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


def member_count(cohort: Cohort) -> int:
    """How many trainees are current members of the cohort."""
    return db.session.scalar(sa.select(sa.func.count(CohortMembership.id)).filter(
        CohortMembership.cohort_id == cohort.id, CohortMembership.left_at.is_(None))) or 0


def cohorts_of(academy) -> list[tuple[Cohort, int]]:
    """The academy's cohorts with their current number of members."""
    counts = dict(db.session.execute(
        sa.select(CohortMembership.cohort_id, sa.func.count(CohortMembership.id))
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .filter(CohortMembership.left_at.is_(None), Cohort.academy_id == academy.id).group_by(CohortMembership.cohort_id)
    ).all())
    cohorts = db.session.scalars(sa.select(Cohort).filter_by(academy_id=academy.id).order_by(Cohort.name))
    return [(c, counts.get(c.id, 0)) for c in cohorts]


def join_cohort(actor: User | None, academy, cohort: Cohort, trainee: User) -> bool:
    """Add a trainee; False if already a member."""
    if trainee.academy_id != academy.id or cohort.academy_id != academy.id:
        raise EnrolmentError(_l("The trainee and the cohort must belong to this academy."))
    current = db.session.scalar(sa.select(CohortMembership.id).filter_by(
        cohort_id=cohort.id, user_id=trainee.id, left_at=None))
    if current is not None:
        return False
    db.session.add(CohortMembership(cohort_id=cohort.id, user_id=trainee.id))
    db.session.flush()
    audit(actor, academy, "cohort.join", cohort, f"{trainee.name} joined {cohort.name}.")
    return True


def leave_cohort(actor: User, academy, cohort: Cohort, trainee: User) -> bool:
    membership = db.session.scalar(sa.select(CohortMembership).filter_by(
        cohort_id=cohort.id, user_id=trainee.id, left_at=None))
    if membership is None:
        return False
    membership.left_at = utcnow()
    audit(actor, academy, "cohort.leave", cohort, f"{trainee.name} left {cohort.name}.")
    return True


def trainee_cohorts(trainee: User) -> list[tuple[Cohort, CohortMembership]]:
    return list(db.session.execute(
        sa.select(Cohort, CohortMembership).join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .filter(CohortMembership.user_id == trainee.id).order_by(CohortMembership.joined_at)
    ).all())


# --- assignments ---------------------------------------------------------------------------------


def assign(actor: User, academy, *, course: Course, module: Module | None = None,
           trainee: User | None = None, cohort: Cohort | None = None, due_date: date | None = None) -> Assignment:
    if (trainee is None) == (cohort is None):
        raise EnrolmentError(_l("Assign to one trainee or to one cohort."))
    if module is not None and module.course_id != course.id:
        raise EnrolmentError(_l("That module is not part of the course."))
    if trainee is not None and trainee.academy_id != academy.id:
        raise EnrolmentError(_l("The trainee does not belong to this academy."))
    if cohort is not None and cohort.academy_id != academy.id:
        raise EnrolmentError(_l("The cohort does not belong to this academy."))
    if due_date is not None and due_date < utcnow().date():
        raise EnrolmentError(_l("The due date is in the past."))
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


def assignment_in(academy, assignment_id: int) -> Assignment | None:
    return db.session.scalar(sa.select(Assignment).filter_by(id=assignment_id, academy_id=academy.id))


def withdraw_assignment(actor: User, academy, assignment: Assignment) -> None:
    if assignment.academy_id != academy.id or assignment.withdrawn_at is not None:
        raise EnrolmentError(_l("No such assignment."), 404)
    assignment.withdrawn_at = utcnow()
    audit(actor, academy, "assignment.withdraw", assignment, f"Withdrew assignment #{assignment.id}.")


def assignments_of(academy, cohort: Cohort | None = None) -> list[Assignment]:
    """Current assignments, with course, module, cohort and trainee loaded in a few queries (no N+1)."""
    query = (sa.select(Assignment).filter_by(academy_id=academy.id, withdrawn_at=None)
             .options(selectinload(Assignment.course), selectinload(Assignment.cohort),
                      selectinload(Assignment.module).selectinload(Module.current_version),
                      selectinload(Assignment.trainee))
             .order_by(Assignment.id.desc()))
    if cohort is not None:
        query = query.filter_by(cohort_id=cohort.id)
    return list(db.session.scalars(query))


# --- mandatory-course rules ----------------------------------------------------------------------


def set_mandatory(actor: User, academy, course: Course, category: str, due_within_days: int | None,
                  stage: str = "in_service", since: date | None = None):
    """Build `course` into the academy's `stage` curriculum (basic, in-service or optional) for `category`, since
    `since` (default today; not in the future). The same course, category and curriculum again updates the rule."""
    if category not in PRONGS:
        raise EnrolmentError(_l("Unknown service category '%(category)s'.", category=category))
    if stage not in CURRICULA:
        raise EnrolmentError(_l("Unknown curriculum '%(stage)s'.", stage=stage))
    if stage == "optional" and due_within_days:
        raise EnrolmentError(_l("An optional course has no deadline: leave the days empty."))
    today = utcnow().date()
    since = since or today
    if since > today:
        raise EnrolmentError(_l("The date a rule applies since cannot be in the future."))
    rule = db.session.scalar(sa.select(MandatoryCourse).filter_by(
        academy_id=academy.id, course_id=course.id, category=category, stage=stage))
    if rule is None:
        rule = MandatoryCourse(academy_id=academy.id, course_id=course.id, category=category, stage=stage)
        db.session.add(rule)
    rule.due_within_days = due_within_days
    rule.since = since
    db.session.flush()
    within = f" within {due_within_days} days" if due_within_days else ""
    audit(actor, academy, "mandatory.set", rule,
          f"{course.title} is {'optional' if stage == 'optional' else 'mandatory'} in {stage} training for "
          f"{category}{within}, since {since.isoformat()}.")
    return rule


def remove_mandatory(actor: User, academy, rule_id: int) -> None:
    rule = db.session.scalar(sa.select(MandatoryCourse).filter_by(id=rule_id, academy_id=academy.id))
    if rule is None:
        raise EnrolmentError(_l("No such rule."), 404)
    audit(actor, academy, "mandatory.remove", rule, f"{rule.course.title} is no longer mandatory for {rule.category}.")
    db.session.delete(rule)


def mandatory_rule_in(academy, rule_id: int) -> MandatoryCourse | None:
    return db.session.scalar(sa.select(MandatoryCourse).filter_by(id=rule_id, academy_id=academy.id))


def mandatory_rules(academy) -> list[MandatoryCourse]:
    return list(db.session.scalars(sa.select(MandatoryCourse).filter_by(academy_id=academy.id)
                                   .order_by(MandatoryCourse.since, MandatoryCourse.id)))
