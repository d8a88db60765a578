"""Progress reports: per cohort or per course, one row per trainee, in a fixed number of queries.

Status of a trainee for a course:
- completed: every module of the course is complete;
- overdue: not completed, and overdue by the one rule (`app/learning/progress.py`, `overdue_rows`);
- in progress: started (a section read or a quiz taken), not completed;
- not started.

Refresher state of a trainee who completed it (`learning.progress.refresher_state`, the same rule as the
trainee's dashboard): current, due (lapses within `DUE_SOON_DAYS`) or lapsed; none where the course sets no
validity period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.curriculum.models import Course, Module
from app.enrolment.models import Assignment, Cohort, CohortMembership, MandatoryCourse
from app.enrolment.rules import due_rows, rule_binds
from app.extensions import db
from app.foundation import paging, spreadsheets
from app.foundation.roles import Role
from app.learning import progress as progress_rules
from app.learning.models import CourseProgress, ModuleProgress, QuizAttempt

STATUSES = ("not_started", "in_progress", "completed", "overdue")
REFRESHER_STATES = ("current", "due", "lapsed")
SORT_KEYS = ("name", "status", "score", "last_activity", "unit", "due_date")


@dataclass
class ReportRow:
    user_id: int
    name: str
    email: str
    unit: str | None
    personnel_number: str | None
    active: bool
    modules_total: int
    modules_done: int
    score: int | None
    last_activity: datetime | None
    due_date: date | None
    completed_at: datetime | None
    status: str
    #: current, due or lapsed (see REFRESHER_STATES); None: not completed, or the completion never lapses.
    refresher: str | None = None
    #: The day the latest completion lapses (None: not completed, or never).
    valid_until: date | None = None


def _population(academy_id: int, course: Course, cohort: Cohort | None):
    """Trainee ids (a SELECT) the report covers, and each one's due date and module scope."""
    members = None
    if cohort is not None:
        members = sa.select(CohortMembership.user_id).filter(
            CohortMembership.cohort_id == cohort.id, CohortMembership.left_at.is_(None))
        population = members
    else:
        direct = sa.select(Assignment.user_id).filter(
            Assignment.academy_id == academy_id, Assignment.course_id == course.id,
            Assignment.user_id.is_not(None), Assignment.withdrawn_at.is_(None))
        via_cohort = sa.select(CohortMembership.user_id).join(
            Assignment, Assignment.cohort_id == CohortMembership.cohort_id).filter(
            Assignment.course_id == course.id, Assignment.withdrawn_at.is_(None),
            CohortMembership.left_at.is_(None), Assignment.academy_id == academy_id)
        own = sa.select(User.id).filter(User.academy_id == academy_id, User.role == Role.TRAINEE.value,
                                        User.category == course.prong)
        u, r = User.__table__, MandatoryCourse.__table__
        by_rule = sa.select(u.c.id).select_from(u.join(r, rule_binds(r, u))).filter(
            u.c.academy_id == academy_id, u.c.role == Role.TRAINEE.value, r.c.course_id == course.id)
        population = sa.union(direct, via_cohort, own, by_rule)
    return population


def course_report(academy_id: int, course: Course, cohort: Cohort | None = None) -> list[ReportRow]:
    """One row per trainee in the population, whatever its size, in six queries."""
    population = _population(academy_id, course, cohort)
    ids = sa.select(population.subquery().c[0])
    module_ids = list(db.session.scalars(sa.select(Module.id).filter_by(course_id=course.id, retired=False)))
    total = len(module_ids)
    users = db.session.execute(
        sa.select(User.id, User.name, User.email, User.unit, User.personnel_number, User.active)
        .filter(User.id.in_(ids), User.academy_id == academy_id)
    ).all()
    progress = {
        uid: (done, started, last, finished)
        for uid, done, started, last, finished in db.session.execute(
            sa.select(
                ModuleProgress.user_id,
                sa.func.count(sa.distinct(sa.case((ModuleProgress.completed_at.is_not(None), ModuleProgress.module_id)))),
                sa.func.count(ModuleProgress.id),
                sa.func.max(ModuleProgress.updated_at),
                sa.func.max(ModuleProgress.completed_at),
            ).filter(ModuleProgress.user_id.in_(ids), ModuleProgress.module_id.in_(module_ids))
            .group_by(ModuleProgress.user_id)
        )
    }
    best = (
        sa.select(QuizAttempt.user_id, QuizAttempt.module_id, sa.func.max(QuizAttempt.score_percent).label("best"),
                  sa.func.max(QuizAttempt.submitted_at).label("last"))
        .filter(QuizAttempt.user_id.in_(ids), QuizAttempt.module_id.in_(module_ids),
                QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id).subquery()
    )
    scores = {
        uid: (avg, last)
        for uid, avg, last in db.session.execute(
            sa.select(best.c.user_id, sa.func.avg(best.c.best), sa.func.max(best.c.last)).group_by(best.c.user_id))
    }
    due = progress_rules.due_dates(course.id, ids)
    overdue = progress_rules.overdue_users(course.id, ids)
    validity = progress_rules.refresher_states(course.id, ids)
    rows = []
    for uid, name, email, unit, number, active in users:
        done, started, last_progress, finished = progress.get(uid, (0, 0, None, None))
        avg, last_quiz = scores.get(uid, (None, None))
        last = max((t for t in (last_progress, last_quiz) if t is not None), default=None)
        due_date = due.get(uid)
        if total and done >= total:
            status = "completed"
        elif uid in overdue:
            status = "overdue"
        elif started or last_quiz:
            status = "in_progress"
        else:
            status = "not_started"
        held = validity.get(uid)
        until = held.valid_until if held is not None else None
        rows.append(ReportRow(uid, name, email, unit, number, active, total, done,
                              round(float(avg)) if avg is not None else None, last, due_date,
                              finished if status == "completed" else None, status,
                              held.state if until is not None else None, until))
    return rows


def with_course_status(query: sa.Select, academy_id: int, course: Course | None, today: date,
                       user_ids: list[int] | None = None):
    """`query` (a SELECT over `User`) joined to each trainee's record of a course, and the trainee's status on it
    as a column: completed, overdue (`overdue_rows`, the one rule), in progress (started), not started.

    `course=None` means each trainee's own course (the course of their service category). The status is read
    from `CourseProgress`, the row per trainee and course that the learning area keeps (started when the first
    module is opened, completed when every module is), joined set-wise: the trainee list filters 20,000
    trainees by it and the overview counts them in one query each. `course_report` derives the same statuses
    from the module rows; the two agree for progress recorded by the learning area. `user_ids`, when the query
    is for a few known trainees (one page), narrows the overdue rule to them.
    """
    record = aliased(CourseProgress)
    if course is None:
        own = aliased(Course)
        query = query.outerjoin(own, own.prong == User.category)
        course_id = own.id
    else:
        course_id = sa.literal(course.id)
    query = query.outerjoin(record, sa.and_(record.user_id == User.id, record.course_id == course_id))
    late = progress_rules.overdue_rows(today).subquery()
    late_pairs = sa.select(late.c.user_id, late.c.course_id).where(late.c.academy_id == academy_id)
    if user_ids is not None:
        late_pairs = late_pairs.where(late.c.user_id.in_(user_ids))
    # A trainee whose category has no course has no course id here: not overdue (never NULL, so NOT works).
    overdue = sa.and_(course_id.is_not(None), sa.tuple_(User.id, course_id).in_(late_pairs))
    status = sa.case((record.completed_at.is_not(None), "completed"), (overdue, "overdue"),
                     (record.id.is_not(None), "in_progress"), else_="not_started")
    return query, status, _status_conditions(record, overdue)


def _status_conditions(record, overdue) -> dict[str, sa.ColumnElement]:
    """Each status as a WHERE condition (the CASE above, taken apart): filtering on "completed" then needs
    no overdue rule at all, and the others let the database skip rows early."""
    open_ = record.completed_at.is_(None)
    return {
        "completed": record.completed_at.is_not(None),
        "overdue": sa.and_(open_, overdue),
        "in_progress": sa.and_(open_, record.id.is_not(None), ~overdue),
        "not_started": sa.and_(record.id.is_(None), ~overdue),
    }


def population(academy_id: int, course: Course):
    """The trainee ids (a SELECT) who are to take `course` at the academy, by any rule."""
    return _population(academy_id, course, None)


def _population_pairs(academy_id: int):
    """(user_id, course_id) for every trainee of the academy and every course they are to take, by any rule:
    `_population` for all courses at once (a SELECT)."""
    direct = sa.select(Assignment.user_id, Assignment.course_id).where(
        Assignment.academy_id == academy_id, Assignment.user_id.is_not(None), Assignment.withdrawn_at.is_(None))
    via_cohort = sa.select(CohortMembership.user_id, Assignment.course_id).join(
        Assignment, Assignment.cohort_id == CohortMembership.cohort_id).where(
        Assignment.academy_id == academy_id, Assignment.withdrawn_at.is_(None), CohortMembership.left_at.is_(None))
    own = sa.select(User.id, Course.id).join(Course, Course.prong == User.category).where(
        User.academy_id == academy_id, User.role == Role.TRAINEE.value)
    u, r = User.__table__, MandatoryCourse.__table__
    mandatory = sa.select(u.c.id, r.c.course_id).select_from(u.join(r, rule_binds(r, u))).where(
        u.c.academy_id == academy_id, u.c.role == Role.TRAINEE.value)
    return sa.union(direct, via_cohort, own, mandatory).subquery("population")


def course_summaries(academy_id: int, courses: list[Course], today: date) -> dict[int, dict[str, int]]:
    """Per course: how many trainees are to take it and how many are completed, in progress, not started and
    overdue, counted in the database in one query, with the statuses of `with_course_status`."""
    pairs = _population_pairs(academy_id)
    user_id, course_id = pairs.c[0], pairs.c[1]
    record = aliased(CourseProgress)
    late = progress_rules.overdue_rows(today).subquery()
    overdue = sa.tuple_(user_id, course_id).in_(
        sa.select(late.c.user_id, late.c.course_id).where(late.c.academy_id == academy_id))
    status = sa.case((record.completed_at.is_not(None), "completed"), (overdue, "overdue"),
                     (record.id.is_not(None), "in_progress"), else_="not_started").label("status")
    per_pair = (sa.select(course_id.label("course_id"), status).select_from(pairs)
                .outerjoin(record, sa.and_(record.user_id == user_id, record.course_id == course_id))).subquery()
    counts = db.session.execute(sa.select(per_pair.c.course_id, per_pair.c.status, sa.func.count())
                                .group_by(per_pair.c.course_id, per_pair.c.status)).all()
    result = {c.id: dict.fromkeys((*STATUSES, "total"), 0) for c in courses}
    for cid, state, n in counts:
        if cid in result:
            result[cid][state] = n
            result[cid]["total"] += n
    return result


def overdue_trainees(academy_id: int, today: date) -> int:
    """How many of the academy's trainees are overdue on at least one course (`overdue_rows`, the one rule)."""
    late = progress_rules.overdue_rows(today).subquery()
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(late.c.user_id))).where(late.c.academy_id == academy_id))


def deadlines_by_course(academy_id: int) -> dict[int, tuple[int, date | None, date | None]]:
    """Per course: how many trainees have a due date for it, the earliest and the latest (`due_rows`)."""
    due = due_rows()
    per = (sa.select(due.c.user_id, due.c.course_id, sa.func.min(due.c.due_date).label("due_date"))
           .where(due.c.academy_id == academy_id).group_by(due.c.user_id, due.c.course_id).subquery())
    return {course_id: (n, first, last) for course_id, n, first, last in db.session.execute(
        sa.select(per.c.course_id, sa.func.count(per.c.user_id), sa.func.min(per.c.due_date), sa.func.max(per.c.due_date))
        .group_by(per.c.course_id)).all()}


@dataclass
class DueRow:
    user_id: int
    name: str
    email: str
    active: bool
    course_id: int
    due_date: date
    overdue: bool
    completed: bool
    #: Where the obligation comes from: `enrolment.rules` SOURCE_* values.
    sources: list[str]


def due_page(academy_id: int, today: date, *, page: int = 1, per_page: int = 50, course_id: int | None = None,
             overdue_only: bool = False) -> paging.Page:
    """What each trainee must take by when: one row per trainee and course with a due date (the earliest, as
    `entitlements_for` merges them), from `due_rows` (assignments, cohort assignments and mandatory rules),
    soonest first, paged in the database."""
    due = due_rows()
    per = (sa.select(due.c.user_id, due.c.course_id, sa.func.min(due.c.due_date).label("due_date"))
           .where(due.c.academy_id == academy_id).group_by(due.c.user_id, due.c.course_id).subquery())
    late = progress_rules.overdue_rows(today).subquery()
    late_pairs = sa.select(late.c.user_id, late.c.course_id).where(late.c.academy_id == academy_id)
    query = (sa.select(per.c.user_id, User.name, User.email, User.active, per.c.course_id, per.c.due_date)
             .join(User, User.id == per.c.user_id)
             .order_by(per.c.due_date, User.name, per.c.user_id, per.c.course_id))
    if course_id:
        query = query.where(per.c.course_id == course_id)
    if overdue_only:
        query = query.where(sa.tuple_(per.c.user_id, per.c.course_id).in_(late_pairs))
    result = paging.paginate(query, page, per_page, scalars=False)
    # The page's own rows: where each obligation comes from, who is overdue, who has completed.
    ids = sorted({row.user_id for row in result.items})
    sources: dict[tuple[int, int], set[str]] = {}
    overdue: set[tuple[int, int]] = set()
    completed: set[tuple[int, int]] = set()
    if ids:
        for uid, cid, source in db.session.execute(
                sa.select(due.c.user_id, due.c.course_id, due.c.source).where(due.c.user_id.in_(ids)).distinct()):
            sources.setdefault((uid, cid), set()).add(source)
        overdue = {tuple(r) for r in db.session.execute(late_pairs.where(late.c.user_id.in_(ids)))}
        completed = {tuple(r) for r in db.session.execute(sa.select(CourseProgress.user_id, CourseProgress.course_id)
                                                          .where(CourseProgress.user_id.in_(ids),
                                                                 CourseProgress.completed_at.is_not(None)))}
    result.items = [DueRow(r.user_id, r.name, r.email, r.active, r.course_id, r.due_date,
                           (r.user_id, r.course_id) in overdue, (r.user_id, r.course_id) in completed,
                           sorted(sources.get((r.user_id, r.course_id), ()))) for r in result.items]
    return result


def filter_and_sort(rows: list[ReportRow], *, status: str = "", search: str = "", unit: str = "",
                    sort: str = "name", descending: bool = False, refresher: str = "") -> list[ReportRow]:
    if status in STATUSES:
        rows = [r for r in rows if r.status == status]
    if refresher in REFRESHER_STATES:
        rows = [r for r in rows if r.refresher == refresher]
    if unit:
        rows = [r for r in rows if (r.unit or "") == unit]
    if search:
        needle = search.strip().lower()
        rows = [r for r in rows if needle in r.name.lower() or needle in r.email
                or needle in (r.personnel_number or "").lower()]
    sort = sort if sort in SORT_KEYS else "name"
    order = {s: i for i, s in enumerate(("overdue", "not_started", "in_progress", "completed"))}
    keys = {
        "name": lambda r: r.name.lower(),
        "status": lambda r: (order[r.status], r.name.lower()),
        "score": lambda r: (r.score, r.name.lower()),
        "last_activity": lambda r: (r.last_activity, r.name.lower()),
        "unit": lambda r: ((r.unit or "").lower(), r.name.lower()),
        "due_date": lambda r: (r.due_date, r.name.lower()),
    }
    # Rows without a value (no score yet, no due date) come last in either direction.
    present, absent = [], []
    for r in rows:
        (absent if sort in ("score", "last_activity", "due_date") and getattr(r, sort) is None else present).append(r)
    return sorted(present, key=keys[sort], reverse=descending) + sorted(absent, key=lambda r: r.name.lower())


def summary(rows: list[ReportRow]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES + REFRESHER_STATES}
    for r in rows:
        counts[r.status] += 1
        if r.refresher:
            counts[r.refresher] += 1
    counts["total"] = len(rows)
    return counts


EXPORT_HEADER = ["name", "email", "personnel_number", "unit", "status", "modules_done", "modules_total",
                 "score_percent", "last_activity", "due_date", "completed_at", "account_active", "refresher",
                 "valid_until"]


def _export_values(r: ReportRow) -> list:
    return [r.name, r.email, r.personnel_number or "", r.unit or "", r.status, r.modules_done, r.modules_total,
            r.score if r.score is not None else "", r.last_activity.isoformat(sep=" ", timespec="minutes") if r.last_activity else "",
            r.due_date.isoformat() if r.due_date else "", r.completed_at.date().isoformat() if r.completed_at else "",
            "yes" if r.active else "no", r.refresher or "", r.valid_until.isoformat() if r.valid_until else ""]


def to_csv(rows: list[ReportRow]) -> str:
    return spreadsheets.to_csv(EXPORT_HEADER, (_export_values(r) for r in rows))


def to_xlsx(rows: list[ReportRow], title: str) -> bytes:
    return spreadsheets.to_xlsx(EXPORT_HEADER, (_export_values(r) for r in rows), title or "Report")


def trainee_history(user: User) -> dict:
    """Everything a trainee did: progress per module version and every quiz attempt."""
    progress = db.session.scalars(sa.select(ModuleProgress).filter_by(user_id=user.id).order_by(ModuleProgress.started_at)).all()
    attempts = db.session.scalars(sa.select(QuizAttempt).filter(QuizAttempt.user_id == user.id,
                                                                 QuizAttempt.submitted_at.is_not(None))
                                  .order_by(QuizAttempt.submitted_at.desc())).all()
    return {"progress": progress, "attempts": attempts}
