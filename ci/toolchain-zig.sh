#!/usr/bin/env bash
# Installs (once) the tools the portable Linux build links with:
#   - ziglang (PyPI) in the venv .cache/zig-venv: zig's linker and its glibc
#     stubs, which let the library link against glibc 2.28's symbol set
#   - cargo-zigbuild (crates.io) in ~/.cargo/bin: runs cargo with zig as the
#     C compiler and linker for a `<triple>.<glibc version>` target
# Idempotent: pinned versions already in place make a rerun a no-op.
# Versions can be overridden with ZIGLANG_VERSION / CARGO_ZIGBUILD_VERSION.
#   ci/toolchain-zig.sh      -> .cache/zig-venv/bin/python -m ziglang, cargo zigbuild
set -euo pipefail
cd "$(dirname "$0")/.."

ZIGLANG_VERSION="${ZIGLANG_VERSION:-0.17.1}"
CARGO_ZIGBUILD_VERSION="${CARGO_ZIGBUILD_VERSION:-0.24.1}"
venv=.cache/zig-venv
py="$venv/bin/python"

source ci/log.sh toolchain-zig

# ---- zig, from PyPI's ziglang wheel -------------------------------------------
zig_version() { "$py" -m ziglang version 2>/dev/null || true; }
# The wheel's version is zig's (0.17.1 ships zig 0.17.1).
if [[ "$(zig_version)" != "$ZIGLANG_VERSION" ]]; then
  command -v python3 >/dev/null || die "python3 not found (Debian: apt-get install python3-venv)"
  if [[ ! -x "$py" ]]; then
    say "creating $venv"
    python3 -m venv "$venv" || die "'python3 -m venv $venv' (Debian: apt-get install python3-venv)"
  fi
  say "pip install ziglang==$ZIGLANG_VERSION into $venv"
  "$py" -m pip install --disable-pip-version-check --quiet "ziglang==$ZIGLANG_VERSION" \
    || die "pip install ziglang==$ZIGLANG_VERSION (is that version still on PyPI? set ZIGLANG_VERSION=…)"
  got=$(zig_version)
  [[ "$got" == "$ZIGLANG_VERSION" ]] || die "'$py -m ziglang version' printed '$got', expected $ZIGLANG_VERSION"
fi
say "zig $ZIGLANG_VERSION ($py -m ziglang)"

# ---- cargo-zigbuild, from crates.io -------------------------------------------
czb_version() { cargo-zigbuild --version 2>/dev/null | awk '{print $2}' || true; }
if [[ "$(czb_version)" != "$CARGO_ZIGBUILD_VERSION" ]]; then
  say "cargo install cargo-zigbuild $CARGO_ZIGBUILD_VERSION (about 2 min once)"
  cargo install --quiet --locked --version "$CARGO_ZIGBUILD_VERSION" cargo-zigbuild \
    || die "cargo install cargo-zigbuild --version $CARGO_ZIGBUILD_VERSION (set CARGO_ZIGBUILD_VERSION=… if it was yanked)"
  got=$(czb_version)
  [[ "$got" == "$CARGO_ZIGBUILD_VERSION" ]] \
    || die "'cargo-zigbuild --version' gives '$got' after installing $CARGO_ZIGBUILD_VERSION (is ~/.cargo/bin on PATH?)"
fi
say "cargo-zigbuild $CARGO_ZIGBUILD_VERSION"
