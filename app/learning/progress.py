"""Completion and overdue: the rules that turn progress and obligations into statuses.

A course is complete for a trainee when every current module of it is complete (the moment is kept in
`CourseProgress.completed_at`, and `course_completed` is sent so that a certificate is issued). A trainee
is overdue on a course when one of their dated obligations for it (`enrolment.rules.due_rows`: an
assignment of the course or of one module, or a mandatory rule) is past its due date and the part it
covers is not complete, and the account is active. The academy report, the trainee's dashboard, the
coordinator dashboard and the API all read `overdue_rows`; nothing else decides who is overdue.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from blinker import Namespace

from app.auth.models import User
from app.curriculum.models import Course, Module
from app.enrolment.rules import due_rows
from app.extensions import db
from app.utils import utcnow

from .models import CourseProgress, ModuleProgress

signals = Namespace()
#: Sent with `user` and `course` when a trainee completes a course (the certificates area listens).
course_completed = signals.signal("course-completed")


def course_complete(user: User, course: Course) -> bool:
    module_ids = set(db.session.scalars(sa.select(Module.id).filter_by(course_id=course.id, retired=False)))
    if not module_ids:
        return False
    done = set(db.session.scalars(sa.select(ModuleProgress.module_id).filter(
        ModuleProgress.user_id == user.id, ModuleProgress.completed_at.is_not(None),
        ModuleProgress.module_id.in_(module_ids))))
    return done == module_ids


def complete_course_if_done(user: User, course: Course) -> bool:
    """Record the course's completion the first time every module is complete; True if it is complete."""
    record = db.session.scalar(sa.select(CourseProgress).filter_by(user_id=user.id, course_id=course.id))
    if record is not None and record.completed_at is not None:
        return True
    if not course_complete(user, course):
        return False
    now = utcnow()
    if record is None:
        record = CourseProgress(user_id=user.id, course_id=course.id, started_at=now)
        db.session.add(record)
    record.completed_at = now
    db.session.flush()
    course_completed.send(course, user=user)
    return True


def overdue_rows(today: date):
    """(user_id, course_id, academy_id, due_date) for every obligation past due whose part is not complete."""
    due = due_rows()
    module_done = sa.exists().where(ModuleProgress.user_id == due.c.user_id, ModuleProgress.module_id == due.c.module_id,
                                    ModuleProgress.completed_at.is_not(None))
    course_done = sa.exists().where(CourseProgress.user_id == due.c.user_id, CourseProgress.course_id == due.c.course_id,
                                    CourseProgress.completed_at.is_not(None))
    return (sa.select(due.c.user_id, due.c.course_id, due.c.academy_id, due.c.due_date)
            .join(User, User.id == due.c.user_id)
            .where(due.c.due_date < today, User.active.is_(True),
                   sa.or_(sa.and_(due.c.module_id.is_(None), ~course_done),
                          sa.and_(due.c.module_id.is_not(None), ~module_done))))


def overdue_courses(user: User, today: date | None = None) -> set[int]:
    """The courses on which this trainee is overdue (the set-based rule, for one trainee)."""
    rows = overdue_rows(today or utcnow().date()).subquery()
    return set(db.session.scalars(sa.select(rows.c.course_id).where(rows.c.user_id == user.id).distinct()))


def overdue_users(course_id: int, user_ids, today: date | None = None) -> set[int]:
    """Of `user_ids` (a SELECT of ids), those overdue on the course."""
    rows = overdue_rows(today or utcnow().date()).subquery()
    return set(db.session.scalars(sa.select(rows.c.user_id).where(rows.c.course_id == course_id,
                                                                   rows.c.user_id.in_(user_ids)).distinct()))


def due_dates(course_id: int, user_ids) -> dict[int, date]:
    """Each trainee's earliest due date for the course (any obligation, whole course or one module)."""
    due = due_rows()
    return dict(db.session.execute(
        sa.select(due.c.user_id, sa.func.min(due.c.due_date))
        .where(due.c.course_id == course_id, due.c.user_id.in_(user_ids)).group_by(due.c.user_id)
    ).all())
