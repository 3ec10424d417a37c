extends "res://tests/harness/test_case.gd"
## Sending on a peer that is not open, and text that is not UTF-8, returns an
## error with a reason and queues nothing.

var server := RustWebSocketServer.new()


func run_test() -> void:
	var peer := RustWebSocketPeer.new()
	expect_errors("not connected", 2)
	check_eq(peer.send_text("x"), ERR_UNCONFIGURED, "send_text on a new (closed) peer")
	check_eq(peer.put_packet(PackedByteArray([1])), ERR_UNCONFIGURED, "put_packet on a closed peer")
	check(peer.get_last_error().contains("not connected"), "reason: " + peer.get_last_error())

	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	server.client_connected.connect(func(id, _p): ids.append(id))
	check_eq(peer.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "connect")
	expect_errors("not open yet", 1)
	check_eq(peer.get_ready_state(), RustWebSocketPeer.STATE_CONNECTING, "connecting")
	check_eq(peer.send(PackedByteArray([1, 2])), ERR_UNCONFIGURED, "send while connecting")
	check_eq(peer.get_current_outbound_buffered_amount(), 0, "nothing queued while connecting")
	await wait_until(func(): peer.poll(); server.poll(); return peer.is_connected_to_host() and ids.size() == 1, 5.0, "open")

	expect_errors("valid UTF-8", 2)
	var invalid := PackedByteArray([0x66, 0xff, 0xfe, 0x80])
	check_eq(peer.send(invalid, RustWebSocketPeer.WRITE_MODE_TEXT), ERR_INVALID_PARAMETER, "send text with invalid UTF-8")
	peer.set_write_mode(RustWebSocketPeer.WRITE_MODE_TEXT)
	check_eq(peer.put_packet(invalid), ERR_INVALID_PARAMETER, "put_packet in TEXT mode with invalid UTF-8")
	check(peer.get_last_error().contains("UTF-8"), "reason: " + peer.get_last_error())
	check_eq(peer.get_current_outbound_buffered_amount(), 0, "nothing queued")
	check_eq(peer.put_packet("fine ✓".to_utf8_buffer()), OK, "valid UTF-8 in TEXT mode")
	await wait_until(func(): peer.poll(); server.poll(); return server.get_peer(ids[0]).get_available_packet_count() == 1, 5.0, "only the valid message arrives")
	var remote: RustWebSocketPeer = server.get_peer(ids[0])
	check_eq(remote.get_packet().get_string_from_utf8(), "fine ✓", "the valid one")
	check(remote.was_string_packet(), "as text")

	expect_errors("neither WRITE_MODE_TEXT", 1)
	peer.set_write_mode(7)
	check_eq(peer.get_write_mode(), RustWebSocketPeer.WRITE_MODE_TEXT, "invalid write mode ignored")

	peer.close()
	await wait_until(func(): peer.poll(); server.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	expect_errors("not connected", 3)
	check_eq(peer.send_text("late"), ERR_UNCONFIGURED, "send after close")
