"""Who must take what: cohorts, assignments (to a trainee or a cohort) and mandatory-course rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.curriculum.models import Course, Module
from app.extensions import db
from app.foundation import prongs, stages
from app.utils import utcnow

if TYPE_CHECKING:  # the academy area sits above this one; relationships are resolved by name
    from app.academy.models import Academy


class Cohort(db.Model):
    """A named group of trainees of one academy: an intake, a unit, a class."""

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    academy: Mapped[Academy] = relationship("Academy")

    __table_args__ = (sa.UniqueConstraint("academy_id", "name", name="uq_cohort_academy_name"),)


class CohortMembership(db.Model):
    """A trainee's time in a cohort. Leaving sets `left_at`; the row (and what they completed) stays."""

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    __table_args__ = (
        # At most one current membership per trainee and cohort.
        sa.Index("uq_cohort_membership_current", "cohort_id", "user_id", unique=True,
                 sqlite_where=sa.text("left_at IS NULL"), postgresql_where=sa.text("left_at IS NULL")),
    )


class Assignment(db.Model):
    """A course, or one module of it, assigned to a trainee or to a cohort, with an optional due date.

    A cohort assignment covers whoever is a member now, including people who join later.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    #: Set when only one module of the course is assigned.
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohort.id"), index=True)
    due_date: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Withdrawn assignments stay for the record but no longer apply.
    withdrawn_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship()
    module: Mapped[Module | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    trainee = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (cohort_id IS NULL)", name="one_target"),
    )


class MandatoryCourse(db.Model):
    """At an academy, a course is built into a curriculum for a service category: mainstreaming as a rule.

    In basic training (`stage` "basic") every cadet of the category must take it; in in-service training
    ("in_service") every serving officer of the category; "optional": the academy offers it and nobody owes it.
    A course may be in both curricula (two rules)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    category: Mapped[str] = mapped_column(sa.String(20))
    #: Days a trainee has from joining the academy; none means no deadline.
    due_within_days: Mapped[int | None]
    #: The curriculum the course is part of: "basic", "in_service" or "optional" (`foundation.stages.CURRICULA`).
    stage: Mapped[str] = mapped_column(sa.String(10), default="in_service", server_default="in_service")
    #: Since when the course is part of that curriculum; the rule obliges trainees from this day on.
    since: Mapped[date] = mapped_column(default=lambda: utcnow().date())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("academy_id", "course_id", "category", "stage", name="uq_mandatory_course_rule"),
        sa.CheckConstraint(sa.text(prongs.sql_in("category")), name="category"),
        sa.CheckConstraint(sa.text(stages.sql_in("stage", stages.CURRICULA)), name="stage"),
        sa.CheckConstraint("stage <> 'optional' OR due_within_days IS NULL", name="optional_without_deadline"),
        sa.CheckConstraint("due_within_days IS NULL OR due_within_days > 0", name="due_positive"),
    )
