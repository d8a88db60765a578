from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.curriculum.models import Course
from app.extensions import db
from app.utils import utcnow

if TYPE_CHECKING:
    from app.academy.models import Academy


class ClassroomSession(db.Model):
    """A classroom course (or some of its modules) on given days at a place, organised by one academy,
    open to the trainees of the partner academies named."""

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"))
    #: The modules taught (ids); None = the whole course.
    module_ids: Mapped[list | None] = mapped_column(sa.JSON)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200))
    #: Percent a participant needs on the paper test to pass (no test recorded: attendance alone does not pass).
    pass_mark: Mapped[int] = mapped_column(default=70)
    #: Other academies whose administrators may add their trainees (joint sessions).
    partner_academy_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_at: Mapped[datetime | None]

    academy: Mapped[Academy] = relationship("Academy")
    course: Mapped[Course] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary="session_trainer", order_by="User.name")
    participants: Mapped[list[SessionParticipant]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionParticipant.id")

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates"),
        sa.CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark"),
    )


session_trainer = sa.Table(
    "session_trainer", db.metadata,
    sa.Column("session_id", sa.ForeignKey("classroom_session.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id"), primary_key=True),
)


class SessionParticipant(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("classroom_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    attended: Mapped[bool | None]
    #: Paper test result in percent, if a test was taken.
    score: Mapped[int | None]
    recorded_at: Mapped[datetime | None]

    session: Mapped[ClassroomSession] = relationship(back_populates="participants")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "user_id", name="uq_session_participant"),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score"),
    )

    @property
    def passed(self) -> bool:
        return bool(self.attended) and self.score is not None and self.score >= self.session.pass_mark
