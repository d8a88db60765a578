#!/usr/bin/env bash
# Set up and start THB Academy on http://127.0.0.1:5000 with an embedded SQLite database,
# the curricula loaded and one demo account per role. Safe to run again: it upgrades in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .

export FLASK_APP=app
.venv/bin/flask db upgrade
.venv/bin/flask curricula load
.venv/bin/flask demo seed

echo "THB Academy: http://127.0.0.1:${PORT:-5000}/  (stop with Ctrl+C)"
exec .venv/bin/gunicorn --workers "${WORKERS:-2}" --threads "${THREADS:-4}" \
  --bind "127.0.0.1:${PORT:-5000}" --access-logfile - 'app:create_app()'
