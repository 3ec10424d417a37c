#!/usr/bin/env bash
# Tests that the addon zip's Linux library loads on an older distribution:
#   ci/test-linux-portability.sh [path/to/websocket_peer-<version>.zip]
# 1. ci/check-linux-so.sh on the shipped .so: no glibc symbol newer than 2.28,
#    no system OpenSSL among its NEEDED libraries, the entry point exported.
# 2. It loads in a Debian 11 bullseye userland (glibc 2.31, no libssl.so.3;
#    ci/bullseye-root.sh): ci/portability/dlopen_check.c, linked for glibc
#    2.28 by zig, runs in a chroot of that root and dlopen()s the library with
#    RTLD_NOW (every symbol resolved at once), then finds gdext_rust_init.
#    As a control, the everyday host build (system OpenSSL 3, this machine's
#    glibc) must fail to load there, or the chroot proves nothing.
# What this does not prove: that Godot runs the library there (no Godot for
# bullseye here; ci/package-smoke.sh runs the same file in Godot 4.6 on this
# machine), that TLS finds bullseye's CA store, or anything about glibc < 2.31.
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh linux-portability

source ci/package-zip.sh
unpack_package_zip "${1:-}"
so="$unpacked/addons/websocket_peer/bin/libwebsocket_peer.so"

say "1. ELF headers of $(basename "$zip_path"):addons/websocket_peer/bin/libwebsocket_peer.so"
bash ci/check-linux-so.sh "$so" 2.28

say "2. loading it in Debian bullseye"
bash ci/bullseye-root.sh
bash ci/toolchain-zig.sh >/dev/null
ROOT=.cache/bullseye/root
inside=/wsp-portability
rm -rf "${ROOT:?}$inside"
mkdir -p "$ROOT$inside"
trap 'rm -rf "$unpacked" "${ROOT:?}$inside"' EXIT
ZIG_GLOBAL_CACHE_DIR="$PWD/.cache/zig-cache" ZIG_LOCAL_CACHE_DIR="$PWD/.cache/zig-cache" \
  .cache/zig-venv/bin/python -m ziglang cc -target x86_64-linux-gnu.2.28 -O2 \
  -o "$ROOT$inside/dlopen_check" ci/portability/dlopen_check.c -ldl \
  || die "zig cc ci/portability/dlopen_check.c"
cp "$so" "$ROOT$inside/libwebsocket_peer.so"

ldd_version=$(chroot "$ROOT" /usr/bin/ldd --version) || die "ldd does not run in the bullseye chroot"
say "   ${ldd_version%%$'\n'*}"
chroot "$ROOT" /usr/bin/ldd "$inside/libwebsocket_peer.so" | sed 's/^/[linux-portability]     /'
out=$(chroot "$ROOT" "$inside/dlopen_check" "$inside/libwebsocket_peer.so" 2>&1) \
  || die "the shipped library does not load in bullseye: $out"
say "   $out"

host=target/release/libwebsocket_peer.so
if [[ -f "$host" ]] && ! bash ci/check-linux-so.sh "$host" 2.31 >/dev/null 2>&1; then
  cp "$host" "$ROOT$inside/host.so"
  if out=$(chroot "$ROOT" "$inside/dlopen_check" "$inside/host.so" 2>&1); then
    die "control: the host build ($host), which needs a newer glibc or libssl.so.3, loaded in bullseye too: the chroot does not isolate"
  fi
  say "   control: the host build fails there as it should: $out"
else
  say "   control skipped: no host build at $host that needs more than bullseye has"
fi
say "ok"
