#!/usr/bin/env bash
# Quick start, command 2: install everything the tests need, then run the whole suite.
#
#   ./test.sh              the whole suite (extra args go to pytest, e.g. ./test.sh -k store)
#
# On top of run.sh's install: the test requirements into ./.venv, and Debian's chromium (with
# fonts-liberation) for the end-to-end browser test, through apt-get when missing. Playwright
# drives that chromium; it never downloads a browser of its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/run.sh"

install_app
pip_install requirements-test.txt
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

cd "$ROOT"
say "pytest"
# -ra lists every skip with its reason at the end, so none goes unexplained.
exec "$PY" -m pytest -ra "$@"
