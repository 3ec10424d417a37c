extends "res://tests/harness/test_case.gd"
## A text message that is not valid UTF-8 fails the connection with close
## code 1007 on the wire, in both roles: our client answering a raw server,
## and our server answering a raw client. The bad message is never handed to
## the game, messages before it are, and the close is reported once.

const RawServer := preload("res://tests/support/raw_ws_server.gd")
const RawWsClient := preload("res://tests/support/raw_ws_client.gd")

## 0xC3 opens a two-byte sequence that 0x28 does not continue.
const BAD_UTF8 := [0x61, 0xC3, 0x28, 0x62]


func _init() -> void:
	timeout_seconds = 20


func run_test() -> void:
	await client_side()
	await server_side()


## The close frame the failing side sent: 1007, a reason naming UTF-8, and
## masked exactly when a client sent it.
func check_utf8_close(f: Dictionary, masked: bool, who: String) -> void:
	check_eq(Frames.close_code(f), 1007, "%s: close code on the wire" % who)
	check(Frames.close_reason(f).contains("UTF-8"), "%s: close reason on the wire: %s" % [who, Frames.close_reason(f)])
	check_eq(f.get("masked"), masked, "%s: its close frame is %s" % [who, "masked" if masked else "not masked"])


func client_side() -> void:
	var peer := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(peer)
	var raw: RawServer = await RawServer.serving(self, peer, "client")
	raw.send_frame(Frames.TEXT, "before".to_utf8_buffer())
	raw.send_frame(Frames.TEXT, PackedByteArray(BAD_UTF8))
	await wait_until(func(): raw.poll(); peer.poll(); return not raw.close_frame().is_empty(), 5.0, "client sends a close frame")
	check_utf8_close(raw.close_frame(), true, "client")
	check_eq(raw.frames_of(Frames.CLOSE).size(), 1, "client: one close frame")
	# The failing side closes without waiting for an answer.
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and raw.disconnected(), 5.0, "client closed and socket gone")
	await wait_frames(3)
	peer.poll()
	check_eq(log.count("connection_closed"), 1, "client: connection_closed once")
	check_eq(log.args_of("connection_closed"), [false], "client: not a clean close")
	check_eq(log.count("server_close_request"), 0, "client: the server did not ask to close")
	check_eq(log.count("data_received"), 1, "client: data_received only for the good message")
	check(peer.get_last_error().contains("UTF-8"), "client: get_last_error: " + peer.get_last_error())
	check_eq(peer.get_close_code(), 1007, "client: get_close_code")
	check(peer.get_close_reason().contains("UTF-8"), "client: get_close_reason: " + peer.get_close_reason())
	check_eq(peer.get_available_packet_count(), 1, "client: only the good message is kept")
	check_eq(peer.get_packet().get_string_from_utf8(), "before", "client: the good message")
	raw.stop()


func server_side() -> void:
	var server := RustWebSocketServer.new()
	var slog: SignalLog = SignalLog.watching(server, SignalLog.SERVER_SIGNALS)
	check_eq(server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "server listens")
	var raw := RawWsClient.new()
	check_eq(raw.connect_to(server.get_port()), OK, "raw client connects")
	await wait_until(func(): server.poll(); raw.poll(); return raw.open and slog.count("client_connected") == 1, 5.0, "raw client upgraded")
	var id := slog.last_connected_id()
	var peer: RustWebSocketPeer = server.get_peer(id)
	raw.send_frame(Frames.TEXT, "before".to_utf8_buffer())
	raw.send_frame(Frames.TEXT, PackedByteArray(BAD_UTF8))
	await wait_until(func(): server.poll(); raw.poll(); return not raw.close_frame().is_empty(), 5.0, "server sends a close frame")
	check_utf8_close(raw.close_frame(), false, "server")
	await wait_until(func(): server.poll(); raw.poll(); return slog.count_for("client_disconnected", id) == 1 and raw.disconnected(), 5.0, "server dropped the client")
	await wait_frames(3)
	server.poll()
	check_eq(slog.count_for("client_disconnected", id), 1, "server: client_disconnected once")
	check_eq(slog.args_for("client_disconnected", id), [id, false], "server: not a clean close")
	check_eq(slog.count("client_close_request"), 0, "server: the client did not ask to close")
	check_eq(slog.count_for("data_received", id), 1, "server: data_received only for the good message")
	check(not server.has_peer(id), "server: peer removed")
	check(peer.get_last_error().contains("UTF-8"), "server: peer's get_last_error: " + peer.get_last_error())
	check_eq(peer.get_close_code(), 1007, "server: peer's get_close_code")
	check_eq(peer.get_packet().get_string_from_utf8(), "before", "server: the good message is kept")

	# The server still serves a well-behaved client.
	var client := RustWebSocketPeer.new()
	check_eq(client.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "good client connects")
	await wait_until(func(): server.poll(); client.poll(); return client.is_connected_to_host() and slog.count("client_connected") == 2, 5.0, "good client open")
	var good_id := slog.last_connected_id()
	client.send_text("ü ok")
	await wait_until(func(): server.poll(); client.poll(); return server.has_peer(good_id) and server.get_peer(good_id).get_available_packet_count() == 1, 5.0, "good text arrives")
	var gp: RustWebSocketPeer = server.get_peer(good_id)
	check_eq(gp.get_packet().get_string_from_utf8(), "ü ok", "good text intact")
	check(gp.was_string_packet(), "good text is text")
	client.close()
	await wait_until(func(): server.poll(); client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "good client closed")
	server.stop()
