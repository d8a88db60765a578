"""The OpenAPI document of /api/v1, checked against the live API in tests/test_api.py."""

from app.coverage.services import DIMENSIONS
from app.foundation.prongs import PRONGS

_COUNT = {"type": "integer", "minimum": 0, "nullable": True}
_ROW_PROPERTIES = {
    "country": {"type": "string", "nullable": True, "description": "Country code, when grouped by country or academy."},
    "academy": {"type": "string", "nullable": True, "description": "Academy short name, when grouped by academy."},
    "prong": {"type": "string", "nullable": True, "enum": [*PRONGS, None]},
    "target": {**_COUNT, "description": "Target population that applies on the date."},
    "trained": {**_COUNT, "description": "Completed the prong's course; null when withheld."},
    "in_progress": {**_COUNT, "description": "Started, not completed; null when withheld."},
    "enrolled": {**_COUNT, "description": "Entitled to the prong's course; null when withheld."},
    "coverage": {"type": "number", "minimum": 0, "nullable": True, "description": "trained / target."},
    "suppressed": {"type": "boolean", "description": "Counts withheld to protect small numbers."},
}
_ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["message"], "properties": {
        "parameter": {"type": "string"}, "message": {"type": "string"}}}},
}


def document() -> dict:
    row = {"type": "object", "required": list(_ROW_PROPERTIES), "additionalProperties": False,
           "properties": {**_ROW_PROPERTIES,
                          "period": {"type": "string", "description": "2026-11 or 2026-Q4, when grouped by time."},
                          "period_end": {"type": "string", "format": "date"}}}
    totals = {"type": "object", "required": ["target", "trained", "in_progress", "enrolled", "coverage", "suppressed"],
              "additionalProperties": False,
              "properties": {k: v for k, v in _ROW_PROPERTIES.items() if k not in ("country", "academy", "prong")}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "THB Academy coverage API", "version": "1.0.0",
                 "description": "Aggregate training-mainstreaming figures. Tokens read aggregates only; "
                                "cells counting fewer people than the threshold are withheld."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Row": row, "Totals": totals, "Error": _ERROR},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/coverage": {
                "get": {
                    "summary": "Coverage: trained / target population, with in progress and enrolled",
                    "operationId": "getCoverage",
                    "parameters": [
                        {"name": "country", "in": "query", "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                         "description": "Country code, e.g. AL."},
                        {"name": "academy", "in": "query", "schema": {"type": "string"}, "description": "Academy short name."},
                        {"name": "prong", "in": "query",
                         "schema": {"type": "string", "enum": list(PRONGS)}},
                        {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"},
                         "description": "YYYY-MM-DD; default today."},
                        {"name": "group_by", "in": "query",
                         "schema": {"type": "string", "pattern": "^(country|academy|prong|month|quarter)(,(country|academy|prong|month|quarter))*$"},
                         "description": f"Comma-separated, any of: {', '.join(DIMENSIONS)}; default country,prong."},
                        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
                    ],
                    "responses": {
                        "200": {"description": "The figures", "content": {
                            "application/json": {"schema": {
                                "type": "object", "required": ["as_of", "filters", "group_by", "threshold", "rows", "totals"],
                                "properties": {
                                    "as_of": {"type": "string", "format": "date"},
                                    "filters": {"type": "object", "additionalProperties": {"type": "string"}},
                                    "group_by": {"type": "array", "items": {"type": "string", "enum": list(DIMENSIONS)}},
                                    "threshold": {"type": "integer"},
                                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}},
                                    "totals": {"$ref": "#/components/schemas/Totals"},
                                }}},
                            "text/csv": {"schema": {"type": "string"}},
                        }},
                        "400": {"description": "A bad parameter, named in the error",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "401": {"description": "No valid token",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                        "403": {"description": "Outside the token's scope",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    },
                }
            },
            "/api/v1/overdue": {
                "get": {
                    "summary": "Trainees overdue on any course, per academy (the rule in docs/coverage.md)",
                    "operationId": "getOverdue",
                    "responses": {
                        "200": {"description": "One row per academy with overdue trainees", "content": {
                            "application/json": {"schema": {
                                "type": "object", "required": ["as_of", "threshold", "rows"],
                                "properties": {
                                    "as_of": {"type": "string", "format": "date"},
                                    "threshold": {"type": "integer"},
                                    "rows": {"type": "array", "items": {
                                        "type": "object", "required": ["country", "academy", "overdue", "suppressed"],
                                        "additionalProperties": False,
                                        "properties": {"country": {"type": "string"}, "academy": {"type": "string"},
                                                       "overdue": _COUNT, "suppressed": {"type": "boolean"}}}},
                                }}},
                        }},
                        "401": {"description": "No valid token",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                    },
                }
            },
        },
    }
