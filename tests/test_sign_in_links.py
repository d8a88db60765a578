"""Sign-in links: opaque random tokens stored only as a digest, short-lived (tests/test_mail.py and
tests/test_academy.py prove single use and the refusal for accounts with a password), and never in the access
log: the platform's own server (gunicorn, as scripts/run.sh runs it) and werkzeug's development server write
the request line with the token replaced by `[redacted]`."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

from app.auth import tokens
from app.auth.models import User, UserToken
from app.extensions import db
from app.foundation import logs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorns_access_log_holds_no_link_token(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'log.db'}", "SECRET_KEY": "access-log-test",
           "FLASK_APP": "app"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port, log = _free_port(), tmp_path / "access.log"
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "--access-logfile", str(log), "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        reset, change = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        assert _get(f"http://127.0.0.1:{port}/set-password/{reset}") in (200, 404)
        assert _get(f"http://127.0.0.1:{port}/profile/email/{change}?next=x") in (200, 302, 404)
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
    written = log.read_text()
    assert "GET /set-password/[redacted]" in written and "GET /profile/email/[redacted]" in written
    assert reset not in written and change not in written


def test_the_development_servers_log_holds_no_link_token(app, caplog):
    logs.install()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = secrets.token_urlsafe(32)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            _get(f"http://127.0.0.1:{server.server_port}/set-password/{token}")
    finally:
        server.shutdown()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("/set-password/[redacted]" in line for line in lines)
    assert not any(token in line for line in lines)


def test_redaction_leaves_other_paths_alone():
    assert logs.redact('"GET /academies/a/trainees?page=2 HTTP/1.1"') == '"GET /academies/a/trainees?page=2 HTTP/1.1"'
    assert logs.redact("POST /set-password/abc-DEF_123 HTTP/1.1") == "POST /set-password/[redacted] HTTP/1.1"


def test_link_tokens_are_random_opaque_and_stored_only_as_their_digest(app, make_user):
    person = make_user(email="opaque@example.org")
    with app.app_context():
        user = db.session.get(User, person["id"])
        issued = [tokens.issue(user, tokens.INVITATION) for _ in range(3)]
        db.session.commit()
        stored = list(db.session.scalars(db.session.query(UserToken).filter_by(user_id=user.id).statement))
        # Nothing of the account is in the token (no e-mail, no part of the password hash), and each is new.
        assert len(set(issued)) == 3
        for token in issued:
            assert len(token) >= 43 and "." not in token  # 32 random bytes, not a signed payload
            assert user.email not in token and user.password_hash[-12:] not in token
        # The database holds only the SHA-256 of each token: a copy of the table opens nothing.
        assert {row.token_hash for row in stored} == {tokens.digest(t) for t in issued}
        assert not any(t in row.token_hash for t in issued for row in stored)
        # Only the newest works; each lives as long as its purpose allows.
        assert tokens.find(issued[0], tokens.SETS_PASSWORD) is None
        newest = tokens.find(issued[-1], tokens.SETS_PASSWORD)
        assert newest is not None and newest.expires_at - newest.created_at == tokens.lifetime(tokens.INVITATION)
