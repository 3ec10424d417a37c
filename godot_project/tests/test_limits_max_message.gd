extends "res://tests/harness/test_case.gd"
## max_message_size: a message above the receiver's limit closes the
## connection with 1009 and a reason; messages at the limit pass.


var server := RustWebSocketServer.new()
var client := RustWebSocketPeer.new()
var log := SignalLog.new()


func run_test() -> void:
	server.max_message_size = 1 << 20
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	var disconnected := []
	server.client_connected.connect(func(id, _p): ids.append(id))
	server.client_disconnected.connect(func(id, clean): disconnected.append([id, clean]))
	log.watch(client, SignalLog.PEER_SIGNALS)
	check_eq(client.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "connect")
	await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host() and ids.size() == 1, 5.0, "open")
	var remote: RustWebSocketPeer = server.get_peer(ids[0])
	check_eq(remote.max_message_size, 1 << 20, "server peer inherits the limit")

	var at_limit := PackedByteArray()
	at_limit.resize(1 << 20)
	check_eq(client.send(at_limit), OK, "send 1 MiB")
	await wait_until(func(): client.poll(); server.poll(); return remote.get_available_packet_count() == 1, 5.0, "1 MiB arrives")
	check_eq(remote.get_packet().size(), 1 << 20, "message at the limit passes")

	var over := PackedByteArray()
	over.resize((1 << 20) + 1)
	check_eq(client.send(over), OK, "send 1 MiB + 1")
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and disconnected.size() == 1, 5.0, "closed")
	check_eq(log.count("server_close_request"), 1, "the server asked to close")
	var args = log.args_of("server_close_request")
	check_eq(args[0], 1009, "with 1009 (message too big)")
	check(String(args[1]).contains("max_message_size"), "reason names the limit: " + String(args[1]))
	check_eq(log.count("connection_closed"), 1, "client closed once")
	check(remote.get_last_error().contains("max_message_size"), "server side reason: " + remote.get_last_error())
	check_eq(remote.get_close_code(), 1009, "server peer reports 1009")
	check_eq(disconnected[0][0], ids[0], "client_disconnected for that peer")
