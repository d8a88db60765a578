"""Every error answered in one place: the error page, or JSON (with the status's headers) under /api/."""

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db
from app.foundation.errors import ServiceError, error_response, json_error, wants_json


def _describe(exc: HTTPException) -> None:
    """Messages people read, in their language, for the statuses the platform answers on purpose."""
    if exc.code == 413:
        exc.description = _("The request is too large. Files up to 5 MB can be uploaded.")
    elif exc.code == 429:
        exc.description = _("Too many attempts. Wait a little and try again; the wait grows with each "
                            "further failure.")


def register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        exc.description = _(
            "This form has expired or was sent without its security token, so nothing was changed. "
            "Go back, reload the page and try again."
        )
        return render_template("errors.html", error=exc), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        _describe(exc)
        if wants_json():
            return json_error(exc.code, exc.description, headers=exc.get_headers())
        response = app.make_response((render_template("errors.html", error=exc), exc.code))
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        """A request a service refused: its translated message, with its status; nothing is kept."""
        db.session.rollback()
        return error_response(exc)

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        db.session.rollback()
        if wants_json():
            return json_error(500, "Internal server error: it has been logged.")
        return render_template("errors.html", error=None), 500
