"""Completion and overdue: the rules that turn progress and obligations into statuses.

A course is complete for a trainee when every current module of it is complete (the moment is kept in
`CourseProgress.completed_at`, and `course_completed` is sent so that a certificate is issued). A trainee
is overdue on a course when one of their dated obligations for it (`enrolment.rules.due_rows`: an
assignment of the course or of one module, or a mandatory rule) is past its due date and the part it
covers is not complete, and the account is active. The academy report, the trainee's dashboard, the
coordinator dashboard and the API all read `overdue_rows`; nothing else decides who is overdue.

Every completion, the first and each renewal, is also kept as a dated `CourseCompletion` (written only here) with
the day it lapses where the course sets a validity period (`Course.validity_months`): coverage counts a person
as trained on a date when a completion is valid on it, and `refresher_state` tells the trainee and the academy
when a refresher is due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from blinker import Namespace

from app.auth.models import User
from app.curriculum.models import Course, Module
from app.enrolment.rules import due_rows
from app.extensions import db
from app.utils import utcnow

from .models import CourseCompletion, CourseProgress, ModuleProgress

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


def _delivery(user: User, course: Course) -> str:
    """How the course was completed, from its modules: online, classroom (every module in class) or blended."""
    deliveries = set(db.session.scalars(sa.select(ModuleProgress.delivery).join(
        Module, Module.id == ModuleProgress.module_id).filter(
        ModuleProgress.user_id == user.id, ModuleProgress.completed_at.is_not(None), Module.course_id == course.id,
        Module.retired.is_(False))))
    if deliveries == {"classroom"}:
        return "classroom"
    return "blended" if "classroom" in deliveries else "online"


def complete_course_if_done(user: User, course: Course) -> bool:
    """Record the course's completion the first time every module is complete; True if it is complete.

    The one place a course is completed, online or in class (`classroom.services` completes the modules and
    calls this): it keeps the completion on `CourseProgress` and in the dated history (`CourseCompletion`)."""
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
    record.delivery = _delivery(user, course)
    record_completion(user.id, course, now, how="first", delivery=record.delivery)
    course_completed.send(course, user=user)
    return True


# --- validity and refreshers -----------------------------------------------------------------------

#: A refresher is offered this many days before a completion lapses (and at any time after).
DUE_SOON_DAYS = 60


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter: 31 January + 1 = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(course: Course, completed_at: datetime) -> date | None:
    """The first day on which a completion of `course` at `completed_at` no longer counts; None: never lapses."""
    if not course.validity_months:
        return None
    return add_months(completed_at.date(), course.validity_months)


def record_completion(user_id: int, course: Course, at: datetime, *, how: str, delivery: str = "online") -> CourseCompletion:
    """Add one completion to the dated history, valid for the course's validity period as it is now."""
    completion = CourseCompletion(user_id=user_id, course_id=course.id, completed_at=at,
                                  valid_until=valid_until(course, at), how=how, delivery=delivery)
    db.session.add(completion)
    db.session.flush()
    return completion


@dataclass
class RefresherState:
    """Where a trainee's completion of a course stands: `state` is "current", "due" (lapses within
    DUE_SOON_DAYS) or "lapsed"; `valid_until` the day it lapses (None: never)."""

    state: str
    valid_until: date | None
    completed_at: datetime

    @property
    def renewable(self) -> bool:
        return self.state in ("due", "lapsed")


def _state(until: date | None, today: date) -> str:
    if until is None or until > today + timedelta(days=DUE_SOON_DAYS):
        return "current"
    return "lapsed" if until <= today else "due"


def validity_rows():
    """(user_id, course_id, last_completed_at, valid_until) per trainee and course completed: the latest
    completion's day of lapse (null: it never lapses). The set-based form of `refresher_state`."""
    cc = CourseCompletion
    latest = (sa.select(cc.user_id, cc.course_id, sa.func.max(cc.completed_at).label("completed_at"))
              .group_by(cc.user_id, cc.course_id).subquery())
    return (sa.select(cc.user_id, cc.course_id, cc.completed_at, cc.valid_until)
            .join(latest, sa.and_(latest.c.user_id == cc.user_id, latest.c.course_id == cc.course_id,
                                  latest.c.completed_at == cc.completed_at)))


def refresher_state(user: User, course: Course, today: date | None = None) -> RefresherState | None:
    """The trainee's latest completion of the course and whether a refresher is due; None if never completed."""
    latest = db.session.scalar(sa.select(CourseCompletion).filter_by(user_id=user.id, course_id=course.id)
                               .order_by(CourseCompletion.completed_at.desc(), CourseCompletion.id.desc()).limit(1))
    if latest is None:
        return None
    return RefresherState(_state(latest.valid_until, today or utcnow().date()), latest.valid_until, latest.completed_at)


def refresher_states(course_id: int | None, user_ids, today: date | None = None) -> dict[int, RefresherState]:
    """Of `user_ids` (a SELECT or list of ids), each trainee's refresher state on the course (those who completed
    it); `course_id=None`: on the course of each trainee's own service category."""
    rows = validity_rows().subquery()
    today = today or utcnow().date()
    query = sa.select(rows.c.user_id, rows.c.completed_at, rows.c.valid_until).where(rows.c.user_id.in_(user_ids))
    if course_id is not None:
        query = query.where(rows.c.course_id == course_id)
    else:
        query = (query.join(User, User.id == rows.c.user_id)
                 .join(Course, sa.and_(Course.id == rows.c.course_id, Course.prong == User.category)))
    return {uid: RefresherState(_state(until, today), until, at) for uid, at, until in db.session.execute(query)}


def renew_course_if_due(user: User, course: Course, delivery: str = "online") -> CourseCompletion | None:
    """A passed refresher (the refresher test, or a classroom session of the whole course): a new completion
    (renewal), valid for the course's period from now, where the last one is due or has lapsed; else None."""
    state = refresher_state(user, course)
    if state is None or not state.renewable:
        return None
    return record_completion(user.id, course, utcnow(), how="renewal", delivery=delivery)


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
