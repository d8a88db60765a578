"""The audit log: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.utils import utcnow


class AuditEvent(db.Model):
    """Who did what to which record, and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    academy_id: Mapped[int | None] = mapped_column(sa.ForeignKey("academy.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    #: A short human-readable summary (never passwords or answers).
    summary: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", foreign_keys=[actor_id])

    __table_args__ = (
        # An academy's log is read newest first (migration b9c3d4e5f6a7).
        sa.Index("ix_audit_event_academy_id_id", "academy_id", "id"),
    )
