"""Sign-in link tokens never reach the access log: the platform's own server (gunicorn, as scripts/run.sh runs it)
and werkzeug's development server write the request line with the token replaced by `[redacted]`."""

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
