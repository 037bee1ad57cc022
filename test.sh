#!/usr/bin/env bash
# Quick start, command 2: install everything the tests need, then run the whole suite.
#
#   ./test.sh              the whole suite (extra args go to pytest, e.g. ./test.sh -k store)
#
# On top of run.sh's install: the test requirements into ./.venv, Debian's chromium (with
# fonts-liberation) for the end-to-end browser test, and Debian's postgresql for the store tests
# on PostgreSQL, through apt-get when missing. Playwright drives that chromium; it never
# downloads a browser of its own. The tests start their own throw-away PostgreSQL cluster in a
# temporary directory (tests/pgserver.py) and stop it at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/run.sh"

install_app
pip_install requirements-test.txt
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
    # The package may start a cluster of its own; the tests make theirs, so stop that one.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null; then
        pg_lsclusters -h | while read -r version name _ status _; do
            [ "$status" = online ] && as_root pg_ctlcluster "$version" "$name" stop || true
        done
    fi
fi
# The PostgreSQL half of the store tests must run here: a missing server fails, not skips.
export PLACEWIRE_REQUIRE_POSTGRES=1

cd "$ROOT"
say "pytest"
# -ra lists every skip with its reason at the end, so none goes unexplained.
exec "$PY" -m pytest -ra "$@"
