extends "res://tests/harness/test_case.gd"
## The close handshake with Godot's built-in server, started by each side:
## code and reason arrive on both ends, each signal fires exactly once, and
## messages received before the close stay readable after it.

const BuiltinServer := preload("res://tests/support/builtin_server.gd")

var server := BuiltinServer.new()


func open_client() -> Array:
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	client.connect_to_url(server.url())
	var before := server.peers.size()
	await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host() and server.peers.size() > before and server.peers.back().get_ready_state() == WebSocketPeer.STATE_OPEN, 5.0, "open")
	return [client, log, server.peers.back()]


func run_test() -> void:
	check_eq(server.start(), OK, "listen")

	# Our client closes.
	var c = await open_client()
	var client: RustWebSocketPeer = c[0]
	var log = c[1]
	var srv: WebSocketPeer = c[2]
	check_eq(client.close(4001, "client bye"), OK, "close()")
	check_eq(client.get_ready_state(), RustWebSocketPeer.STATE_CLOSING, "closing")
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and srv.get_ready_state() == WebSocketPeer.STATE_CLOSED, 5.0, "both closed")
	check_eq(srv.get_close_code(), 4001, "built-in server got our code")
	check_eq(srv.get_close_reason(), "client bye", "built-in server got our reason")
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(log.args_of("connection_closed"), [true], "clean close")
	check_eq(log.count("server_close_request"), 0, "no server_close_request when we close")
	check_eq(client.get_close_code(), 4001, "close code echoed")
	await wait_frames(5)
	client.poll()
	check_eq(log.count("connection_closed"), 1, "still once after more polls")

	# The built-in server closes, after sending a message we have not read yet.
	c = await open_client()
	client = c[0]
	log = c[1]
	srv = c[2]
	srv.send_text("before close")
	srv.close(4002, "server bye")
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "client closed")
	check_eq(log.count("server_close_request"), 1, "server_close_request once")
	check_eq(log.args_of("server_close_request"), [4002, "server bye"], "code and reason")
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(log.args_of("connection_closed"), [true], "clean close")
	check_eq(client.get_close_code(), 4002, "get_close_code")
	check_eq(client.get_close_reason(), "server bye", "get_close_reason")
	check_eq(client.get_available_packet_count(), 1, "message kept after close")
	check_eq(client.get_packet().get_string_from_utf8(), "before close", "and readable")

	# Close arguments that may not be sent change nothing.
	c = await open_client()
	client = c[0]
	expect_errors("close reason", 1)
	expect_errors("close code", 4)
	check_eq(client.close(1000, "x".repeat(123)), ERR_INVALID_PARAMETER, "reason of 123 bytes refused")
	for code in [999, 1005, 1006, 5000]:
		check_eq(client.close(code), ERR_INVALID_PARAMETER, "code %d refused" % code)
	check_eq(client.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "still open")
	check(client.get_last_error().contains("close code"), "last error says why")
	client.close()
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	server.stop()
