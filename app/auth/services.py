"""Creating and authenticating users: the rules every way of making an account goes through."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from app.curriculum.models import Country
from app.extensions import db
from app.foundation.emails import EmailAddressInvalid, checked_email
from app.foundation.errors import ServiceError
from app.foundation.prongs import PRONGS
from app.foundation.roles import Role
from app.utils import utcnow

from .models import END_REASONS, ServicePeriod, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
# Checked when the e-mail is unknown, so that a wrong e-mail costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class UserError(ServiceError):
    """A user that cannot be created as asked; the message says why."""


class EmailTaken(UserError):
    """The e-mail belongs to an account already. Said only to those who may know it (the command line);
    an academy says 'cannot be used' instead (`app.academy.services`), so that no academy learns who is
    registered in another academy or country."""


def normalise_email(email: str) -> str:
    """The address as stored (lower-case), or UserError with email-validator's reason."""
    try:
        return checked_email(email)
    except EmailAddressInvalid as exc:
        raise UserError(_l("'%(email)s' cannot be used: %(reason)s", email=exc.address, reason=exc.reason)) from None


#: Stored instead of a hash for accounts that have no password yet: it matches no password.
UNUSABLE_PASSWORD = "!"


def create_user(*, email: str, name: str, role: str, country: str, password: str | None,
                academy=None, category: str | None = None, language: str | None = None) -> User:
    """Create a user after checking every rule; raise UserError naming the first broken one.

    `academy` is the user's academy (an `Academy`, which the academy area resolves), or None.
    `password=None` creates an account that cannot sign in until a password is set (sign-in link).
    """
    email = normalise_email(email)
    name = (name or "").strip()
    if not name:
        raise UserError(_l("A name is required."))
    role_value, country_row = check_scope(role=role, country=country, academy=academy, category=category)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH))
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        raise EmailTaken(_l("A user with the e-mail %(email)s already exists.", email=email))
    user = User(
        email=email, name=name, role=role_value.value, country_code=country_row.code,
        academy_id=academy.id if academy is not None else None, category=category,
        language=language or (country_row.languages[0] if country_row.languages else "en"),
    )
    if password is None:
        user.password_hash = UNUSABLE_PASSWORD
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_service(user, True, on=user.created_at.date())
    return user


def check_scope(*, role: str, country: str, academy=None, category: str | None = None) -> tuple[Role, Country]:
    """The rules tying a role to its scope (country, academy, service category), for creating and for
    changing an account: the role and the country row, or UserError naming the first broken rule."""
    try:
        role_value = Role(role)
    except ValueError:
        raise UserError(_l("Unknown role '%(role)s' (expected one of: %(roles)s).", role=role,
                           roles=", ".join(r.value for r in Role))) from None
    country_row = db.session.get(Country, (country or "").upper())
    if country_row is None:
        raise UserError(_l("Unknown country '%(country)s'. Load the curricula first (flask curricula load).",
                           country=country))
    if academy is not None and academy.country_code != country_row.code:
        raise UserError(_l("Academy '%(academy)s' is in %(there)s, not %(here)s.", academy=academy.slug,
                           there=academy.country_code, here=country_row.code))
    if role_value in (Role.TRAINEE, Role.ACADEMY_ADMIN, Role.TRAINER) and academy is None:
        raise UserError(_l("A %(role)s must belong to an academy (--academy).", role=role_value.value))
    if category is not None and category not in PRONGS:
        raise UserError(_l("Unknown service category '%(category)s' (expected one of: %(categories)s).",
                           category=category, categories=", ".join(PRONGS)))
    if role_value == Role.TRAINEE and not category:
        raise UserError(_l("A trainee needs a service category (--category)."))
    if role_value != Role.TRAINEE and category:
        raise UserError(_l("Only trainees have a service category."))
    return role_value, country_row


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Guessing is slowed by rate limits on the sign-in route (app/auth/throttle.py), never by locking the
    account, so that nobody can lock someone else out by typing wrong passwords on purpose.
    """
    # Looked up as stored, not validated: an account made before a stricter check can still sign in.
    email = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).filter_by(email=email)) if email else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


# --- service history -----------------------------------------------------------------------------


def record_service(people: User | Iterable[User], serving: bool, *, on: date | None = None,
                   reason: str = "suspended") -> int:
    """The one place that opens and closes periods of service (`ServicePeriod`), which coverage counts.

    `serving`: a period opens on `on` (default today, UTC) for each person who has none open (joining,
    returning). Not serving: each person's open period ends on `on` (the first day not in service), for
    `reason`, "suspended" or "left". Earlier periods are never changed, so a person who returns has two.
    The people must have ids (flushed). Returns how many changed; only flushes.
    """
    people = list({p.id: p for p in ([people] if isinstance(people, User) else people)}.values())
    if not people:
        return 0
    if not serving and reason not in END_REASONS:
        raise ValueError(f"Unknown end of service {reason!r} (expected one of: {', '.join(END_REASONS)}).")
    day = on or utcnow().date()
    ids = [p.id for p in people]
    open_periods = {p.user_id: p for p in db.session.scalars(
        sa.select(ServicePeriod).where(ServicePeriod.user_id.in_(ids), ServicePeriod.ended_on.is_(None)))}
    changed = 0
    if serving:
        last_end = dict(db.session.execute(
            sa.select(ServicePeriod.user_id, sa.func.max(ServicePeriod.ended_on))
            .where(ServicePeriod.user_id.in_(ids)).group_by(ServicePeriod.user_id)).all())
        for person in people:
            if person.id in open_periods:
                continue
            if last_end.get(person.id) is not None and day < last_end[person.id]:
                raise ValueError(f"A period of service cannot start on {day} before the last one ended "
                                 f"({last_end[person.id]}).")
            db.session.add(ServicePeriod(user_id=person.id, started_on=day))
            changed += 1
    else:
        for period in open_periods.values():
            if day < period.started_on:
                raise ValueError(f"A period of service cannot end on {day} before it started ({period.started_on}).")
            period.ended_on, period.end_reason = day, reason
            changed += 1
    db.session.flush()
    return changed
