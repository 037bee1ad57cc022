#!/usr/bin/env bash
# Quick start, command 1: install what the app needs (once) and start the dashboard.
#
#   ./run.sh              install if needed, then `streamlit run app.py` (extra args go to streamlit)
#   ./run.sh --install    install only (test.sh and the Dockerfile use this)
#
# Installs into ./.venv from PyPI and the front-end assets from the npm registry; nothing else is
# downloaded. A second run skips every step whose inputs have not changed, so it starts at once.
# test.sh sources this file for its helpers; `main` runs only when it is executed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { if [ -t 2 ]; then printf '\033[1m[placewire]\033[0m %s\n' "$*" >&2; else echo "[placewire] $*" >&2; fi; }
die() { say "error: $*"; exit 1; }

# Root for apt-get: as is when root (CI, containers), else through sudo.
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root for: $* (run it as root, then this script again)"
    fi
}

# apt_install PKG...: Debian packages, with the package lists refreshed first (a fresh machine has none).
apt_install() {
    command -v apt-get >/dev/null || die "please install $* with your system's package manager"
    say "installing Debian packages: $*"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# The venv, made with a Python >= 3.11 ($PYTHON, else python3). Debian ships venv apart (python3-venv).
ensure_venv() {
    if [ -x "$PY" ] && "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
        return
    fi
    local python=${PYTHON:-python3}
    command -v "$python" >/dev/null || die "$python not found: install Python 3.11 or newer"
    "$python" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
        || die "Placewire needs Python 3.11 or newer; $python is $("$python" -V 2>&1)"
    say "creating $VENV"
    rm -rf "$VENV"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
        apt_install python3-venv
        "$python" -m venv "$VENV"
    fi
    "$PY" -m pip install -q --upgrade pip
}

# req_files FILE: FILE and every requirements file it includes with -r, recursively.
req_files() {
    echo "$1"
    local inc
    for inc in $(sed -n 's/^-r[[:space:]]*//p' "$ROOT/$1"); do req_files "$inc"; done
}

# pip_install FILE: pip install -r FILE, skipped while FILE and the files it includes are unchanged.
pip_install() {
    local file=$1 stamp="$VENV/.placewire-${1%.txt}" sum
    sum=$(cd "$ROOT" && cat $(req_files "$file") | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then return; fi
    say "pip install -r $file"
    "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/$file"
    echo "$sum" >"$stamp"
}

# The map's JavaScript and CSS, from the npm registry into static/ (never committed), so the page
# works offline. The installer is the page's own module; it is a no-op when they are in place.
install_assets() {
    command -v npm >/dev/null || apt_install nodejs npm
    (cd "$ROOT" && "$PY" -m components.assets)
}

install_app() {
    ensure_venv
    pip_install requirements.txt
    install_assets
}

main() {
    install_app
    [ "${1:-}" = --install ] && return
    say "starting the dashboard: streamlit run app.py"
    cd "$ROOT"
    # No first-run e-mail prompt: the page must start unattended (CI, containers, scripts).
    export STREAMLIT_SERVER_SHOW_EMAIL_PROMPT=false
    # Listening on this machine only (editing open without a secret, nothing reachable from the
    # network), unless STREAMLIT_SERVER_ADDRESS or an argument (--server.address 0.0.0.0) says
    # otherwise: the last --server.address wins.
    exec "$PY" -m streamlit run app.py --server.address "${STREAMLIT_SERVER_ADDRESS:-localhost}" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
