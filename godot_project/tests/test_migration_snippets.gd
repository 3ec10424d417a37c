extends "res://tests/harness/test_case.gd"
## Runs every addon-side snippet of docs/MIGRATION.md (the files in
## res://tests/migration/) against a local server, and checks that each code
## block marked `<!-- snippet: tests/migration/x.gd -->` in the document is
## exactly that file, so the guide cannot drift from code that works.

const SNIPPET_DIR := "res://tests/migration/"
const ClientSignals := preload("res://tests/migration/client_signals.gd")
const ServerSignals := preload("res://tests/migration/server_signals.gd")
const PollLoop := preload("res://tests/migration/poll_loop.gd")
const Errors := preload("res://tests/migration/errors.gd")
const Settings := preload("res://tests/migration/settings.gd")
const MultiplayerLobby := preload("res://tests/migration/multiplayer_lobby.gd")


func _init() -> void:
	timeout_seconds = 60.0


func run_test() -> void:
	check_doc_matches_snippets()

	var server = ServerSignals.new()
	add_child(server)
	check_eq(server.start(0), OK, "server_signals.gd listens")
	var url := "ws://127.0.0.1:%d/" % server.server.get_port()

	# Godot 3 WebSocketClient -> RustWebSocketPeer with signals; the server echoes.
	var client = ClientSignals.new()
	add_child(client)
	check_eq(client.start(url), OK, "client_signals.gd connects")
	await wait_until(func(): return client.received.has("hello"), 5.0, "the echo of 'hello' arrives")
	check(client.client.was_string_packet(), "echoed as text")
	client.client.close(1000, "done")
	await wait_until(func(): return client.client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "client closed")
	check_eq(client.client.get_close_code(), 1000, "clean close code")
	await wait_until(func(): return server.server.get_peer_ids().is_empty(), 5.0, "server dropped the client")

	# Godot 4 built-in poll loop -> RustWebSocketPeer: messages sent just before
	# the server closes are still read once the state is CLOSED.
	var loop = PollLoop.new()
	add_child(loop)
	check_eq(loop.start(url), OK, "poll_loop.gd connects")
	await wait_until(func(): return loop.socket.get_ready_state() == RustWebSocketPeer.STATE_OPEN \
			and server.server.get_peer_ids().size() == 1, 5.0, "poll loop open")
	var id: int = server.server.get_peer_ids()[0]
	var peer: RustWebSocketPeer = server.server.get_peer(id)
	check_eq(peer.send_text("first"), OK, "server sends first")
	check_eq(peer.send_text("second"), OK, "server sends second")
	check_eq(server.server.disconnect_peer(id, 4000, "round over"), OK, "server closes")
	await wait_until(func(): return not loop.is_processing(), 5.0, "poll loop saw CLOSED")
	check_eq(loop.received, PackedStringArray(["first", "second"]), "both messages read")
	check_eq(loop.socket.get_close_code(), 4000, "close code")
	check_eq(loop.socket.get_close_reason(), "round over", "close reason")

	# Errors: a malformed URL fails at once with a reason.
	var bad := RustWebSocketPeer.new()
	expect_errors("invalid URL", 1)
	check_eq(Errors.connect_checked(bad, "ws://[::1"), ERR_INVALID_PARAMETER, "malformed URL refused")
	check(bad.get_last_error().contains("IPv6"), "reason: " + bad.get_last_error())
	# An unreachable server: connection_error with the reason.
	var refused = ClientSignals.new()
	add_child(refused)
	var errors := []
	refused.client.connection_error.connect(func(reason): errors.append(reason))
	check_eq(refused.start("ws://127.0.0.1:%d/" % free_port()), OK, "connect_to_url returns OK")
	await wait_until(func(): return errors.size() == 1, 5.0, "connection_error")
	check(String(errors[0]).contains("refused"), "reason: %s" % [errors])
	check_eq(refused.client.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "closed after the error")
	# Backpressure: send_or_wait() refuses instead of queueing without limit.
	var sender := RustWebSocketPeer.new()
	sender.outbound_buffer_limit = 64 * 1024
	check_eq(sender.connect_to_url(url), OK, "sender connects")
	await wait_until(func(): sender.poll(); return sender.is_connected_to_host(), 5.0, "sender open")
	var chunk := PackedByteArray()
	chunk.resize(16 * 1024)
	var accepted := 0
	for i in 10:
		if Errors.send_or_wait(sender, chunk):
			accepted += 1
	check(accepted >= 1 and accepted < 10, "some chunks wait (accepted %d of 10)" % accepted)
	check(sender.get_current_outbound_buffered_amount() <= sender.outbound_buffer_limit, "queue within the limit")
	await wait_until(func(): sender.poll(); return sender.get_current_outbound_buffered_amount() == 0, 5.0, "queue drains")
	check(Errors.send_or_wait(sender, chunk), "sends again once drained")
	sender.close()
	await wait_until(func(): sender.poll(); return sender.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "sender closed")

	# Settings: a wss:// server and a client that trusts its certificate.
	# The fixture remakes the occasional self-signed certificate OpenSSL cannot read.
	var key := Fx.make_key()
	var cert := Fx.self_signed(key)
	var tls_server := RustWebSocketServer.new()
	Settings.configure_server(tls_server, key, cert)
	check_eq(tls_server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "wss server listens")
	var tls_client := RustWebSocketPeer.new()
	Settings.configure_client(tls_client, cert)
	check_eq(tls_client.max_message_size, 1 << 20, "max_message_size set")
	check_eq(tls_client.heartbeat_interval, 15.0, "heartbeat_interval set")
	check_eq(tls_client.connect_to_url("wss://localhost:%d/" % tls_server.get_port()), OK, "wss connect")
	await wait_until(func(): tls_server.poll(); tls_client.poll(); return tls_client.is_connected_to_host(), 10.0, "wss open")
	check_eq(tls_server.get_peer_ids().size(), 1, "the wss server has the client")
	tls_client.close()
	await wait_until(func(): tls_server.poll(); tls_client.poll(); return tls_client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "wss closed")
	tls_server.stop()
	server.server.stop()

	await check_multiplayer_lobby()


## The WebSocketMultiplayerPeer snippet: a host and two clients, each the root
## of its own SceneMultiplayer, join and hear each other's RPCs.
func check_multiplayer_lobby() -> void:
	var lobbies := []
	for label in ["LobbyHost", "LobbyA", "LobbyB"]:
		var lobby = MultiplayerLobby.new()
		lobby.name = label
		get_tree().set_multiplayer(SceneMultiplayer.new(), NodePath("%s/%s" % [get_path(), label]))
		add_child(lobby)
		lobbies.append(lobby)
	var lobby_host = lobbies[0]
	var port := free_port()
	check_eq(lobby_host.host(port), OK, "multiplayer_lobby.gd hosts")
	check_eq(lobbies[1].join("ws://127.0.0.1:%d" % port), OK, "first client joins")
	check_eq(lobbies[2].join("ws://127.0.0.1:%d" % port), OK, "second client joins")
	# Connected, and each client told of the other by the server (an RPC to
	# everyone reaches only the peers its sender knows of).
	var connected := func() -> bool:
		for lobby in lobbies:
			if lobby.multiplayer.multiplayer_peer.get_connection_status() != MultiplayerPeer.CONNECTION_CONNECTED \
					or lobby.multiplayer.get_peers().size() != 2:
				return false
		return true
	await wait_until(connected, 10.0, "both clients connected, each knowing the other")
	var a_id: int = lobbies[1].multiplayer.get_unique_id()
	check(a_id >= 2 and a_id != lobbies[2].multiplayer.get_unique_id(), "distinct client ids")
	lobbies[1].say.rpc("hi")
	lobby_host.say.rpc("welcome")
	var heard := func() -> bool:
		for lobby in lobbies:
			if not (lobby.chat_log.has("%d: hi" % a_id) and lobby.chat_log.has("1: welcome")):
				return false
		return true
	await wait_until(heard, 10.0, "every peer heard the client's and the host's RPC")
	for lobby in lobbies:
		lobby.multiplayer.multiplayer_peer.close()
		lobby.queue_free()


## Every `<!-- snippet: tests/migration/x.gd -->` marker in docs/MIGRATION.md
## must be followed by a ```gdscript block equal to that file, and every file in
## tests/migration/ must appear in the document.
func check_doc_matches_snippets() -> void:
	var doc_path := ProjectSettings.globalize_path("res://").path_join("../docs/MIGRATION.md").simplify_path()
	var doc := FileAccess.get_file_as_string(doc_path)
	if not check(not doc.is_empty(), "docs/MIGRATION.md is readable at " + doc_path):
		return
	var lines := doc.split("\n")
	var shown := {}
	var i := 0
	while i < lines.size():
		var line := lines[i].strip_edges()
		i += 1
		if not (line.begins_with("<!-- snippet:") and line.ends_with("-->")):
			continue
		var rel := line.trim_prefix("<!-- snippet:").trim_suffix("-->").strip_edges()
		while i < lines.size() and lines[i].strip_edges().is_empty():
			i += 1
		if not check(i < lines.size() and lines[i].strip_edges() == "```gdscript", "a ```gdscript block follows the marker for " + rel):
			continue
		i += 1
		var block: PackedStringArray = []
		while i < lines.size() and lines[i].strip_edges() != "```":
			block.append(lines[i])
			i += 1
		i += 1
		var file_path := "res://" + rel
		if not check(FileAccess.file_exists(file_path), "snippet file exists: " + file_path):
			continue
		var expected := FileAccess.get_file_as_string(file_path).strip_edges(false, true)
		var actual := "\n".join(block).strip_edges(false, true)
		if not check_eq(actual == expected, true, "docs/MIGRATION.md block for %s equals the file" % rel):
			_report_first_difference(rel, expected, actual)
		shown[rel] = true
	for file in DirAccess.get_files_at(SNIPPET_DIR):
		if file.ends_with(".gd"):
			check(shown.has("tests/migration/" + file), "docs/MIGRATION.md shows tests/migration/" + file)


func _report_first_difference(rel: String, expected: String, actual: String) -> void:
	var a := expected.split("\n")
	var b := actual.split("\n")
	for n in maxi(a.size(), b.size()):
		var x := a[n] if n < a.size() else "<end of file>"
		var y := b[n] if n < b.size() else "<end of block>"
		if x != y:
			print("  %s line %d differs:\n    file: %s\n    doc:  %s" % [rel, n + 1, x, y])
			return
