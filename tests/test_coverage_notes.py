"""A coverage figure is explained where it needs it: more trained than the target (the target is older than the
headcount, or too low), or a target over a year old on the date. The API gives the target's date and the note;
the dashboard gives a numbered note under the table, and its export the note's text in the row."""

import csv
import io
from datetime import date, datetime

import pytest

from app.auth.models import User
from app.coverage import services
from app.extensions import db
from tests.conftest import login
from tests.factories import create_test_user, get_academy, people

DONE = {"started": datetime(2026, 1, 12, 9), "completed": datetime(2026, 2, 1, 9)}


def _row(result, slug):
    return next(r for r in result["rows"] if r["academy"] == slug)


@pytest.fixture
def world(app):
    with app.app_context():
        setter = db.session.get(User, create_test_user(email="setter@example.org", role="regional_coordinator")["id"])
        full, old = get_academy("AL", "full-academy"), get_academy("AL", "old-academy")
        full.name, old.name = "Full academy", "Old academy"
        people(full, 12, tag="full", **DONE)  # 12 trained against a target of 8 set in January 2026
        people(old, 12, tag="old", started=datetime(2026, 1, 12, 9))
        services.set_target(setter, country="AL", academy=full, prong="police", target=8,
                            effective_from=date(2026, 1, 1))
        services.set_target(setter, country="AL", academy=old, prong="police", target=40,
                            effective_from=date(2024, 3, 1))
        db.session.commit()
        return {"full": full.slug, "old": old.slug}


def test_the_notes_follow_the_rule(app, world):
    with app.app_context():
        result = services.compute(services.Query(date(2026, 6, 30), group_by=("academy", "prong")),
                                  services.Scope())
    full, old = _row(result, world["full"]), _row(result, world["old"])
    assert full["target_from"] == "2026-01-01" and full["trained"] > full["target"]
    assert full["target_note"] == "above_target"
    assert old["target_from"] == "2024-03-01" and old["target_note"] == "stale_target"
    assert result["totals"]["target_from"] == "2024-03-01"
    # A year after it was set, the first academy's target is not stale yet; on 1 January 2027 it is.
    assert services.target_note(5, 8, "2026-01-01", date(2026, 12, 31)) is None
    assert services.target_note(5, 8, "2026-01-01", date(2027, 1, 2)) == "stale_target"
    assert services.target_note(None, 8, "2026-01-01", date(2027, 1, 2)) == "stale_target"
    assert services.target_note(9, None, None, date(2027, 1, 2)) is None


def test_the_dashboard_and_its_export_explain_the_figures(app, world, client):
    with app.app_context():
        create_test_user(email="coord@example.org", role="coordinator")
    assert login(client, "coord@example.org").status_code == 302
    page = client.get("/coverage/?as_of=2026-06-30").get_data(as_text=True)
    assert 'id="by-academy-note-1"' in page and "More trained than the target (set from 2026-01-01)" in page
    assert "The target was set from 2024-03-01, more than a year before this date" in page
    assert "Trained staff lost" in page
    body = client.get("/coverage/export/by_academy.csv?as_of=2026-06-30").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    notes = {r["Academy"]: r["Note"] for r in rows}
    assert notes["Full academy"].startswith("More trained than the target (set from 2026-01-01)")
    assert notes["Old academy"].startswith("The target was set from 2024-03-01")
    assert "Trained staff lost" in rows[0]
