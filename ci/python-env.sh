#!/usr/bin/env bash
# Creates (once) the Python venv the interop tests use, at .cache/venv, with
# the `websockets` library: an independent WebSocket implementation for our
# client and server to talk to. Idempotent: a venv that already has the pinned
# version is left alone. Prints what failed, if anything.
#   ci/python-env.sh         -> .cache/venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

WEBSOCKETS_VERSION="${WEBSOCKETS_VERSION:-17.4}"
venv=.cache/venv
py="$venv/bin/python"

have_version() {
  [[ -x "$py" ]] && "$py" -c "import websockets, sys; sys.exit(websockets.__version__ != '$WEBSOCKETS_VERSION')" 2>/dev/null
}

if have_version; then
  echo "[python-env] $venv ready (websockets $WEBSOCKETS_VERSION)"
  exit 0
fi

base=""
for cand in python3 /usr/bin/python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    base=$cand
    break
  fi
done
if [[ -z "$base" ]]; then
  echo "[python-env] FAILED: no python3 >= 3.10 with the venv and ensurepip modules" >&2
  echo "[python-env]   (Debian: apt-get install python3-venv)" >&2
  exit 1
fi

if [[ ! -x "$py" ]]; then
  echo "[python-env] creating $venv with $("$base" --version 2>&1)"
  rm -rf "$venv"
  if ! "$base" -m venv "$venv"; then
    echo "[python-env] FAILED: '$base -m venv $venv'" >&2
    exit 1
  fi
fi

echo "[python-env] installing websockets==$WEBSOCKETS_VERSION"
if ! "$py" -m pip install --disable-pip-version-check --quiet "websockets==$WEBSOCKETS_VERSION"; then
  echo "[python-env] FAILED: pip install websockets==$WEBSOCKETS_VERSION into $venv" >&2
  exit 1
fi
if ! have_version; then
  echo "[python-env] FAILED: websockets $WEBSOCKETS_VERSION does not import in $venv" >&2
  exit 1
fi
echo "[python-env] $venv ready (websockets $WEBSOCKETS_VERSION)"
