"""One kind of link token for every purpose: invitation, printed sign-in link, password reset, e-mail change.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored, with the purpose, the user, an expiry
and when it was used. It works once: following it sets `used_at` (guarded, so two clicks cannot both use
it), issuing a new token of the same purpose for the same user ends the older ones, and
setting a password ends every link that would set one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.utils import utcnow

from .models import User, UserToken

INVITATION, SIGN_IN_LINK, PASSWORD_RESET, EMAIL_CHANGE = "invitation", "sign_in_link", "password_reset", "email_change"
#: Purposes whose link lets the holder set a password.
SETS_PASSWORD = (INVITATION, SIGN_IN_LINK, PASSWORD_RESET)
_LIFETIME_SETTING = {INVITATION: "TOKEN_HOURS_INVITATION", SIGN_IN_LINK: "TOKEN_HOURS_INVITATION",
                     PASSWORD_RESET: "TOKEN_HOURS_PASSWORD_RESET", EMAIL_CHANGE: "TOKEN_HOURS_EMAIL_CHANGE"}


def digest(token: str) -> str:
    """What is stored of a token (and what a message's idempotency key is made from)."""
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(purpose: str) -> timedelta:
    return timedelta(hours=current_app.config[_LIFETIME_SETTING[purpose]])


def issue(user: User, purpose: str, *, new_email: str | None = None, first: bool = False) -> str:
    """A new token for `user` (only adds); older unused tokens of the same purpose stop working.
    `first=True` (a user created in this transaction, who has none) skips ending them, for bulk imports."""
    now = utcnow()
    if not first:
        end_all(user, (purpose,))
    token = secrets.token_urlsafe(32)
    db.session.add(UserToken(user_id=user.id, purpose=purpose, token_hash=digest(token), new_email=new_email,
                             created_at=now, expires_at=now + lifetime(purpose)))
    return token


def end_all(user: User, purposes=SETS_PASSWORD) -> None:
    """Stop every unused token of `purposes` of the user (after a password is set, all the links that
    would set one again end with it)."""
    db.session.execute(sa.update(UserToken).where(
        UserToken.user_id == user.id, UserToken.purpose.in_(list(purposes)), UserToken.used_at.is_(None))
        .values(used_at=utcnow()))


def find(token: str, purposes) -> UserToken | None:
    """The unused, unexpired token of one of `purposes` whose user is active; None for anything else."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(sa.select(UserToken).where(
        UserToken.token_hash == digest(token), UserToken.purpose.in_(list(purposes))))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row


def consume(row: UserToken) -> bool:
    """Mark the token used; False if another request used it first (the caller then refuses)."""
    result = db.session.execute(sa.update(UserToken).where(UserToken.id == row.id, UserToken.used_at.is_(None))
                                .values(used_at=utcnow()))
    return result.rowcount == 1
