"""Recording and reading the audit log. Every service that changes something calls `audit()` in the same
transaction as the change (it only adds; the caller's route or command commits)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db

from .models import AuditEvent


def audit(actor, academy, action: str, target, summary: str) -> None:
    """Record that `actor` (a user, or None for the system) did `action` to `target` at `academy`."""
    db.session.add(AuditEvent(
        academy_id=academy.id if academy else None, actor_id=actor.id if actor else None, action=action,
        target_type=type(target).__name__.lower(), target_id=getattr(target, "id", None), summary=summary,
    ))


def events(academy=None, limit: int = 200) -> list[AuditEvent]:
    """The latest events, of one academy or of the whole platform."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if academy is not None:
        query = query.filter(AuditEvent.academy_id == academy.id)
    return list(db.session.scalars(query))
