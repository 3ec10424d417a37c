#!/usr/bin/env bash
# Builds the drop-in addon for game projects:
#   dist/websocket_peer-<version>.zip   (version from Cargo.toml)
# containing
#   addons/websocket_peer/websocket_peer.gdextension   the manifest (all platforms)
#   addons/websocket_peer/bin/libwebsocket_peer.so     Linux x86_64, glibc >= 2.28,
#                                                      OpenSSL linked in
#   addons/websocket_peer/bin/websocket_peer.dll       Windows x86_64 (10 and newer)
#   addons/websocket_peer/LICENSE, README.md
# Both libraries are cross-built here, stripped and checked:
#   ci/build-linux-portable.sh + ci/check-linux-so.sh
#   ci/build-windows.sh        + ci/check-windows-dll.sh
# The manifest also names the macOS library, which a build on a Mac adds to
# bin/ (README, "Platforms").
#
# Shipping builds: release profile without the test-hooks feature. Each goes
# to its own target/<triple>/ folder, so target/release, where the tests
# build, is left alone. It never touches godot_project/addons.
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh package

source ci/package-zip.sh
zip_path=$(package_zip_path) || die "no version in Cargo.toml"
manifest=websocket_peer.gdextension
for key in linux.debug.x86_64 linux.release.x86_64 windows.debug.x86_64 \
           windows.release.x86_64 macos.debug macos.release; do
  grep -q "^$key[[:space:]]*=" "$manifest" || die "$manifest lacks $key"
done
[[ -f LICENSE ]] || die "LICENSE missing"
addon_readme=godot_project/addons/websocket_peer/README.md
[[ -f "$addon_readme" ]] || die "$addon_readme missing"

linux_lib=target/x86_64-unknown-linux-gnu/release/libwebsocket_peer.so
windows_dll=target/x86_64-pc-windows-gnu/release/websocket_peer.dll
bash ci/build-linux-portable.sh
bash ci/build-windows.sh
for lib in "$linux_lib" "$windows_dll"; do
  [[ -f "$lib" ]] || die "$lib not found"
  # The test-only method must not ship.
  if grep -q "_test_panic" "$lib"; then
    die "$lib contains the test hooks; it must be built without --features test-hooks"
  fi
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
addon="$stage/addons/websocket_peer"
mkdir -p "$addon/bin"
cp "$manifest" "$addon/"
strip --strip-unneeded -o "$addon/bin/libwebsocket_peer.so" "$linux_lib"
x86_64-w64-mingw32-strip --strip-unneeded -o "$addon/bin/websocket_peer.dll" "$windows_dll"
cp LICENSE "$addon/LICENSE"
cp "$addon_readme" "$addon/README.md"
# What ships is what gets checked: stripped, as in the zip.
bash ci/check-linux-so.sh "$addon/bin/libwebsocket_peer.so" 2.28
bash ci/check-windows-dll.sh "$addon/bin/websocket_peer.dll"

mkdir -p dist
rm -f "$zip_path"
(cd "$stage" && zip -q -r -X "$OLDPWD/$zip_path" addons)
say "$zip_path ($(du -h "$zip_path" | cut -f1); stripped: Linux $(du -h "$addon/bin/libwebsocket_peer.so" | cut -f1), Windows $(du -h "$addon/bin/websocket_peer.dll" | cut -f1))"
unzip -l "$zip_path" | sed 's/^/[package]   /'
