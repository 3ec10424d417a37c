extends "res://tests/harness/server_case.gd"
## A message that arrives during stop() fires data_received while its peer is
## still listed: the handler can get_peer(id) and read it, and the peer's
## client_disconnected follows, once.


var seen: Array = []


func run_test() -> void:
	server.data_received.connect(func(id):
		var listed := server.has_peer(id)
		var text := server.get_peer(id).get_packet().get_string_from_utf8() if listed else ""
		seen.append([listed, text, slog.count_for("client_disconnected", id)]))
	var url := listen_loopback()
	var client := RustWebSocketPeer.new()
	check_eq(client.connect_to_url(url), OK, "connect")
	await wait_until(func(): server.poll(); client.poll(); return client.get_ready_state() == 1 \
			and slog.count("client_connected") == 1, 5.0, "open")
	var id := slog.last_connected_id()
	check_eq(client.send_text("last words"), OK, "send")
	client.poll()
	# On the server's socket now, read by the poll inside stop().
	await wait_seconds(0.1)
	server.stop()
	check_eq(seen.size(), 1, "data_received fired inside stop()")
	if seen.size() == 1:
		check(seen[0][0], "the peer was still listed")
		check_eq(seen[0][1], "last words", "the message was readable")
		check_eq(seen[0][2], 0, "before its client_disconnected")
	check_eq(slog.count_for("client_disconnected", id), 1, "client_disconnected once")
	check(not server.has_peer(id), "not listed after stop()")
	check_eq(server.get_peer_ids().size(), 0, "no peers after stop()")
