extends "res://tests/harness/test_case.gd"
## The classes, enums, defaults and signals match the documented contract.


func run_test() -> void:
	check(ClassDB.class_exists("RustWebSocketPeer"), "RustWebSocketPeer registered")
	check(ClassDB.class_exists("RustWebSocketServer"), "RustWebSocketServer registered")
	check(ClassDB.is_parent_class("RustWebSocketPeer", "PacketPeer"), "peer is a PacketPeer")
	var enums := ClassDB.class_get_enum_list("RustWebSocketPeer", true)
	check(enums.has("WriteMode"), "WriteMode is a ClassDB enum: %s" % str(enums))
	check(enums.has("State"), "State is a ClassDB enum")
	check_eq(ClassDB.class_get_enum_constants("RustWebSocketPeer", "WriteMode", true),
		PackedStringArray(["WRITE_MODE_TEXT", "WRITE_MODE_BINARY"]), "WriteMode constants")
	check_eq(RustWebSocketPeer.WRITE_MODE_TEXT, 0, "WRITE_MODE_TEXT")
	check_eq(RustWebSocketPeer.WRITE_MODE_BINARY, 1, "WRITE_MODE_BINARY")
	check_eq([RustWebSocketPeer.STATE_CONNECTING, RustWebSocketPeer.STATE_OPEN,
		RustWebSocketPeer.STATE_CLOSING, RustWebSocketPeer.STATE_CLOSED], [0, 1, 2, 3], "State values")

	var peer := RustWebSocketPeer.new()
	check_eq(peer.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "new peer is closed")
	check_eq(peer.get_write_mode(), RustWebSocketPeer.WRITE_MODE_BINARY, "default write mode")
	check_eq(peer.verify_tls, true, "verify_tls default")
	check_eq(peer.handshake_timeout, 3.0, "handshake_timeout default")
	check_eq(peer.max_message_size, 64 << 20, "max_message_size default")
	check_eq(peer.heartbeat_interval, 0.0, "heartbeat_interval default")
	check_eq(peer.proxy_url, "", "proxy_url default")
	check_eq(peer.get_close_code(), -1, "close code before any connection")
	check_eq(peer.get_current_outbound_buffered_amount(), 0, "nothing buffered")
	check(not peer.is_connected_to_host(), "not connected")
	check(not peer.was_string_packet(), "no packet yet")
	peer.set_write_mode(RustWebSocketPeer.WRITE_MODE_TEXT)
	check_eq(peer.get_write_mode(), RustWebSocketPeer.WRITE_MODE_TEXT, "set_write_mode")
	peer.set_no_delay(false)
	for m in ["close", "get_connected_host", "get_connected_port", "get_current_outbound_buffered_amount",
			"get_write_mode", "set_write_mode", "is_connected_to_host", "set_no_delay", "was_string_packet",
			"connect_to_url", "poll", "get_ready_state", "send", "send_text", "get_close_code",
			"get_close_reason", "get_selected_protocol", "get_requested_url", "get_last_error",
			"get_request_headers"]:
		check(peer.has_method(m), "peer has %s()" % m)
	for s in ["connection_established", "connection_error", "data_received", "server_close_request",
			"connection_closed"]:
		check(peer.has_signal(s), "peer has signal %s" % s)

	var server := RustWebSocketServer.new()
	check(not server.is_listening(), "server not listening")
	check_eq(server.bind_ip, "*", "bind_ip default")
	check_eq(server.handshake_timeout, 3.0, "server handshake_timeout default")
	for s in ["client_connected", "client_disconnected", "client_close_request", "data_received"]:
		check(server.has_signal(s), "server has signal %s" % s)
