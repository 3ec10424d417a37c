#!/usr/bin/env bash
# Builds the drop-in addon for game projects:
#   dist/websocket_peer-<version>.zip   (version from Cargo.toml)
# containing
#   addons/websocket_peer/websocket_peer.gdextension   the manifest (all platforms)
#   addons/websocket_peer/bin/libwebsocket_peer.so     Linux x86_64, glibc >= 2.28,
#                                                      OpenSSL linked in
#   addons/websocket_peer/LICENSE, README.md
# The library is cross-built here, stripped and checked:
#   ci/build-linux-portable.sh + ci/check-linux-so.sh
# The manifest also names the Windows and macOS files, which a build on
# those systems adds to bin/.
#
# Shipping build: release profile without the test-hooks feature, in its own
# target/<triple>/ folder, so target/release, where the tests build, is left
# alone. It never touches godot_project/addons.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "[package] $*"; }
die() { echo "[package] FAILED: $*" >&2; exit 1; }

version=$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' Cargo.toml | head -n1)
[[ -n "$version" ]] || die "no version in Cargo.toml"
manifest=websocket_peer.gdextension
for key in linux.debug.x86_64 linux.release.x86_64 windows.debug.x86_64 \
           windows.release.x86_64 macos.debug macos.release; do
  grep -q "^$key[[:space:]]*=" "$manifest" || die "$manifest lacks $key"
done
[[ -f LICENSE ]] || die "LICENSE missing"
addon_readme=godot_project/addons/websocket_peer/README.md
[[ -f "$addon_readme" ]] || die "$addon_readme missing"

linux_lib=target/x86_64-unknown-linux-gnu/release/libwebsocket_peer.so
bash ci/build-linux-portable.sh
for lib in "$linux_lib"; do
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
cp LICENSE "$addon/LICENSE"
cp "$addon_readme" "$addon/README.md"
# What ships is what gets checked: stripped, as in the zip.
bash ci/check-linux-so.sh "$addon/bin/libwebsocket_peer.so" 2.28

mkdir -p dist
zip_path="dist/websocket_peer-$version.zip"
rm -f "$zip_path"
(cd "$stage" && zip -q -r -X "$OLDPWD/$zip_path" addons)
say "$zip_path ($(du -h "$zip_path" | cut -f1); library $(du -h "$addon/bin/libwebsocket_peer.so" | cut -f1) stripped)"
unzip -l "$zip_path" | sed 's/^/[package]   /'
