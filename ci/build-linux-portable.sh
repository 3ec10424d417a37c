#!/usr/bin/env bash
# Builds the shipping Linux x86_64 library that loads on older distributions:
#   target/x86_64-unknown-linux-gnu/release/libwebsocket_peer.so
# - linked by zig against glibc 2.28's symbol set (cargo-zigbuild target
#   x86_64-unknown-linux-gnu.2.28): Debian 10+, Ubuntu 18.10+, RHEL 8+, Steam
#   Runtime 3;
# - OpenSSL compiled from the openssl-src crate and linked in (our
#   `vendored-tls` feature), so no libssl/libcrypto of the system is needed;
#   certificates still come from the system's CA store (openssl-probe).
# Release profile, without test hooks. Its own target/<triple>/ folder keeps
# it apart from the everyday host build in target/release.
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh build-linux-portable

GLIBC="${WSP_LINUX_GLIBC:-2.28}"
triple=x86_64-unknown-linux-gnu

bash ci/toolchain-zig.sh
# cargo-zigbuild finds zig through this Python; both caches stay in .cache.
export CARGO_ZIGBUILD_PYTHON_PATH="$PWD/.cache/zig-venv/bin/python"
export CARGO_ZIGBUILD_CACHE_DIR="$PWD/.cache/zigbuild"
export ZIG_GLOBAL_CACHE_DIR="$PWD/.cache/zig-cache"
export ZIG_LOCAL_CACHE_DIR="$PWD/.cache/zig-cache"

say "cargo zigbuild --release --features vendored-tls --target $triple.$GLIBC"
cargo zigbuild --release --features vendored-tls --target "$triple.$GLIBC" \
  || die "cargo zigbuild for $triple.$GLIBC (see the compiler output above)"
lib="target/$triple/release/libwebsocket_peer.so"
[[ -f "$lib" ]] || die "$lib not found after the build"
