"""Secrets kept out of the access logs.

A link sent by e-mail (an invitation, a password reset, an e-mail change) carries a single-use token in its
path; the server's access log would write it down with the request line. A filter on the access loggers of
the two servers the platform runs under (gunicorn's `gunicorn.access`, werkzeug's development server) replaces
the token with `[redacted]` before the line is written, whatever the log format.
"""

from __future__ import annotations

import logging
import re

#: The paths whose last segment is a secret (see app/auth/routes.py).
SECRET_PATHS = re.compile(r"(/(?:set-password|profile/email)/)[^/?#\s\"]+")
REDACTED = r"\1[redacted]"
ACCESS_LOGGERS = ("gunicorn.access", "werkzeug")


def redact(text: str) -> str:
    return SECRET_PATHS.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message and arguments (a tuple, or gunicorn's mapping of atoms)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(v) if isinstance(v, str) else v for v in record.args)
        return True


def install() -> None:
    """Add the filter to every access logger, once."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
