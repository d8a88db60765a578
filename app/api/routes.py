"""/api/v1: aggregate coverage figures for academies and coordinators, by API token."""

import csv
import io

from flask import Blueprint, Response, current_app, jsonify, request

from app.coverage import services as coverage
from app.coverage.tokens import authenticate, scope_of
from app.extensions import csrf, db
from app.utils import utcnow

from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

CSV_COLUMNS = ("country", "academy", "prong", "period", "period_end", "target", "trained", "in_progress",
               "enrolled", "coverage", "suppressed")


def _error(status: int, message: str, parameter: str | None = None):
    body = {"error": {"message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thb-academy"'
    return response


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


@bp.route("/coverage")
def coverage_figures():
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        return _error(401, "A valid API token is required (Authorization: Bearer <token>).")
    scope = scope_of(token)
    try:
        query = coverage.parse_query(request.args, scope, utcnow().date())
    except coverage.CoverageError as exc:
        return _error(400, exc.message, exc.parameter)
    except PermissionError as exc:
        return _error(403, f"This token may not read figures for that {exc.args[0]}.", str(exc.args[0]))
    fmt = (request.args.get("format") or "").lower()
    if fmt not in ("", "json", "csv"):
        return _error(400, "format must be json or csv.", "format")
    result = coverage.compute(query, scope, current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD))
    db.session.commit()  # records last use of the token
    wants_csv = fmt == "csv" or (not fmt and request.accept_mimetypes.best == "text/csv")
    if wants_csv:
        return Response(to_csv(result), mimetype="text/csv")
    return jsonify(result)


@bp.route("/overdue")
def overdue_figures():
    """Per academy in the token's scope: how many trainees are overdue (withheld under the threshold)."""
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        return _error(401, "A valid API token is required (Authorization: Bearer <token>).")
    threshold = current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD)
    today = utcnow().date()
    rows = [{"country": academy.country_code, "academy": academy.slug,
             "overdue": count if count >= threshold else None, "suppressed": count < threshold}
            for academy, count in coverage.overdue_by_academy(scope_of(token), today)]
    db.session.commit()  # records last use of the token
    return jsonify({"as_of": today.isoformat(), "threshold": threshold, "rows": rows})


def to_csv(result: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in result["rows"]:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)).lower() if isinstance(row.get(c), bool)
                         else row.get(c) for c in CSV_COLUMNS])
    return out.getvalue()
