extends "res://tests/harness/test_case.gd"
## Volume across the two implementations: 1000 reliable RPCs arrive in order
## and a 60 KiB payload arrives whole, our client to a built-in server and a
## built-in client to our server, both ways; then a 5 MiB RPC with ours on
## both ends (the built-in peer cannot: its 64 KiB buffers cap a message).
## Prints how long each took.

const COUNT := 1000


func run_test() -> void:
	timeout_seconds = 90.0
	await ordered_and_60k("our server, built-in client", RustWebSocketMultiplayerPeer.new(), WebSocketMultiplayerPeer.new())
	await ordered_and_60k("built-in server, our client", WebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new())
	await five_mib()


func payload(size: int, seed: int) -> PackedByteArray:
	var out := PackedByteArray()
	out.resize(size)
	for i in size:
		out[i] = (i * 31 + seed) & 0xff
	return out


func ordered_and_60k(label: String, server_peer: MultiplayerPeer, client_peer: MultiplayerPeer) -> void:
	var session := await MpTree.start(self, label, server_peer, [client_peer])
	if session == null:
		return
	var server := session.server
	var client: MpTree.Endpoint = session.clients[0]
	var t0 := Time.get_ticks_usec()
	for i in COUNT:
		client.game.r_reliable.rpc_id(1, i)
		server.game.r_reliable.rpc_id(client.id(), i)
	await wait_until(func(): return server.game.calls.size() == COUNT and client.game.calls.size() == COUNT,
			20.0, "%s: %d RPCs each way" % [label, COUNT])
	var ms := (Time.get_ticks_usec() - t0) / 1000.0
	var expected := range(COUNT)
	check_eq(server.game.values_from("reliable", client.id()), expected, "%s: client -> server in order" % label)
	check_eq(client.game.values_from("reliable", 1), expected, "%s: server -> client in order" % label)
	log_info("%s: %d RPCs each way in %.1f ms" % [label, COUNT, ms])

	server.game.calls.clear()
	client.game.calls.clear()
	var up := payload(60 * 1024, 1)
	var down := payload(60 * 1024, 2)
	client.game.r_reliable.rpc_id(1, up)
	server.game.r_reliable.rpc_id(client.id(), down)
	await wait_until(func(): return server.game.calls.size() == 1 and client.game.calls.size() == 1,
			10.0, "%s: 60 KiB each way" % label)
	check_eq(server.game.values_from("reliable", client.id()), [up], "%s: 60 KiB client -> server intact" % label)
	check_eq(client.game.values_from("reliable", 1), [down], "%s: 60 KiB server -> client intact" % label)
	await MpTree.stop(self, session.everyone())


func five_mib() -> void:
	var label := "ours both ends"
	var session := await MpTree.start(self, label, RustWebSocketMultiplayerPeer.new(),
			[RustWebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new()])
	if session == null:
		return
	var server := session.server
	var a: MpTree.Endpoint = session.clients[0]
	var b: MpTree.Endpoint = session.clients[1]
	var big := payload(5 << 20, 3)
	var t0 := Time.get_ticks_usec()
	a.game.r_reliable.rpc_id(1, big)
	server.game.r_reliable.rpc_id(b.id(), big)
	a.game.r_reliable.rpc_id(b.id(), big)
	await wait_until(func(): return server.game.calls.size() == 1 and b.game.calls.size() == 2,
			30.0, "%s: three 5 MiB RPCs" % label)
	var ms := (Time.get_ticks_usec() - t0) / 1000.0
	check_eq(server.game.values_from("reliable", a.id()), [big], "5 MiB client -> server intact")
	check_eq(b.game.values_from("reliable", 1), [big], "5 MiB server -> client intact")
	check_eq(b.game.values_from("reliable", a.id()), [big], "5 MiB client -> client, relayed, intact")
	log_info("%s: three 5 MiB RPCs (one relayed) in %.1f ms" % [label, ms])
	await MpTree.stop(self, session.everyone())
