extends "res://tests/harness/test_case.gd"
## Server errors return the right code and say why: a port in use, a bad bind
## address or port, listening twice, unknown peer ids. Binding: "*" takes IPv4
## and IPv6 clients, "::1" takes IPv6 ones (where the machine has IPv6 loopback).


## Connects a client to url, exchanges a message and closes; returns
## [id, the peer's address as the server saw it], or [0, ""].
func connect_one(server: RustWebSocketServer, url: String, what: String) -> Array:
	var slog: SignalLog = SignalLog.watching(server, SignalLog.SERVER_SIGNALS)
	var client := RustWebSocketPeer.new()
	check_eq(client.connect_to_url(url), OK, "%s: connect_to_url" % what)
	var ok := await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host() and slog.count("client_connected") == 1, 5.0, "%s: open" % what)
	if not ok:
		return [0, ""]
	var id := slog.last_connected_id()
	var address := server.get_peer_address(id)
	client.send_text("ping")
	await wait_until(func(): client.poll(); server.poll(); return server.get_peer(id).get_available_packet_count() == 1, 5.0, "%s: message arrives" % what)
	client.close()
	await wait_until(func(): client.poll(); server.poll(); return slog.count("client_disconnected") == 1, 5.0, "%s: closes" % what)
	return [id, address]


func run_test() -> void:
	# A port in use, on the same address and on every address.
	var first := RustWebSocketServer.new()
	check_eq(first.listen(0, [], "127.0.0.1"), OK, "first server listens")
	var port := first.get_port()
	var second := RustWebSocketServer.new()
	expect_errors("is already in use", 2)
	check_eq(second.listen(port, [], "127.0.0.1"), ERR_ALREADY_IN_USE, "same port and address: in use")
	check(second.get_last_error().contains(str(port)), "reason names the port: %s" % second.get_last_error())
	check(not second.is_listening(), "not listening after the failure")
	var tcp := TCPServer.new()
	check_eq(tcp.listen(0, "*"), OK, "built-in TCPServer takes a port on every address")
	check_eq(second.listen(tcp.get_local_port()), ERR_ALREADY_IN_USE, "port taken by TCPServer: in use")
	check(second.get_last_error().contains(str(tcp.get_local_port())), "reason names that port")
	tcp.stop()

	# Listening twice.
	expect_errors("already listening", 1)
	check_eq(first.listen(0), ERR_ALREADY_IN_USE, "listen() while listening")
	check(first.get_last_error().contains("stop()"), "reason says to stop() first")
	check_eq(first.get_port(), port, "still on its port")

	# Bad arguments.
	expect_errors("is not an IP address", 1)
	check_eq(second.listen(0, [], "not-an-ip"), ERR_INVALID_PARAMETER, "bad bind address")
	check(second.get_last_error().contains("not-an-ip"), "reason names the address")
	expect_errors("is not in 0-65535", 2)
	check_eq(second.listen(70000), ERR_INVALID_PARAMETER, "port too large")
	check_eq(second.listen(-1), ERR_INVALID_PARAMETER, "negative port")
	check(not second.is_listening(), "still not listening")

	# Unknown peers.
	expect_errors("no peer with id 12345", 4)
	check(first.get_peer(12345) == null, "get_peer of an unknown id is null")
	check(first.get_last_error().contains("12345"), "reason names the id")
	check_eq(first.disconnect_peer(12345), ERR_DOES_NOT_EXIST, "disconnect_peer of an unknown id")
	check_eq(first.get_peer_address(12345), "", "get_peer_address of an unknown id")
	check_eq(first.get_peer_port(12345), 0, "get_peer_port of an unknown id")
	check(not first.has_peer(12345), "has_peer of an unknown id (no error)")
	first.stop()

	# "*" serves IPv4 (and IPv6 where there is IPv6 loopback).
	var ipv6 := TCPServer.new().listen(0, "::1") == OK
	if not ipv6:
		log_info("no IPv6 loopback here: IPv6 binding not checked")
	var any := RustWebSocketServer.new()
	check_eq(any.listen(0), OK, "listen on *")
	var r := await connect_one(any, "ws://127.0.0.1:%d/" % any.get_port(), "IPv4 client on *")
	check_eq(r[1], "127.0.0.1", "IPv4 client served on *, address without the ::ffff: prefix")
	if ipv6:
		r = await connect_one(any, "ws://[::1]:%d/" % any.get_port(), "IPv6 client on *")
		check_eq(r[1], "::1", "IPv6 client served on *")
	any.stop()
	if ipv6:
		var v6 := RustWebSocketServer.new()
		check_eq(v6.listen(0, [], "::1"), OK, "listen on ::1")
		r = await connect_one(v6, "ws://[::1]:%d/" % v6.get_port(), "IPv6 client on ::1")
		check_eq(r[1], "::1", "IPv6 client served on ::1")
		v6.stop()
