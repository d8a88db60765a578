"""What a person does with their own account, and the links that let them: invitations, printed sign-in
links, forgotten passwords, the profile (name, language, password, e-mail address).

Each function checks, changes, audits and queues the e-mail it causes, in the caller's transaction; the
route or command commits once, and the e-mail goes out after that commit (`app.mail`).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import mail
from app.audit.services import audit
from app.extensions import db
from app.foundation.errors import ServiceError
from app.foundation.languages import UI_LANGUAGES
from app.mail.services import external_url, render
from app.utils import utcnow

from . import tokens
from .models import User, UserToken
from .services import (
    MIN_PASSWORD_LENGTH,
    UNUSABLE_PASSWORD,
    UserError,
    normalise_email,
)

#: A second reset request within this time sends nothing more (the first link still works).
RESET_REQUEST_PAUSE = timedelta(minutes=2)


class AccountError(ServiceError):
    """A change to an account refused; the message says why."""


def has_password(user: User) -> bool:
    return user.password_hash != UNUSABLE_PASSWORD


def language_choices(user: User) -> list[str]:
    """The languages a user may choose: the interface's and their country's (for the course text)."""
    country = list(user.country.languages or []) if user.country else []
    return list(dict.fromkeys(list(UI_LANGUAGES) + country))


def _queue_link(user: User, purpose: str, template: str, *, to: str | None = None, new_email: str | None = None,
                first: bool = False, **context) -> str:
    token = tokens.issue(user, purpose, new_email=new_email, first=first)
    link = external_url("auth.email_change" if purpose == tokens.EMAIL_CHANGE else "auth.set_password", token=token)
    mail.queue(to=to or user.email, language=user.language, template=template, kind=purpose,
               key=f"{purpose}:{tokens.digest(token)[:32]}", new_key=True, user=user, link=link,
               valid_until=utcnow() + tokens.lifetime(purpose), **context)
    return token


# --- invitations and printed links ---------------------------------------------------------------


def invite(user: User, by: User | None) -> None:
    """E-mail `user` an invitation with a link to set their password (a new one ends the previous link)."""
    if not user.active:
        raise AccountError(_l("%(name)s is suspended; reactivate the account before inviting.", name=user.name), 409)
    if has_password(user):
        raise AccountError(_l("%(name)s has already set a password; they can use “Forgot your password?” on "
                              "the sign-in page.", name=user.name), 409)
    _queue_link(user, tokens.INVITATION, "invitation", invited_by=by)
    audit(by, user.academy, "user.invite", user, f"Sent an invitation to {user.name} <{user.email}>.")


def invite_many(users, by: User | None, academy=None, *, new_users: bool = False, record: bool = True) -> int:
    """Invite each user who is active and has no password yet, with one audit event (none with
    `record=False`, when the caller's own event says it); return how many. `new_users=True`: all were
    created in this transaction (an import), so there are no older links to end."""
    sent = 0
    for user in users:
        if user.active and not has_password(user):
            _queue_link(user, tokens.INVITATION, "invitation", first=new_users, invited_by=by)
            sent += 1
    if sent and record:
        audit(by, academy, "user.invite", academy, f"Sent invitations to {sent} people.")
    return sent


def reset_by_administrator(user: User, by: User) -> None:
    """The platform administrator's reset of an account in use (a lost password, a suspected takeover):
    the password stops working, every open link ends, and a new invitation goes to the account's e-mail."""
    if not user.active:
        raise AccountError(_l("%(name)s is suspended; reactivate the account before inviting.", name=user.name), 409)
    user.password_hash = UNUSABLE_PASSWORD
    user.end_sessions()  # every device signed in with the old password is signed out
    tokens.end_all(user)
    _queue_link(user, tokens.INVITATION, "invitation", invited_by=by)
    audit(by, user.academy, "user.reset", user, f"Reset the password of {user.name} and sent a new invitation.")


def printable_sign_in_link(user: User, by: User) -> str:
    """A set-password link to hand over on paper, for someone without e-mail. Only while the account has
    no password: for an account in use it would let whoever holds the link take it over."""
    if has_password(user):
        raise AccountError(_l("%(name)s has already set a password, so no sign-in link can be made: it would "
                              "let whoever holds it take over the account. They can use “Forgot your "
                              "password?” on the sign-in page.", name=user.name), 409)
    token = tokens.issue(user, tokens.SIGN_IN_LINK)
    audit(by, user.academy, "trainee.sign_in_link", user, f"Created a sign-in link for {user.name}.")
    return external_url("auth.set_password", token=token)


# --- setting a password by link, forgotten passwords ---------------------------------------------


def _check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(_l("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH))


def password_link(token: str) -> UserToken | None:
    """The valid set-password token (invitation, sign-in link or reset), or None."""
    return tokens.find(token, tokens.SETS_PASSWORD)


def set_password_by_link(row: UserToken, password: str) -> User:
    """Use the link once: set the password (which ends every session of the account) and every other link
    that would set one."""
    _check_new_password(password)
    if not tokens.consume(row):
        raise AccountError(_l("This link has just been used. Sign in, or ask for a new link."), 409)
    user = row.user
    user.set_password(password)
    tokens.end_all(user)
    audit(user, user.academy, "user.password_set", user, f"{user.name} set a password by {row.purpose} link.")
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the address belongs to an active account; do the same work and tell the same
    thing either way, so that the answer does not reveal who has an account."""
    try:
        address = normalise_email(email)
    except UserError:
        address = ""
    user = db.session.scalar(sa.select(User).filter_by(email=address, active=True)) if address else None
    if user is None:  # the same rendering work as for a real account, then nothing is kept
        render("password_reset", "en", user=User(name=address, email=address), link=external_url(
            "auth.set_password", token=tokens.digest(secrets.token_urlsafe(32))), valid_until=utcnow())
        return
    recent = db.session.scalar(sa.select(UserToken.id).where(
        UserToken.user_id == user.id, UserToken.purpose == tokens.PASSWORD_RESET, UserToken.used_at.is_(None),
        UserToken.created_at > utcnow() - RESET_REQUEST_PAUSE))
    if recent is None:
        _queue_link(user, tokens.PASSWORD_RESET, "password_reset")
    audit(None, user.academy, "user.password_reset_request", user, f"Password reset asked for {user.email}.")


# --- the profile ----------------------------------------------------------------------------------


def update_profile(user: User, *, name: str, language: str) -> None:
    name = (name or "").strip()
    if not name:
        raise AccountError(_l("A name is required."))
    if language not in language_choices(user):
        raise AccountError(_l("Unknown language '%(language)s'.", language=language))
    changes = [attr for attr, value in (("name", name), ("language", language)) if getattr(user, attr) != value]
    user.name, user.language = name, language
    if changes:
        audit(user, user.academy, "user.profile", user, f"{user.name} changed their {', '.join(changes)}.")


def change_password(user: User, *, current: str, new: str) -> None:
    """A new password, only with the current one; every open reset link ends, and the owner is told."""
    if not user.check_password(current or ""):
        raise AccountError(_l("The current password is not right."))
    _check_new_password(new)
    user.set_password(new)
    tokens.end_all(user)
    audit(user, user.academy, "user.password_change", user, f"{user.name} changed their password.")
    mail.queue(to=user.email, language=user.language, template="password_changed", kind="password_changed",
               key=f"password_changed:{user.id}:{utcnow().isoformat()}", user=user,
               reset_link=external_url("auth.forgot_password"))


def request_email_change(user: User, *, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address and a notice to the old one; nothing changes until the
    link is followed."""
    if not user.check_password(password or ""):
        raise AccountError(_l("The current password is not right."))
    try:
        address = normalise_email(new_email)
    except UserError as exc:
        raise AccountError(exc._message) from None
    if address == user.email:
        raise AccountError(_l("That is already your e-mail address."))
    if db.session.scalar(sa.select(User.id).filter_by(email=address)) is not None:
        raise AccountError(_l("Another account uses %(email)s.", email=address))
    token = _queue_link(user, tokens.EMAIL_CHANGE, "email_change_confirm", to=address, new_email=address)
    mail.queue(to=user.email, language=user.language, template="email_change_notice", kind="email_change_notice",
               key=f"email_change_notice:{tokens.digest(token)[:32]}", user=user, new_email=address,
               reset_link=external_url("auth.forgot_password"))
    audit(user, user.academy, "user.email_change_request", user,
          f"{user.name} asked to change their e-mail from {user.email} to {address}.")


def email_change_link(token: str) -> UserToken | None:
    return tokens.find(token, (tokens.EMAIL_CHANGE,))


def confirm_email_change(row: UserToken) -> User:
    """Use the link once: the new address becomes the account's (if no one took it meanwhile)."""
    user = row.user
    if db.session.scalar(sa.select(User.id).where(User.email == row.new_email, User.id != user.id)) is not None:
        raise AccountError(_l("Another account uses %(email)s.", email=row.new_email), 409)
    if not tokens.consume(row):
        raise AccountError(_l("This link has just been used."), 409)
    old, user.email = user.email, row.new_email
    tokens.end_all(user, (tokens.EMAIL_CHANGE,))
    audit(user, user.academy, "user.email_change", user, f"{user.name} changed their e-mail from {old} to {user.email}.")
    return user
