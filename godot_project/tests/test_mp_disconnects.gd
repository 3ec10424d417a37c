extends "res://tests/harness/test_case.gd"
## Ends of connections started by each side, with our server (a built-in and
## one of our clients) and with a built-in server (one of ours and a built-in
## client): a client that closes, a client the server kicks with
## disconnect_peer(), and a server that closes under its clients. Each is
## reported once, by the signals SceneMultiplayer games rely on, and the
## other peers keep playing.


func run_test() -> void:
	timeout_seconds = 60.0
	await MpTree.both_ways(self, scenario, 4)


func scenario(session: MpTree.Session, label: String) -> void:
	var server := session.server
	var c: Array = session.clients
	var ids: Array = c.map(func(e): return e.id())

	# 1. Client 0 closes its peer.
	c[0].mp.multiplayer_peer.close()
	await wait_until(func(): return server.ids_of("peer_disconnected").has(ids[0]) \
			and c[1].ids_of("peer_disconnected").has(ids[0]) and c[0].count("server_disconnected") == 1,
			5.0, "%s: everyone sees client 0 leave" % label)
	check_eq(c[0].mp.multiplayer_peer.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED,
			"%s: a closed client is disconnected" % label)
	check_eq(c[0].mp.multiplayer_peer.get_unique_id(), 0, "%s: a closed client has no id" % label)

	# 2. The server kicks client 1.
	server.mp.disconnect_peer(ids[1])
	await wait_until(func(): return c[1].count("server_disconnected") == 1 \
			and c[2].ids_of("peer_disconnected").has(ids[1]),
			5.0, "%s: client 1 is told it was disconnected, the others that it left" % label)
	check(not server.mp.get_peers().has(ids[1]), "%s: the kicked client is gone from the server" % label)

	# The rest keep playing.
	c[2].game.r_reliable.rpc_id(ids[3], "still here")
	server.game.r_reliable.rpc("server too")
	await wait_until(func(): return c[3].game.values_from("reliable", ids[2]) == ["still here"] \
			and c[2].game.values_from("reliable", 1) == ["server too"], 5.0, "%s: the others still play" % label)

	# 3. The server closes under clients 2 and 3.
	var kept = null
	if server.mp.multiplayer_peer is RustWebSocketMultiplayerPeer:
		# A script may keep a client's connection; closing the server ends it too.
		kept = server.mp.multiplayer_peer.get_peer(ids[2])
		check_eq(kept.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "%s: get_peer gives the open connection" % label)
	server.mp.multiplayer_peer.close()
	if kept != null:
		check_eq(kept.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "%s: a kept connection is closed with the server" % label)
	await wait_until(func(): return c[2].count("server_disconnected") == 1 and c[3].count("server_disconnected") == 1,
			5.0, "%s: a closing server disconnects every client" % label)
	await wait_frames(5)
	for i in 4:
		check_eq(c[i].count("server_disconnected"), 1, "%s: client %d's server_disconnected exactly once" % [label, i])
		check_eq(c[i].count("connection_failed"), 0, "%s: client %d never failed to connect" % [label, i])
	check_eq(server.ids_of("peer_disconnected").count(ids[0]), 1, "%s: the server saw client 0 leave once" % label)
