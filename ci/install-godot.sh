#!/usr/bin/env bash
# Installs what the build and the headless tests need, without touching the
# system's apt sources or libraries:
#   - build deps from the system's apt: libssl-dev, pkg-config (if missing)
#   - Godot 4 (Debian sid's `godot` package) and its library closure, fetched
#     with `apt-get download` through a private apt config and unpacked with
#     `dpkg -x` into .cache/godot/root. ci/godot starts it through that
#     folder's own loader.
# Idempotent: a marker file makes reruns instant. If $GODOT names an existing
# Godot 4 binary, that one is used and nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="$PWD/.cache/godot"
ROOT="$CACHE/root"
MARKER="$ROOT/.wsp-installed"
SUITE="${WSP_GODOT_SUITE:-sid}"
# Packages of the closure that headless Godot never loads (GPU/LLVM stack).
SKIP_RE='^(libllvm[0-9]+|libz3-[0-9]+)$'

source ci/log.sh install-godot

# ---- build deps (system apt, normal install) --------------------------------
missing=()
for p in libssl-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing build deps: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update (system sources)"
  apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]}"
fi

# ---- Godot given from outside -----------------------------------------------
if [[ -n "${GODOT:-}" ]]; then
  [[ -x "$GODOT" ]] || die "GODOT=$GODOT is not an executable file"
  v=$("$GODOT" --headless --version 2>/dev/null | tail -n1 || true)
  [[ "$v" == 4.* ]] || die "GODOT=$GODOT is not Godot 4 (version: '$v')"
  say "using GODOT=$GODOT ($v)"
  exit 0
fi

if [[ -f "$MARKER" ]]; then
  say "already installed: $(cat "$MARKER")"
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (need Debian/Ubuntu, or set GODOT=/path/to/godot4)"

t0=$(date +%s)
# ---- private apt config ------------------------------------------------------
source ci/private-apt.sh
private_apt_init "$CACHE/apt" "$SUITE" || die "private apt config in $CACHE/apt"

say "apt-get update ($SUITE, private lists in $CACHE/apt)"
apt-get "${APTOPT[@]}" -qq update || die "apt-get update with the private $SUITE config"

ver=$(apt-cache "${APTOPT[@]}" show --no-all-versions godot 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
[[ -n "$ver" ]] || die "package 'godot' not found in $SUITE"
[[ "$ver" == 4.* ]] || die "$SUITE's godot is $ver, not Godot 4"
say "godot $ver"

# ---- closure: libraries only ---------------------------------------------------
mapfile -t closure < <(private_apt_closure godot)
((${#closure[@]})) || die "apt-cache depends --recurse godot gave nothing"
pkgs=(godot)
for p in "${closure[@]}"; do
  [[ "$p" == lib* ]] || continue              # libraries only: no fonts, data, tools
  [[ "$p" =~ $SKIP_RE ]] && continue
  pkgs+=("$p")
done
say "downloading and unpacking ${#pkgs[@]} packages (of ${#closure[@]} in the closure)"
private_apt_unpack "$ROOT" "${pkgs[@]}" || die "the packages of $SUITE's godot into $ROOT"

# ---- check that it starts ----------------------------------------------------------
out=$(GODOT= ci/godot --headless --version 2>&1) || die "godot does not start: $out"
gv=$(printf '%s\n' "$out" | tail -n1)
[[ "$gv" == 4.* ]] || die "godot --version printed '$out'"
echo "godot $ver ($gv) suite=$SUITE installed $(date -u +%FT%TZ)" > "$MARKER"
say "installed Godot $gv into $ROOT in $(( $(date +%s) - t0 ))s"
