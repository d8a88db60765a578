"""The API's contract, as generated clients and schemathesis see it: JSON errors with the right headers for
every status, a schema that lists the real values, CSV as its own operation, and every check passing."""

import importlib
import subprocess
import sys
from datetime import datetime

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from app.academy.models import Academy
from app.coverage.services import GROUP_BY_VALUES, country_codes
from app.coverage.tokens import create_token
from app.extensions import db
from tests.factories import people


@pytest.fixture
def token(app):
    with app.app_context():
        academy = Academy(slug="al-contract", name="=cmd|' /C calc'!A0", country_code="AL")
        db.session.add(academy)
        db.session.flush()
        people(academy, 6, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="k")
        _t, secret = create_token("contract", country="AL")
        db.session.commit()
        return secret


def auth(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_every_error_under_api_is_json_with_its_headers(app, client, token):
    not_found = client.get("/api/v1/nothing-here")
    assert not_found.status_code == 404 and not_found.is_json and not_found.json["error"]["message"]
    wrong_method = client.post("/api/v1/coverage", headers=auth(token))
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert set(wrong_method.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    too_large = client.post("/api/v1/coverage", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                            content_type="application/octet-stream")
    assert too_large.status_code == 413 and too_large.is_json
    unauthorised = client.get("/api/v1/coverage")
    assert unauthorised.status_code == 401 and unauthorised.is_json and "Bearer" in unauthorised.headers["WWW-Authenticate"]


def test_a_server_error_under_api_is_json(app, client, token, monkeypatch):
    from app.coverage import services

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "compute", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/api/v1/coverage", headers=auth(token))
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500 and response.is_json and "boom" not in response.text


def test_schema_lists_the_real_countries_and_groupings(app, client):
    document = client.get("/api/v1/openapi.json").json
    params = {p["name"]: p["schema"] for p in document["paths"]["/api/v1/coverage"]["get"]["parameters"]}
    with app.app_context():
        codes = country_codes()
    assert params["country"]["enum"] == codes and "AL" in codes and "XX" not in codes
    assert "month,quarter" not in params["group_by"]["enum"] and "" not in params["group_by"]["enum"]
    assert params["group_by"]["enum"] == list(GROUP_BY_VALUES)
    coverage_json = document["paths"]["/api/v1/coverage"]["get"]["responses"]["200"]["content"]
    coverage_csv = document["paths"]["/api/v1/coverage.csv"]["get"]["responses"]["200"]["content"]
    assert list(coverage_json) == ["application/json"] and list(coverage_csv) == ["text/csv"]


@pytest.mark.parametrize("query, parameter", [
    ("group_by=", "group_by"), ("group_by=month,quarter", "group_by"), ("group_by=prong,country", "group_by"),
    ("country=al", "country"), ("as_of=9999-12-31", "as_of"), ("as_of=0001-03-01&group_by=month", "as_of"),
    ("as_of=0001-03-01&group_by=quarter", "as_of"), ("format=csv", "format"),
])
def test_refused_parameters_are_400_in_json_naming_them(client, token, query, parameter):
    for path in ("/api/v1/coverage", "/api/v1/coverage.csv"):
        response = client.get(f"{path}?{query}", headers=auth(token))
        assert response.status_code == 400 and response.is_json, (path, query)
        assert response.json["error"]["parameter"] == parameter


def test_api_csv_neutralises_formulas(client, token):
    response = client.get("/api/v1/coverage.csv?group_by=academy", headers=auth(token))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "al-contract" in response.text  # slugs are safe; names never reach the API
    from app.api.routes import to_csv

    text = to_csv({"rows": [{"academy": "=HYPERLINK(\"x\")", "country": "+1", "prong": "-2", "period": "@SUM"}]})
    assert "'=HYPERLINK" in text and "'+1" in text and "'-2" in text and "'@SUM" in text


def _all_checks():
    load_all_checks()
    return list(CHECKS.get_all())


def test_schemathesis_with_every_check_passes(app, token, monkeypatch):
    """Valid and invalid requests generated from the schema pass every schemathesis check, none left out."""
    for limit in ("THROTTLE_API_PER_TOKEN", "THROTTLE_API_FAILURES_PER_ADDRESS"):  # not the subject here
        monkeypatch.setitem(app.config, limit, "100000 per minute")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    @schema.auth()
    class Token:
        """The token, where schemathesis sends one (it removes or breaks it in negative cases itself)."""

        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert [op.label for op in operations] == ["GET /api/v1/coverage", "GET /api/v1/coverage.csv",
                                               "GET /api/v1/evaluation", "GET /api/v1/knowledge-gain",
                                               "GET /api/v1/overdue"]
    checks = _all_checks()
    assert len(checks) >= 14
    statuses = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case):
                response = case.call_and_validate(checks=checks)
                statuses.append(response.status_code)

            check()
    assert 200 in statuses and 400 in statuses and 500 not in statuses


def test_a_generated_client_calls_every_operation(app, client, token, tmp_path, monkeypatch):
    """openapi-python-client builds a client from the live schema; it calls every operation, CSV included."""
    (tmp_path / "openapi.json").write_text(client.get("/api/v1/openapi.json").text)
    generator = [sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json",
                 "--meta", "none", "--output-path", "thb_client"]
    done = subprocess.run(generator, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("thb_client")
    get_coverage = importlib.import_module("thb_client.api.default.get_coverage")
    get_coverage_csv = importlib.import_module("thb_client.api.default.get_coverage_csv")
    get_overdue = importlib.import_module("thb_client.api.default.get_overdue")
    group_by = importlib.import_module("thb_client.models.get_coverage_group_by").GetCoverageGroupBy

    transport = httpx.WSGITransport(app=app)
    api = package.AuthenticatedClient(base_url="http://localhost", token=token,
                                      httpx_args={"transport": transport})
    figures = get_coverage.sync(client=api, group_by=group_by("academy,prong"))
    assert any(row.academy == "al-contract" for row in figures.rows)
    csv_answer = get_coverage_csv.sync_detailed(client=api, group_by=group_by("academy"))
    assert csv_answer.status_code == 200 and b"al-contract" in csv_answer.content
    overdue = get_overdue.sync(client=api)
    assert overdue.as_of
    gain = importlib.import_module("thb_client.api.default.get_knowledge_gain").sync(client=api)
    assert [course.course for course in gain.courses] == ["police"]
    evaluation = importlib.import_module("thb_client.api.default.get_evaluation").sync(client=api)
    assert evaluation.courses[0].reaction.suppressed is False
    refused = get_coverage.sync_detailed(client=api, academy="no-such-academy")
    assert refused.status_code == 404 and refused.parsed.error.message
