"""/api/v1: aggregate coverage figures for academies and coordinators, by API token.

Every answer is JSON (errors too: app/main/errors.py), except /api/v1/coverage.csv, which is its own operation
so that generated clients see one media type per response.
"""

from flask import Blueprint, Response, current_app, jsonify, request

from app.auth import throttle
from app.coverage import services as coverage
from app.coverage.tokens import authenticate, scope_of
from app.evaluation import services as evaluation
from app.extensions import csrf, db
from app.foundation.errors import json_error
from app.foundation.spreadsheets import to_csv as spreadsheet_csv
from app.utils import utcnow

from .openapi import CSV_COLUMNS, document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
NO_TOKEN = "A valid API token is required (Authorization: Bearer <token>)."
COVERAGE_PARAMETERS = ("country", "academy", "prong", "as_of", "group_by")


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


def _figures():
    """The coverage figures the request asks for, or the error answer."""
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        throttle.failed()
        return json_error(401, NO_TOKEN)
    scope = scope_of(token)
    unknown = [name for name in request.args if name not in COVERAGE_PARAMETERS]
    if unknown:
        hint = " Ask /api/v1/coverage.csv for CSV." if unknown[0] == "format" else ""
        return json_error(400, f"Unknown parameter '{unknown[0][:40]}' (expected any of: "
                               f"{', '.join(COVERAGE_PARAMETERS)}).{hint}", unknown[0][:40])
    empty = [name for name in COVERAGE_PARAMETERS if request.args.get(name) == ""]
    if empty:
        return json_error(400, f"{empty[0]} is empty; leave it out for the default.", empty[0])
    try:
        query = coverage.parse_query(request.args, scope, utcnow().date())
    except coverage.CoverageError as exc:
        return json_error(exc.status, exc.message, exc.parameter)
    except PermissionError as exc:
        return json_error(403, f"This token may not read figures for that {exc.args[0]}.", str(exc.args[0]))
    result = coverage.compute(query, scope, current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD))
    db.session.commit()  # records last use of the token
    return result


@bp.route("/coverage")
@throttle.apply(throttle.api)
def coverage_figures():
    result = _figures()
    return result if isinstance(result, Response) else jsonify(result)


@bp.route("/coverage.csv")
@throttle.apply(throttle.api)
def coverage_csv():
    """The same figures as /coverage, as CSV (UTF-8 with a BOM; cells that a spreadsheet would run are text)."""
    result = _figures()
    if isinstance(result, Response):
        return result
    return Response(to_csv(result), content_type=CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": "attachment; filename=coverage.csv"})


@bp.route("/overdue")
@throttle.apply(throttle.api)
def overdue_figures():
    """Per academy in the token's scope: how many trainees are overdue (withheld under the threshold)."""
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        throttle.failed()
        return json_error(401, NO_TOKEN)
    threshold = current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD)
    today = utcnow().date()
    # The dashboard's overdue table, cell for cell: the same one counting path and protection.
    result = coverage.compute(coverage.Query(today, group_by=("academy",), overdue_on=today), scope_of(token), threshold)
    rows = [{"country": row["country"], "academy": row["academy"], "overdue": row["overdue"],
             "suppressed": row["suppressed"]} for row in result["rows"]]
    db.session.commit()  # records last use of the token
    return jsonify({"as_of": today.isoformat(), "threshold": threshold, "rows": rows})


def _token_scope(allowed: tuple[str, ...]):
    """(scope, None) for a valid token and known parameters, else (None, the error answer)."""
    token = authenticate(request.headers.get("Authorization"))
    if token is None:
        throttle.failed()
        return None, json_error(401, NO_TOKEN)
    unknown = [name for name in request.args if name not in allowed]
    if unknown:
        expected = f"expected any of: {', '.join(allowed)}" if allowed else "this operation takes none"
        return None, json_error(400, f"Unknown parameter '{unknown[0][:40]}' ({expected}).", unknown[0][:40])
    return scope_of(token), None


@bp.route("/knowledge-gain")
@throttle.apply(throttle.api)
def knowledge_gain():
    """Knowledge gain per course and per module (pre-test vs post-test), protected like the dashboard figure."""
    scope, error = _token_scope(("as_of",))
    if error is not None:
        return error
    if request.args.get("as_of") == "":
        return json_error(400, "as_of is empty; leave it out for the default.", "as_of")
    try:
        as_of = coverage.parse_query({"as_of": request.args.get("as_of", "")}, coverage.Scope(),
                                     utcnow().date()).as_of
    except coverage.CoverageError as exc:
        return json_error(exc.status, exc.message, exc.parameter)
    threshold = current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD)
    rows = evaluation.knowledge_gain(scope, as_of, threshold)
    db.session.commit()  # records last use of the token
    return jsonify({"as_of": as_of.isoformat(), "threshold": threshold, "courses": rows})


@bp.route("/evaluation")
@throttle.apply(throttle.api)
def evaluation_figures():
    """Reaction and follow-up questionnaires per course, aggregated with small-number protection (no comments)."""
    scope, error = _token_scope(())
    if error is not None:
        return error
    threshold = current_app.config.get("COVERAGE_MIN_CELL", coverage.DEFAULT_THRESHOLD)
    rows = evaluation.aggregates(scope, threshold)
    for row in rows:
        row["reaction"].pop("comments", None)
        row["follow_up"].pop("obstacles", None)
    db.session.commit()  # records last use of the token
    return jsonify({"threshold": threshold, "courses": rows})


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return value


def to_csv(result: dict) -> str:
    """The rows of a coverage result, written by the platform's one CSV writer (formula-injection guard)."""
    return spreadsheet_csv(list(CSV_COLUMNS), ([_cell(row.get(c)) for c in CSV_COLUMNS] for row in result["rows"]))
