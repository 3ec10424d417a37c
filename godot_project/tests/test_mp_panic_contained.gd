extends "res://tests/harness/test_case.gd"
## A Rust panic inside RustWebSocketMultiplayerPeer's poll (called by the
## engine) is logged as an error and drops that peer's connections; the
## engine keeps running and other multiplayer peers keep playing (test builds
## inject the panic).


func run_test() -> void:
	if not check(RustWebSocketMultiplayerPeer.new().has_method("_test_inject_panic"), "built with test hooks (WSP_TEST_HOOKS=1 ci/build.sh)"):
		return
	var session := await MpTree.start(self, "bystanders", RustWebSocketMultiplayerPeer.new(),
			[RustWebSocketMultiplayerPeer.new(), WebSocketMultiplayerPeer.new()])
	if session == null:
		return

	# The victim and its built-in client are polled by hand, so the injected
	# panic hits the victim's poll and no other.
	var victim := RustWebSocketMultiplayerPeer.new()
	check_eq(victim.create_server(0, "127.0.0.1"), OK, "victim listens")
	var client := WebSocketMultiplayerPeer.new()
	check_eq(client.create_client("ws://127.0.0.1:%d" % victim.get_port()), OK, "client connects")
	await wait_until(func(): victim.poll(); client.poll(); return client.get_connection_status() == MultiplayerPeer.CONNECTION_CONNECTED,
			5.0, "the victim's client has its id")

	expect_errors("internal error (Rust panic) in poll", 1)
	allow_errors("panic")
	victim._test_inject_panic()
	victim.poll()
	check(true, "the engine survived a panic in an engine virtual")
	check_eq(victim.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "the victim is disconnected")
	check(victim.get_last_error().contains("internal error"), "reason: %s" % victim.get_last_error())
	await wait_until(func(): client.poll(); return client.get_connection_status() == MultiplayerPeer.CONNECTION_DISCONNECTED,
			5.0, "its client sees the connection end")

	# Everything else keeps working.
	var server := session.server
	var a: MpTree.Endpoint = session.clients[0]
	var b: MpTree.Endpoint = session.clients[1]
	a.game.r_reliable.rpc_id(b.id(), "after the panic")
	server.game.r_reliable.rpc("still here")
	await wait_until(func(): return b.game.values_from("reliable", a.id()) == ["after the panic"] \
			and a.game.values_from("reliable", 1) == ["still here"], 5.0, "the other peers keep playing")
	check_eq(victim.create_server(0, "127.0.0.1"), OK, "the victim can start again")
	victim.close()
	await MpTree.stop(self, session.everyone())
