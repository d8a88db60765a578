"""The reminders already sent, so that a second run on the same day (or any later day) sends none again."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow

DUE_SOON, OVERDUE, DIGEST = "due_soon", "overdue", "digest"


class SentReminder(db.Model):
    """One reminder to one person: about one course and due date, or (digest) about one week."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: kind:user:course:period[:days], e.g. "due_soon:12:3:2027-03-31:14"; unique, so a reminder goes once.
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"))
    #: None for a digest.
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"))
    #: The due date the reminder is about, or the Monday of a digest's week.
    period: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint(sa.text("kind IN ('due_soon', 'overdue', 'digest')"), name="kind"),)
