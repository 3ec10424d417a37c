extends "res://tests/harness/test_case.gd"
## MultiplayerSpawner and MultiplayerSynchronizer on our server with one
## built-in and one of our clients: the server spawns a player per client,
## each spawn reaches both clients; each client moves the player it has
## authority over and the server and the other client see it move; the
## server moves its own marker and both clients see that; its despawn
## reaches both clients.


func run_test() -> void:
	timeout_seconds = 60.0
	var session := await MpTree.start(self, "spawn sync", RustWebSocketMultiplayerPeer.new(), MpTree.mixed_clients())
	if session == null:
		return
	var server := session.server
	var clients: Array = session.clients
	var everyone: Array = [server] + clients
	var spawners := {}
	for e in everyone:
		var players := Node.new()
		players.name = "Players"
		e.root.add_child(players)
		var spawner := MultiplayerSpawner.new()
		spawner.name = "Spawner"
		spawner.spawn_function = make_player
		e.root.add_child(spawner)
		spawner.spawn_path = spawner.get_path_to(players)
		spawners[e.name] = spawner

	# The server spawns its marker and one player per client, owned by that client.
	spawners[server.name].spawn(1)
	for c in clients:
		spawners[server.name].spawn(c.id())
	var names := ["Player_1"] + clients.map(func(c): return "Player_%d" % c.id())
	for c in clients:
		await wait_until(func(): return names.all(func(n): return c.root.get_node("Players").has_node(n)),
				5.0, "client %d got every spawn" % c.id())

	# Each client moves its own player; the server moves its marker.
	var target := func(id: int) -> Vector2: return Vector2(id % 1000, 7)
	for c in clients:
		c.root.get_node("Players/Player_%d" % c.id()).position = target.call(c.id())
	server.root.get_node("Players/Player_1").position = Vector2(42, 24)
	for e in everyone:
		for c in clients:
			await wait_until(func(): return e.root.get_node("Players/Player_%d" % c.id()).position == target.call(c.id()),
					5.0, "%s sees client %d's player move" % [e.name, c.id()])
	for c in clients:
		await wait_until(func(): return c.root.get_node("Players/Player_1").position == Vector2(42, 24),
				5.0, "client %d sees the server's marker move" % c.id())
		check_eq(c.root.get_node("Players/Player_%d" % c.id()).get_multiplayer_authority(), c.id(),
				"client %d has authority over its player" % c.id())

	# Despawn: the server frees its marker. (Freeing a client-owned player
	# races with that client's next sync packet, in any implementation.)
	server.root.get_node("Players/Player_1").queue_free()
	for c in clients:
		await wait_until(func(): return not c.root.get_node("Players").has_node("Player_1"), 5.0,
				"client %d saw the despawn" % c.id())
	check_eq(clients.map(func(c): return c.root.get_node("Players").get_child_count()), [2, 2],
			"the clients' players stay")

	# Teardown in the order a game would: clients stop sending their players'
	# state, then the server despawns them, then the peers close.
	for c in clients:
		c.root.get_node("Players/Player_%d/Sync" % c.id()).public_visibility = false
	await wait_frames(10)
	for child in server.root.get_node("Players").get_children():
		child.queue_free()
	for c in clients:
		await wait_until(func(): return c.root.get_node("Players").get_child_count() == 0, 5.0,
				"client %d saw every despawn" % c.id())
	await MpTree.stop(self, session.everyone())


## The spawn function, the same on every peer: a player owned by data (a peer
## id) with a synchronizer for its position.
func make_player(data) -> Node:
	var id: int = data
	var player := Node2D.new()
	player.name = "Player_%d" % id
	var sync := MultiplayerSynchronizer.new()
	sync.name = "Sync"
	var config := SceneReplicationConfig.new()
	config.add_property(NodePath(".:position"))
	sync.replication_config = config
	player.add_child(sync)
	player.set_multiplayer_authority(id)
	return player
