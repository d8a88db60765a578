"""What a trainee is to take, and by when: the one place that answers it.

A trainee is entitled to a course or a module through
- a direct assignment,
- an assignment to a cohort they currently belong to (so later joiners are covered),
- a mandatory-course rule of their academy for their service category and training stage (a rule of basic
  training binds cadets, one of in-service training serving officers; an optional rule binds nobody), from the
  day the rule applies since, due N days after they joined,
- their service category itself (the prong's course, without a deadline).

`entitlements_for` answers it for one trainee (merged per course, with the earliest due date);
`due_rows` answers it for everyone at once, one row per source that sets a due date, for the set-based
figures (the academy report's due dates, and overdue: `app/learning/progress.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Course
from app.extensions import db
from app.foundation.roles import Role

from .models import Assignment, CohortMembership, MandatoryCourse

SOURCE_DIRECT = "direct"
SOURCE_COHORT = "cohort"
SOURCE_MANDATORY = "mandatory"
SOURCE_CATEGORY = "category"


@dataclass
class Entitlement:
    course_id: int
    #: None: the whole course.
    module_ids: set[int] | None
    due_date: date | None
    sources: set[str] = field(default_factory=set)


def _merge(found: dict[int, Entitlement], course_id: int, module_id: int | None, due: date | None, source: str):
    current = found.get(course_id)
    if current is None:
        current = found[course_id] = Entitlement(course_id, set() if module_id else None, due, {source})
    else:
        current.sources.add(source)
        if due is not None and (current.due_date is None or due < current.due_date):
            current.due_date = due
    if module_id is None:
        current.module_ids = None
    elif current.module_ids is not None:
        current.module_ids.add(module_id)


def entitlements_for(user) -> list[Entitlement]:
    """Every course (or part of one) the trainee is to take, merged, with the earliest due date."""
    if not user.is_trainee:
        return []
    found: dict[int, Entitlement] = {}
    active = Assignment.withdrawn_at.is_(None)
    for a in db.session.scalars(sa.select(Assignment).filter(Assignment.user_id == user.id, active)):
        _merge(found, a.course_id, a.module_id, a.due_date, SOURCE_DIRECT)
    cohort_rows = db.session.scalars(
        sa.select(Assignment).join(CohortMembership, CohortMembership.cohort_id == Assignment.cohort_id)
        .filter(CohortMembership.user_id == user.id, CohortMembership.left_at.is_(None), active)
    )
    for a in cohort_rows:
        _merge(found, a.course_id, a.module_id, a.due_date, SOURCE_COHORT)
    if user.academy_id and user.category:
        rules = db.session.scalars(sa.select(MandatoryCourse).filter_by(academy_id=user.academy_id,
                                                                        category=user.category,
                                                                        stage=user.training_stage))
        for rule in rules:
            due = (user.created_at.date() + timedelta(days=rule.due_within_days)) if rule.due_within_days else None
            _merge(found, rule.course_id, None, due, SOURCE_MANDATORY)
    if user.category:
        course_id = db.session.scalar(sa.select(Course.id).filter_by(prong=user.category))
        if course_id is not None:
            _merge(found, course_id, None, None, SOURCE_CATEGORY)
    return sorted(found.values(), key=lambda e: e.course_id)


def may_take_module(user, module) -> bool:
    for ent in entitlements_for(user):
        if ent.course_id == module.course_id and (ent.module_ids is None or module.id in ent.module_ids):
            return True
    return False


def rule_binds(rule, user) -> sa.ColumnElement:
    """SQL: mandatory rule `rule` (a MandatoryCourse table or alias) binds trainee `user` (a User table or alias):
    same academy, same service category, and the rule's curriculum is the trainee's stage (so an optional rule
    binds nobody). The one condition every set-based query of rules uses."""
    return sa.and_(rule.c.academy_id == user.c.academy_id, rule.c.category == user.c.category,
                   rule.c.stage == user.c.training_stage)


def _plus_days(column, days: int):
    """`column` (a timestamp) plus `days`, as a date, in the database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(column + sa.text(f"interval '{int(days)} days'"), sa.Date)
    return sa.type_coerce(sa.func.date(column, f"+{int(days)} days"), sa.Date)


def due_rows():
    """Every dated obligation as rows (user_id, course_id, module_id, academy_id, due_date, source): direct and
    cohort assignments with a due date, and mandatory rules with a deadline. A subquery to join or filter."""
    active = Assignment.withdrawn_at.is_(None)
    direct = (sa.select(Assignment.user_id.label("user_id"), Assignment.course_id.label("course_id"),
                        Assignment.module_id.label("module_id"), Assignment.academy_id.label("academy_id"),
                        Assignment.due_date.label("due_date"), sa.literal(SOURCE_DIRECT).label("source"))
              .where(Assignment.user_id.is_not(None), Assignment.due_date.is_not(None), active))
    via_cohort = (sa.select(CohortMembership.user_id, Assignment.course_id, Assignment.module_id, Assignment.academy_id,
                            Assignment.due_date, sa.literal(SOURCE_COHORT))
                  .join(Assignment, Assignment.cohort_id == CohortMembership.cohort_id)
                  .where(CohortMembership.left_at.is_(None), Assignment.due_date.is_not(None), active))
    parts = [direct, via_cohort]
    rules = db.session.execute(sa.select(MandatoryCourse.academy_id, MandatoryCourse.course_id, MandatoryCourse.category,
                                         MandatoryCourse.stage, MandatoryCourse.due_within_days)
                               .where(MandatoryCourse.due_within_days.is_not(None))).all()
    for academy_id, course_id, category, stage, days in rules:
        parts.append(sa.select(User.id, sa.literal(course_id), sa.null(), User.academy_id,
                               _plus_days(User.created_at, days), sa.literal(SOURCE_MANDATORY))
                     .where(User.academy_id == academy_id, User.category == category, User.training_stage == stage,
                            User.role == Role.TRAINEE.value))
    return sa.union_all(*parts).subquery("due_rows")


def _later(a, b):
    """The later of two timestamps, either of which may be null (null: no bound)."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (a >= b, a), else_=b)


def _earlier(a, b):
    """The earlier of two end timestamps, either of which may be null (null: open-ended)."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def added_obligation_rows():
    """Every obligation to take a whole course other than the trainee's service category's own (which always
    applies), with the time it applies: rows (user_id, prong, since, until), the prong naming the course, `since`
    and `until` null for unbounded. The set-based twin of `entitlements_for` for figures on past dates: direct and
    cohort assignments of the whole course (from the assignment, or the joining of the cohort if later, until
    withdrawn or left) and mandatory-course rules of the trainee's academy for their category and stage
    (`rule_binds`), from the start of the day the rule applies since. Assignments of one module are not an
    obligation to the course. A subquery; a person may have several rows for one course."""
    u = User.__table__
    c = Course.__table__
    a = Assignment.__table__
    m = CohortMembership.__table__
    r = MandatoryCourse.__table__
    other = sa.and_(u.c.role == Role.TRAINEE.value, sa.or_(u.c.category.is_(None), c.c.prong != u.c.category))
    direct = (sa.select(a.c.user_id.label("user_id"), c.c.prong.label("prong"), a.c.created_at.label("since"),
                        a.c.withdrawn_at.label("until"))
              .select_from(a.join(c, c.c.id == a.c.course_id).join(u, u.c.id == a.c.user_id))
              .where(a.c.module_id.is_(None), other))
    via_cohort = (sa.select(m.c.user_id, c.c.prong, _later(m.c.joined_at, a.c.created_at),
                            _earlier(m.c.left_at, a.c.withdrawn_at))
                  .select_from(m.join(a, a.c.cohort_id == m.c.cohort_id).join(c, c.c.id == a.c.course_id)
                               .join(u, u.c.id == m.c.user_id))
                  .where(a.c.module_id.is_(None), other))
    # The start of the day the rule applies since, as a timestamp like the other sources' (SQLite keeps both as
    # ISO text, which compares in order; a CAST there would make a number of it).
    since = (sa.cast(r.c.since, sa.DateTime) if db.engine.dialect.name == "postgresql"
             else sa.type_coerce(r.c.since, sa.DateTime))
    mandatory = (sa.select(u.c.id, c.c.prong, since, sa.cast(sa.null(), sa.DateTime))
                 .select_from(u.join(r, rule_binds(r, u)).join(c, c.c.id == r.c.course_id))
                 .where(other))
    return sa.union_all(direct, via_cohort, mandatory).subquery("added_obligation_rows")
