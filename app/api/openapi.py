"""The OpenAPI document of /api/v1, checked against the live API in tests/test_api.py."""

from app.coverage.services import (
    AS_OF_PATTERN,
    DEFAULT_GROUP_BY,
    DELIVERY_MEASURES,
    DIMENSIONS,
    EARLIEST_AS_OF,
    GROUP_BY_VALUES,
    LATEST_AS_OF,
    country_codes,
)
from app.evaluation.questions import FREQUENCY, IDENTIFIED, LIKERT, REACTION_KEYS, REFERRALS
from app.foundation.prongs import PRONGS
from app.foundation.stages import NOT_STATED, SEXES, TRAINING_STAGES

_COUNT = {"type": "integer", "minimum": 0, "nullable": True}
_ROW_PROPERTIES = {
    "country": {"type": "string", "nullable": True, "description": "Country code, when grouped by country or academy."},
    "academy": {"type": "string", "nullable": True, "description": "Academy short name, when grouped by academy."},
    "prong": {"type": "string", "nullable": True, "enum": [*PRONGS, None]},
    "target": {**_COUNT, "description": "Target population that applies on the date."},
    "target_from": {"type": "string", "format": "date", "nullable": True,
                    "description": "The day the target figure applies from (the oldest, where several are summed)."},
    "target_note": {"type": "string", "nullable": True, "enum": ["above_target", "stale_target", None],
                    "description": "Why the coverage figure needs explaining: above_target (more trained than the "
                                   "target: the target is older than the headcount, or too low); stale_target (the "
                                   "target is more than a year old on the date)."},
    "trained": {**_COUNT, "description": "In service on the date and holding a completion of the prong's course "
                                         "valid on the date; null when withheld."},
    "in_progress": {**_COUNT, "description": "Started, not completed; null when withheld."},
    "enrolled": {**_COUNT, "description": "Entitled to the prong's course and in service on the date; null when "
                                          "withheld."},
    "trained_lost": {**_COUNT, "description": "Trained staff lost: completed the prong's course but no longer in "
                                              "service on the date (suspended or left); not part of trained; null "
                                              "when withheld."},
    "lapsed": {**_COUNT, "description": "In service on the date, completed the prong's course before, but no "
                                        "completion is valid on the date (the course's validity period has passed: "
                                        "a refresher is due); not part of trained; null when withheld."},
    **{f"trained_{delivery}": {**_COUNT, "description": f"Of the trained, those whose completion was delivered "
                                                         f"{how}; null when withheld."}
       for delivery, how in (("online", "online (e-learning)"), ("classroom", "in a classroom session"),
                             ("blended", "partly online, partly in class"))},
    "coverage": {"type": "number", "minimum": 0, "nullable": True,
                 "description": "trained / target; null where there is no target (rows split by stage or sex)."},
    "suppressed": {"type": "boolean", "description": "Counts withheld to protect small numbers."},
}
_ERROR_STATUSES = {
    "400": "A bad parameter, named in the error",
    "401": "No valid token",
    "403": "Outside the token's scope",
    "404": "No such academy (or no such address)",
    "405": "Method not allowed; the Allow header lists the allowed ones",
    "413": "Request too large",
    "429": "Too many requests; wait for Retry-After seconds",
    "500": "Server error",
}
_ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["message"], "properties": {
        "parameter": {"type": "string"}, "message": {"type": "string"}}}},
}


_SCORE = {"type": "number", "minimum": 0, "maximum": 100, "nullable": True}
_GAIN_PROPERTIES = {
    "people": {**_COUNT, "description": "Trainees who took both tests (for a module: who had questions of it in "
                                        "both); perturbed; null when withheld."},
    "suppressed": {"type": "boolean", "description": "Withheld to protect small numbers."},
    "pre": {**_SCORE, "description": "Mean pre-test score in percent (a module: share of its questions right)."},
    "post": {**_SCORE, "description": "Mean post-test score in percent (a module: share of its questions right)."},
    "gain": {"type": "number", "minimum": -100, "maximum": 100, "nullable": True, "description": "post - pre."},
}


def _gain_schemas() -> dict:
    module = {"type": "object", "required": ["module", *_GAIN_PROPERTIES], "additionalProperties": False,
              "properties": {"module": {"type": "string", "description": "Module id (slug)."}, **_GAIN_PROPERTIES}}
    course = {"type": "object", "required": ["course", "title", *_GAIN_PROPERTIES, "modules"],
              "additionalProperties": False,
              "properties": {"course": {"type": "string", "description": "The course (its prong)."},
                             "title": {"type": "string"}, **_GAIN_PROPERTIES,
                             "modules": {"type": "array", "items": module}}}
    return {"type": "object", "required": ["as_of", "threshold", "courses"], "additionalProperties": False,
            "properties": {"as_of": {"type": "string", "format": "date"}, "threshold": {"type": "integer"},
                           "courses": {"type": "array", "items": course}}}


def _counts(keys) -> dict:
    return {"type": "object", "nullable": True, "required": list(keys), "additionalProperties": False,
            "properties": {key: {"type": "integer", "minimum": 0} for key in keys}}


def _evaluation_schema() -> dict:
    item = {"type": "object", "required": ["item", "answered", "mean", "distribution"], "additionalProperties": False,
            "properties": {"item": {"type": "string", "enum": list(REACTION_KEYS)},
                           "answered": _COUNT,
                           "mean": {"type": "number", "minimum": 1, "maximum": 5, "nullable": True},
                           "distribution": {**_counts([str(v) for v, _x in LIKERT]),
                                            "description": "Respondents per answer, 1 (strongly disagree) to 5."}}}
    reaction = {"type": "object", "required": ["respondents", "suppressed", "items"], "additionalProperties": False,
                "properties": {"respondents": _COUNT, "suppressed": {"type": "boolean"},
                               "items": {"type": "array", "nullable": True, "items": item}}}
    follow_up = {"type": "object", "required": ["respondents", "suppressed", "identified", "referred", "frequency"],
                 "additionalProperties": False,
                 "properties": {"respondents": _COUNT, "suppressed": {"type": "boolean"},
                                "identified": _counts([k for k, _x in IDENTIFIED]),
                                "referred": _counts([k for k, _x in REFERRALS]),
                                "frequency": _counts([k for k, _x in FREQUENCY])}}
    course = {"type": "object", "required": ["course", "title", "reaction", "follow_up"], "additionalProperties": False,
              "properties": {"course": {"type": "string"}, "title": {"type": "string"},
                             "reaction": reaction, "follow_up": follow_up}}
    return {"type": "object", "required": ["threshold", "courses"], "additionalProperties": False,
            "properties": {"threshold": {"type": "integer"}, "courses": {"type": "array", "items": course}}}


def document() -> dict:
    row = {"type": "object", "required": list(_ROW_PROPERTIES), "additionalProperties": False,
           "properties": {**_ROW_PROPERTIES,
                          "stage": {"type": "string", "enum": list(TRAINING_STAGES),
                                    "description": "Training stage, when grouped by stage: basic (cadets in basic "
                                                   "training) or in_service (serving officers)."},
                          "sex": {"type": "string", "enum": [*SEXES, NOT_STATED],
                                  "description": "Sex, when grouped by sex; not_stated where none is recorded."},
                          "period": {"type": "string", "description": "2026-11 or 2026-Q4, when grouped by time."},
                          "period_end": {"type": "string", "format": "date"}}}
    totals = {"type": "object", "required": ["target", "target_from", "target_note", "trained", "in_progress",
                                                "enrolled", "trained_lost", "lapsed", *DELIVERY_MEASURES, "coverage",
                                                "suppressed"],
              "additionalProperties": False,
              "properties": {k: v for k, v in _ROW_PROPERTIES.items() if k not in ("country", "academy", "prong")}}
    coverage = {
        "type": "object", "required": ["as_of", "filters", "group_by", "threshold", "rows", "totals"],
        "additionalProperties": False,
        "properties": {
            "as_of": {"type": "string", "format": "date"},
            "filters": {"type": "object", "additionalProperties": {"type": "string"}},
            "group_by": {"type": "array", "items": {"type": "string", "enum": list(DIMENSIONS)}},
            "threshold": {"type": "integer"},
            "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
            "totals": {"$ref": "#/components/schemas/Totals"},
        }}
    overdue = {
        "type": "object", "required": ["as_of", "threshold", "rows"], "additionalProperties": False,
        "properties": {
            "as_of": {"type": "string", "format": "date"},
            "threshold": {"type": "integer"},
            "rows": {"type": "array", "items": {
                "type": "object", "required": ["country", "academy", "overdue", "suppressed"],
                "additionalProperties": False,
                "properties": {"country": {"type": "string"}, "academy": {"type": "string"},
                               "overdue": _COUNT, "suppressed": {"type": "boolean"}}}},
        }}
    parameters = [
        {"name": "country", "in": "query", "schema": {"type": "string", "enum": country_codes()},
         "description": "Country code (upper case), e.g. AL."},
        {"name": "academy", "in": "query",
         "schema": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": "^[a-z0-9][a-z0-9-]*$"},
         "description": "Academy short name; 404 if there is none of that name."},
        {"name": "prong", "in": "query", "schema": {"type": "string", "enum": list(PRONGS)}},
        {"name": "as_of", "in": "query",
         "schema": {"type": "string", "format": "date", "pattern": AS_OF_PATTERN},
         "description": f"YYYY-MM-DD, from {EARLIEST_AS_OF.isoformat()} to {LATEST_AS_OF.isoformat()}; "
                        "default today."},
        {"name": "group_by", "in": "query", "schema": {"type": "string", "enum": list(GROUP_BY_VALUES)},
         "description": f"Dimensions, comma-separated, in the order country, academy, prong, stage, sex, then "
                        f"month or quarter; default {DEFAULT_GROUP_BY}. An empty value is refused. Rows split by "
                        "stage or sex have no target and no coverage."},
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": "THB Academy coverage API", "version": "1.0.0",
                 "description": "Aggregate training-mainstreaming figures. Tokens read aggregates only; "
                                "cells counting fewer people than the threshold are withheld."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Row": row, "Totals": totals, "Error": _ERROR, "Coverage": coverage, "Overdue": overdue,
                        "KnowledgeGain": _gain_schemas(), "Evaluation": _evaluation_schema()},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/coverage": {"get": {
                "summary": "Coverage: trained / target population, with in progress and enrolled (JSON)",
                "operationId": "getCoverage",
                "parameters": parameters,
                "responses": {"200": {"description": "The figures", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Coverage"}}}},
                    **_errors("400", "401", "403", "404", "405", "429", "500")},
            }},
            "/api/v1/coverage.csv": {"get": {
                "summary": "The same figures as getCoverage, as CSV (UTF-8 with a byte-order mark; one row per "
                           "group; text cells starting with = + - @ are prefixed with ' so spreadsheets show them)",
                "operationId": "getCoverageCsv",
                "parameters": parameters,
                "responses": {"200": {"description": "The figures as CSV, columns: " + ", ".join(CSV_COLUMNS),
                                      "content": {"text/csv": {"schema": {"type": "string"}}}},
                              **_errors("400", "401", "403", "404", "405", "429", "500")},
            }},
            "/api/v1/overdue": {"get": {
                "summary": "Trainees overdue on any course, per academy (the rule in docs/coverage.md)",
                "operationId": "getOverdue",
                "responses": {
                    "200": {"description": "One row per academy with overdue trainees", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Overdue"}}}},
                    **_errors("401", "405", "429", "500"),
                },
            }},
            "/api/v1/knowledge-gain": {"get": {
                "summary": "Knowledge gain (post-test minus pre-test) per course and per module (docs/coverage.md)",
                "operationId": "getKnowledgeGain",
                "parameters": [parameters[3]],
                "responses": {
                    "200": {"description": "One entry per course, with its modules", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/KnowledgeGain"}}}},
                    **_errors("400", "401", "405", "429", "500"),
                },
            }},
            "/api/v1/evaluation": {"get": {
                "summary": "Reaction and follow-up questionnaires per course, aggregated (docs/evaluation.md)",
                "operationId": "getEvaluation",
                "responses": {
                    "200": {"description": "One entry per course", "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Evaluation"}}}},
                    **_errors("400", "401", "405", "429", "500"),
                },
            }},
        },
    }


CSV_COLUMNS = ("country", "academy", "prong", "stage", "sex", "period", "period_end", "target", "target_from",
               "trained", "in_progress", "enrolled", "trained_lost", "lapsed", *DELIVERY_MEASURES, "coverage",
               "target_note", "suppressed")


def _errors(*statuses: str) -> dict:
    return {status: {"description": _ERROR_STATUSES[status],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for status in statuses}
