extends "res://tests/harness/server_case.gd"
## Connection floods past the caps. With max_peers 2, a flood of FLOOD raw
## connections that each send an upgrade request gets "HTTP/1.1 503" answers
## with the reason, get_refused_count() counts every one, no server.poll()
## takes long, and Godot's built-in WebSocketPeer refused the same way ends in
## STATE_CLOSED. With max_pending_handshakes 2, two silent connections fill the
## handshake slots and a third is answered 503 at once; once handshake_timeout
## drops the silent ones, a real client connects again.


const FLOOD := 100
## Generous for a shared 2-core machine: a poll refuses at most 64 connections.
const MAX_POLL_USEC := 100_000

var slowest_poll_usec := 0


func _init() -> void:
	timeout_seconds = 40


func poll_server() -> void:
	var t := Time.get_ticks_usec()
	server.poll()
	slowest_poll_usec = maxi(slowest_poll_usec, Time.get_ticks_usec() - t)


func run_test() -> void:
	server.max_peers = 2
	server.handshake_timeout = 1.0
	var url := listen_loopback()
	var clients: Array[RustWebSocketPeer] = []
	for i in 2:
		var c := RustWebSocketPeer.new()
		check_eq(c.connect_to_url(url), OK, "client %d connects" % i)
		clients.append(c)
	await wait_until(func():
		poll_server()
		for c in clients:
			c.poll()
		return clients.all(func(c): return c.get_ready_state() == 1), 5.0, "two clients open")

	var flood: Array = []
	for i in FLOOD:
		var raw := RawClient.new()
		check_eq(raw.connect_to(server.get_port()), OK, "flood connection %d starts" % i)
		flood.append(raw)
	var builtin := WebSocketPeer.new()
	# Godot's client reports what it got: the 503 instead of a 101.
	expect_errors("Got: '503', expected '101'", 1)
	expect_errors("Invalid response headers", 1)
	check_eq(builtin.connect_to_url(url), OK, "built-in client connects")
	slowest_poll_usec = 0
	await wait_until(func():
		poll_server()
		builtin.poll()
		for raw in flood:
			raw.poll()
			if raw.tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED and not raw.has_meta("asked"):
				raw.set_meta("asked", true)
				raw.send_upgrade()
		return flood.all(func(r): return r.dropped) \
				and builtin.get_ready_state() == WebSocketPeer.STATE_CLOSED, 15.0,
			"the flood refused")
	var answered := flood.filter(func(r): return r.response_head().begins_with("HTTP/1.1 503"))
	check_eq(answered.size(), FLOOD, "every flood connection got a 503")
	check(flood[0].received.get_string_from_utf8().contains("max_peers 2"),
			"the 503 says why: %s" % flood[0].received.get_string_from_utf8())
	check_eq(server.get_refused_count(), FLOOD + 1, "every refusal counted (the flood and the built-in client)")
	check_eq(slog.count("client_connected"), 2, "no refused connection became a client")
	check(clients.all(func(c): return c.get_ready_state() == 1), "the two clients stay open")
	log_info("slowest server.poll() during the flood: %d µs" % slowest_poll_usec)
	check(slowest_poll_usec < MAX_POLL_USEC, "server.poll() stayed short (%d µs)" % slowest_poll_usec)
	server.stop()

	var pending := RustWebSocketServer.new()
	pending.max_pending_handshakes = 2
	pending.handshake_timeout = 1.0
	check_eq(pending.listen(0, PackedStringArray(), "127.0.0.1"), OK, "second server listens")
	var silent: Array = []
	for i in 2:
		var raw := RawClient.new()
		raw.connect_to(pending.get_port())
		silent.append(raw)
	await wait_seconds(0.2)
	pending.poll()
	var extra := RawClient.new()
	extra.connect_to(pending.get_port())
	await wait_until(func():
		pending.poll()
		extra.poll()
		for raw in silent:
			raw.poll()
		return extra.dropped, 5.0, "the connection past max_pending_handshakes dropped")
	check(extra.response_head().begins_with("HTTP/1.1 503"), "answered 503: %s" % extra.received.get_string_from_utf8())
	check(extra.received.get_string_from_utf8().contains("max_pending_handshakes 2"), "the 503 says why")
	check(not silent[0].dropped and not silent[1].dropped, "the silent ones still wait (handshake_timeout not over)")
	check_eq(pending.get_refused_count(), 1, "one refusal counted")
	var late := RustWebSocketPeer.new()
	await wait_until(func():
		pending.poll()
		for raw in silent:
			raw.poll()
		return silent.all(func(r): return r.dropped), 5.0, "handshake_timeout drops the silent ones")
	check_eq(late.connect_to_url("ws://127.0.0.1:%d/" % pending.get_port()), OK, "late client connects")
	await wait_until(func(): pending.poll(); late.poll(); return late.get_ready_state() == 1, 5.0, "a free slot takes a real client")
	pending.stop()
