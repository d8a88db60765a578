"""Answers to the reaction and follow-up questionnaires: one row per trainee, course and completion.

They are read only in aggregate (services.aggregates), never per person; the free-text fields only by the
academy administrators of the trainee's academy, and only above the threshold.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow


class ReactionResponse(db.Model):
    """The reaction questionnaire of one completion (answered at most once)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    #: The completion it is about (CourseProgress.completed_at): a renewed completion may be rated again.
    completed_at: Mapped[datetime]
    #: {item key: 1..5} for the items answered (questions.REACTION_KEYS).
    answers: Mapped[dict] = mapped_column(sa.JSON)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "completed_at"),)


class FollowUp(db.Model):
    """The follow-up of one completion: invited (and perhaps reminded) by e-mail, answered at most once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    completed_at: Mapped[datetime]
    invited_on: Mapped[date]
    reminded_on: Mapped[date | None]
    answered_at: Mapped[datetime | None]
    identified: Mapped[str | None] = mapped_column(sa.String(10))
    #: Referral choices (questions.REFERRALS keys).
    referred: Mapped[list | None] = mapped_column(sa.JSON)
    frequency: Mapped[str | None] = mapped_column(sa.String(10))
    obstacles: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "completed_at"),)
