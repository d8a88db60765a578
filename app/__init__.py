"""THB Academy: anti-trafficking training for police, investigators, prosecutors and judges."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import build_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .foundation.languages import UI_LANGUAGES


def create_app(config: dict | None = None) -> Flask:
    """Application factory; `config` overrides the environment (tests use it)."""
    app = Flask(__name__, instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(instance))
    if config:
        app.config.update(config)

    from .foundation.limits import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    db.init_app(app)
    from .foundation import logs

    logs.install()  # sign-in link tokens never reach the access log
    from .mail.services import init_app as init_mail

    init_mail(app)  # after db.init_app: what a request queued is sent before its session is removed
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    limiter.init_app(app)

    # The composition root: the one place that imports every area (they never import this module's names).
    from . import models  # noqa: F401  (register every model with SQLAlchemy)
    from .academy.cli import academies_cli, users_cli
    from .academy.routes import bp as academy_bp
    from .accounts.routes import bp as accounts_bp
    from .api.routes import bp as api_bp
    from .assessments.cli import assessments_cli
    from .audit.routes import bp as audit_bp
    from .auth import sessions
    from .auth.routes import bp as auth_bp
    from .certificates.routes import bp as certificates_bp
    from .classroom.routes import bp as classroom_bp
    from .coverage.cli import api_tokens_cli
    from .coverage.routes import bp as coverage_bp
    from .curriculum.cli import curricula_cli
    from .curriculum.routes import bp as curriculum_bp
    from .demo import demo_cli
    from .evaluation.cli import evaluation_cli
    from .evaluation.routes import bp as evaluation_bp
    from .itemstats.routes import bp as itemstats_bp
    from .learning.routes import bp as learning_bp
    from .mail.cli import mail_cli
    from .main.routes import bp as main_bp
    from .reminders.cli import reminders_cli
    from .reminders.routes import bp as reminders_bp

    for blueprint in (main_bp, auth_bp, learning_bp, curriculum_bp, academy_bp, audit_bp, certificates_bp,
                      coverage_bp, api_bp, itemstats_bp, accounts_bp, classroom_bp, reminders_bp,
                      evaluation_bp):
        app.register_blueprint(blueprint)
    for group in (curricula_cli, users_cli, academies_cli, demo_cli, api_tokens_cli, assessments_cli,
                  mail_cli, reminders_cli, evaluation_cli):
        app.cli.add_command(group)

    app.before_request(_refuse_large_bodies)
    app.before_request(_refuse_nul_characters)
    sessions.init_app(app)
    app.after_request(_security_headers)
    from .main.errors import register_error_handlers

    register_error_handlers(app)
    from .main.template_helpers import register as register_template_helpers

    register_template_helpers(app)
    return app


def _select_locale() -> str:
    if not has_request_context():  # the command line speaks English
        return "en"
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.language in UI_LANGUAGES:
            return UI_LANGUAGES[current_user.language]
    chosen = session.get("language")  # the language switcher, before signing in (or for a content language)
    if chosen in UI_LANGUAGES:
        return UI_LANGUAGES[chosen]
    return UI_LANGUAGES[request.accept_languages.best_match(list(UI_LANGUAGES)) or "en"]


def _refuse_large_bodies():
    """A body larger than MAX_CONTENT_LENGTH is refused before anyone reads it, whatever the route (413)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)


def _refuse_nul_characters():
    """No text the platform stores or looks up may hold a NUL (PostgreSQL refuses it): 400 for any address,
    query parameter or form field with one. Uploaded files are checked by their readers (the CSV import)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, _l("The request contains a NUL character, which no text can hold. Nothing was changed."))


#: Pages anyone may cache: the sign-in page and static files carry nothing personal.
_PUBLIC_ENDPOINTS = {"static", "auth.login", "api.openapi", "main.healthz"}


def _security_headers(response):
    """Every response's security headers, set here and nowhere else (SECURITY.md)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    personal = (getattr(current_user, "is_authenticated", False) or request.path.startswith("/api/")
                or request.endpoint not in _PUBLIC_ENDPOINTS)
    if personal and request.endpoint != "static":
        # Personal pages, exports and API figures stay out of shared and browser caches.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL, a busy timeout and enforced foreign keys for every SQLite connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
