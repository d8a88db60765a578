"""The pull API: tokens, scopes, errors, CSV, agreement with the dashboard, and the OpenAPI document."""

import csv
import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.academy.models import Academy
from app.coverage.models import ApiToken, TargetPopulation
from app.coverage.tokens import create_token
from app.extensions import db
from app.foundation import disclosure
from tests.conftest import csrf_from, login
from tests.factories import people


@pytest.fixture
def world(app):
    """Two Albanian academies and one Serbian, with trainees and targets."""
    with app.app_context():
        a = Academy(slug="al-one", name="AL one", country_code="AL")
        b = Academy(slug="al-two", name="AL two", country_code="AL")
        c = Academy(slug="rs-one", name="RS one", country_code="RS")
        db.session.add_all([a, b, c])
        db.session.flush()
        done = people(a, 12, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="a")
        busy = people(b, 9, started=datetime(2026, 2, 1), tag="b")
        people(c, 7, started=datetime(2026, 2, 1), completed=datetime(2026, 3, 1), tag="c")
        for acad, value in ((a, 30), (b, 20), (c, 10)):
            db.session.add(TargetPopulation(country_code=acad.country_code, academy_id=acad.id, prong="police",
                                            target=value, effective_from=datetime(2026, 1, 1).date()))
        _t, al = create_token("AL coordinator", country="AL")
        _t, one = create_token("AL one", academy=a)
        db.session.commit()
        # The cell-key method publishes each count perturbed by its people's record keys (computed here).
        shown = {"a": disclosure.perturb(12, sum(u.record_key for u in done)),
                 "b": disclosure.perturb(9, sum(u.record_key for u in busy)),
                 "all": disclosure.perturb(21, sum(u.record_key for u in done + busy))}
        return {"al": al, "al_one": one, "shown": shown}


def get(client, token, **params):
    return client.get("/api/v1/coverage", query_string=params, headers={"Authorization": f"Bearer {token}"})


def test_no_or_bad_token_gets_401(client, world):
    assert client.get("/api/v1/coverage").status_code == 401
    response = get(client, "thb_not-a-token")
    assert response.status_code == 401 and response.json["error"]["message"]


def test_country_token_reads_its_country(client, world):
    response = get(client, world["al"], as_of="2026-06-30", group_by="academy,prong")
    assert response.status_code == 200
    body = response.json
    assert body["as_of"] == "2026-06-30" and body["filters"] == {}
    rows = {r["academy"]: r for r in body["rows"]}
    assert set(rows) == {"al-one", "al-two"}
    a = world["shown"]["a"]  # the twelve are both trained and enrolled: the same people, the same figure
    assert rows["al-one"] == {"country": "AL", "academy": "al-one", "prong": "police", "target": 30,
                              "target_from": "2026-01-01", "target_note": None, "trained": a,
                              "in_progress": 0, "enrolled": a, "trained_lost": 0, "lapsed": 0, "trained_online": a,
                              "trained_classroom": 0, "trained_blended": 0, "coverage": round(a / 30, 4),
                              "suppressed": False}
    assert rows["al-two"]["in_progress"] == world["shown"]["b"]
    assert body["totals"]["trained"] == a and body["totals"]["target"] == 50
    assert body["totals"]["enrolled"] == world["shown"]["all"]


def test_scopes_refuse_other_countries_and_academies(client, world):
    for params in ({"country": "RS"}, {"academy": "rs-one"}):
        response = get(client, world["al"], **params)
        assert response.status_code == 403 and response.json["error"]["parameter"] in ("country", "academy")
    response = get(client, world["al_one"], academy="al-two")
    assert response.status_code == 403
    mine = get(client, world["al_one"], group_by="academy", as_of="2026-06-30").json
    assert [r["academy"] for r in mine["rows"]] == ["al-one"]


@pytest.mark.parametrize("params, parameter", [
    ({"country": "XX"}, "country"), ({"as_of": "30/06/2026"}, "as_of"), ({"group_by": "city"}, "group_by"),
    ({"prong": "army"}, "prong"), ({"format": "xml"}, "format"),
])
def test_bad_parameters_get_400_naming_them(client, world, params, parameter):
    response = get(client, world["al"], **params)
    assert response.status_code == 400
    assert response.json["error"]["parameter"] == parameter


def test_csv_is_its_own_operation_with_one_charset(client, world):
    response = client.get("/api/v1/coverage.csv?as_of=2026-06-30&group_by=academy",
                          headers={"Authorization": f"Bearer {world['al']}"})
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert {r["academy"]: r["trained"] for r in rows} == {"al-one": str(world["shown"]["a"]), "al-two": "0"}
    assert get(client, world["al"], format="csv").json["error"]["message"].endswith("coverage.csv for CSV.")


def test_revoked_token_stops_working_and_use_is_recorded(app, client, world):
    assert get(client, world["al"]).status_code == 200
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).filter_by(name="AL coordinator"))
        assert token.last_used_at is not None
        token.revoked_at = datetime(2026, 6, 1)
        db.session.commit()
    assert get(client, world["al"]).status_code == 401


def test_api_never_returns_names_or_emails(client, world):
    text = get(client, world["al"], group_by="academy,prong,month").text
    assert "@example.org" not in text and "a 0" not in text


def test_dashboard_and_api_show_the_same_figures(app, client, world, make_user):
    coordinator = make_user(email="coord@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/coverage/?as_of=2026-06-30").text
    api = get(app.test_client(), world["al"], as_of="2026-06-30", group_by="academy,prong").json
    table = page[page.index('id="by-academy"'):]
    table = table[:table.index("</table>")]
    # Rows name the country and the academy (links into the drill-down), then the prong's label.
    row = (r'<tr>\s*<th scope="row"><a [^>]*>Albania</a></th>\s*<td><a [^>]*>([^<]+)</a></td>\s*<td>Police</td>'
           + r'\s*<td class="num">(?:<a [^>]*>)?(\d+)(?:</a>)?</td>' * 5)
    shown = {name: tuple(int(v) for v in values) for name, *values in re.findall(row, table)}
    names = {"al-one": "AL one", "al-two": "AL two"}
    expected = {names[r["academy"]]: (r["target"], r["trained"], r["lapsed"], r["in_progress"], r["enrolled"])
                for r in api["rows"]}
    assert shown == expected and len(shown) == 2


def test_coordinator_creates_and_revokes_a_token_in_the_ui(app, client, world, make_user):
    coordinator = make_user(email="coord2@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/coverage/tokens")
    created = client.post("/coverage/tokens", data={"csrf_token": csrf_from(page.text), "name": "Ministry pull"})
    secret = re.search(r'id="secret" class="wide" readonly value="([^"]+)"', created.text).group(1)
    assert get(app.test_client(), secret, as_of="2026-06-30").status_code == 200
    assert get(app.test_client(), secret, country="RS").status_code == 403
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).filter_by(name="Ministry pull"))
    client.post(f"/coverage/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(created.text)})
    assert get(app.test_client(), secret).status_code == 401


def test_trainees_cannot_reach_coverage_pages(trainee_client):
    for url in ("/coverage/", "/coverage/targets", "/coverage/tokens"):
        assert trainee_client.get(url).status_code == 403


def test_targets_are_entered_with_history(app, client, world, make_user):
    coordinator = make_user(email="coord3@example.org", role="coordinator", country="AL")
    login(client, coordinator["email"])
    page = client.get("/coverage/targets")
    assert "RS one" not in page.text  # only the coordinator's country
    for value, since in ((100, "2026-01-01"), (150, "2026-09-01")):
        client.post("/coverage/targets", data={"csrf_token": csrf_from(page.text), "place": "country:AL",
                                               "prong": "police", "target": value, "effective_from": since})
    with app.app_context():
        figures = db.session.execute(sa.select(TargetPopulation.target, TargetPopulation.effective_from)
                                     .filter_by(academy_id=None)).all()
        assert sorted(t for t, _ in figures) == [100, 150]
    api = get(app.test_client(), world["al"], as_of="2026-06-30", group_by="country").json
    assert api["rows"][0]["target"] == 100


def test_cli_creates_a_token(app, runner, world):
    result = runner.invoke(args=["api-tokens", "create", "--name", "nightly", "--academy", "al-one"])
    assert result.exit_code == 0
    secret = result.output.strip()
    assert secret.startswith("thb_")
    assert get(app.test_client(), secret, group_by="academy").json["rows"][0]["academy"] == "al-one"
    assert runner.invoke(args=["api-tokens", "create", "--name", "x"]).exit_code != 0
