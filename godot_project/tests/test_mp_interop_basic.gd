extends "res://tests/harness/test_case.gd"
## RustWebSocketMultiplayerPeer and Godot's built-in WebSocketMultiplayerPeer
## on the same SceneMultiplayer game, both ways round: our server with a
## built-in and one of our clients, then a built-in server with one of ours and
## a built-in client. The ids agree everywhere, every client learns of the
## other, and reliable RPCs go server to clients, clients to server and client
## to client (relayed by the server).


func run_test() -> void:
	timeout_seconds = 60.0
	await scenario("our server", RustWebSocketMultiplayerPeer.new(), MpTree.mixed_clients())
	await scenario("built-in server", WebSocketMultiplayerPeer.new(),
			[RustWebSocketMultiplayerPeer.new(), WebSocketMultiplayerPeer.new()])


func scenario(label: String, server_peer: MultiplayerPeer, client_peers: Array) -> void:
	log_info(label)
	var port := free_port()
	check_eq(server_peer.create_server(port, "127.0.0.1"), OK, "%s: create_server" % label)
	var server := MpTree.add(self, label.replace(" ", "_") + "_server", server_peer)
	check_eq(server.id(), 1, "%s: server id" % label)
	var clients: Array = []
	for i in client_peers.size():
		clients.append(MpTree.join(self, "%s_client%d" % [label.replace(" ", "_"), i], client_peers[i],
				"ws://127.0.0.1:%d" % port, "%s: create_client %d" % [label, i]))
		check_eq(client_peers[i].get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTING,
				"%s: client %d connecting" % [label, i])
	var ok := await wait_until(func(): return MpTree.all_connected(server, clients), 10.0, "%s: clients connected" % label)
	if not ok:
		return
	var ids := clients.map(func(c): return c.id())
	var seen := Array(server.mp.get_peers())
	seen.sort()
	var expected := ids.duplicate()
	expected.sort()
	check_eq(seen, expected, "%s: the server's peers are the clients' own ids" % label)
	for c in clients:
		check(c.id() >= 2, "%s: client id %d is 2 or more" % [label, c.id()])
		check_eq(server.ids_of("peer_connected").count(c.id()), 1, "%s: server's peer_connected once for %d" % [label, c.id()])
	# Clients learn of each other through the server's relay.
	var a = clients[0]
	var b = clients[1]
	await wait_until(func(): return a.mp.get_peers().has(b.id()) and b.mp.get_peers().has(a.id()), 5.0, "%s: clients know each other" % label)
	check_eq(a.ids_of("peer_connected").count(1), 1, "%s: client 0 saw the server connect" % label)

	server.game.r_reliable.rpc("to all")
	for c in clients:
		c.game.r_reliable.rpc_id(1, "from %d" % c.id())
	a.game.r_reliable.rpc_id(b.id(), "a to b")
	b.game.r_reliable.rpc_id(a.id(), "b to a")
	await wait_until(func(): return server.game.of("reliable").size() == 2 \
			and a.game.of("reliable").size() == 2 and b.game.of("reliable").size() == 2,
			5.0, "%s: every RPC arrived" % label)
	for c in clients:
		check_eq(server.game.values_from("reliable", c.id()), ["from %d" % c.id()], "%s: server got the RPC of %d with its sender" % [label, c.id()])
		check_eq(c.game.values_from("reliable", 1), ["to all"], "%s: client %d got the server's broadcast" % [label, c.id()])
	check_eq(b.game.values_from("reliable", a.id()), ["a to b"], "%s: relayed a -> b with a as sender" % label)
	check_eq(a.game.values_from("reliable", b.id()), ["b to a"], "%s: relayed b -> a with b as sender" % label)

	for c in clients:
		c.mp.multiplayer_peer.close()
	server.mp.multiplayer_peer.close()
	await wait_frames(2)
	for c in clients:
		MpTree.remove(self, c)
	MpTree.remove(self, server)
	await wait_frames(2)
