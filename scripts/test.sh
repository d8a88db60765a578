#!/usr/bin/env bash
# Install the test dependencies and run the whole suite, on SQLite and then on PostgreSQL.
# Extra arguments go to pytest (e.g. scripts/test.sh -k quiz).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium chromium-driver' first." >&2
    exit 1
  fi
fi

# axe-core, injected into pages by the accessibility checks.
[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent

# PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth): start it if it is installed but stopped.
PG_URL=${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/thb_test}
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

# Redis on 127.0.0.1:6379 (the rate-limit counters' shared storage): install or start it if need be.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

echo "=== Lint: ruff (pyproject.toml settings) and the layer order (import-linter)"
.venv/bin/ruff check app tests benchmarks
.venv/bin/lint-imports --no-cache

echo "=== Test suite on SQLite"
.venv/bin/python -m pytest "$@"
echo "=== Test suite on PostgreSQL ($PG_URL)"
TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest "$@"
