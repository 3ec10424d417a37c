#!/usr/bin/env bash
# Cross-builds the shipping Windows x86_64 library:
#   target/x86_64-pc-windows-gnu/release/websocket_peer.dll
# with the toolchain of ci/toolchain-windows.sh (nightly compiling std from
# Debian's rust-src, MinGW-w64's linker), release profile, no test hooks.
# TLS is schannel, Windows' own.
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh build-windows

bash ci/toolchain-windows.sh
source ci/windows-env.sh

say "cargo build --release --target $WIN_TRIPLE ${WIN_BUILD_STD[*]}"
"$WIN_CARGO" build --release --target "$WIN_TRIPLE" "${WIN_BUILD_STD[@]}" \
  || die "cargo build for $WIN_TRIPLE (see the compiler output above)"
dll="target/$WIN_TRIPLE/release/websocket_peer.dll"
[[ -f "$dll" ]] || die "$dll not found after the build"
