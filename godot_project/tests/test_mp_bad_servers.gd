extends "res://tests/harness/test_case.gd"
## Our multiplayer client facing servers that do not speak Godot's multiplayer
## protocol: a first message that is text, not 4 bytes or an id below 2, no
## id at all, an HTTP error, bytes that are not HTTP, a refused port, a host
## that does not resolve, a server
## that vanishes in the middle of a message, and a malformed URL. Each ends in
## connection_failed (or server_disconnected once connected) with a readable
## reason in get_last_error(), and a bad id is answered with close code 1002.

const RawServer := preload("res://tests/support/raw_ws_server.gd")

func run_test() -> void:
	timeout_seconds = 90.0
	# One error for each of the eleven failed connections below, no more.
	expect_errors("RustWebSocketMultiplayerPeer: ", 11)
	await bad_first("text", Frames.build(Frames.TEXT, "1234".to_utf8_buffer()), "a text message of 4 bytes")
	await bad_first("3 bytes", Frames.build(Frames.BINARY, PackedByteArray([2, 0, 0])), "a binary message of 3 bytes")
	await bad_first("5 bytes", Frames.build(Frames.BINARY, PackedByteArray([2, 0, 0, 0, 0])), "a binary message of 5 bytes")
	await bad_first("id 1", id_frame(1), "peer id 1")
	await bad_first("id 0", id_frame(0), "peer id 0")
	await bad_first("id -7", id_frame(-7), "peer id -7")
	await fails_with("no id", "101", PackedByteArray(), "no peer id arrived within handshake_timeout", 1.0)
	await fails_with("HTTP 404", "404", PackedByteArray(), "404")
	await fails_with("not HTTP", "garbage", PackedByteArray(), "did not answer with HTTP")
	await refused_port()
	await unresolvable_host()
	await vanishes_mid_message()
	malformed_url()


func id_frame(id: int) -> PackedByteArray:
	var b := PackedByteArray()
	b.resize(4)
	b.encode_s32(0, id)
	return Frames.build(Frames.BINARY, b)


## A client of a raw server answering `answer` followed by `after`; returns
## [endpoint, raw server] once the client has failed (or after a failed check).
func client_of(label: String, answer: String, after: PackedByteArray, timeout := 3.0) -> Array:
	var raw := RawServer.new()
	raw.answer = answer
	raw.after_answer = after
	check_eq(raw.start(), OK, "%s: raw server listens" % label)
	polled.append(raw)
	var peer := RustWebSocketMultiplayerPeer.new()
	peer.handshake_timeout = timeout
	var e := MpTree.join(self, label.validate_node_name().replace(" ", "_"), peer, raw.url(), "%s: create_client" % label)
	await wait_until(func(): return e.count("connection_failed") == 1, timeout + 5.0, "%s: connection_failed" % label)
	check_eq(e.count("connected_to_server"), 0, "%s: never connected" % label)
	check_eq(peer.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "%s: disconnected" % label)
	check_eq(peer.get_unique_id(), 0, "%s: no id" % label)
	return [e, raw]


func fails_with(label: String, answer: String, after: PackedByteArray, says: String, timeout := 3.0) -> void:
	var got: Array = await client_of(label, answer, after, timeout)
	var reason: String = got[0].mp.multiplayer_peer.get_last_error()
	log_info("%s: %s" % [label, reason])
	check(reason != "" and reason.contains(says), "%s: reason names the problem: %s" % [label, reason])
	await cleanup(got)


func bad_first(label: String, first: PackedByteArray, says: String) -> void:
	var got: Array = await client_of(label, "101", first)
	var reason: String = got[0].mp.multiplayer_peer.get_last_error()
	check(reason.contains(says), "%s: reason says %s: %s" % [label, says, reason])
	var raw: RawServer = got[1]
	await wait_until(func(): return not raw.close_frame().is_empty(), 5.0, "%s: the client sends a close frame" % label)
	var close: Dictionary = raw.close_frame()
	if not close.is_empty():
		check_eq(close.payload.decode_u16(0), 0xea03, "%s: close code 1002 (bytes 03 ea)" % label)
	await cleanup(got)


func refused_port() -> void:
	var peer := RustWebSocketMultiplayerPeer.new()
	var e := MpTree.join(self, "refused", peer, "ws://127.0.0.1:%d" % free_port(), "refused: create_client")
	await wait_until(func(): return e.count("connection_failed") == 1, 5.0, "refused: connection_failed")
	check(peer.get_last_error().contains("refused"), "refused: reason: %s" % peer.get_last_error())
	await MpTree.stop(self, [e])


func unresolvable_host() -> void:
	var peer := RustWebSocketMultiplayerPeer.new()
	var e := MpTree.join(self, "unresolvable", peer, "ws://nonexistent.invalid:80", "unresolvable: not a URL error")
	await wait_until(func(): return e.count("connection_failed") == 1, 10.0, "unresolvable: connection_failed")
	check(peer.get_last_error().contains("could not resolve"), "unresolvable: reason: %s" % peer.get_last_error())
	await MpTree.stop(self, [e])


func vanishes_mid_message() -> void:
	var label := "vanishes"
	var raw := RawServer.new()
	var half := Frames.build(Frames.BINARY, PackedByteArray([1, 2, 3, 4, 5, 6, 7, 8])).slice(0, 5)
	raw.after_answer = id_frame(1234)
	raw.after_answer.append_array(half)
	check_eq(raw.start(), OK, "%s: raw server listens" % label)
	polled.append(raw)
	var peer := RustWebSocketMultiplayerPeer.new()
	var e := MpTree.join(self, label, peer, raw.url(), "%s: create_client" % label)
	await wait_until(func(): return e.count("connected_to_server") == 1, 5.0, "%s: the client has its id" % label)
	check_eq(peer.get_unique_id(), 1234, "%s: the id is the server's" % label)
	raw.drop()
	await wait_until(func(): return e.count("server_disconnected") == 1, 5.0, "%s: server_disconnected" % label)
	check_eq(e.count("connection_failed"), 0, "%s: not a failed connect" % label)
	check(peer.get_last_error() != "", "%s: with a reason: %s" % [label, peer.get_last_error()])
	log_info("%s: %s" % [label, peer.get_last_error()])
	await cleanup([e, raw])


func malformed_url() -> void:
	expect_errors("RustWebSocketMultiplayerPeer.create_client", 2)
	var peer := RustWebSocketMultiplayerPeer.new()
	check_eq(peer.create_client("http://127.0.0.1:1"), ERR_INVALID_PARAMETER, "http:// fails at once")
	check_eq(peer.create_client("ws://"), ERR_INVALID_PARAMETER, "no host fails at once")
	check_eq(peer.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "a malformed URL leaves it disconnected")
	check(peer.get_last_error() != "", "with a reason: %s" % peer.get_last_error())


func cleanup(got: Array) -> void:
	polled.erase(got[1])
	got[1].stop()
	await MpTree.stop(self, [got[0]])
