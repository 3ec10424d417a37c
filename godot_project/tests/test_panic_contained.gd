extends "res://tests/harness/test_case.gd"
## A Rust panic inside a call from Godot is logged as an error, closes only
## that peer, and the engine keeps running (test builds inject the panics).


var server := RustWebSocketServer.new()


func run_test() -> void:
	if not check(RustWebSocketPeer.new().has_method("_test_inject_panic"), "built with test hooks (WSP_TEST_HOOKS=1 ci/build.sh)"):
		return
	allow_errors("panic")
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var gone := []
	server.client_disconnected.connect(func(id, clean): gone.append([id, clean]))

	var victim := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(victim)
	var bystander := RustWebSocketPeer.new()
	for p in [victim, bystander]:
		p.connect_to_url("ws://127.0.0.1:%d" % server.get_port())
	await wait_until(func(): victim.poll(); bystander.poll(); server.poll(); return victim.is_connected_to_host() and bystander.is_connected_to_host(), 5.0, "both open")

	# A panic in a plain method call is caught and logged.
	victim._test_panic()
	check(true, "the engine survived a panic in a method call")

	# A panic inside poll() closes that peer with a reason.
	expect_errors("internal error (Rust panic) in poll", 1)
	victim._test_inject_panic()
	victim.poll()
	check_eq(victim.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "the peer is closed")
	check(victim.get_last_error().contains("internal error"), "reason: " + victim.get_last_error())
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(log.args_of("connection_closed"), [false], "not clean")
	await wait_until(func(): bystander.poll(); server.poll(); return gone.size() == 1, 5.0, "the server sees the victim go")

	# Everything else keeps working.
	bystander.send_text("still here")
	var got := []
	server.data_received.connect(func(id): got.append(server.get_peer(id).get_packet().get_string_from_utf8()))
	await wait_until(func(): bystander.poll(); server.poll(); return got.size() == 1, 5.0, "the other peer is served")
	check_eq(got, ["still here"], "message from the other peer")
	var fresh := RustWebSocketPeer.new()
	check_eq(fresh.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "a new peer can connect")
	await wait_until(func(): fresh.poll(); server.poll(); return fresh.is_connected_to_host(), 5.0, "and opens")
