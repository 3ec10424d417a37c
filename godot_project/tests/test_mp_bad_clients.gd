extends "res://tests/harness/test_case.gd"
## Our multiplayer server (with SceneMultiplayer auth, handshake_timeout 2 s,
## max_message_size 1 MiB) facing bad clients while a built-in and one of our
## clients keep playing: a plain WebSocket client that never sends (it gets
## its 4-byte id, then auth_timeout drops it), a client that never finishes
## the HTTP upgrade, junk instead of an upgrade, junk frames after one, a text
## message, a message over max_message_size, and a client that vanishes in the
## middle of a message. Each is dropped, with a readable reason, and nothing
## else is disturbed.

const SECRET := "let me in"

var ours: RustWebSocketMultiplayerPeer
var good: Array = []


func run_test() -> void:
	timeout_seconds = 90.0
	ours = RustWebSocketMultiplayerPeer.new()
	ours.handshake_timeout = 2.0
	ours.max_message_size = 1 << 20
	var session := await MpTree.start(self, "bad clients", ours, MpTree.mixed_clients(), "ws", null, null,
			func(e): MpTree.use_auth(e, SECRET, SECRET))
	if session == null:
		return
	var server := session.server
	good = session.clients
	var port := ours.get_port()

	await plain_client_never_sends(server, port)
	await still_playing(server, "a silent plain client")
	await stalled_upgrade(port)
	await junk_instead_of_upgrade(port)
	await junk_frames(port)
	await text_message(port)
	await still_playing(server, "junk and text")
	await oversized(server)
	await vanishes_mid_message(port)
	await still_playing(server, "every bad client")
	check_eq(server.mp.get_peers().size(), 2, "only the two good clients are peers at the end")
	await MpTree.stop(self, session.everyone())


func still_playing(server, after: String) -> void:
	var a = good[0]
	var b = good[1]
	a.game.calls.clear()
	b.game.calls.clear()
	a.game.r_reliable.rpc_id(b.id(), "hi b")
	b.game.r_reliable.rpc_id(a.id(), "hi a")
	server.game.r_reliable.rpc("hi all")
	await wait_until(func(): return a.game.calls.size() == 2 and b.game.calls.size() == 2, 5.0,
			"the good clients still play after %s" % after)


func plain_client_never_sends(server, port: int) -> void:
	var ws := WebSocketPeer.new()
	check_eq(ws.connect_to_url("ws://127.0.0.1:%d" % port), OK, "plain client connects")
	await wait_until(func(): ws.poll(); return ws.get_available_packet_count() > 0, 5.0,
			"the plain client receives its first message")
	var first := ws.get_packet()
	check(not ws.was_string_packet(), "the id message is binary")
	check_eq(first.size(), 4, "the id message is 4 bytes")
	var id := first.decode_s32(0) if first.size() == 4 else 0
	check(id >= 2, "the id is 2 or more: %d" % id)
	check(ours.get_peer(id) != null, "the server knows the plain client as peer %d" % id)
	await wait_until(func(): ws.poll(); return ws.get_ready_state() == WebSocketPeer.STATE_CLOSED, 5.0,
			"the plain client is dropped when auth_timeout runs out")
	check(server.get_meta("auth_failed").has(id), "SceneMultiplayer reports its failed authentication")


func stalled_upgrade(port: int) -> void:
	var raw := RawClient.new()
	raw.connect_to(port)
	await wait_until(func(): raw.poll(); return raw.is_connected_to_server(), 5.0, "stalled client connects")
	raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_utf8_buffer())
	await wait_until(func(): raw.poll(); return raw.dropped, 5.0, "a stalled upgrade is dropped")
	await wait_until(func(): return warnings.count("handshake not completed within 2.0 s") == 1, 2.0,
			"the stalled upgrade's reason is logged")


func junk_instead_of_upgrade(port: int) -> void:
	var raw := RawClient.new()
	raw.connect_to(port)
	await wait_until(func(): raw.poll(); return raw.is_connected_to_server(), 5.0, "junk client connects")
	raw.send(PackedByteArray([0x16, 0x03, 0x01, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]))
	await wait_until(func(): raw.poll(); return raw.dropped, 5.0, "junk instead of an upgrade is dropped")
	await wait_until(func(): return warnings.count("dropped before it became a client") >= 2, 2.0,
			"the junk's reason is logged")


## A client that completed the upgrade; returns [raw, id] once it has its id.
func upgraded(port: int) -> Array:
	var raw := RawClient.new()
	raw.connect_to(port)
	await wait_until(func(): raw.poll(); return raw.is_connected_to_server(), 5.0, "raw client connects")
	raw.send_upgrade()
	await wait_until(func(): raw.poll(); return raw.response_head() != "" \
			and raw.received.size() >= raw.response_head().length() + 6, 5.0, "raw client upgraded and got its id")
	var frame := raw.received.slice(raw.response_head().length())
	check_eq(Array(frame.slice(0, 2)), [0x82, 4], "the first frame is binary with 4 bytes")
	return [raw, frame.decode_s32(2)]


func junk_frames(port: int) -> void:
	var got: Array = await upgraded(port)
	var raw: RawClient = got[0]
	# Unmasked, with reserved bits and opcode 0xF: no valid client frame.
	raw.send(PackedByteArray([0xff, 0x05, 1, 2, 3, 4, 5]))
	await wait_until(func(): raw.poll(); return raw.dropped, 5.0, "junk frames are dropped")
	await wait_until(func(): return warnings.count("peer %d: protocol violation" % got[1]) == 1, 2.0,
			"the junk frames' reason names the peer")


func text_message(port: int) -> void:
	var got: Array = await upgraded(port)
	var raw: RawClient = got[0]
	raw.send(Frames.build(Frames.TEXT, "hello".to_utf8_buffer(), true, 0, true))
	await wait_until(func(): raw.poll(); return raw.dropped, 5.0, "a text message gets its sender dropped")
	await wait_until(func(): return warnings.count("peer %d: a text message of 5 bytes" % got[1]) == 1, 2.0,
			"the text message's reason names the peer")


func oversized(server) -> void:
	var big := RustWebSocketMultiplayerPeer.new()
	var e := MpTree.join(self, "oversized", big, "ws://127.0.0.1:%d" % ours.get_port(), "oversized client connects")
	MpTree.use_auth(e, SECRET, SECRET)
	await wait_until(func(): return e.count("connected_to_server") == 1, 5.0, "oversized client admitted")
	var id := e.id()
	var payload := PackedByteArray()
	payload.resize(2 << 20)
	e.game.r_reliable.rpc_id(1, payload)
	await wait_until(func(): return server.ids_of("peer_disconnected").has(id), 5.0,
			"a message over max_message_size gets its sender dropped")
	check_eq(server.game.values_from("reliable", id), [], "the oversized RPC was not delivered")
	await wait_until(func(): return warnings.count("peer %d: Message too long" % id) == 1, 2.0,
			"the oversized message's reason names the peer")
	await wait_until(func(): return e.count("server_disconnected") == 1, 5.0, "the sender learns it was dropped")
	await MpTree.stop(self, [e])


func vanishes_mid_message(port: int) -> void:
	var got: Array = await upgraded(port)
	var raw: RawClient = got[0]
	var id: int = got[1]
	var whole := Frames.build(Frames.BINARY, PackedByteArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), true, 0, true)
	raw.send(whole.slice(0, 8))
	await wait_frames(5)
	raw.drop()
	await wait_until(func(): return ours.get_last_error().contains("peer %d" % id),
			5.0, "a peer that vanished mid-message is dropped with a reason")
	log_info("vanished: %s" % ours.get_last_error())
	expect_errors("no peer with id %d" % id, 1)
	check(ours.get_peer(id) == null, "the vanished peer is gone")
