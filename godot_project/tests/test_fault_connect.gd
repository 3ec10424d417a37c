extends "res://tests/harness/test_case.gd"
## Connection faults: malformed URLs are refused at once with a reason; an
## unresolvable host and a server that never answers end in connection_error,
## without poll() waiting on the network.


func run_test() -> void:
	var client := RustWebSocketPeer.new()
	var bad := ["", "http://x", "ws://", "ws://h:99999", "ws://[::1", "ws://a b/", "ws://hé.example/"]
	expect_errors("invalid URL", bad.size())
	for url in bad:
		check_eq(client.connect_to_url(url), ERR_INVALID_PARAMETER, "refused: \"%s\"" % url)
		check(client.get_last_error().begins_with("invalid URL"), "reason for \"%s\": %s" % [url, client.get_last_error()])
		check_eq(client.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "still closed after \"%s\"" % url)

	# Name resolution happens off the game thread; the failure arrives as a signal.
	var log: SignalLog = SignalLog.watching(client)
	client.handshake_timeout = 10.0
	check_eq(client.connect_to_url("ws://nonexistent.invalid:80/"), OK, "unresolvable host is not a URL error")
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 12.0, "resolution fails")
	check_eq(log.count("connection_error"), 1, "connection_error once")
	check(client.get_last_error().contains("resolve"), "reason: " + client.get_last_error())

	# A server that accepts TCP and never answers the upgrade.
	var silent := TCPServer.new()
	silent.listen(0, "127.0.0.1")
	var held := []
	var log2 := SignalLog.new()
	var client2 := RustWebSocketPeer.new()
	log2.watch(client2, SignalLog.PEER_SIGNALS)
	client2.handshake_timeout = 0.5
	check_eq(client2.connect_to_url("ws://127.0.0.1:%d/" % silent.get_local_port()), OK, "connect to silent server")
	await wait_until(func():
		if silent.is_connection_available():
			held.append(silent.take_connection())
		client2.poll()
		return client2.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "handshake times out")
	check_eq(held.size(), 1, "the TCP connection was made")
	check_eq(log2.count("connection_error"), 1, "connection_error once")
	check(client2.get_last_error().contains("timed out"), "reason: " + client2.get_last_error())
	check_eq(log2.count("connection_established") + log2.count("connection_closed"), 0, "no other signal")
	silent.stop()
