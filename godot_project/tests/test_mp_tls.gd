extends "res://tests/harness/test_case.gd"
## wss:// with Godot 4's TLSOptions: our wss server with a built-in and one of
## our clients, and a built-in wss server with one of ours and a built-in
## client, each client trusting the self-signed certificate through
## TLSOptions.client(cert); the common name override; client_unsafe(); an
## untrusted certificate refused with a reason; client options given to
## create_server (and server options to create_client) refused.


func run_test() -> void:
	timeout_seconds = 90.0
	var key := Fx.make_key()
	var cert := Fx.self_signed(key, "CN=localhost,O=Test,C=US")
	var server_tls := TLSOptions.server(key, cert)
	var trust := TLSOptions.client(cert)

	await MpTree.both_ways(self, rpc_over_wss, 2, "wss", server_tls, trust)

	var port := free_port()
	var server := RustWebSocketMultiplayerPeer.new()
	check_eq(server.create_server(port, "127.0.0.1", server_tls), OK, "wss create_server")
	var server_end := MpTree.add(self, "tls_server", server)

	# The certificate names localhost; the override lets a client dial the IP.
	var by_ip_end := MpTree.join(self, "tls_by_ip", RustWebSocketMultiplayerPeer.new(), "wss://127.0.0.1:%d" % port,
			"create_client by IP with a common name override", TLSOptions.client(cert, "localhost"))
	await wait_until(func(): return by_ip_end.count("connected_to_server") == 1, 10.0,
			"the override makes the certificate's name match")

	var unsafe_end := MpTree.join(self, "tls_unsafe", RustWebSocketMultiplayerPeer.new(), "wss://localhost:%d" % port,
			"create_client with client_unsafe()", TLSOptions.client_unsafe())
	await wait_until(func(): return unsafe_end.count("connected_to_server") == 1, 10.0,
			"client_unsafe() accepts the self-signed certificate")

	# Nobody vouches for the certificate: refused, with the reason.
	expect_errors("RustWebSocketMultiplayerPeer: ", 1)
	var untrusting := RustWebSocketMultiplayerPeer.new()
	var untrusting_end := MpTree.join(self, "tls_untrusting", untrusting, "wss://localhost:%d" % port,
			"create_client with default client options", TLSOptions.client())
	await wait_until(func(): return untrusting_end.count("connection_failed") == 1, 10.0,
			"an untrusted certificate fails the connection")
	var reason := untrusting.get_last_error()
	log_info("untrusted certificate: %s" % reason)
	check(reason.contains("certificate"), "the reason names the certificate: %s" % reason)
	check_eq(untrusting.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "refused client is disconnected")
	check_eq(untrusting_end.count("connected_to_server"), 0, "refused client never connected")
	check_eq(server_end.mp.get_peers().size(), 2, "the server kept exactly the two trusted clients")

	# Options of the wrong side are refused at once.
	expect_errors("TLSOptions.server()", 1)
	expect_errors("TLSOptions.server(key, certificate)", 1)
	var wrong := RustWebSocketMultiplayerPeer.new()
	check_eq(wrong.create_client("wss://localhost:%d" % port, server_tls), ERR_INVALID_PARAMETER,
			"server options for a client")
	check_eq(wrong.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "still disconnected")
	check_eq(wrong.create_server(free_port(), "127.0.0.1", trust), ERR_INVALID_PARAMETER,
			"client options for a server")
	await MpTree.stop(self, [by_ip_end, unsafe_end, untrusting_end, server_end])


func rpc_over_wss(session: MpTree.Session, label: String) -> void:
	var server := session.server
	var clients: Array = session.clients
	server.game.r_reliable.rpc("over tls")
	for c in clients:
		c.game.r_reliable.rpc_id(1, "from %d" % c.id())
	await wait_until(func(): return server.game.calls.size() == clients.size() \
			and clients.all(func(c): return c.game.calls.size() == 1), 10.0, "%s: RPCs both ways" % label)
	for c in clients:
		check_eq(c.game.values_from("reliable", 1), ["over tls"], "%s: server -> %d" % [label, c.id()])
		check_eq(server.game.values_from("reliable", c.id()), ["from %d" % c.id()], "%s: %d -> server" % [label, c.id()])
