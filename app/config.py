"""Configuration, read from the environment with safe defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'thb_academy.sqlite3'}"
    # Hosted PostgreSQL URLs often come as postgres:// or postgresql://; we use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def mail_config(instance_path: Path) -> dict:
    """E-mail: an SMTP server when MAIL_SERVER is set, else .eml files in instance/mail (and the log)."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip() or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "0") or 0) or None,  # None: 465 with SSL, else 587/25
        #: STARTTLS after connecting (port 587); MAIL_USE_SSL is TLS from the first byte (port 465).
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "THB Academy <no-reply@thb-academy.test>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "15")),
        #: Where messages go when no MAIL_SERVER is set.
        "MAIL_FOLDER": Path(os.environ.get("MAIL_FOLDER", instance_path / "mail")),
        #: Tries before a message is marked failed; the wait doubles from MAIL_RETRY_SECONDS after each.
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "6")),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),
        #: Send after commit in a background thread, so a request never waits for the mail server
        #: (and a password-reset request takes as long for an unknown address as for a known one).
        "MAIL_SEND_ASYNC": _flag("MAIL_SEND_ASYNC", "1"),
        #: The address links in e-mails start with when no request tells it (commands, reminders).
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        #: How long the links sent by e-mail stay valid, in hours.
        "TOKEN_HOURS_INVITATION": int(os.environ.get("TOKEN_HOURS_INVITATION", str(7 * 24))),
        "TOKEN_HOURS_PASSWORD_RESET": int(os.environ.get("TOKEN_HOURS_PASSWORD_RESET", "1")),
        "TOKEN_HOURS_EMAIL_CHANGE": int(os.environ.get("TOKEN_HOURS_EMAIL_CHANGE", "24")),
    }


def build_config(instance_path: Path) -> dict:
    """Return the configuration mapping for an app whose instance folder is `instance_path`."""
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        # A per-instance key survives restarts without anyone having to set one for local use.
        key_file = instance_path / "secret_key"
        if not key_file.exists():
            instance_path.mkdir(parents=True, exist_ok=True)
            key_file.write_text(os.urandom(32).hex())
        secret = key_file.read_text().strip()
    return {
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CURRICULA_DIR": Path(os.environ.get("CURRICULA_DIR", BASE_DIR / "curricula")),
        "ASSESSMENTS_DIR": Path(os.environ.get("ASSESSMENTS_DIR", BASE_DIR / "assessments")),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "app" / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        **mail_config(instance_path),
        #: Sessions end after this much inactivity, and this long after sign-in whatever happens (app/auth/sessions.py).
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12"))),
        #: No request body larger than this is read (the trainee import is the largest, 5 MB); 413 otherwise.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(6 * 1024 * 1024))),
        #: Rate limits: Redis when REDIS_URL is set (shared by every worker), else this process's memory.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL", "").strip() or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        #: Throttling without lockout (app/auth/throttle.py): failed attempts counted per address, per account
        #: from one address and per account from anywhere; the longer windows make the wait grow.
        "THROTTLE_SIGN_IN_PER_ADDRESS": os.environ.get("THROTTLE_SIGN_IN_PER_ADDRESS", "10 per minute; 50 per hour"),
        "THROTTLE_SIGN_IN_PER_ACCOUNT_AND_ADDRESS": os.environ.get(
            "THROTTLE_SIGN_IN_PER_ACCOUNT_AND_ADDRESS", "5 per minute; 20 per hour; 50 per day"),
        "THROTTLE_SIGN_IN_PER_ACCOUNT": os.environ.get("THROTTLE_SIGN_IN_PER_ACCOUNT", "50 per hour; 200 per day"),
        "THROTTLE_LINK_PER_ADDRESS": os.environ.get("THROTTLE_LINK_PER_ADDRESS", "10 per minute; 50 per hour"),
        "THROTTLE_API_FAILURES_PER_ADDRESS": os.environ.get("THROTTLE_API_FAILURES_PER_ADDRESS",
                                                            "20 per minute; 200 per hour"),
        "THROTTLE_API_PER_TOKEN": os.environ.get("THROTTLE_API_PER_TOKEN", "120 per minute; 5000 per hour"),
        #: Coverage cells counting fewer people than this are withheld.
        "COVERAGE_MIN_CELL": int(os.environ.get("COVERAGE_MIN_CELL", "5")),  # tokens live as long as the session; long modules are read slowly
    }
