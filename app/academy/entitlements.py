"""What a trainee is to take, and by when: the one place that answers it.

A trainee is entitled to a course or a module through
- a direct assignment,
- an assignment to a cohort they currently belong to (so later joiners are covered),
- a mandatory-course rule of their academy for their service category (due N days after they joined),
- their service category itself (the prong's course, without a deadline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from app.curriculum.models import Course
from app.extensions import db

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
                                                                        category=user.category))
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
