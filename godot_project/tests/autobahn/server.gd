extends SceneTree
## Autobahn|Testsuite echo server: a RustWebSocketServer on a port the OS picks
## that echoes every message, for `wstest -m fuzzingclient`.
##   ci/godot --headless --path godot_project -s res://tests/autobahn/server.gd
## Prints `LISTENING <port>` once it listens (ci/autobahn.sh reads it), then
## serves until ci/autobahn.sh ends the process.

const Echo := preload("res://tests/autobahn/echo.gd")


func _initialize() -> void:
	var server := RustWebSocketServer.new()
	if server.listen(0, PackedStringArray(), "127.0.0.1") != OK:
		printerr("autobahn server: listen failed: %s" % server.get_last_error())
		quit(1)
		return
	print("LISTENING %d" % server.get_port())
	while true:
		server.poll()
		var busy := false
		for id in server.get_peer_ids():
			var peer := server.get_peer(id)
			Echo.echo_all(peer)
			busy = busy or peer.get_current_outbound_buffered_amount() > 0
		if not busy:
			OS.delay_usec(200)
