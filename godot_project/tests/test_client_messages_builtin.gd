extends "res://tests/harness/test_case.gd"
## Our client against Godot's built-in WebSocketPeer server: text and binary
## both ways with was_string_packet right, put_var/get_var, data_received once
## per message.

const BuiltinServer := preload("res://tests/support/builtin_server.gd")

var server := BuiltinServer.new()
var client := RustWebSocketPeer.new()
var log := SignalLog.new()


func run_test() -> void:
	pumped = [client, server]
	check_eq(server.start(), OK, "built-in server listens")
	log.watch(client, SignalLog.PEER_SIGNALS)
	check_eq(client.connect_to_url(server.url()), OK, "connect_to_url")
	check_eq(client.get_ready_state(), RustWebSocketPeer.STATE_CONNECTING, "connecting at once")
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_OPEN and server.open_peer() != null, 5.0, "open")
	check_eq(log.count("connection_established"), 1, "connection_established once")
	check_eq(log.args_of("connection_established"), [""], "no subprotocol")
	check(client.is_connected_to_host(), "is_connected_to_host")
	check_eq(client.get_connected_host(), "127.0.0.1", "connected host")
	check_eq(client.get_connected_port(), server.port, "connected port")
	var srv: WebSocketPeer = server.open_peer()

	# Ours -> built-in.
	check_eq(client.send_text("héllo ✓"), OK, "send_text")
	check_eq(client.send("bin".to_utf8_buffer()), OK, "send binary")
	client.set_write_mode(RustWebSocketPeer.WRITE_MODE_TEXT)
	check_eq(client.put_packet("as text".to_utf8_buffer()), OK, "put_packet in text mode")
	client.set_write_mode(RustWebSocketPeer.WRITE_MODE_BINARY)
	check_eq(client.put_var({"a": [1, 2.5, "x"]}), OK, "put_var")
	await wait_until(func(): poll_pumped(); return srv.get_available_packet_count() == 4, 5.0, "4 messages at the built-in server")
	check_eq(srv.get_packet().get_string_from_utf8(), "héllo ✓", "text arrives")
	check(srv.was_string_packet(), "built-in sees text")
	check_eq(srv.get_packet().get_string_from_utf8(), "bin", "binary arrives")
	check(not srv.was_string_packet(), "built-in sees binary")
	check_eq(srv.get_packet().get_string_from_utf8(), "as text", "put_packet text arrives")
	check(srv.was_string_packet(), "write mode TEXT sends text")
	check_eq(srv.get_var(), {"a": [1, 2.5, "x"]}, "put_var arrives")

	# Built-in -> ours.
	srv.send_text("from godot")
	srv.put_packet(PackedByteArray([0, 1, 2, 255]))
	srv.put_var(Vector3(1, 2, 3))
	await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == 3, 5.0, "3 messages at our client")
	check_eq(log.count("data_received"), 3, "data_received once per message")
	check_eq(client.get_packet().get_string_from_utf8(), "from godot", "text arrives")
	check(client.was_string_packet(), "was_string_packet after text")
	check_eq(client.get_packet(), PackedByteArray([0, 1, 2, 255]), "binary arrives")
	check(not client.was_string_packet(), "was_string_packet false after binary")
	check_eq(client.get_var(), Vector3(1, 2, 3), "get_var")
	check_eq(client.get_available_packet_count(), 0, "all taken")
	check_eq(client.get_packet(), PackedByteArray(), "get_packet on empty queue is empty")
	check_eq(client.get_packet_error(), ERR_UNAVAILABLE, "get_packet_error on empty queue")

	# Messages are readable inside the data_received handler.
	var seen := []
	client.data_received.connect(func(): seen.append(client.get_packet().get_string_from_utf8()))
	srv.send_text("in handler")
	await wait_until(func(): poll_pumped(); return seen.size() == 1, 5.0, "handler reads")
	check_eq(seen, ["in handler"], "message readable when data_received fires")
	check_eq(log.count("connection_closed"), 0, "still open")
	client.close()
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	server.stop()
