"""Users and their roles."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.curriculum.models import Country
from app.extensions import db
from app.foundation import disclosure, prongs, roles, stages
from app.foundation.roles import Role
from app.utils import utcnow

if TYPE_CHECKING:  # the academy area sits above this one; the relationship is resolved by name
    from app.academy.models import Academy


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; sign-in compares lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    country_code: Mapped[str] = mapped_column(sa.ForeignKey("country.code"), index=True)
    academy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    #: The prong a trainee is trained in (police, investigators, judiciary).
    category: Mapped[str | None] = mapped_column(sa.String(20))
    #: Preferred language for module text (ISO 639); falls back to English where untranslated.
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: A trainee's stage: "basic" (a cadet in basic training) or "in_service" (a serving officer). Mandatory rules
    #: of one curriculum apply to the trainees of that stage; figures can be split by it (the present value).
    training_stage: Mapped[str] = mapped_column(sa.String(10), default=stages.DEFAULT_TRAINING_STAGE,
                                                server_default=stages.DEFAULT_TRAINING_STAGE)
    #: "female" or "male" where the academy collects it (`Academy.collects_sex`); NULL: not stated.
    sex: Mapped[str | None] = mapped_column(sa.String(6))
    #: Unit, station or region, as the academy records it.
    unit: Mapped[str | None] = mapped_column(sa.String(200))
    #: Personnel number, unique within the academy when given.
    personnel_number: Mapped[str | None] = mapped_column(sa.String(64))
    #: Suspended accounts cannot sign in but keep their training history.
    active: Mapped[bool] = mapped_column(default=True)
    suspended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Part of every session's user id (`get_id`): raising it ends every session of the account at once
    #: (sign-out, password change, suspension, an administrator's reset). See app/auth/sessions.py.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The person's random record key for the cell-key method of small-number protection
    #: (app/foundation/disclosure.py): drawn once, never shown.
    record_key: Mapped[int] = mapped_column(default=disclosure.new_record_key)

    country: Mapped[Country] = relationship()
    academy: Mapped[Academy | None] = relationship("Academy")

    __table_args__ = (
        sa.CheckConstraint(sa.text(roles.sql_in("role")), name="role"),
        sa.CheckConstraint(sa.text(prongs.sql_in("category", nullable=True)), name="category"),
        sa.CheckConstraint(sa.text(stages.sql_in("training_stage", stages.TRAINING_STAGES)), name="training_stage"),
        sa.CheckConstraint(sa.text(stages.sql_in("sex", stages.SEXES, nullable=True)), name="sex"),
        sa.CheckConstraint(
            sa.text("role <> 'trainee' OR (academy_id IS NOT NULL AND category IS NOT NULL)"),
            name="trainee_has_academy_and_category",
        ),
        sa.CheckConstraint(sa.text("role <> 'academy_admin' OR academy_id IS NOT NULL"), name="admin_has_academy"),
        sa.UniqueConstraint("academy_id", "personnel_number", name="uq_user_academy_personnel_number"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_trainee(self) -> bool:
        return self.role == Role.TRAINEE

    def get_id(self) -> str:
        """The id kept in the session: the user and the session version, so that old sessions stop working."""
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every session of this account, on every device (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """A new password; every session signed in with the old one ends."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserToken(db.Model):
    """A single-use link sent to (or printed for) a user: only the SHA-256 of the token is stored, so the
    database alone cannot be used to follow a link."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: invitation, sign_in_link, password_reset, email_change
    purpose: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: For an e-mail change: the address that becomes the user's when the link is followed.
    new_email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Set when the link is followed, or when a newer link of the same purpose replaces it.
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.text("purpose IN ('invitation', 'sign_in_link', 'password_reset', 'email_change')"),
                           name="purpose"),
    )


#: Why a period of service ended: the account was suspended, or the person left the service.
END_REASONS = ("suspended", "left")


class ServicePeriod(db.Model):
    """One period of a person's service: from the day they joined (or returned) to the day they were suspended
    or left (none while they serve). Reactivation opens a new period; the earlier ones are kept, so figures for
    any past date count the people who served on it. Opened and closed only by `auth.services.record_service`."""

    __tablename__ = "service_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    started_on: Mapped[date]
    #: The first day not in service (the day of the suspension or departure); None while serving.
    ended_on: Mapped[date | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(10))

    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint(sa.text("(ended_on IS NULL AND end_reason IS NULL) OR (ended_on IS NOT NULL AND "
                                   "end_reason IN ('suspended', 'left'))"), name="end_reason"),
        sa.CheckConstraint(sa.text("ended_on IS NULL OR ended_on >= started_on"), name="ends_after_start"),
        sa.Index("uq_service_period_open", "user_id", unique=True, sqlite_where=sa.text("ended_on IS NULL"),
                 postgresql_where=sa.text("ended_on IS NULL")),
    )
