"""Academies (police academies, border police training centres, judicial training centres) and trainee imports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.curriculum.models import Country
from app.extensions import db
from app.utils import utcnow

ACADEMY_KINDS = ("police_academy", "border_police_centre", "judicial_training_centre", "other")


class Academy(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40), default="police_academy")
    #: Days before a due date on which trainees are reminded, e.g. "14,3"; empty: no such reminders.
    reminder_days_before: Mapped[str] = mapped_column(sa.String(40), default="14,3", server_default="14,3")
    #: Tell a trainee once when a course becomes overdue.
    overdue_notice: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: Weekday (0 Monday ... 6 Sunday) of the digest of overdue trainees to the academy's administrators;
    #: None: no digest.
    digest_weekday: Mapped[int | None] = mapped_column(default=0, server_default="0")
    #: The academy records its trainees' sex (optional for each, "not stated" allowed): the field appears on its
    #: trainee forms and in its import only then.
    collects_sex: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    country: Mapped[Country] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            sa.text("kind IN ('police_academy', 'border_police_centre', 'judicial_training_centre', 'other')"),
            name="kind",
        ),
        sa.CheckConstraint(sa.text("digest_weekday IS NULL OR digest_weekday BETWEEN 0 AND 6"), name="digest_weekday"),
    )


class ImportBatch(db.Model):
    """An uploaded trainee CSV between preview and confirmation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    academy_id: Mapped[int] = mapped_column(sa.ForeignKey("academy.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
