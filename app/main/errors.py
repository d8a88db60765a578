from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.foundation.errors import ServiceError, error_response


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
        return render_template("errors.html", error=exc), exc.code

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        """A request a service refused: its translated message, with its status; nothing is kept."""
        db.session.rollback()
        return error_response(exc)

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return render_template("errors.html", error=None), 500
