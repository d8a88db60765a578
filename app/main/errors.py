from flask import render_template
from werkzeug.exceptions import HTTPException


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_template("errors.html", error=exc), exc.code

    @app.errorhandler(500)
    def server_error(exc):
        from app.extensions import db

        db.session.rollback()
        return render_template("errors.html", error=None), 500
