"""API tokens: created and revoked by academy administrators (their academy) and coordinators (their country)."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.academy.models import Academy
from app.audit.services import audit
from app.auth.models import User
from app.curriculum.models import Country
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.roles import Role
from app.utils import utcnow

from .models import ApiToken
from .services import Scope

TOKEN_PREFIX = "thb_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, *, country: str | None = None, academy: Academy | None = None,
                 created_by: User | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned once and never stored."""
    if (country is None) == (academy is None):
        raise ValueError("A token is scoped to one country or one academy.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip() or "API token", token_hash=_digest(secret), prefix=secret[:10],
                     country_code=country, academy_id=academy.id if academy else None,
                     created_by_id=created_by.id if created_by else None)
    db.session.add(token)
    db.session.flush()
    scope = f"academy {academy.slug}" if academy else f"country {country}"
    audit(created_by, academy, "api_token.create", token, f"Created API token '{token.name}' ({token.prefix}...) for {scope}.")
    return token, secret


def create_scoped(name: str, *, country: str | None, academy_slug: str | None) -> tuple[ApiToken, str]:
    """A token for automation, from the command line: scoped to one known country or academy."""
    if bool(country) == bool(academy_slug):
        raise ServiceError(_l("Give exactly one of a country or an academy."))
    academy = None
    if academy_slug:
        academy = db.session.scalar(sa.select(Academy).filter_by(slug=academy_slug))
        if academy is None:
            raise ServiceError(_l("Unknown academy '%(slug)s'.", slug=academy_slug))
    if country and db.session.get(Country, country.upper()) is None:
        raise ServiceError(_l("Unknown country '%(country)s'. Load the curricula first (flask curricula load).",
                              country=country))
    return create_token(name, country=country.upper() if country else None, academy=academy)


def authenticate(header: str | None) -> ApiToken | None:
    if not header or not header.startswith("Bearer "):
        return None
    secret = header[len("Bearer "):].strip()
    token = db.session.scalar(sa.select(ApiToken).filter_by(token_hash=_digest(secret), revoked_at=None))
    if token is not None:
        token.last_used_at = utcnow()
    return token


def scope_of(token: ApiToken) -> Scope:
    if token.academy_id is not None:
        return Scope(countries={token.academy.country_code}, academy_id=token.academy_id)
    return Scope(countries={token.country_code})


def tokens_for(user: User) -> list[ApiToken]:
    query = sa.select(ApiToken).filter_by(revoked_at=None).order_by(ApiToken.created_at.desc())
    if user.role == Role.ACADEMY_ADMIN:
        query = query.filter(ApiToken.academy_id == user.academy_id)
    elif user.role == Role.COORDINATOR:
        query = query.filter(ApiToken.country_code == user.country_code)
    elif user.role != Role.PLATFORM_ADMIN:
        return []
    return list(db.session.scalars(query))


def create_for(user: User, name: str) -> tuple[ApiToken, str]:
    """A token scoped to what the user administers: their academy, or their country."""
    if user.role == Role.ACADEMY_ADMIN:
        return create_token(name, academy=user.academy, created_by=user)
    if user.role == Role.COORDINATOR:
        return create_token(name, country=user.country_code, created_by=user)
    raise PermissionError("Only academy administrators and national coordinators create API tokens.")


def revoke(user: User, token_id: int) -> bool:
    token = next((t for t in tokens_for(user) if t.id == token_id), None)
    if token is None:
        return False
    token.revoked_at = utcnow()
    audit(user, token.academy, "api_token.revoke", token, f"Revoked API token '{token.name}' ({token.prefix}...).")
    return True
