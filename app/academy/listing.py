"""The trainee list of an academy: filters, search, sorting and pages, all in the database.

The same list serves the trainee page, a cohort's members and the people who may join a cohort, so that
each of them filters, sorts and pages alike. Query parameters come from the address bar: `TraineeFilters.
from_args` keeps what is valid and drops the rest (a bad value falls back to the default, never a 500).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date

import sqlalchemy as sa

from app.auth.models import User
from app.curriculum.models import Course
from app.enrolment.models import CohortMembership
from app.extensions import db
from app.foundation import paging
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role
from app.learning import progress as progress_rules
from app.utils import utcnow

from . import reports
from .models import Academy

#: Sort keys offered to the user and the columns they sort by (the id breaks ties, so pages never overlap).
SORTS = {
    "name": lambda: sa.func.lower(User.name),
    "email": lambda: User.email,
    "category": lambda: User.category,
    "unit": lambda: sa.func.lower(User.unit),
    "status": lambda: User.active,
    "last_login": lambda: User.last_login_at,
    "joined": lambda: User.created_at,
}
#: Columns that may be empty: empty values come last in either direction.
NULLABLE_SORTS = {"unit", "last_login"}
ACCOUNT_STATUSES = ("active", "suspended")
MAX_TEXT = 200


@dataclass(frozen=True)
class TraineeFilters:
    q: str = ""
    category: str = ""
    unit: str = ""
    status: str = ""
    #: A cohort id of the academy: only its current members.
    cohort: int | None = None
    #: A cohort id of the academy: only trainees who are not current members of it.
    not_in_cohort: int | None = None
    #: With `progress`: the course whose status is filtered; None is each trainee's own course.
    course: int | None = None
    progress: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    per_page: int = paging.DEFAULT_PAGE_SIZE

    @classmethod
    def from_args(cls, args: Mapping[str, str], **fixed) -> TraineeFilters:
        """The filters in `args`, each checked; invalid ones are dropped. `fixed` overrides (a cohort page)."""

        def text(name):
            return paging.clean_text(args.get(name, ""), MAX_TEXT)

        def number(name):
            value = text(name)
            return int(value) if value.isdigit() and len(value) < 10 else None

        def one_of(name, allowed, default=""):
            value = text(name)
            return value if value in allowed else default

        values = cls(
            q=text("q"), category=one_of("category", PRONGS), unit=text("unit"),
            status=one_of("status", ACCOUNT_STATUSES), cohort=number("cohort"), not_in_cohort=number("not_in_cohort"),
            course=number("course"), progress=one_of("progress", reports.STATUSES),
            sort=one_of("sort", SORTS, "name"), desc=text("desc") in ("1", "true", "on"),
            page=paging.page_number(args), per_page=paging.page_size(args),
        )
        return replace(values, **fixed)

    def args(self, **changes) -> dict[str, str]:
        """The query parameters that give these filters (defaults left out), with `changes` applied."""
        current = replace(self, **changes)
        default = TraineeFilters()
        result = {}
        for f in fields(self):
            value = getattr(current, f.name)
            if value != getattr(default, f.name) and value is not None:
                result[f.name] = "1" if value is True else str(value)
        return result

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (the page says "filtered" and offers to clear them)."""
        return bool(self.q or self.category or self.unit or self.status or self.cohort or self.progress)


@dataclass
class TraineeRow:
    id: int
    name: str
    email: str
    category: str
    unit: str | None
    personnel_number: str | None
    active: bool
    last_login_at: object
    #: The trainee's status on the filtered course (or their own course): see `reports.STATUSES`.
    progress: str
    #: Where a completed course sets a validity period: whether it is current, due for a refresher, or lapsed.
    refresher: progress_rules.RefresherState | None = None


def _query(academy: Academy, f: TraineeFilters, today: date):
    query = sa.select(User).where(User.academy_id == academy.id, User.role == Role.TRAINEE.value)
    if f.q:
        like = "%" + f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(
            sa.func.lower(User.name).like(like, escape="\\"), User.email.like(like, escape="\\"),
            sa.func.lower(sa.func.coalesce(User.personnel_number, "")).like(like, escape="\\")))
    if f.category:
        query = query.where(User.category == f.category)
    if f.unit:
        query = query.where(sa.func.lower(User.unit) == f.unit.lower())
    if f.status:
        query = query.where(User.active.is_(f.status == "active"))
    member = sa.select(CohortMembership.user_id).where(CohortMembership.left_at.is_(None))
    if f.cohort is not None:
        query = query.where(User.id.in_(member.where(CohortMembership.cohort_id == f.cohort)))
    if f.not_in_cohort is not None:
        query = query.where(User.id.not_in(member.where(CohortMembership.cohort_id == f.not_in_cohort)))
    if f.progress:
        course = db.session.get(Course, f.course) if f.course else None
        if course is not None:
            query = query.where(User.id.in_(sa.select(reports.population(academy.id, course).subquery().c[0])))
        query, _status, conditions = reports.with_course_status(query, academy.id, course, today)
        query = query.where(conditions[f.progress])
    return query


def _order(f: TraineeFilters):
    column = SORTS[f.sort]()
    ordered = column.desc() if f.desc else column.asc()
    keys = [ordered, User.id.desc() if f.desc else User.id.asc()]
    if f.sort in NULLABLE_SORTS:
        keys.insert(0, column.is_(None))
    return keys


def trainee_page(academy: Academy, f: TraineeFilters, today: date | None = None) -> paging.Page:
    """One page of the academy's trainees under `f`, with each one's course status, and the total count."""
    today = today or utcnow().date()
    page = paging.paginate(_query(academy, f, today).order_by(*_order(f)), f.page, f.per_page)
    course = db.session.get(Course, f.course) if f.course else None
    ids = [u.id for u in page.items]
    status, held = {}, {}
    if ids:
        query, column, _conditions = reports.with_course_status(sa.select(User.id).where(User.id.in_(ids)), academy.id, course,
                                                   today, user_ids=ids)
        status = dict(db.session.execute(query.add_columns(column)).all())
        held = progress_rules.refresher_states(course.id if course else None, ids, today)
    page.items = [TraineeRow(u.id, u.name, u.email, u.category, u.unit, u.personnel_number, u.active, u.last_login_at,
                             status.get(u.id, "not_started"), held.get(u.id)) for u in page.items]
    return page


def units(academy: Academy) -> list[str]:
    """The units the academy's trainees are recorded in, for the unit filter."""
    return list(db.session.scalars(
        sa.select(User.unit).where(User.academy_id == academy.id, User.role == Role.TRAINEE.value,
                                   User.unit.is_not(None)).distinct().order_by(User.unit).limit(500)))
