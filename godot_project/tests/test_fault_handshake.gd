extends "res://tests/harness/test_case.gd"
## A server that answers the upgrade request wrongly (404, 500, a wrong
## Sec-WebSocket-Accept, bytes that are not HTTP) makes our client fire
## connection_error once with a reason naming what went wrong, and nothing
## else, and leaves it CLOSED; a fresh peer then still connects to a correct
## server and exchanges messages both ways.

const RawServer := preload("res://tests/support/raw_ws_server.gd")


func _init() -> void:
	timeout_seconds = 20


## Connects a fresh peer to a raw server answering with answer; returns
## [peer, log, raw server] once the peer is CLOSED (or the wait timed out).
func attempt(answer: String) -> Array:
	var raw := RawServer.new()
	raw.answer = answer
	check_eq(raw.start(), OK, "%s: raw server listens" % answer)
	var peer := RustWebSocketPeer.new()
	# A client stuck waiting would show up as the handshake timeout instead.
	peer.handshake_timeout = 5.0
	var log: SignalLog = SignalLog.watching(peer)
	check_eq(peer.connect_to_url(raw.url("/fault")), OK, "%s: connect_to_url" % answer)
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 4.0, "%s: peer closed" % answer)
	check(raw.answered, "%s: the raw server saw the upgrade request and answered" % answer)
	check(raw.request.begins_with("GET /fault HTTP/1.1"), "%s: request line: %s" % [answer, raw.request.get_slice("\r\n", 0)])
	# Late signals would show up in these extra polls.
	for i in 5:
		raw.poll()
		peer.poll()
		await get_tree().process_frame
	check_eq(log.count("connection_error"), 1, "%s: connection_error once" % answer)
	check_eq(log.count("connection_established"), 0, "%s: no connection_established" % answer)
	check_eq(log.count("connection_closed"), 0, "%s: no connection_closed" % answer)
	check_eq(log.count("data_received") + log.count("server_close_request"), 0, "%s: no other signal" % answer)
	check_eq(peer.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "%s: ends CLOSED" % answer)
	check(not peer.is_connected_to_host(), "%s: not connected" % answer)
	var args = log.args_of("connection_error")
	var reason: String = args[0] if args != null else ""
	check_eq(peer.get_last_error(), reason, "%s: get_last_error is the signal's reason" % answer)
	check(not reason.contains("timed out"), "%s: failed at once, not by timeout: %s" % [answer, reason])
	log_info("%s -> %s" % [answer, reason])
	raw.stop()
	return [peer, reason]


func run_test() -> void:
	var r := await attempt("404")
	check(r[1].contains("404"), "404: reason has the status: " + r[1])
	check(r[1].contains("HTTP"), "404: reason says it was an HTTP answer: " + r[1])

	r = await attempt("500")
	check(r[1].contains("500"), "500: reason has the status: " + r[1])

	r = await attempt("bad_accept")
	check(r[1].contains("Sec-WebSocket-Accept"), "bad accept: reason names the header: " + r[1])

	r = await attempt("garbage")
	check(not r[1].is_empty(), "garbage: has a reason")
	check(r[1].contains("HTTP"), "garbage: reason says the answer was not HTTP: " + r[1])

	# A failed peer can be reused for a good connection.
	var peer: RustWebSocketPeer = r[0]
	await good_connection(peer, "reused peer")
	await good_connection(RustWebSocketPeer.new(), "fresh peer")


## peer connects to a correct raw server, gets a text and a binary message,
## and sends one back that arrives masked and intact.
func good_connection(peer: RustWebSocketPeer, what: String) -> void:
	var raw := RawServer.new()
	raw.after_answer = Frames.build(Frames.TEXT, "hello".to_utf8_buffer())
	check_eq(raw.start(), OK, "%s: raw server listens" % what)
	var log: SignalLog = SignalLog.watching(peer)
	check_eq(peer.connect_to_url(raw.url()), OK, "%s: connect_to_url" % what)
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_available_packet_count() == 1, 5.0, "%s: message behind the 101 arrives" % what)
	check_eq(log.count("connection_established"), 1, "%s: connection_established" % what)
	check_eq(log.count("connection_error"), 0, "%s: no connection_error" % what)
	check_eq(peer.get_packet().get_string_from_utf8(), "hello", "%s: text behind the handshake" % what)
	check(peer.was_string_packet(), "%s: it was text" % what)
	raw.send_frame(Frames.BINARY, PackedByteArray([0, 1, 2, 255]))
	check_eq(peer.send_text("pong ✓"), OK, "%s: send_text" % what)
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_available_packet_count() == 1 and raw.frames.size() == 1, 5.0, "%s: one message each way" % what)
	check_eq(peer.get_packet(), PackedByteArray([0, 1, 2, 255]), "%s: binary from the raw server" % what)
	var f: Dictionary = raw.frames[0] if not raw.frames.is_empty() else {}
	check_eq(f.get("opcode"), Frames.TEXT, "%s: client sent a text frame" % what)
	check(f.get("masked", false), "%s: client frames are masked" % what)
	check(f.get("fin", false) and f.get("rsv", -1) == 0, "%s: final, no reserved bits" % what)
	check_eq(f.get("payload", PackedByteArray()).get_string_from_utf8(), "pong ✓", "%s: payload unmasks to the text" % what)
	check_eq(peer.close(1000, "bye"), OK, "%s: close" % what)
	await wait_until(func(): raw.poll(); peer.poll(); return not raw.close_frame().is_empty(), 5.0, "%s: close frame reaches the raw server" % what)
	check_eq(Frames.close_code(raw.close_frame()), 1000, "%s: close code on the wire" % what)
	check_eq(Frames.close_reason(raw.close_frame()), "bye", "%s: close reason on the wire" % what)
	# Answer the close and hang up, as a server does.
	raw.send_frame(Frames.CLOSE, Frames.close_payload(1000))
	await wait_frames(2)
	raw.drop()
	await wait_until(func(): raw.poll(); peer.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: closed" % what)
	check_eq(log.args_of("connection_closed"), [true], "%s: closed cleanly" % what)
	check_eq(log.count("connection_closed"), 1, "%s: connection_closed once" % what)
	raw.stop()
