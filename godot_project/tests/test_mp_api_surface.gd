extends "res://tests/harness/test_case.gd"
## RustWebSocketMultiplayerPeer offers everything Godot's built-in
## WebSocketMultiplayerPeer does, under the same names, with the same
## arguments and defaults, plus its own settings (the public-server limits with
## RustWebSocketServer's defaults); and the calls a game makes
## before and after create_server/create_client behave as the built-in's do,
## with readable errors where they fail.

const OURS := "RustWebSocketMultiplayerPeer"
const BUILTIN := "WebSocketMultiplayerPeer"


func run_test() -> void:
	same_surface()
	extra_properties()
	lifecycle()


func same_surface() -> void:
	check(ClassDB.class_exists(OURS), "the class is registered")
	check(ClassDB.is_parent_class(OURS, "MultiplayerPeer"), "it is a MultiplayerPeer")
	var ours := RustWebSocketMultiplayerPeer.new()
	var builtin := WebSocketMultiplayerPeer.new()
	var theirs := ClassDB.class_get_property_list(BUILTIN, true).filter(func(p): return p.usage & PROPERTY_USAGE_EDITOR)
	check(theirs.size() >= 6, "the built-in has its six properties")
	for p in theirs:
		check(ClassDB.class_has_method(OURS, "get_" + p.name) or p.name in ours, "property %s exists" % p.name)
		check_eq(ours.get(p.name), builtin.get(p.name), "default of %s" % p.name)
	var our_methods := {}
	for m in ClassDB.class_get_method_list(OURS, true):
		our_methods[m.name] = m
	for m in ClassDB.class_get_method_list(BUILTIN, true):
		if not check(our_methods.has(m.name), "method %s exists" % m.name):
			continue
		var mine: Dictionary = our_methods[m.name]
		# Property setters' argument names differ and no caller sees them; the rest match by name.
		if m.name.begins_with("set_"):
			check_eq(mine.args.size(), m.args.size(), "arguments of %s" % m.name)
		else:
			check_eq(mine.args.map(func(a): return a.name), m.args.map(func(a): return a.name), "arguments of %s" % m.name)
		check_eq(mine.default_args.size(), m.default_args.size(), "defaults of %s" % m.name)
	for p in ["refuse_new_connections", "transfer_mode", "transfer_channel"]:
		check_eq(ours.get(p), builtin.get(p), "inherited %s" % p)
	check_eq(ours.is_server_relay_supported(), builtin.is_server_relay_supported(), "server relay supported")


func extra_properties() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	check_eq(ours.max_message_size, 64 << 20, "max_message_size default")
	check_eq(ours.outbound_buffer_limit, 64 << 20, "outbound_buffer_limit default")
	check_eq(ours.heartbeat_interval, 0.0, "heartbeat_interval default")
	check_eq(ours.proxy_url, "", "proxy_url default")
	check_eq(ours.extra_headers, PackedStringArray(), "extra_headers default")
	# The public-server limits, with RustWebSocketServer's defaults.
	var server := RustWebSocketServer.new()
	for p in ["inbound_budget", "message_timeout", "max_peers", "max_pending_handshakes"]:
		check_eq(ours.get(p), server.get(p), "%s default, as RustWebSocketServer's" % p)
	check_eq(ours.inbound_budget, 256 << 20, "inbound_budget default")
	check_eq(ours.get_refused_count(), 0, "nothing refused by a new peer")
	check_eq(ours.get_inbound_buffered(), 0, "nothing buffered by a new peer")
	expect_errors("handshake_timeout must be more than 0", 2)
	ours.handshake_timeout = 0.0
	ours.handshake_timeout = -1.0
	check_eq(ours.handshake_timeout, 3.0, "a handshake_timeout of 0 or less is refused")
	ours.handshake_timeout = 0.25
	check_eq(ours.handshake_timeout, 0.25, "handshake_timeout takes fractions")


func lifecycle() -> void:
	var peer := RustWebSocketMultiplayerPeer.new()
	check_eq(peer.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "a new peer is disconnected")
	check_eq(peer.get_unique_id(), 0, "a new peer has no id")
	check_eq(peer.get_port(), 0, "a new peer has no port")
	check_eq(peer.get_available_packet_count(), 0, "a new peer has no packets")

	check_eq(peer.create_server(0, "127.0.0.1"), OK, "create_server(0)")
	var port := peer.get_port()
	check(port > 0, "port 0 picks a free one: %d" % port)
	check_eq(peer.get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTED, "a server is connected at once")
	check_eq(peer.get_unique_id(), 1, "a server is peer 1")
	expect_errors("already a server or a client", 2)
	check_eq(peer.create_server(0), ERR_ALREADY_IN_USE, "a second create_server")
	check_eq(peer.create_client("ws://127.0.0.1:%d" % port), ERR_ALREADY_IN_USE, "create_client on a server")

	expect_errors("is already in use", 1)
	var second := RustWebSocketMultiplayerPeer.new()
	check_eq(second.create_server(port, "127.0.0.1"), ERR_ALREADY_IN_USE, "a port in use")
	check(second.get_last_error().contains(str(port)), "the reason names the port: %s" % second.get_last_error())
	check_eq(second.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "a failed server stays disconnected")

	expect_errors("no peer with id 4242", 3)
	check(peer.get_peer(4242) == null, "get_peer of an unknown id is null")
	check_eq(peer.get_peer_address(4242), "", "get_peer_address of an unknown id")
	check_eq(peer.get_peer_port(4242), 0, "get_peer_port of an unknown id")

	peer.close()
	check_eq(peer.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "close() disconnects")
	check_eq(peer.get_port(), 0, "close() stops listening")
	check_eq(peer.create_server(port, "127.0.0.1"), OK, "the port can be used again after close()")
	peer.close()

	var client := RustWebSocketMultiplayerPeer.new()
	check_eq(client.create_client("ws://127.0.0.1:%d" % free_port()), OK, "create_client")
	check_eq(client.get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTING, "a client connects")
	check_eq(client.get_unique_id(), 0, "no id before the server's arrives")
	check(client.get_peer(1) != null, "get_peer(1) is the connection to the server")
	client.close()
	check_eq(client.get_connection_status(), MultiplayerPeer.CONNECTION_DISCONNECTED, "close() gives up connecting")
