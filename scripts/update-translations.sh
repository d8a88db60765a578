#!/usr/bin/env bash
# Refresh the interface message catalogs after changing wrapped strings, then compile them.
#   scripts/update-translations.sh            extract, merge into every catalog, compile
# Translators edit app/translations/<lang>/LC_MESSAGES/messages.po; run this again to compile.
# The compiled .mo files are committed; tests/test_ui_translations.py checks they match the .po.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract --quiet -F babel.cfg -k _l --sort-output -o app/translations/messages.pot . 2>/dev/null \
  || .venv/bin/pybabel extract -F babel.cfg -k _l --sort-output -o app/translations/messages.pot .
.venv/bin/pybabel update --quiet -i app/translations/messages.pot -d app/translations --no-fuzzy-matching 2>/dev/null \
  || .venv/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching
# Serbian in Cyrillic is made from the Latin catalog, never edited by hand.
.venv/bin/python scripts/serbian_cyrillic.py
.venv/bin/pybabel compile -d app/translations --statistics
