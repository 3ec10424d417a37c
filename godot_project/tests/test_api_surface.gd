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

	check_enum_types()

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


## The seed's signatures: methods that take or return a WriteMode or State
## carry the enum's name in ClassDB (and so in the editor help), not int.
func check_enum_types() -> void:
	var methods := {}
	for m in ClassDB.class_get_method_list("RustWebSocketPeer", true):
		methods[m.name] = m
	var typed := {
		"get_write_mode": ["return", "RustWebSocketPeer.WriteMode"],
		"set_write_mode": [0, "RustWebSocketPeer.WriteMode"],
		"send": [1, "RustWebSocketPeer.WriteMode"],
		"get_ready_state": ["return", "RustWebSocketPeer.State"],
	}
	for name in typed:
		if not check(methods.has(name), "ClassDB lists %s()" % name):
			continue
		var where = typed[name][0]
		var info: Dictionary = methods[name].return if where is String else methods[name].args[where]
		var what := "%s() %s" % [name, "return type" if where is String else "argument %d" % where]
		check_eq(info.type, TYPE_INT, "%s: an int in Variant terms" % what)
		check_eq(info["class_name"], typed[name][1], "%s: class_name" % what)
		check(info.usage & PROPERTY_USAGE_CLASS_IS_ENUM, "%s: PROPERTY_USAGE_CLASS_IS_ENUM (usage %d)" % [what, info.usage])
	# The enum-typed argument keeps its default and still takes any int, so a
	# wrong one gets the addon's own error.
	check_eq(methods["send"].default_args, [RustWebSocketPeer.WRITE_MODE_BINARY], "send()'s default mode")
	var peer := RustWebSocketPeer.new()
	expect_errors("set_write_mode", 1)
	peer.set_write_mode(7)
	check(peer.get_last_error().contains("neither WRITE_MODE_TEXT"), "set_write_mode(7) is refused: " + peer.get_last_error())
	check_eq(peer.get_write_mode(), RustWebSocketPeer.WRITE_MODE_BINARY, "the mode is unchanged")
