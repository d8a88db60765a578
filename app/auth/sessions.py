"""Sessions that end: on sign-out, password change, suspension and reset (every device at once), after a
spell of inactivity, and a fixed time after sign-in whatever happens.

The session cookie is signed, not stored on the server, so it cannot be deleted there; instead the user id
kept in it carries the account's `session_version` (`User.get_id`), and the loader below accepts a cookie
only while that version is current. Raising the version (`User.end_sessions`) makes every cookie issued
before it, including copies, worthless. Idle and absolute timeouts are checked on every request against
times kept in the session at sign-in.
"""

from __future__ import annotations

import secrets
import time

from flask import current_app, session
from flask_login import login_user, logout_user

from app.extensions import db, login_manager

from .models import User

#: Keys this module keeps in the session.
SIGNED_IN_AT, SEEN_AT, SESSION_ID = "signed_in_at", "seen_at", "sid"
#: The last-seen time is rewritten at most this often (seconds), so most answers keep the same cookie.
_SEEN_RESOLUTION = 30


@login_manager.user_loader
def load_user(session_user_id: str) -> User | None:
    """The user of a session, if the session was issued at the account's current session version."""
    user_id, _, version = session_user_id.partition(".")
    if not user_id.isdigit() or not version.isdigit() or len(user_id) > 12:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or int(version) != (user.session_version or 0):
        return None
    return user


def start(user: User) -> None:
    """Sign in with a new session: nothing from before sign-in is carried over (session fixation)."""
    session.clear()
    login_user(user)
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session.permanent = True


def end(user: User | None) -> None:
    """Sign out here and everywhere else the account is signed in (the caller commits)."""
    if user is not None and getattr(user, "is_authenticated", False):
        user.end_sessions()
    logout_user()
    session.clear()


def enforce_timeouts() -> None:
    """Before every request: a session past its idle or absolute limit is ended (the user signs in again)."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    config = current_app.config
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if (not isinstance(signed_in, int) or not isinstance(seen, int)
            or now - signed_in > config["SESSION_MAX_HOURS"] * 3600
            or now - seen > config["SESSION_IDLE_MINUTES"] * 60):
        logout_user()
        session.clear()
        return
    if now - seen >= _SEEN_RESOLUTION:
        session[SEEN_AT] = now


def init_app(app) -> None:
    app.before_request(enforce_timeouts)
