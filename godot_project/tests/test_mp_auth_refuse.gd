extends "res://tests/harness/test_case.gd"
## SceneMultiplayer's auth_callback and refuse_new_connections over our peer,
## with built-in and our clients. Auth: clients that send the right secret are
## admitted, one that sends a wrong one is dropped when auth_timeout runs out,
## also by a built-in server. Refusing: newcomers of both kinds fail with a
## reason while the connected clients keep playing, and are admitted again
## once refusing ends; a refusing built-in server makes our client time out
## with a reason.

const SECRET := "open sesame"


func run_test() -> void:
	timeout_seconds = 90.0
	await auth("our server", RustWebSocketMultiplayerPeer.new(),
			[WebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new()])
	await auth("built-in server", WebSocketMultiplayerPeer.new(),
			[RustWebSocketMultiplayerPeer.new(), WebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new()])
	await refuse()
	await refused_by_builtin()


func auth(label: String, server_peer: MultiplayerPeer, client_peers: Array) -> void:
	log_info(label)
	var port := free_port()
	check_eq(server_peer.create_server(port, "127.0.0.1"), OK, "%s: create_server" % label)
	var server := MpTree.add(self, label.replace(" ", "_") + "_auth_server", server_peer)
	MpTree.use_auth(server, SECRET, "")
	var clients: Array = []
	for i in client_peers.size():
		var e := MpTree.join(self, "%s_auth_client%d" % [label.replace(" ", "_"), i], client_peers[i],
				"ws://127.0.0.1:%d" % port, "%s: create_client %d" % [label, i])
		MpTree.use_auth(e, SECRET, SECRET if i < 2 else "wrong")
		clients.append(e)
	var good := clients.slice(0, 2)
	var bad = clients[2]
	await wait_until(func(): return good.all(func(c): return c.count("connected_to_server") == 1) \
			and server.mp.get_peers().size() == 2, 10.0, "%s: clients with the secret are admitted" % label)
	await wait_until(func(): return bad.mp.multiplayer_peer.get_connection_status() == MultiplayerPeer.CONNECTION_DISCONNECTED,
			10.0, "%s: the client with a wrong secret is dropped after auth_timeout" % label)
	check_eq(bad.count("connected_to_server"), 0, "%s: the wrong secret never connected" % label)
	check_eq(server.get_meta("auth_failed").size(), 1, "%s: the server reports one failed authentication" % label)
	check(not server.mp.get_peers().has(bad.id()), "%s: the wrong secret is not a peer" % label)
	good[0].game.r_reliable.rpc_id(good[1].id(), "authenticated")
	await wait_until(func(): return good[1].game.values_from("reliable", good[0].id()) == ["authenticated"],
			5.0, "%s: the admitted clients play" % label)
	await MpTree.stop(self, clients + [server])


func refuse() -> void:
	var label := "refusing"
	var session := await MpTree.start(self, label, RustWebSocketMultiplayerPeer.new(), MpTree.mixed_clients())
	if session == null:
		return
	var server := session.server
	var clients: Array = session.clients
	var port: int = server.mp.multiplayer_peer.get_port()
	server.mp.refuse_new_connections = true
	check(server.mp.multiplayer_peer.refuse_new_connections, "the peer refuses")
	expect_errors("refuses new connections", 1)
	var late: Array = []
	for peer in MpTree.mixed_clients():
		late.append(MpTree.join(self, "late%d" % late.size(), peer, "ws://127.0.0.1:%d" % port, "late create_client"))
	await wait_until(func(): return late.all(func(e): return e.count("connection_failed") == 1), 10.0,
			"newcomers fail while the server refuses")
	var reason: String = late[1].mp.multiplayer_peer.get_last_error()
	check(reason.contains("1013") and reason.contains("refuses new connections"), "our newcomer's reason: %s" % reason)
	check_eq(server.mp.get_peers().size(), 2, "only the first two clients are peers")
	clients[0].game.r_reliable.rpc_id(clients[1].id(), "still playing")
	await wait_until(func(): return clients[1].game.values_from("reliable", clients[0].id()) == ["still playing"],
			5.0, "the connected clients keep playing")

	server.mp.refuse_new_connections = false
	var again_end := MpTree.join(self, "again", RustWebSocketMultiplayerPeer.new(), "ws://127.0.0.1:%d" % port,
			"create_client after refusing ends")
	await wait_until(func(): return again_end.count("connected_to_server") == 1 and server.mp.get_peers().size() == 3,
			10.0, "a newcomer is admitted once refusing ends")
	await MpTree.stop(self, late + [again_end] + session.everyone())


func refused_by_builtin() -> void:
	var port := free_port()
	var server := WebSocketMultiplayerPeer.new()
	check_eq(server.create_server(port, "127.0.0.1"), OK, "built-in create_server")
	server.refuse_new_connections = true
	var server_end := MpTree.add(self, "refusing_builtin", server)
	expect_errors("timed out", 1)
	var ours := RustWebSocketMultiplayerPeer.new()
	ours.handshake_timeout = 1.0
	var ours_end := MpTree.join(self, "refused_ours", ours, "ws://127.0.0.1:%d" % port, "our create_client")
	await wait_until(func(): return ours_end.count("connection_failed") == 1, 10.0,
			"our client gives up on a server that does not accept")
	check(ours.get_last_error().contains("timed out"), "with a reason: %s" % ours.get_last_error())
	await MpTree.stop(self, [ours_end, server_end])
