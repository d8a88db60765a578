"""Recording and reading the audit log. Every service that changes something calls `audit()` in the same
transaction as the change (it only adds; the caller's route or command commits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.foundation import paging

from .models import AuditEvent

#: The user table as far as the log needs it (names of actors); the auth area sits above this one.
_users = sa.table("user", sa.column("id"), sa.column("name"), sa.column("email"))


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


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and len(value) <= 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilters:
    """What the log page is narrowed to; `from_args` keeps what is valid in the address bar and drops the rest."""

    actor: int | None = None
    action: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    page: int = 1
    per_page: int = paging.DEFAULT_PAGE_SIZE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        actor = str(args.get("actor", "") or "").strip()
        return cls(actor=int(actor) if actor.isdigit() and len(actor) < 10 else None,
                   action=paging.clean_text(args.get("action", ""), 60), since=_day(args.get("since", "")),
                   until=_day(args.get("until", "")), q=paging.clean_text(args.get("q", "")),
                   page=paging.page_number(args), per_page=paging.page_size(args))

    def args(self, **changes) -> dict[str, str]:
        current, default = replace(self, **changes), AuditFilters()
        return {f.name: (v.isoformat() if isinstance(v, date) else str(v))
                for f in fields(self) if (v := getattr(current, f.name)) != getattr(default, f.name) and v is not None}

    @property
    def active(self) -> bool:
        return bool(self.actor or self.action or self.since or self.until or self.q)


def events_page(academy, f: AuditFilters) -> paging.Page:
    """One page of the log (of one academy, or the platform's whole log), newest first, filtered in the database."""
    query = sa.select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if academy is not None:
        query = query.where(AuditEvent.academy_id == academy.id)
    if f.actor:
        query = query.where(AuditEvent.actor_id == f.actor)
    if f.action:
        # "trainee" matches every trainee.* action; "trainee.suspend" only itself.
        query = query.where(sa.or_(AuditEvent.action == f.action, AuditEvent.action.startswith(f.action + ".", autoescape=True)))
    if f.since:
        query = query.where(AuditEvent.created_at >= datetime.combine(f.since, time.min))
    if f.until:
        query = query.where(AuditEvent.created_at < datetime.combine(f.until + timedelta(days=1), time.min))
    if f.q:
        like = "%" + f.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(sa.func.lower(AuditEvent.summary).like(like, escape="\\"),
                                   AuditEvent.action.like(like, escape="\\")))
    return paging.paginate(query, f.page, f.per_page)


def actors(academy=None) -> list[tuple[int, str, str]]:
    """(id, name, e-mail) of everyone who appears in the log (of the academy), for the actor filter."""
    who = sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None))
    if academy is not None:
        who = who.where(AuditEvent.academy_id == academy.id)
    return [tuple(r) for r in db.session.execute(
        sa.select(_users.c.id, _users.c.name, _users.c.email).where(_users.c.id.in_(who.distinct()))
        .order_by(_users.c.name).limit(500)).all()]


def actions(academy=None) -> list[str]:
    """Every action recorded (in the academy's log), for the action filter."""
    query = sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    if academy is not None:
        query = query.where(AuditEvent.academy_id == academy.id)
    return list(db.session.scalars(query))
