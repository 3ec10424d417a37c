#!/usr/bin/env bash
# Builds the Rust extension and lays out the drop-in addon in godot_project:
#   ci/build.sh [release|debug]      (default: release)
# WSP_TEST_HOOKS=1 builds with the `test-hooks` feature (RustWebSocketPeer._test_panic()).
# Outputs (git-ignored): godot_project/addons/websocket_peer/{bin/libwebsocket_peer.so,
# websocket_peer.gdextension} and godot_project/.godot/extension_list.cfg.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-release}"
args=()
case "$profile" in
  release) args+=(--release) ;;
  debug) ;;
  *) echo "usage: ci/build.sh [release|debug]" >&2; exit 2 ;;
esac
if [[ "${WSP_TEST_HOOKS:-0}" == 1 ]]; then
  args+=(--features test-hooks)
fi

echo "[build] cargo build ${args[*]}"
cargo build "${args[@]}"

lib="target/$profile/libwebsocket_peer.so"
[[ -f "$lib" ]] || { echo "[build] FAILED: $lib not found" >&2; exit 1; }

addon=godot_project/addons/websocket_peer
mkdir -p "$addon/bin" godot_project/.godot
# Copy to a temp name then rename: a running Godot keeps its mapping of the old file.
cp "$lib" "$addon/bin/.libwebsocket_peer.so.tmp"
mv -f "$addon/bin/.libwebsocket_peer.so.tmp" "$addon/bin/libwebsocket_peer.so"
cp websocket_peer.gdextension "$addon/websocket_peer.gdextension"
# Without an import step Godot only loads extensions listed here.
printf '%s\n' "res://addons/websocket_peer/websocket_peer.gdextension" > godot_project/.godot/extension_list.cfg
echo "[build] $addon/bin/libwebsocket_peer.so ($profile${WSP_TEST_HOOKS:+, WSP_TEST_HOOKS=$WSP_TEST_HOOKS})"
