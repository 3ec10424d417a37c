extends "res://tests/harness/server_case.gd"
## Dribbling: a client trickling a 1000-byte message in at one byte per 100 ms
## is closed with 1008 and a reason once message_timeout (1 s) has passed, and
## client_disconnected fires; a client trickling its upgrade request is dropped
## by handshake_timeout (1 s) without becoming a client. A real client sending
## a complete small message every 200 ms all along is never cut off.


## Loop state, shared with the lambdas (they capture locals by value).
var st := {"next_byte": 0, "next_real": 0, "sent_real": 0, "got_real": 0, "trickled": 0,
		"handshake_sent": 0, "close_frame": {}}


func _init() -> void:
	timeout_seconds = 30


func run_test() -> void:
	server.message_timeout = 1.0
	server.handshake_timeout = 1.0
	var url := listen_loopback()

	var real := RustWebSocketPeer.new()
	check_eq(real.connect_to_url(url), OK, "real client connects")
	await wait_until(func(): server.poll(); real.poll(); return real.get_ready_state() == 1, 5.0, "real client open")
	var real_id: int = slog.last_connected_id()

	var message := RawClient.new()
	check_eq(message.connect_to(server.get_port()), OK, "message trickler connects")
	await wait_until(func(): server.poll(); message.poll(); message.send_upgrade() if message.received.is_empty() and message.tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED and not message.has_meta("asked") else null; message.set_meta("asked", true) if message.tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED else null; return message.response_head().begins_with("HTTP/1.1 101"), 5.0, "message trickler upgraded")
	var trickler_id: int = slog.last_connected_id()
	message.received = message.received.slice(message.response_head().length())
	var header := Frames.build(Frames.BINARY, PackedByteArray(), true, 0, true, 1000)
	message.send(header)

	var handshake := RawClient.new()
	check_eq(handshake.connect_to(server.get_port()), OK, "handshake trickler connects")
	var request := RawClient.UPGRADE % "/" as String
	var request_bytes := request.to_utf8_buffer()

	var started := Time.get_ticks_msec()
	st.next_byte = started
	st.next_real = started
	real.data_received.connect(func(): real.get_packet(); st.got_real += 1)
	server.data_received.connect(func(id):
		if not server.has_peer(id):
			fail("data_received(%d) for a peer the server does not list (peers %s, disconnected %s)"
					% [id, server.get_peer_ids(), slog.ids_of("client_disconnected")])
			return
		var p: RustWebSocketPeer = server.get_peer(id)
		p.send(p.get_packet()))
	await wait_until(func():
		server.poll()
		real.poll()
		message.poll()
		handshake.poll()
		var now := Time.get_ticks_msec()
		if now >= st.next_byte:
			st.next_byte = now + 100
			if st.close_frame.is_empty() and not message.dropped:
				message.send(PackedByteArray([st.trickled & 0xFF]))
				st.trickled += 1
			if not handshake.dropped and handshake.tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED \
					and st.handshake_sent < request_bytes.size():
				handshake.send(request_bytes.slice(st.handshake_sent, st.handshake_sent + 1))
				st.handshake_sent += 1
		if now >= st.next_real and real.get_ready_state() == 1:
			st.next_real = now + 200
			real.send_text("tick %d" % st.sent_real)
			st.sent_real += 1
		if st.close_frame.is_empty():
			var f := Frames.parse_one(message.received)
			if not f.is_empty() and f.opcode == Frames.CLOSE:
				st.close_frame = f
		return not st.close_frame.is_empty() and handshake.dropped \
				and slog.count_for("client_disconnected", trickler_id) == 1, 10.0,
			"both tricklers cut off")
	var elapsed := (Time.get_ticks_msec() - started) / 1000.0
	log_info("cut off after %.1f s, %d bytes st.trickled; handshake trickler sent %d of %d bytes"
			% [elapsed, st.trickled, st.handshake_sent, request_bytes.size()])
	check_eq(Frames.close_code(st.close_frame), 1008, "st.trickled message closed with 1008")
	check(Frames.close_reason(st.close_frame).contains("message_timeout"), "reason names the limit: %s" % Frames.close_reason(st.close_frame))
	check(st.trickled >= 8 and st.trickled < 1000, "cut off after about a second of trickling (%d bytes)" % st.trickled)
	check(st.handshake_sent < request_bytes.size(), "the st.trickled handshake never completed")
	check(not handshake.response_head().begins_with("HTTP/1.1 101"), "the handshake trickler got no 101")
	check_eq(slog.count("client_connected"), 2, "only the real client and the message trickler became clients")
	await wait_until(func(): server.poll(); real.poll(); return st.got_real >= st.sent_real - 1, 5.0, "the real client's echoes")
	check(st.sent_real >= 5, "the real client kept sending (%d)" % st.sent_real)
	check_eq(real.get_ready_state(), 1, "the real client was never cut off")
	check_eq(slog.count_for("client_disconnected", real_id), 0, "no disconnect for the real client")
	server.stop()
