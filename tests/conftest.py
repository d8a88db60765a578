"""Fixtures: a migrated database per suite, on SQLite by default or PostgreSQL with TEST_DATABASE_URL.

Three databases:
- `app` holds the small fixture curriculum in tests/fixtures/mini (known answers, fast);
- `real_app` holds the real curriculum in curricula/ and assessments/;
- `scratch_app` is emptied for every test that changes curriculum files.
User data (users, academies, progress, attempts) is deleted after each test.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.curriculum.loader import load_curriculum
from app.curriculum.tree import read_curriculum
from app.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
#: The shipped curriculum; THB_TEST_CONTENT_ROOT points the content tests at another tree.
CONTENT_ROOT = Path(os.environ.get("THB_TEST_CONTENT_ROOT", ROOT))
REAL_CURRICULA = CONTENT_ROOT / "curricula"
REAL_ASSESSMENTS = CONTENT_ROOT / "assessments"
PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
#: Tables that hold the loaded curriculum: kept between tests. Every other table is user data, found from the
#: models' metadata (so a new table is cleaned without anyone remembering to list it).
CONTENT_TABLES = {"country", "course", "module", "module_guide", "module_version", "module_rendition", "question_bank", "question"}
PASSWORD = "correct horse battery"


#: The databases' names start with the one TEST_DATABASE_URL names, so that two checkouts can run the suite
#: at once against one server (thb_test, thb_test_real, thb_test_scratch by default).
DB_PREFIX = PG_URL.rsplit("/", 1)[-1] if PG_URL else "thb_test"


def _pg_url(name: str) -> str:
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def _fresh_database(name: str, tmp_dir: Path) -> str:
    """An empty database named `name`: a new SQLite file, or a PostgreSQL database with an empty schema."""
    if not PG_URL:
        path = tmp_dir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = _pg_url(name).replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(_pg_url("postgres").replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def make_app(db_url: str, curricula: Path, assessments: Path, instance: Path):
    application = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "CURRICULA_DIR": curricula,
        "ASSESSMENTS_DIR": assessments,
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": None,
        # No mail server: messages go to a folder of the test run; sent in the request, not in a thread,
        # so that a test reads them as soon as the request returns (test_mail.py covers both and real SMTP).
        "MAIL_FOLDER": instance / "mail",
        "MAIL_SEND_ASYNC": False,
    })
    with application.app_context():
        upgrade()
    return application


def load_tree(application, curricula: Path, assessments: Path):
    with application.app_context():
        tree = read_curriculum(curricula, assessments)
        assert tree.problems == [], [str(p) for p in tree.problems]
        report = load_curriculum(tree)
        db.session.commit()
        return report


def user_tables() -> list[str]:
    """Every table that is not curriculum content, children before parents (safe to delete in this order)."""
    return [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in CONTENT_TABLES]


def _clean_user_data(application) -> None:
    with application.app_context():
        db.session.remove()
        for table in user_tables():
            db.session.execute(sa.text(f'DELETE FROM "{table}"'))
        db.session.commit()


@pytest.fixture(scope="session")
def db_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session")
def app(db_dir):
    application = make_app(_fresh_database(DB_PREFIX, db_dir), MINI / "curricula", MINI / "assessments", db_dir)
    load_tree(application, MINI / "curricula", MINI / "assessments")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_after(request):
    yield
    if limiter.initialized:
        limiter.reset()  # rate-limit counters (memory storage) start afresh for every test
    for name in ("app", "real_app"):
        if name in request.fixturenames:
            _clean_user_data(request.getfixturevalue(name))


@pytest.fixture(scope="session")
def real_app(db_dir):
    application = make_app(_fresh_database(f"{DB_PREFIX}_real", db_dir), REAL_CURRICULA, REAL_ASSESSMENTS, db_dir)
    load_tree(application, REAL_CURRICULA, REAL_ASSESSMENTS)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def mini_copy(tmp_path):
    """A writable copy of the mini curriculum, for tests that change files."""
    target = tmp_path / "tree"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def scratch_app(db_dir, mini_copy):
    application = make_app(_fresh_database(f"{DB_PREFIX}_scratch", db_dir), mini_copy / "curricula",
                           mini_copy / "assessments", db_dir)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


# --- helpers -------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)})


@pytest.fixture
def make_user(app):
    """Create a user through the real service (and an academy if needed); returns its id and e-mail."""
    from tests.factories import create_test_user

    def factory(**kwargs):
        with app.app_context():
            return create_test_user(**kwargs)

    return factory


@pytest.fixture
def trainee(make_user):
    return make_user(email="trainee@example.org", country="AL", language="en")


@pytest.fixture
def trainee_client(client, trainee):
    response = login(client, trainee["email"])
    assert response.status_code == 302
    return client


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server (aiosmtpd) for the mini app: what the platform sends arrives here."""
    from tests.mail_helpers import SmtpServer

    server = SmtpServer().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def _push_request_context(request):
    """Override pytest-flask's: a request context held open for a whole test would share `g`
    (and so Flask-Login's cached user) between the requests of different test clients."""
    yield


@pytest.fixture
def client(app):
    """Override pytest-flask's, which keeps the last request's context pushed (`with test_client()`):
    that would share Flask-Login's cached user with every other client in the test."""
    return app.test_client()
