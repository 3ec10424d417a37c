extends "res://tests/harness/test_case.gd"
## The connection caps and the message timeout of a RustWebSocketMultiplayerPeer
## server. With max_peers 2 and two players (one on Godot's built-in client,
## one on ours) connected, a raw client gets "HTTP/1.1 503" with the reason and
## one of our clients fails with connection_failed and the reason in
## get_last_error(); get_refused_count() counts both. With message_timeout 1 s,
## a client trickling a message in at one byte per 100 ms is closed with 1008
## and leaves with peer_disconnected, while the players keep exchanging RPCs.


func _init() -> void:
	timeout_seconds = 40


func run_test() -> void:
	await max_peers()
	await message_timeout()


func max_peers() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	check_eq(ours.max_peers, 4096, "max_peers default")
	check_eq(ours.max_pending_handshakes, 256, "max_pending_handshakes default")
	ours.max_peers = 2
	if await MpTree.run(self, "caps", ours, MpTree.mixed_clients(), refuses_past_max_peers.bind(ours)):
		check_eq(ours.get_refused_count(), 2, "the count outlives close()")


## Both players are in: a raw client and a third player are refused.
func refuses_past_max_peers(session: MpTree.Session, ours: RustWebSocketMultiplayerPeer) -> void:
	check_eq(ours.get_refused_count(), 0, "nobody refused yet")

	var raw := RawClient.new()
	check_eq(raw.connect_to(ours.get_port()), OK, "raw client connects")
	await wait_until(func(): raw.poll_upgrading(); return raw.dropped, 5.0, "the raw client past max_peers is answered and closed")
	check(raw.response_head().begins_with("HTTP/1.1 503"), "answered 503: %s" % raw.received.get_string_from_utf8())
	check(raw.received.get_string_from_utf8().contains("max_peers 2"), "the 503 says why")
	await wait_until(func(): return ours.get_last_error().contains("max_peers 2"), 5.0, "the server keeps the reason")

	# Our client reports the refusal with push_error, as every failure to connect.
	expect_errors("max_peers 2", 1)
	var late_peer := RustWebSocketMultiplayerPeer.new()
	var late := MpTree.join(self, "caps_late", late_peer, "ws://127.0.0.1:%d" % ours.get_port(), "a third player connects")
	await wait_until(func(): return late.count("connection_failed") == 1, 5.0, "connection_failed for the third player")
	check(late_peer.get_last_error().contains("503") and late_peer.get_last_error().contains("max_peers 2"),
			"the reason: %s" % late_peer.get_last_error())
	check_eq(late.count("connected_to_server"), 0, "it never connected")
	check_eq(ours.get_refused_count(), 2, "both refusals counted")
	check_eq(warnings.count("max_peers"), 0, "no warning per refusal")
	check_eq(session.server.mp.get_peers().size(), 2, "the two players stay")
	check_eq(session.server.count("peer_connected"), 2, "no refused connection became a peer")
	await exchange(session, "after the refusals")
	MpTree.remove(self, late)


func message_timeout() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	check_eq(ours.message_timeout, 30.0, "message_timeout default")
	ours.message_timeout = 1.0
	await MpTree.run(self, "timeout", ours, MpTree.mixed_clients(), trickler_cut_off.bind(ours))


## A client trickling a message in is cut off while both players stay.
func trickler_cut_off(session: MpTree.Session, ours: RustWebSocketMultiplayerPeer) -> void:
	var server := session.server
	var raw := RawClient.new()
	check_eq(raw.connect_to(ours.get_port()), OK, "trickler connects")
	await wait_until(func(): raw.poll_upgrading(); return server.count("peer_connected") == 3, 5.0, "the trickler is a peer")
	var trickler_id: int = server.ids_of("peer_connected").back()
	raw.send(Frames.build(Frames.BINARY, PackedByteArray(), true, 0, true, 1000))
	var st := {"next": 0, "trickled": 0, "close": {}}
	var begun := Time.get_ticks_msec()
	await wait_until(func():
		raw.poll()
		var now := Time.get_ticks_msec()
		if st.close.is_empty() and not raw.dropped and now >= st.next:
			st.next = now + 100
			raw.send(PackedByteArray([st.trickled & 0xFF]))
			st.trickled += 1
		var parsed: Array = Frames.take_all(raw.received.slice(raw.response_head().length()))
		for f in parsed[0]:
			if f.opcode == Frames.CLOSE:
				st.close = f
		return not st.close.is_empty() and server.ids_of("peer_disconnected").has(trickler_id), 10.0,
			"the trickler cut off")
	var elapsed := (Time.get_ticks_msec() - begun) / 1000.0
	log_info("trickler cut off after %.1f s, %d bytes" % [elapsed, st.trickled])
	check_eq(Frames.close_code(st.close), 1008, "closed with 1008")
	check(Frames.close_reason(st.close).contains("message_timeout"), "the reason names the limit: %s" % Frames.close_reason(st.close))
	check(st.trickled >= 8 and st.trickled < 1000, "after about a second of trickling (%d bytes)" % st.trickled)
	check_eq(server.mp.get_peers().size(), 2, "the players stay")
	await exchange(session, "after the trickler")


## Each player and the server exchange an RPC.
func exchange(session: MpTree.Session, label: String) -> void:
	var server := session.server
	for p in session.clients:
		p.game.r_reliable.rpc_id(1, label)
		server.game.r_reliable.rpc_id(p.id(), label)
	await wait_until(func():
		return session.clients.all(func(p): return server.game.values_from("reliable", p.id()).has(label) \
				and p.game.values_from("reliable", 1).has(label)), 5.0, "RPCs both ways %s" % label)
