extends "res://tests/harness/test_case.gd"
## What our multiplayer peer adds to the built-in's: proxy_url (our client
## reaches a built-in server through an HTTP CONNECT proxy), heartbeat_interval
## (a server drops a client that stopped answering, a client gives up on a
## server that did), and outbound_buffer_limit (a client that stops reading is
## disconnected, with a reason, instead of its packets piling up or being
## skipped), while the other clients keep playing.

const Proxy := preload("res://tests/support/connect_proxy.gd")
const RawServer := preload("res://tests/support/raw_ws_server.gd")


func run_test() -> void:
	timeout_seconds = 90.0
	await through_proxy()
	await heartbeat_on_server()
	await heartbeat_on_client()
	await outbound_limit()


func through_proxy() -> void:
	var proxy := Proxy.new()
	check_eq(proxy.start(), OK, "proxy listens")
	polled.append(proxy)
	var client := RustWebSocketMultiplayerPeer.new()
	client.proxy_url = proxy.url()
	var session := await MpTree.start(self, "proxy", WebSocketMultiplayerPeer.new(), [client])
	if session == null:
		return
	var server := session.server
	var c: MpTree.Endpoint = session.clients[0]
	check_eq(proxy.requests.size(), 1, "one CONNECT went through the proxy")
	check(proxy.requests.size() == 1 and proxy.requests[0].begins_with("CONNECT 127.0.0.1:"), "it asked for the server")
	c.game.r_reliable.rpc_id(1, "via proxy")
	server.game.r_reliable.rpc_id(c.id(), "back")
	await wait_until(func(): return server.game.calls.size() == 1 and c.game.calls.size() == 1, 5.0, "RPCs through the proxy")
	check(proxy.bytes_to_target > 0 and proxy.bytes_to_client > 0, "the traffic went through the tunnel")
	await MpTree.stop(self, session.everyone())
	polled.erase(proxy)
	proxy.stop()


func heartbeat_on_server() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	ours.heartbeat_interval = 0.5
	var session := await MpTree.start(self, "heartbeat server", ours, MpTree.mixed_clients())
	if session == null:
		return
	var server := session.server
	# A client that completed the upgrade and then went silent: it never answers a ping.
	var raw := RawClient.new()
	raw.connect_to(ours.get_port())
	await wait_until(func(): raw.poll(); return raw.is_connected_to_server(), 5.0, "silent client connects")
	raw.send_upgrade()
	await wait_until(func(): raw.poll(); return raw.response_head() != "", 5.0, "silent client upgraded")
	var t0 := Time.get_ticks_msec()
	await wait_until(func(): raw.poll(); return raw.dropped, 5.0, "the server drops a client that does not answer pings")
	log_info("silent client dropped after %d ms" % (Time.get_ticks_msec() - t0))
	check(ours.get_last_error().contains("heartbeat"), "reason: %s" % ours.get_last_error())
	# The built-in and our client answer pings: they stay through several intervals.
	await wait_seconds(1.5)
	check_eq(server.mp.get_peers().size(), 2, "clients that answer pings stay")
	var a: MpTree.Endpoint = session.clients[0]
	var b: MpTree.Endpoint = session.clients[1]
	a.game.r_reliable.rpc_id(b.id(), "alive")
	await wait_until(func(): return b.game.values_from("reliable", a.id()) == ["alive"], 5.0, "they still play")
	await MpTree.stop(self, session.everyone())


func heartbeat_on_client() -> void:
	var raw := RawServer.new()
	var id := PackedByteArray([0, 0, 0, 0])
	id.encode_s32(0, 777)
	raw.after_answer = Frames.build(Frames.BINARY, id)
	check_eq(raw.start(), OK, "raw server listens")
	polled.append(raw)
	var peer := RustWebSocketMultiplayerPeer.new()
	peer.heartbeat_interval = 0.5
	var e := MpTree.join(self, "heartbeat_client", peer, raw.url(), "create_client with a heartbeat")
	await wait_until(func(): return e.count("connected_to_server") == 1, 5.0, "connected to the silent server")
	await wait_until(func(): return e.count("server_disconnected") == 1, 5.0, "a silent server is given up on")
	check(not raw.frames_of(Frames.PING).is_empty(), "the client pinged the server")
	check(peer.get_last_error().contains("heartbeat"), "reason: %s" % peer.get_last_error())
	polled.erase(raw)
	raw.stop()
	await MpTree.stop(self, [e])


func outbound_limit() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	ours.outbound_buffer_limit = 256 << 10
	var session := await MpTree.start(self, "outbound limit", ours, MpTree.mixed_clients())
	if session == null:
		return
	var server := session.server
	var a: MpTree.Endpoint = session.clients[0]
	var b: MpTree.Endpoint = session.clients[1]
	# A plain client that gets its id and then never reads again.
	var raw := RawClient.new()
	raw.connect_to(ours.get_port())
	await wait_until(func(): raw.poll(); return raw.is_connected_to_server(), 5.0, "stuck client connects")
	raw.send_upgrade()
	await wait_until(func(): raw.poll(); return raw.response_head() != "", 5.0, "stuck client upgraded")
	var chunk := PackedByteArray()
	chunk.resize(32 << 10)
	var sent := 0
	var deadline := Time.get_ticks_msec() + 20000
	while warnings.count("cannot take more") == 0 and Time.get_ticks_msec() < deadline:
		server.game.r_reliable.rpc(chunk)
		sent += 1
		if sent % 8 == 0:
			await get_tree().process_frame
	check(warnings.count("disconnected so that no packet goes missing") == 1,
			"the stuck client is disconnected with a reason after %d broadcasts of 32 KiB" % sent)
	log_info("stuck client dropped after %d broadcasts of 32 KiB" % sent)
	# The others got every broadcast, in order.
	await wait_until(func(): return a.game.calls.size() == sent and b.game.calls.size() == sent, 20.0,
			"the reading clients got all %d broadcasts" % sent)
	a.game.r_reliable.rpc_id(b.id(), "still here")
	await wait_until(func(): return b.game.values_from("reliable", a.id()) == ["still here"], 5.0, "they still play")
	raw.drop()
	await MpTree.stop(self, session.everyone())
