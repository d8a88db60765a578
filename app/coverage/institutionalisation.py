"""Institutionalisation: which academies have built which course into which curriculum (basic training, in-service
training, or optional), and since when; and, per year, how many academies had done so by the end of it.

Read from the academies' mandatory-course rules (`enrolment.models.MandatoryCourse`: academy, course, service
category, curriculum, since). These are facts about institutions, not about people: no small-number protection
applies. A rule removed is no longer listed (its history is in the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.academy.models import Academy
from app.curriculum.models import Course
from app.enrolment.models import MandatoryCourse
from app.extensions import db
from app.foundation.stages import CURRICULA

from .services import Scope


@dataclass
class Rule:
    country: str
    academy: Academy
    course: Course
    category: str
    curriculum: str
    since: date


@dataclass
class YearCount:
    year: int
    course: Course
    curriculum: str
    #: Academies (in the scope) that had the course in that curriculum, for any category, by 31 December.
    academies: int


def rules(scope: Scope) -> list[Rule]:
    """Every rule in the viewer's scope (their academy, their country, or all), by country, academy and since."""
    query = (sa.select(MandatoryCourse, Academy, Course)
             .join(Academy, Academy.id == MandatoryCourse.academy_id)
             .join(Course, Course.id == MandatoryCourse.course_id)
             .order_by(Academy.country_code, Academy.name, MandatoryCourse.since, Course.prong,
                       MandatoryCourse.category, MandatoryCourse.stage))
    if scope.countries is not None:
        query = query.where(Academy.country_code.in_(sorted(scope.countries)))
    if scope.academy_id is not None:
        query = query.where(Academy.id == scope.academy_id)
    return [Rule(academy.country_code, academy, course, rule.category, rule.stage, rule.since)
            for rule, academy, course in db.session.execute(query)]


def per_year(found: list[Rule], until: date) -> list[YearCount]:
    """For each year from the earliest rule to `until`'s year, each course and each curriculum: how many academies
    had built the course into it by the end of the year (an academy counted once whatever its categories)."""
    if not found:
        return []
    courses = {r.course.id: r.course for r in found}
    first = min(r.since.year for r in found)
    counts = []
    for year in range(first, until.year + 1):
        end = date(year, 12, 31)
        for course_id in sorted(courses, key=lambda c: (courses[c].prong, courses[c].title)):
            for curriculum in CURRICULA:
                academies = {r.academy.id for r in found if r.course.id == course_id and r.curriculum == curriculum
                             and r.since <= end}
                if academies:
                    counts.append(YearCount(year, courses[course_id], curriculum, len(academies)))
    return counts
