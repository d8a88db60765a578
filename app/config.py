"""Configuration, read from the environment with safe defaults."""

from __future__ import annotations

import os
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
        #: Coverage cells counting fewer people than this are withheld.
        "COVERAGE_MIN_CELL": int(os.environ.get("COVERAGE_MIN_CELL", "5")),  # tokens live as long as the session; long modules are read slowly
    }
