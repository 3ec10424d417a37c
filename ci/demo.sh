#!/usr/bin/env bash
# The demo, from a fresh checkout:
#   install Godot + build deps -> build the addon (shipping build) ->
#   run the chat demo headless (a server and two clients chat, then close) ->
#   run the multiplayer demo headless (a host and three clients play: spawns,
#   synchronized positions, RPCs, leaving), checking what it prints.
# The interactive version: open godot_project in the Godot editor and run
# examples/chat_demo.tscn (server and two clients side by side), or
# examples/chat_server.tscn and examples/chat_client.tscn on their own; and
# examples/multiplayer/multiplayer_demo.tscn in two or more windows (Host in
# one, Join in the others).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "=== [demo] installing Godot and the build dependencies"
bash ci/install-godot.sh
echo "=== [demo] building the addon"
bash ci/build.sh release
echo "=== [demo] running examples/chat_headless.gd"
timeout --kill-after=10 90 ci/godot --headless --path godot_project \
  -s res://examples/chat_headless.gd </dev/null
echo "=== [demo] running examples/multiplayer/multiplayer_headless.gd"
bash ci/multiplayer-demo.sh
