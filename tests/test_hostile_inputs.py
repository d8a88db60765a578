"""Every bad input is a 4xx with a message, never a 500 (issue 18): the probes that once failed, then a sweep
of every route, as every role, with hostile path ids and query parameters (fixed lists and Hypothesis)."""

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.foundation.limits import MAX_ID
from tests.conftest import csrf_from, login
from tests.route_walk import (
    QUERY_PARAMETERS,
    ROLES,
    api_headers,
    build_path,
    build_world,
    clients,
    routes,
    sample_args,
)

HEADER = "email,name,category,unit,personnel_number,language,cohort,due_date\n"
HUGE = "99999999999999999999999"
#: Values every query parameter of every route is tried with.
HOSTILE_VALUES = ["9999-12-31", "0001-03-01", HUGE, "-1", "0", "", "\x00", "' OR '1'='1", "<script>alert(1)</script>",
                  "x" * 3000, "month,quarter", ",,", "1e309", "NaN", "ℵ🙂", "../../etc/passwd", "%00"]
#: Query strings that combine parameters (the date probes with a time grouping).
HOSTILE_QUERIES = [{"as_of": "0001-03-01", "group_by": "month"}, {"as_of": "0001-03-01", "group_by": "quarter"},
                   {"as_of": "9999-12-31", "group_by": "quarter"}, {"page": HUGE, "q": "\x00"}]
HOSTILE_IDS = [0, MAX_ID + 1, 2**63, int(HUGE)]
HOSTILE_SEGMENTS = ["x" * 300, "\x00", "..", "ℵ🙂", "' OR 1=1", HUGE]
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"


@pytest.fixture
def admin(app, make_user):
    make_user(email="probe.admin@example.org", role="academy_admin", country="AL")
    client = app.test_client()
    assert login(client, "probe.admin@example.org").status_code == 302
    return client


@pytest.fixture
def coordinator(app, make_user):
    make_user(email="probe.coord@example.org", role="coordinator", country="AL")
    client = app.test_client()
    assert login(client, "probe.coord@example.org").status_code == 302
    return client


def _upload(client, text: str):
    token = csrf_from(client.get("/academies/test-academy-al/import").text)
    return client.post("/academies/test-academy-al/import", data={
        "csrf_token": token, "file": (io.BytesIO(text.encode()), "trainees.csv")}, content_type="multipart/form-data")


# --- the probes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["as_of=9999-12-31", "as_of=0001-03-01&group_by=month",
                                   "as_of=0001-03-01&group_by=quarter", "group_by=city", "group_by=",
                                   "country=ZZ", "as_of=2026-02-30"])
def test_dashboard_answers_bad_parameters_with_400_and_a_message(coordinator, query):
    response = coordinator.get(f"/coverage/?{query}")
    assert response.status_code == 400, query
    assert re.search(r"<p>[^<]*(as_of|group|country|date)[^<]*</p>", response.text, re.I), response.text[-600:]


def test_huge_ids_are_404_on_every_kind_of_record(app, admin, trainee_client):
    for url in (f"/academies/test-academy-al/trainees/{HUGE}", f"/academies/test-academy-al/trainees/{HUGE}/edit",
                f"/academies/test-academy-al/cohorts/{HUGE}"):
        assert admin.get(url).status_code == 404, url
    for url in (f"/certificates/{HUGE}", f"/certificates/{HUGE}.pdf", f"/learn/courses/{HUGE}/pre-test",
                f"/learn/modules/police-01-basics/sections/{HUGE}"):
        assert trainee_client.get(url).status_code == 404, url
    token = csrf_from(admin.get("/academies/test-academy-al/").text)
    assert admin.post(f"/academies/test-academy-al/trainees/{HUGE}/suspend",
                      data={"csrf_token": token}).status_code == 404


def test_report_and_list_parameters_out_of_range_are_ignored_not_fatal(admin):
    for query in (f"cohort={HUGE}", f"course={HUGE}", f"page={HUGE}", "page=-5", "page=abc", "cohort=-1"):
        assert admin.get(f"/academies/test-academy-al/reports?{query}").status_code in (200, 404), query
        assert admin.get(f"/academies/test-academy-al/trainees?{query}").status_code == 200, query
    assert admin.get(f"/academies/test-academy-al/assignments?cohort={HUGE}").status_code == 200


def test_a_request_body_over_the_limit_is_refused_unread(app, client):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "too large" in response.text
    assert client.post("/api/v1/coverage", data=body).is_json


def test_import_checks_lengths_against_the_database_columns(app, admin):
    long_email = "a" * 290 + "@example.org"
    text = HEADER + f"{long_email},Long Mail,police,,,,,\n" + "ok@example.org,Long Number,police,," + "9" * 500 + ",,,\n"
    response = _upload(admin, text)
    assert response.status_code == 422
    assert "email is longer than 254 characters" in response.text
    assert "personnel_number is longer than 64 characters" in response.text
    assert "Line 2" in response.text and "Line 3" in response.text


def test_import_refuses_a_nul_byte_naming_its_line(admin):
    response = _upload(admin, HEADER + "one@example.org,One,police,,,,,\ntwo@example.org,T\x00wo,police,,,,,\n")
    assert response.status_code == 400 and "Line 3" in response.text and "NUL" in response.text


def test_a_nul_character_anywhere_in_a_request_is_400(app, admin):
    page = admin.get("/academies/test-academy-al/trainees/new")
    response = admin.post("/academies/test-academy-al/trainees/new", data={
        "csrf_token": csrf_from(page.text), "name": "Nu\x00l", "email": "nul@example.org", "category": "police",
        "language": "sq"})
    assert response.status_code == 400 and "NUL character" in response.text
    assert admin.get("/academies/%00/").status_code == 400
    assert admin.get("/coverage/?academy=%00").status_code == 400
    assert app.test_client().get("/api/v1/coverage?academy=%00").is_json


def test_form_and_import_limits_are_the_columns(app):
    from app.academy.forms import TraineeForm
    from app.academy.imports import MAX_LENGTHS
    from app.auth.models import User

    with app.test_request_context():
        form = TraineeForm(meta={"csrf": False})
    for field in ("email", "name", "unit", "personnel_number"):
        lengths = [v.max for v in getattr(form, field).validators if hasattr(v, "max") and v.max and v.max > 1]
        assert User.__table__.c[field].type.length in lengths and MAX_LENGTHS[field] == User.__table__.c[field].type.length


def test_a_taken_email_reads_the_same_whoever_holds_it(app, admin, make_user):
    make_user(email="elsewhere@example.org", country="RS")  # a trainee in another country
    make_user(email="minister@example.org", role="coordinator", country="AL")  # staff in the same country
    make_user(email="mine@example.org", country="AL")  # a trainee of this academy
    answers = {}
    for email in ("elsewhere@example.org", "minister@example.org", "nobody.yet@example.org"):
        page = admin.get("/academies/test-academy-al/trainees/new")
        answers[email] = admin.post("/academies/test-academy-al/trainees/new", data={
            "csrf_token": csrf_from(page.text), "name": "Someone", "email": email, "category": "police",
            "language": "sq"}).text
    for email in ("elsewhere@example.org", "minister@example.org"):
        assert f"The e-mail {email} cannot be used for this account" in answers[email]
        assert "already exists" not in answers[email]
    assert "cannot be used" not in answers["nobody.yet@example.org"]
    response = _upload(admin, HEADER + "elsewhere@example.org,X,police,,,,,\nminister@example.org,Y,police,,,,,\n")
    assert response.text.count("cannot be used for a trainee of this academy") == 2


# --- headers in one place ------------------------------------------------------------------------


def test_personal_pages_and_exports_are_not_stored_by_caches(app, admin, trainee_client):
    for response in (trainee_client.get("/learn/"), admin.get("/academies/test-academy-al/reports?format=csv"),
                     admin.get("/academies/test-academy-al/import/template.csv"), admin.get("/home")):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    anonymous = app.test_client()
    assert "no-store" not in anonymous.get("/login").headers.get("Cache-Control", "")
    assert "no-store" not in anonymous.get("/static/style.css").headers.get("Cache-Control", "")
    assert anonymous.get("/verify?code=ABC").headers["Cache-Control"] == "no-store"  # shows a holder's name


def test_security_headers_on_every_answer_errors_included(app, trainee_client):
    anonymous = app.test_client()
    for response in (anonymous.get("/login"), anonymous.get("/no-such-page"), trainee_client.get("/coverage/"),
                     anonymous.get("/api/v1/coverage")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_hold_no_inline_script():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert "javascript:" not in text, template


# --- the sweep -----------------------------------------------------------------------------------


@pytest.fixture
def walk(app, make_user, monkeypatch):
    for name in ("THROTTLE_LINK_PER_ADDRESS", "THROTTLE_API_FAILURES_PER_ADDRESS", "THROTTLE_API_PER_TOKEN"):
        monkeypatch.setitem(app.config, name, "1000000 per minute")  # not what this sweep is about
    with app.app_context():
        world = build_world(make_user)
    return world, clients(app, world)


def _send(app, client, rule, args, query, world):
    method = "GET" if "GET" in rule.methods else "POST"
    path = build_path(app, rule, args)
    headers = api_headers(rule, world)
    if method == "GET":
        return client.get(path, query_string=query, headers=headers)
    return client.post(path, query_string=query, headers=headers, data={})


def _hostile_args(rule, world):
    """The rule's sample path arguments with one of them made hostile, every way."""
    base = sample_args(rule, world)
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        values = HOSTILE_IDS if kind == "BoundedIntConverter" else HOSTILE_SEGMENTS if kind == "UnicodeConverter" else []
        for value in values:
            yield {**base, name: value}


def test_no_route_answers_500_to_hostile_input(app, walk):
    """Every route x every role x every hostile value in every parameter and path argument: no 500."""
    world, browsers = walk
    rules = routes(app, methods=("GET", "POST"))
    tried, statuses = 0, {}
    for rule in rules:
        for role in ROLES:
            inputs = [(sample_args(rule, world), {name: value for name in QUERY_PARAMETERS})
                      for value in HOSTILE_VALUES]
            inputs += [(sample_args(rule, world), query) for query in HOSTILE_QUERIES]
            inputs += [(args, {}) for args in _hostile_args(rule, world)]
            for args, query in inputs:
                response = _send(app, browsers[role], rule, args, query, world)
                tried += 1
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500, (rule.rule, role, args, query, response.status_code)
                if rule.rule.startswith("/api/") and response.status_code >= 400:
                    assert response.is_json, (rule.rule, response.status_code)
    print(f"\nhostile sweep: {len(rules)} routes x {len(ROLES)} roles, {tried} requests, statuses {sorted(statuses.items())}")
    assert tried >= len(rules) * len(ROLES) * len(HOSTILE_VALUES) and 500 not in statuses


_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)


def test_hypothesis_finds_no_500_in_any_route(app, walk):
    """Hypothesis chooses the route, the role, path ids and any query parameters with any values."""
    world, browsers = walk
    rules = routes(app, methods=("GET", "POST"))
    answered = []

    @given(data=st.data())
    @settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def probe(data):
        rule = data.draw(st.sampled_from(rules))
        role = data.draw(st.sampled_from(ROLES))
        args = sample_args(rule, world)
        for name, converter in rule._converters.items():
            if type(converter).__name__ == "BoundedIntConverter":
                args[name] = data.draw(st.one_of(st.sampled_from(list(world.ids.values())),
                                                 st.integers(min_value=0, max_value=10**30)))
            elif type(converter).__name__ == "UnicodeConverter" and data.draw(st.booleans()):
                args[name] = data.draw(_text.filter(lambda s: s and "/" not in s))
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_PARAMETERS),
                                          st.one_of(st.sampled_from(HOSTILE_VALUES), _text), max_size=6))
        response = _send(app, browsers[role], rule, args, query, world)
        answered.append(response.status_code)
        assert response.status_code < 500, (rule.rule, role, args, query)

    probe()
    assert len(answered) >= 300 and 500 not in answered
