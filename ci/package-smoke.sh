#!/usr/bin/env bash
# Installs the packaged addon (ci/package.sh's zip) into a fresh, empty Godot
# project and checks that it loads and works there: a RustWebSocketServer on a
# free port, a RustWebSocketPeer that connects to it, one message each way.
#   ci/package-smoke.sh [path/to/websocket_peer-<version>.zip]
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

source ci/log.sh package-smoke

source ci/package-zip.sh
unpack_package_zip "${1:-}"
project=$unpacked

# A fresh project: the addon and project.godot only.
cat > "$project/project.godot" <<'EOF'
; Engine configuration file.
config_version=5

[application]

config/name="websocket_peer package smoke test"
EOF
# What the editor's first import would write; headless runs need it.
mkdir -p "$project/.godot"
printf '%s\n' "res://addons/websocket_peer/websocket_peer.gdextension" > "$project/.godot/extension_list.cfg"

# Class names go through ClassDB so that a missing extension is a clean
# failure instead of a script parse error.
cat > "$project/smoke.gd" <<'EOF'
extends SceneTree

const TIMEOUT_MS := 10000
var started := 0
var done := false
var server: Object
var client: Object
var reply := ""


func _initialize() -> void:
	started = Time.get_ticks_msec()
	_run.call_deferred()


func _process(_delta: float) -> bool:
	if not done and Time.get_ticks_msec() - started > TIMEOUT_MS:
		_end(false, "timed out")
	return false


func _end(ok: bool, message: String) -> void:
	if done:
		return
	done = true
	print(("SMOKE OK: " if ok else "SMOKE FAILED: ") + message)
	server = null
	client = null
	quit(0 if ok else 1)


func _run() -> void:
	for cls in ["RustWebSocketPeer", "RustWebSocketServer"]:
		if not ClassDB.class_exists(cls):
			return _end(false, "class %s is not registered: the addon did not load" % cls)
	if ClassDB.class_has_method("RustWebSocketPeer", "_test_panic"):
		return _end(false, "the packaged library is a test build")
	if not ClassDB.class_has_enum("RustWebSocketPeer", "State"):
		return _end(false, "enum RustWebSocketPeer.State is missing")

	server = ClassDB.instantiate("RustWebSocketServer")
	client = ClassDB.instantiate("RustWebSocketPeer")
	server.client_connected.connect(_on_client_connected)
	server.data_received.connect(_on_server_data)
	client.connection_established.connect(_on_connected)
	client.connection_error.connect(_on_connection_error)
	client.data_received.connect(_on_client_data)

	var err: int = server.listen(0, PackedStringArray(), "127.0.0.1")
	if err != OK:
		return _end(false, "listen: %s" % server.get_last_error())
	print("server: listening on port %d" % server.get_port())
	err = client.connect_to_url("ws://127.0.0.1:%d/" % server.get_port())
	if err != OK:
		return _end(false, "connect_to_url: %s" % client.get_last_error())
	while reply.is_empty() and not done:
		server.poll()
		client.poll()
		await process_frame
	if done:
		return
	if reply != "echo: hello from the packaged addon":
		return _end(false, "unexpected reply '%s'" % reply)
	client.close()
	while client.get_ready_state() != 3 and not done:  # STATE_CLOSED
		server.poll()
		client.poll()
		await process_frame
	server.stop()
	_end(true, "one message each way through the packaged addon")


func _on_client_connected(id: int, _protocol: String) -> void:
	print("server: client %d connected" % id)


func _on_server_data(id: int) -> void:
	var text: String = server.get_peer(id).get_packet().get_string_from_utf8()
	print("server: got '%s'" % text)
	server.get_peer(id).send_text("echo: " + text)


func _on_connected(_protocol: String) -> void:
	print("client: connected")
	client.send_text("hello from the packaged addon")


func _on_client_data() -> void:
	reply = client.get_packet().get_string_from_utf8()
	print("client: got '%s'" % reply)


func _on_connection_error(reason: String) -> void:
	_end(false, "connection_error: " + reason)
EOF

say "running a smoke scene in a fresh project with $(basename "$zip_path")"
set +e
timeout --kill-after=10 60 ci/godot --headless --path "$project" -s res://smoke.gd </dev/null >"$project/smoke.log" 2>&1
rc=$?
set -e
sed 's/^/[package-smoke]   /' "$project/smoke.log"
(( rc == 0 )) || die "godot exited with $rc"
grep -q "^SMOKE OK" "$project/smoke.log" || die "no SMOKE OK line"
if grep -qE "^(ERROR|SCRIPT ERROR):" "$project/smoke.log"; then
  die "errors were logged"
fi
say "ok"
