"""Finding accounts across the platform, paged and sorted in the database."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.academy.models import Academy
from app.audit.models import AuditEvent
from app.auth.models import User
from app.auth.services import UNUSABLE_PASSWORD
from app.extensions import db
from app.foundation.roles import Role

#: Sort keys a request may name, and the columns they sort by (anything else sorts by name).
SORTS = {
    "name": (User.name,),
    "email": (User.email,),
    "role": (User.role, User.name),
    "country": (User.country_code, User.name),
    "academy": (Academy.name, User.name),
    "created": (User.created_at,),
    "last_login": (User.last_login_at,),
}
STATUSES = ("active", "suspended", "no_password")


@dataclass
class UserQuery:
    """The list's filters, parsed from the request's arguments (unknown values are ignored, not errors:
    a stale bookmark still opens the list)."""

    q: str = ""
    role: str = ""
    country: str = ""
    academy: str = ""
    status: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> UserQuery:
        role = args.get("role", "")
        status = args.get("status", "")
        sort = args.get("sort", "name")
        try:
            page = min(max(int(args.get("page", 1)), 1), 10**6)
        except (TypeError, ValueError):
            page = 1
        return cls(q=(args.get("q") or "").strip()[:200], role=role if role in {r.value for r in Role} else "",
                   country=(args.get("country") or "").upper()[:2], academy=(args.get("academy") or "")[:80],
                   status=status if status in STATUSES else "", sort=sort if sort in SORTS else "name",
                   desc=args.get("dir") == "desc", page=page)


def users_page(query: UserQuery, per_page: int = 50) -> tuple[list[tuple[User, Academy | None]], int]:
    """One page of accounts matching the filters, and how many match."""
    stmt = sa.select(User, Academy).outerjoin(Academy, Academy.id == User.academy_id)
    if query.q:
        like = f"%{query.q.lower()}%"
        stmt = stmt.filter(sa.or_(sa.func.lower(User.name).like(like), sa.func.lower(User.email).like(like)))
    if query.role:
        stmt = stmt.filter(User.role == query.role)
    if query.country:
        stmt = stmt.filter(User.country_code == query.country)
    if query.academy:
        stmt = stmt.filter(Academy.slug == query.academy)
    if query.status == "active":
        stmt = stmt.filter(User.active.is_(True))
    elif query.status == "suspended":
        stmt = stmt.filter(User.active.is_(False))
    elif query.status == "no_password":
        stmt = stmt.filter(User.password_hash == UNUSABLE_PASSWORD)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    columns = SORTS[query.sort]
    order = [c.desc() if query.desc else c.asc() for c in columns] + [User.id]
    rows = db.session.execute(stmt.order_by(*order).limit(per_page).offset((query.page - 1) * per_page)).all()
    return [(row[0], row[1]) for row in rows], total


def account(user_id: int) -> User | None:
    return db.session.get(User, user_id) if 0 < user_id < 2**31 else None


def history(user: User, limit: int = 20) -> list[AuditEvent]:
    """The latest audit events about this account."""
    return list(db.session.scalars(
        sa.select(AuditEvent).filter(AuditEvent.target_type == "user", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id.desc()).limit(limit)))
