"""Throttling without lockout: failed sign-ins, sign-in links and API tokens are rate-limited (Flask-Limiter).

Nothing locks an account. Only failures are counted, in three buckets: per address (slows spraying one
password over many accounts), per account from one address (slows guessing one account), and per account
from anywhere (slows a distributed guess, with a higher limit so that one attacker's address cannot make the
owner wait). Each bucket has stacked windows (e.g. 5 a minute, 20 an hour, 50 a day), so the wait grows as
failures go on: seconds, then minutes, then hours, and falls away by itself. An answer over a limit is 429
with `Retry-After`. The limits are configuration (THROTTLE_*, app/config.py); storage is Redis when
REDIS_URL is set, so every worker counts together.
"""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter


def _config(name: str):
    return lambda: current_app.config[name]


def _account() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    return "account:" + hashlib.sha256(_account().encode()).hexdigest()


def _account_and_address_key() -> str:
    return _account_key() + "|" + get_remote_address()


def failed() -> None:
    """Mark this request as a failed attempt: it counts against the limits (successes never do)."""
    g.throttle_failed = True


def _failed(_response) -> bool:
    return bool(g.get("throttle_failed"))


def _token_key() -> str:
    header = request.headers.get("Authorization") or ""
    return "token:" + hashlib.sha256(header.encode()).hexdigest()


#: On the sign-in form's POST: failed attempts per address, per account and address, per account.
sign_in = [
    limiter.shared_limit(_config("THROTTLE_SIGN_IN_PER_ADDRESS"), methods=["POST"], deduct_when=_failed,
                  scope="sign-in-address"),
    limiter.shared_limit(_config("THROTTLE_SIGN_IN_PER_ACCOUNT_AND_ADDRESS"), key_func=_account_and_address_key,
                  methods=["POST"], deduct_when=_failed, scope="sign-in-account-address"),
    limiter.shared_limit(_config("THROTTLE_SIGN_IN_PER_ACCOUNT"), key_func=_account_key, methods=["POST"],
                  deduct_when=_failed, scope="sign-in-account"),
]
#: On sign-in links: links that do not work, per address.
sign_in_link = [limiter.shared_limit(_config("THROTTLE_LINK_PER_ADDRESS"), deduct_when=_failed, scope="sign-in-link")]
#: On the API: requests without a valid token per address, and every request per token.
api = [
    limiter.shared_limit(_config("THROTTLE_API_FAILURES_PER_ADDRESS"), deduct_when=_failed, scope="api-address"),
    limiter.shared_limit(_config("THROTTLE_API_PER_TOKEN"), key_func=_token_key, scope="api-token",
                         exempt_when=lambda: not request.headers.get("Authorization")),
]


def apply(limits):
    """Decorate a view with a list of limits."""

    def decorator(view):
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorator
