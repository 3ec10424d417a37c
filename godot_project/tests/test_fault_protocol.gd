extends "res://tests/harness/server_case.gd"
## Protocol violations by the remote side fail the connection with a close
## frame carrying 1002 (1009 for a message over max_message_size), a reason,
## one connection_closed / client_disconnected, and nothing handed to the
## game; each raw end is checked to really receive that close frame and to see
## the socket closed afterwards (no hang). Close frames carrying a code that
## must not appear on the wire are answered with 1002; tungstenite reports
## them as a close request with 1002 "Protocol violation" (the original code
## is not kept), and the handshake then completes cleanly. A message that
## arrives in the same read as a violation behind it is handed to the game,
## whose reply goes out before the close frame (Autobahn cases 3.2, 5.15).

const RawServer := preload("res://tests/support/raw_ws_server.gd")
const RawWsClient := preload("res://tests/support/raw_ws_client.gd")

const MIB := 1 << 20


func _init() -> void:
	timeout_seconds = 20


## What a raw server sends to break the connection, by case name.
func server_faults() -> Dictionary:
	var big := PackedByteArray()
	big.resize(126)
	return {
		"reserved bit RSV1": Frames.build(Frames.TEXT, "x".to_utf8_buffer(), true, Frames.RSV1),
		"reserved bit RSV3 on a ping": Frames.build(Frames.PING, PackedByteArray(), true, Frames.RSV3),
		"masked server frame": Frames.build(Frames.TEXT, "x".to_utf8_buffer(), true, 0, true),
		"data opcode 0x3": Frames.build(0x3, "x".to_utf8_buffer()),
		"control opcode 0xB": Frames.build(0xB),
		"fragmented ping": Frames.build(Frames.PING, "p".to_utf8_buffer(), false),
		"ping of 126 bytes": Frames.build(Frames.PING, big),
		"continuation without start": Frames.build(Frames.CONTINUATION, "x".to_utf8_buffer()),
		"new message inside a fragmented one": Frames.build(Frames.TEXT, "a".to_utf8_buffer(), false) \
				+ Frames.build(Frames.BINARY, "b".to_utf8_buffer()),
		"close frame of one byte": Frames.build(Frames.CLOSE, PackedByteArray([3])),
	}


func run_test() -> void:
	for name in server_faults():
		await client_fault(name, server_faults()[name], 1002, "protocol violation")
	for code in [1005, 1006, 999, 0, 5000]:
		await client_bad_close_code(code)

	# 100 MiB announced, none of it sent: the header alone must trigger the close.
	var r := await client_fault("100 MiB frame header", Frames.build(Frames.BINARY, PackedByteArray(), true, 0, false, 100 * MIB), 1009, "max_message_size")
	check(r.reason.contains("104857600"), "oversized: the reason has the announced size: " + r.reason)
	var part := PackedByteArray()
	part.resize(600 * 1024)
	await client_fault("fragments adding up past 1 MiB", Frames.build(Frames.BINARY, part, false) \
			+ Frames.build(Frames.CONTINUATION, part), 1009, "max_message_size")

	# A sender still streaming the message: closing the socket on unread input
	# would reset the connection and the close frame would be lost.
	var streamed := PackedByteArray()
	streamed.resize(256 * 1024)
	await client_fault("100 MiB message, first 256 KiB sent", Frames.build(Frames.BINARY, streamed, true, 0, false, 100 * MIB), 1009, "max_message_size")
	await client_never_hangs_up()
	await client_answers_before_failing()

	server.max_message_size = MIB
	var url := listen_loopback(PackedStringArray(), "server listens")
	await server_fault("unmasked client frame", Frames.build(Frames.TEXT, "x".to_utf8_buffer()), 1002, "protocol violation")
	await server_fault("reserved bit RSV2", Frames.build(Frames.BINARY, PackedByteArray([1]), true, Frames.RSV2, true), 1002, "protocol violation")
	await server_fault("unknown control opcode", Frames.build(0xC, PackedByteArray(), true, 0, true), 1002, "protocol violation")
	await server_fault("100 MiB frame header", Frames.build(Frames.BINARY, PackedByteArray(), true, 0, true, 100 * MIB), 1009, "max_message_size")
	await server_fault("100 MiB message, first 256 KiB sent", Frames.build(Frames.BINARY, streamed, true, 0, true, 100 * MIB), 1009, "max_message_size")
	await server_bad_close_code(5000)
	await server_bad_close_code(1005)
	await server_fails_after_message_unasked()

	# After all that the same server still serves our own client.
	var client := RustWebSocketPeer.new()
	client.connect_to_url(url)
	await wait_until(func(): server.poll(); client.poll(); return client.is_connected_to_host(), 5.0, "a good client connects after the faults")
	client.send_text("still here")
	await wait_until(func(): server.poll(); client.poll(); var id := slog.last_connected_id(); return server.has_peer(id) and server.get_peer(id).get_available_packet_count() == 1, 5.0, "its message arrives")
	check_eq(server.get_peer(slog.last_connected_id()).get_packet().get_string_from_utf8(), "still here", "message intact")
	server.stop()


## Our client (max_message_size 1 MiB) on a raw server that sends bytes once
## the connection is open; checks the close frame it answers with and what
## the game sees. Returns {peer, log, reason}.
func client_fault(name: String, bytes: PackedByteArray, code: int, reason_has: String) -> Dictionary:
	var peer := RustWebSocketPeer.new()
	peer.max_message_size = MIB
	var log: SignalLog = SignalLog.watching(peer)
	var raw: RawServer = await RawServer.serving(self, peer, name)
	raw.send(bytes)
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and raw.disconnected(), 5.0, "%s: closed and socket gone" % name)
	await wait_frames(2)
	peer.poll()
	raw.poll()
	var f := raw.close_frame()
	check_eq(raw.frames.size(), 1, "%s: the client sent exactly one frame" % name)
	check_eq(f.get("opcode"), Frames.CLOSE, "%s: a close frame" % name)
	if not f.is_empty():
		check_eq(Frames.close_code(f), code, "%s: close code on the wire" % name)
		check(Frames.close_reason(f).contains(reason_has), "%s: close reason on the wire: %s" % [name, Frames.close_reason(f)])
	check_eq(log.count("connection_closed"), 1, "%s: connection_closed once" % name)
	check_eq(log.args_of("connection_closed"), [false], "%s: not clean" % name)
	check_eq(log.count("data_received") + log.count("server_close_request") + log.count("connection_error"), 0, "%s: no other signal" % name)
	check_eq(peer.get_available_packet_count(), 0, "%s: nothing handed to the game" % name)
	check_eq(peer.get_close_code(), code, "%s: get_close_code" % name)
	check(peer.get_last_error().contains(reason_has), "%s: get_last_error: %s" % [name, peer.get_last_error()])
	log_info("client, %s: %s" % [name, peer.get_last_error()])
	raw.stop()
	return {"peer": peer, "log": log, "reason": peer.get_last_error()}


## After failing, our client waits for the remote side to hang up; one that
## never does (never polled again here) is dropped at handshake_timeout.
func client_never_hangs_up() -> void:
	var peer := RustWebSocketPeer.new()
	peer.handshake_timeout = 1.0
	var log: SignalLog = SignalLog.watching(peer)
	var raw: RawServer = await RawServer.serving(self, peer, "silent remote")
	raw.send_frame(Frames.CONTINUATION, "x".to_utf8_buffer())
	await wait_until(func(): peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "silent remote: closed anyway")
	check_eq(log.args_of("connection_closed"), [false], "silent remote: connection_closed, not clean")
	check_eq(peer.get_close_code(), 1002, "silent remote: get_close_code")
	raw.poll()
	check_eq(Frames.close_code(raw.close_frame()), 1002, "silent remote: the close frame was sent")
	raw.stop()


## A valid message and a violation in one write: the game gets the message
## and its reply from data_received is sent before the close frame.
func client_answers_before_failing() -> void:
	var name := "message, then RSV2"
	var peer := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(peer)
	peer.data_received.connect(func() -> void: peer.send_text("re: " + peer.get_packet().get_string_from_utf8()))
	var raw: RawServer = await RawServer.serving(self, peer, name)
	raw.send(Frames.build(Frames.TEXT, "hello".to_utf8_buffer()) + Frames.build(Frames.TEXT, "x".to_utf8_buffer(), true, Frames.RSV2))
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and raw.disconnected(), 5.0, "%s: closed" % name)
	raw.poll()
	check_eq(log.count("data_received"), 1, "%s: the message was handed to the game" % name)
	check_eq(raw.frames.map(func(f): return f.opcode), [Frames.TEXT, Frames.CLOSE], "%s: the reply, then the close frame" % name)
	if raw.frames.size() == 2:
		check_eq(raw.frames[0].payload.get_string_from_utf8(), "re: hello", "%s: the reply" % name)
		check_eq(Frames.close_code(raw.frames[1]), 1002, "%s: close code on the wire" % name)
	check_eq(log.args_of("connection_closed"), [false], "%s: not clean" % name)
	check_eq(peer.get_close_code(), 1002, "%s: get_close_code" % name)
	raw.stop()


## A close frame with a code that is never sent on the wire: our client
## answers with 1002, and the close completes once the server hangs up.
func client_bad_close_code(code: int) -> void:
	var name := "close code %d" % code
	var peer := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(peer)
	var raw: RawServer = await RawServer.serving(self, peer, name)
	raw.send_frame(Frames.CLOSE, Frames.close_payload(code, "odd"))
	await wait_until(func(): raw.poll(); peer.poll(); return not raw.close_frame().is_empty(), 5.0, "%s: client answers" % name)
	check_eq(Frames.close_code(raw.close_frame()), 1002, "%s: answered with 1002" % name)
	raw.drop()
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: closed" % name)
	await wait_frames(2)
	peer.poll()
	check_eq(log.count("connection_closed"), 1, "%s: connection_closed once" % name)
	check_eq(log.count("server_close_request"), 1, "%s: server_close_request once" % name)
	# tungstenite replaces a forbidden code by 1002 before it is reported.
	check_eq(log.args_of("server_close_request"), [1002, "Protocol violation"], "%s: reported as a protocol violation" % name)
	check_eq(peer.get_close_code(), 1002, "%s: get_close_code" % name)
	# Both close frames were exchanged and the server hung up: a completed
	# close handshake, so clean (RFC 6455 §7.1.4), whatever the code was.
	check_eq(log.args_of("connection_closed"), [true], "%s: clean" % name)
	raw.stop()


## A raw client that upgrades, then sends bytes; our server's answer is checked.
func server_fault(name: String, bytes: PackedByteArray, code: int, reason_has: String) -> void:
	var raw = await open_raw_client(name)
	var id := slog.last_connected_id()
	var peer: RustWebSocketPeer = server.get_peer(id)
	raw.send(bytes)
	await wait_until(func(): server.poll(); raw.poll(); return raw.disconnected() and slog.count_for("client_disconnected", id) == 1, 5.0, "%s: server dropped the client" % name)
	await wait_frames(2)
	server.poll()
	raw.poll()
	check_eq(raw.frames.size(), 1, "%s: the server sent exactly one frame" % name)
	var f: Dictionary = raw.close_frame()
	check_eq(f.get("opcode"), Frames.CLOSE, "%s: a close frame" % name)
	if not f.is_empty():
		check_eq(Frames.close_code(f), code, "%s: close code on the wire" % name)
		check(Frames.close_reason(f).contains(reason_has), "%s: close reason on the wire: %s" % [name, Frames.close_reason(f)])
		check(not f.masked, "%s: server frame unmasked" % name)
	check_eq(slog.count_for("client_disconnected", id), 1, "%s: client_disconnected once" % name)
	check_eq(slog.args_for("client_disconnected", id), [id, false], "%s: not clean" % name)
	check_eq(slog.count_for("data_received", id) + slog.count_for("client_close_request", id), 0, "%s: no other signal" % name)
	check_eq(peer.get_close_code(), code, "%s: peer's get_close_code" % name)
	check(peer.get_last_error().contains(reason_has), "%s: peer's get_last_error: %s" % [name, peer.get_last_error()])
	log_info("server, %s: %s" % [name, peer.get_last_error()])


## A message and a violation in one write, and a game that neither reads nor
## answers: the server still fails the connection without more input.
func server_fails_after_message_unasked() -> void:
	var name := "client message, then unmasked frame"
	var raw = await open_raw_client(name)
	var id := slog.last_connected_id()
	var peer: RustWebSocketPeer = server.get_peer(id)
	raw.send(Frames.build(Frames.TEXT, "hello".to_utf8_buffer(), true, 0, true) + Frames.build(Frames.TEXT, "x".to_utf8_buffer()))
	await wait_until(func(): server.poll(); raw.poll(); return raw.disconnected() and slog.count_for("client_disconnected", id) == 1, 5.0, "%s: server dropped the client" % name)
	raw.poll()
	check_eq(slog.count_for("data_received", id), 1, "%s: data_received once" % name)
	check_eq(peer.get_available_packet_count(), 1, "%s: the message stays readable" % name)
	check_eq(raw.frames.map(func(f): return f.opcode), [Frames.CLOSE], "%s: only the close frame" % name)
	check_eq(Frames.close_code(raw.close_frame()), 1002, "%s: close code on the wire" % name)


func server_bad_close_code(code: int) -> void:
	var name := "client close code %d" % code
	var raw = await open_raw_client(name)
	var id := slog.last_connected_id()
	raw.send_frame(Frames.CLOSE, Frames.close_payload(code))
	await wait_until(func(): server.poll(); raw.poll(); return raw.disconnected() and slog.count_for("client_disconnected", id) == 1, 5.0, "%s: server closed" % name)
	check_eq(raw.frames_of(Frames.CLOSE).size(), 1, "%s: one close frame back" % name)
	check_eq(Frames.close_code(raw.close_frame()), 1002, "%s: answered with 1002" % name)
	check_eq(slog.args_for("client_close_request", id), [id, 1002, "Protocol violation"], "%s: reported as a protocol violation" % name)
	check_eq(slog.args_for("client_disconnected", id), [id, true], "%s: close handshake completed" % name)


func open_raw_client(name: String):
	var raw := RawWsClient.new()
	var before := slog.count("client_connected")
	raw.connect_to(server.get_port())
	await wait_until(func(): server.poll(); raw.poll(); return raw.open and slog.count("client_connected") == before + 1, 5.0, "%s: raw client upgraded" % name)
	return raw
