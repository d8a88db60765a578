"""Errors that services raise and routes turn into answers, in one place (app/main/errors.py).

A service refuses a request by raising `ServiceError` (or a subclass) with a message wrapped in
lazy_gettext and the HTTP status to answer with; the message is translated into the reader's language
when it is shown. Pages show it as a notice (or an error page), the API as JSON.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, default_exceptions


class ServiceError(Exception):
    """A request a service refuses; `message` says why (translatable), `status` the HTTP status."""

    status = 400

    def __init__(self, message, status: int | None = None):
        super().__init__(str(message))
        self._message = message
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        """The message in the current locale (lazy strings are resolved when read)."""
        return str(self._message)


def wants_json() -> bool:
    """Whether this request is answered in JSON (everything under /api/, errors included)."""
    return request.path.startswith("/api/")


def json_error(status: int, message: str, parameter: str | None = None, headers=None):
    """The one shape of an error under /api/: {"error": {"message", "parameter"?}}, with its headers."""
    body = {"error": {"message": str(message)}}
    if parameter:
        body["error"]["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thb-academy"'
    return response


def error_response(exc: ServiceError):
    """The answer to a refused request: JSON under /api/, else the error page with the translated reason."""
    if wants_json():
        return json_error(exc.status, exc.message)
    error = default_exceptions.get(exc.status, HTTPException)(exc.message)
    error.code = exc.status
    return render_template("errors.html", error=error), exc.status
