"""Target populations (dated, with history) and API tokens."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.academy.models import Academy
from app.extensions import db
from app.foundation import prongs
from app.utils import utcnow


class TargetPopulation(db.Model):
    """How many people of a prong should be trained, at an academy or (academy null) in a whole country.

    A figure applies from `effective_from` until a later figure for the same place and prong; older
    figures are kept so that coverage on a past date uses the target that applied then.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    academy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    prong: Mapped[str] = mapped_column(sa.String(20))
    target: Mapped[int]
    effective_from: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    academy: Mapped[Academy | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("target >= 0", name="target_non_negative"),
        sa.CheckConstraint(sa.text(prongs.sql_in("prong")), name="prong"),
        sa.Index("uq_target_population_place_date", "country_code", sa.text("coalesce(academy_id, 0)"), "prong",
                 "effective_from", unique=True),
    )


class ApiToken(db.Model):
    """A bearer token for the pull API, scoped to one academy or one country; reads aggregates only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters, so that people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("country.code"))
    academy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academy.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    academy: Mapped[Academy | None] = relationship()

    __table_args__ = (sa.CheckConstraint("(country_code IS NULL) <> (academy_id IS NULL)", name="one_scope"),)
