"""No GET changes anything: every GET route of the URL map, as every role, leaves every table as it was."""

from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from tests.conftest import csrf_from
from tests.route_walk import (
    ROLES,
    api_headers,
    build_path,
    build_world,
    clients,
    routes,
    sample_args,
)

#: GET routes that still write: opening a quiz or a course test starts an attempt. The lead moves them to
#: POST (issue 18, "No state change on GET") and empties this list; the test fails for an entry that no
#: longer writes, so the list cannot go stale.
KNOWN_GET_WRITERS: set[str] = set()  # starting a quiz or a course test is a POST (learning.quiz_start ...)
#: What a GET may update without changing anything a person did: when an API token was last used.
BOOKKEEPING = {("update", "api_token")}


def _row_counts() -> Counter:
    counts = Counter()
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(sa.select(sa.func.count()).select_from(table))
    return counts


@pytest.fixture
def flushes(app):
    """Every insert, update and delete the ORM flushes, as (operation, table)."""
    seen = []

    def record(session, _context, _instances):
        for operation, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
            for obj in objects:
                if operation != "update" or session.is_modified(obj):
                    seen.append((operation, obj.__table__.name))

    event.listen(db.session, "before_flush", record)
    yield seen
    event.remove(db.session, "before_flush", record)


def test_no_get_route_writes_to_the_database(app, make_user, flushes):
    with app.app_context():
        world = build_world(make_user)
    browsers = clients(app, world)
    writers, visited = {}, 0
    for rule in routes(app):
        path = build_path(app, rule, sample_args(rule, world))
        for role in ROLES:
            with app.app_context():
                before = _row_counts()
            flushes.clear()
            response = browsers[role].get(path, headers=api_headers(rule, world))
            visited += 1
            assert response.status_code < 500, (rule.endpoint, role, response.status_code)
            with app.app_context():
                changed = {t: n - before[t] for t, n in _row_counts().items() if n != before[t]}
            written = [w for w in flushes if w not in BOOKKEEPING]
            if changed or written:
                writers.setdefault(rule.endpoint, set()).add((role, tuple(sorted(changed)), tuple(written)))
    assert visited >= 40 * len(ROLES)
    unexpected = {endpoint: found for endpoint, found in writers.items() if endpoint not in KNOWN_GET_WRITERS}
    assert not unexpected, f"GET routes that write: {unexpected}"
    stale = KNOWN_GET_WRITERS - set(writers)
    assert not stale, f"{stale} no longer write on GET: take them out of KNOWN_GET_WRITERS"


def test_the_sweep_would_see_a_write(app, make_user, flushes):
    """The detector itself: a request that starts a quiz attempt is seen (rows counted and the flush recorded).
    Since starting is a POST, the check is made on that POST; the sweep above applies it to every GET."""
    with app.app_context():
        world = build_world(make_user)
    trainee = clients(app, world)["trainee"]
    start_page = trainee.get(f"/learn/modules/{world.module}/quiz")
    assert start_page.status_code == 200 and 'name="attempt"' not in start_page.text
    with app.app_context():
        before = _row_counts()
    started = trainee.post(f"/learn/modules/{world.module}/quiz/start", data={"csrf_token": csrf_from(start_page.text)})
    assert started.status_code == 302
    with app.app_context():
        assert _row_counts()["quiz_attempt"] == before["quiz_attempt"] + 1
    assert ("insert", "quiz_attempt") in flushes
