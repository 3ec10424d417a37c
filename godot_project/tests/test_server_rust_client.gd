extends "res://tests/harness/server_case.gd"
## Our client against our server: messages and sizes both ways, the peer
## queries (ids, address, port), disconnect_peer, ids never 1 and never
## reused, subprotocol negotiation (and refusal), the request path, query and
## headers seen on the server-side peer, and extra_headers in the response.


var clients: Array[RustWebSocketPeer] = []
var all_ids := {}


func url(path := "/") -> String:
	return "ws://127.0.0.1:%d%s" % [server.get_port(), path]


## Connects one of our clients; returns [client, id, client's SignalLog].
func open_client(path := "/", protocols := PackedStringArray(), headers := PackedStringArray()) -> Array:
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	clients.append(client)
	var before := slog.count("client_connected")
	check_eq(client.connect_to_url(url(path), protocols, headers), OK, "connect_to_url")
	await wait_until(func(): poll_pumped(); return client.is_connected_to_host() and slog.count("client_connected") == before + 1, 5.0, "client open")
	var id := slog.last_connected_id()
	check(id > 0 and id != 1, "id %d is positive and not 1" % id)
	check(not all_ids.has(id), "id %d not used before" % id)
	all_ids[id] = true
	return [client, id, log]


func close_and_wait(client: RustWebSocketPeer, id: int) -> void:
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED and slog.count_for("client_disconnected", id) == 1, 5.0, "closed")


func run_test() -> void:
	pumped = [server, clients]
	server.extra_headers = PackedStringArray(["X-Server: yes"])
	check_eq(server.listen(0, ["chat", "v2"]), OK, "listen")

	var c = await open_client("/game?room=5", PackedStringArray(["v2"]), PackedStringArray(["X-Token: abc"]))
	var client: RustWebSocketPeer = c[0]
	var id: int = c[1]
	var log = c[2]
	check_eq(slog.args_for("client_connected", id), [id, "v2"], "client_connected with the chosen protocol")
	check_eq(log.args_of("connection_established"), ["v2"], "client told the protocol")
	check_eq(client.get_selected_protocol(), "v2", "client's selected protocol")
	var peer: RustWebSocketPeer = server.get_peer(id)
	check_eq(peer.get_selected_protocol(), "v2", "server-side selected protocol")
	check_eq(peer.get_requested_url(), "/game?room=5", "path and query on the server")
	var headers := "\n".join(peer.get_request_headers()).to_lower()
	check(headers.contains("x-token: abc"), "custom request header on the server: %s" % headers)
	check(headers.contains("sec-websocket-protocol: v2"), "protocol header listed")
	check_eq(server.get_peer_ids(), PackedInt32Array([id]), "get_peer_ids")
	check(server.has_peer(id), "has_peer")
	check(not server.has_peer(id + 1000), "has_peer of an unknown id")
	check_eq(server.get_peer_address(id), "127.0.0.1", "get_peer_address")
	check(server.get_peer_port(id) > 0 and server.get_peer_port(id) != server.get_port(), "get_peer_port is the client's port")
	check_eq(peer.get_connected_host(), "127.0.0.1", "server-side peer's connected host")
	check_eq(peer.get_connected_port(), server.get_peer_port(id), "server-side peer's connected port")

	# Messages and sizes both ways, including empty ones. put_packet() of an
	# empty array sends nothing (Godot skips empty buffers in every
	# PacketPeer); send() and send_text("") send empty messages.
	check_eq(client.put_packet(PackedByteArray()), OK, "put_packet of an empty array returns OK")
	client.send_text("hi ✓")
	client.send(PackedByteArray([1, 2]))
	for size in [0, 65536, 1 << 20]:
		client.send(Crypto.new().generate_random_bytes(size) if size > 0 else PackedByteArray())
	client.send_text("")
	await wait_until(func(): poll_pumped(); return peer.get_available_packet_count() == 6, 5.0, "6 messages at the server")
	check_eq(slog.count_for("data_received", id), 6, "data_received(id) once per message")
	check_eq(peer.get_packet().get_string_from_utf8(), "hi ✓", "text")
	check(peer.was_string_packet(), "text is text")
	check_eq(peer.get_packet(), PackedByteArray([1, 2]), "binary")
	check(not peer.was_string_packet(), "binary is binary")
	for size in [0, 65536, 1 << 20]:
		check_eq(peer.get_packet().size(), size, "%d B at the server" % size)
		check(not peer.was_string_packet(), "%d B is binary" % size)
	check_eq(peer.get_packet(), PackedByteArray(), "send_text(\"\") arrives empty")
	check(peer.was_string_packet(), "send_text(\"\") is text")
	peer.send_text("yo")
	peer.send(PackedByteArray())
	peer.send(PackedByteArray([7]))
	await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == 3, 5.0, "3 messages at the client")
	check_eq(log.count("data_received"), 3, "client data_received once per message")
	check_eq(client.get_packet().get_string_from_utf8(), "yo", "text down")
	check(client.was_string_packet(), "text down is text")
	check_eq(client.get_packet(), PackedByteArray(), "empty binary down")
	check(not client.was_string_packet(), "empty binary is binary")
	check_eq(client.get_packet(), PackedByteArray([7]), "binary down")

	# disconnect_peer with a code and reason.
	check_eq(server.disconnect_peer(id, 4005, "kicked"), OK, "disconnect_peer")
	await close_and_wait(client, id)
	check_eq(log.args_of("server_close_request"), [4005, "kicked"], "client hears code and reason")
	check_eq(log.args_of("connection_closed"), [true], "clean on the client")
	check_eq(slog.args_for("client_disconnected", id), [id, true], "clean on the server")
	check_eq(slog.count_for("client_close_request", id), 0, "no client_close_request when the server closes")
	check(not server.has_peer(id), "gone")
	check_eq(server.get_peer_ids(), PackedInt32Array(), "no ids left")

	# The client closes; the next client gets a fresh id.
	c = await open_client()
	client = c[0]
	var id2: int = c[1]
	check_eq(slog.args_for("client_connected", id2), [id2, ""], "no protocol offered, none chosen")
	client.close(4010, "bye now")
	await close_and_wait(client, id2)
	check_eq(slog.args_for("client_close_request", id2), [id2, 4010, "bye now"], "client_close_request")
	check_eq(slog.args_for("client_disconnected", id2), [id2, true], "clean")
	c = await open_client()
	check(c[1] > id2, "ids keep growing")
	check_eq(server.get_peer_ids(), PackedInt32Array([c[1]]), "only the live id listed")

	# A client offering only an unsupported protocol is refused.
	var refused := RustWebSocketPeer.new()
	var rlog: SignalLog = SignalLog.watching(refused)
	clients.append(refused)
	var connected_before := slog.count("client_connected")
	refused.connect_to_url(url(), PackedStringArray(["nope"]))
	await wait_until(func(): poll_pumped(); return rlog.count("connection_error") > 0, 5.0, "refused client fails")
	check_eq(rlog.count("connection_error"), 1, "connection_error once")
	check_eq(rlog.count("connection_established"), 0, "never established")
	check_eq(refused.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "refused client closed")
	check_eq(slog.count("client_connected"), connected_before, "no client_connected for it")

	# extra_headers reach the client (read with a hand-made upgrade request).
	var raw := RawClient.new()
	raw.connect_to(server.get_port())
	await wait_until(func(): raw.poll(); poll_pumped(); return raw.is_connected_to_server(), 5.0, "raw tcp connects")
	raw.send_upgrade()
	await wait_until(func(): raw.poll(); poll_pumped(); return raw.response_head() != "", 5.0, "upgrade response")
	var response := raw.response_head()
	check(response.begins_with("HTTP/1.1 101"), "switching protocols: %s" % response.get_slice("\r\n", 0))
	check(response.to_lower().contains("x-server: yes"), "extra header in the response")
	check(response.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "accept key per RFC 6455")
	raw.drop()
	await wait_until(func(): poll_pumped(); return slog.count("client_disconnected") == slog.count("client_connected") - 1, 5.0, "raw client's disconnect seen")

	for cl in clients:
		cl.close()
	await wait_until(func(): poll_pumped(); return server.get_peer_ids().is_empty(), 5.0, "all closed")
	check_eq(slog.count("client_disconnected"), slog.count("client_connected"), "one disconnect per connect")
	server.stop()
