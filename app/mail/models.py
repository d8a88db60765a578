"""The outbox: every e-mail the platform sends, from the moment it is decided until it is delivered or given up."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.utils import utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUSES = (PENDING, SENDING, SENT, FAILED)


class OutboxMessage(db.Model):
    """One e-mail to one recipient, already rendered in the recipient's language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    #: The interface language the message was rendered in.
    language: Mapped[str] = mapped_column(sa.String(8))
    #: What it is: invitation, password_reset, email_change, reminder_due, digest ...
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: Unique: queueing the same message twice (a repeated command, a retried request) adds nothing.
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: pending -> sending (claimed by one sender) -> sent | pending again (retry) | failed.
    status: Mapped[str] = mapped_column(sa.String(10), default=PENDING, server_default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a sender claimed it (a claim older than an hour means the sender died mid-send).
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(sa.text("status IN ('pending', 'sending', 'sent', 'failed')"), name="status"),
    )
