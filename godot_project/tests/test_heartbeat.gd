extends "res://tests/harness/test_case.gd"
## heartbeat_interval: an answering peer keeps the connection and yields an
## RTT; a peer that stops answering is closed with a reason within two
## intervals.


var server := RustWebSocketServer.new()


func run_test() -> void:
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	client.heartbeat_interval = 0.2
	check_eq(client.heartbeat_interval, 0.2, "property set")
	check_eq(client.get_heartbeat_rtt(), -1.0, "no RTT before any ping")
	check_eq(client.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "connect")
	await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host(), 5.0, "open")

	# The server keeps polling, so pings are answered.
	await wait_until(func(): client.poll(); server.poll(); return client.get_heartbeat_rtt() >= 0.0, 3.0, "an RTT is measured")
	await wait_seconds(0.8)
	check(client.is_connected_to_host(), "an answering peer stays connected")

	# The server stops polling: pings go unanswered.
	var started := Time.get_ticks_msec()
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 3.0, "silent peer closed")
	check(client.get_last_error().contains("heartbeat"), "reason: " + client.get_last_error())
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(log.args_of("connection_closed"), [false], "not a clean close")
	check_eq(client.get_close_code(), -1, "close code -1")
	log_info("closed %d ms after the server went silent" % (Time.get_ticks_msec() - started))
	server.stop()
