#!/usr/bin/env bash
# Makes (once) the Wine prefix that runs the Windows test binaries:
#   .cache/wine/prefix   (WINEPREFIX), with ci/wine/bcryptprimitives.c built by
#                        MinGW-w64 into its system32 (Wine 8 lacks that DLL,
#                        and Rust's std needs its ProcessPrng)
# Installs Debian's wine64 (system apt) if `wine` is missing. Idempotent: a
# marker naming the Wine version and the shim's checksum makes a rerun a
# no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="$PWD/.cache/wine"
PREFIX="$CACHE/prefix"
MARKER="$PREFIX/.wsp-ready"
SHIM_SRC=ci/wine/bcryptprimitives.c

source ci/log.sh wine-prefix

need=()
command -v wine >/dev/null || need+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
if ((${#need[@]})); then
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update (system sources)"
  apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]}"
fi

want="$(wine --version 2>/dev/null); shim $(sha256sum "$SHIM_SRC" | cut -c1-16)"
export WINEPREFIX="$PREFIX" WINEDEBUG=-all
if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$want" ]]; then
  say "ready: $PREFIX ($want)"
  exit 0
fi

t0=$(date +%s)
rm -rf "$PREFIX"
mkdir -p "$CACHE"
say "wineboot --init $PREFIX ($(wine --version))"
# No display here: wineboot would try to start the desktop's windows.
DISPLAY= wineboot --init >"$CACHE/wineboot.log" 2>&1 \
  || die "wineboot --init (log: $CACHE/wineboot.log)"
wineserver -w || true
sys32="$PREFIX/drive_c/windows/system32"
[[ -d "$sys32" ]] || die "$sys32 missing after wineboot (log: $CACHE/wineboot.log)"

say "building bcryptprimitives.dll (ProcessPrng over RtlGenRandom) into $sys32"
x86_64-w64-mingw32-gcc -O2 -shared -static-libgcc -o "$CACHE/bcryptprimitives.dll" "$SHIM_SRC" -ladvapi32 \
  || die "x86_64-w64-mingw32-gcc $SHIM_SRC"
exports=$(x86_64-w64-mingw32-objdump -p "$CACHE/bcryptprimitives.dll") || die "objdump -p $CACHE/bcryptprimitives.dll"
grep -qw ProcessPrng <<<"$exports" || die "the built bcryptprimitives.dll does not export ProcessPrng"
cp "$CACHE/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll"
echo "$want" > "$MARKER"
say "ready: $PREFIX in $(( $(date +%s) - t0 ))s"
