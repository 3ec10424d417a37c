extends "res://tests/harness/server_case.gd"
## Godot's built-in WebSocketPeer as the client of our server: the subprotocol,
## text and binary both ways with was_string_packet right on both ends, sizes
## up to 16 MiB, the close started by each side with its code and reason, and
## every server signal (and the server-side peer's own) counted per client.

const BIG := 17 << 20

## id -> SignalLog of the server-side RustWebSocketPeer.
var peer_logs := {}
var clients: Array[WebSocketPeer] = []
var crypto := Crypto.new()


## Connects a built-in client and returns [ws, id] once both ends are open.
func open_client() -> Array:
	var ws := WebSocketPeer.new()
	ws.inbound_buffer_size = BIG
	ws.outbound_buffer_size = BIG
	ws.supported_protocols = PackedStringArray(["chat"])
	clients.append(ws)
	var before := slog.count("client_connected")
	check_eq(ws.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "built-in connect_to_url")
	await wait_until(func(): poll_pumped(); return ws.get_ready_state() == WebSocketPeer.STATE_OPEN and slog.count("client_connected") == before + 1, 5.0, "built-in client open")
	return [ws, slog.last_connected_id()]


func run_test() -> void:
	pumped = [server, clients]
	timeout_seconds = 90.0
	server.client_connected.connect(func(id, _p):
		var l: SignalLog = SignalLog.watching(server.get_peer(id))
		peer_logs[id] = l)
	check_eq(server.listen(0, ["chat"]), OK, "listen(0)")
	check(server.is_listening(), "is_listening")
	check(server.get_port() > 0, "get_port picks a port")

	var c = await open_client()
	var ws: WebSocketPeer = c[0]
	var id: int = c[1]
	check(id > 1, "id is positive and not 1")
	check_eq(slog.args_for("client_connected", id), [id, "chat"], "client_connected with the protocol")
	check_eq(ws.get_selected_protocol(), "chat", "built-in client got the protocol")
	check(server.has_peer(id), "has_peer")
	var peer: RustWebSocketPeer = server.get_peer(id)
	check(peer != null, "get_peer")
	check_eq(peer.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "server-side peer open")
	check_eq(peer.get_selected_protocol(), "chat", "server-side peer's protocol")

	# Text and binary both ways.
	ws.send_text("héllo ✓")
	ws.put_packet(PackedByteArray([0, 1, 2, 255]))
	await wait_until(func(): poll_pumped(); return peer.get_available_packet_count() == 2, 5.0, "2 messages at the server")
	check_eq(slog.count_for("data_received", id), 2, "data_received(id) once per message")
	check_eq(peer_logs[id].count("data_received"), 2, "peer's own data_received once per message")
	check_eq(peer.get_packet().get_string_from_utf8(), "héllo ✓", "text arrives")
	check(peer.was_string_packet(), "server sees text")
	check_eq(peer.get_packet(), PackedByteArray([0, 1, 2, 255]), "binary arrives")
	check(not peer.was_string_packet(), "server sees binary")
	check_eq(peer.send_text("from server ✓"), OK, "server send_text")
	check_eq(peer.send(PackedByteArray([9, 8, 7])), OK, "server send binary")
	await wait_until(func(): poll_pumped(); return ws.get_available_packet_count() == 2, 5.0, "2 messages at the client")
	check_eq(ws.get_packet().get_string_from_utf8(), "from server ✓", "text arrives at the client")
	check(ws.was_string_packet(), "built-in sees text")
	check_eq(ws.get_packet(), PackedByteArray([9, 8, 7]), "binary arrives at the client")
	check(not ws.was_string_packet(), "built-in sees binary")

	# Sizes. The built-in peer never sends an empty message: 0 B goes one way.
	var received := 2
	for size in [0, 125, 126, 65535, 65536, 1 << 20, 16 << 20]:
		var down := crypto.generate_random_bytes(size) if size > 0 else PackedByteArray()
		var up := crypto.generate_random_bytes(size) if size > 0 else PackedByteArray()
		check_eq(server.get_peer(id).send(down), OK, "server sends %d B" % size)
		if size > 0:
			ws.put_packet(up)
			received += 1
		var ok := await wait_until(func(): poll_pumped(); return ws.get_available_packet_count() == 1 and peer.get_available_packet_count() == (1 if size > 0 else 0), 30.0, "%d B both ways" % size)
		if not ok:
			return
		var got := ws.get_packet()
		check_eq(got.size(), size, "client got %d B" % size)
		check(got == down, "content of %d B to the client" % size)
		if size > 0:
			got = peer.get_packet()
			check_eq(got.size(), size, "server got %d B" % size)
			check(got == up, "content of %d B to the server" % size)
			check(not peer.was_string_packet(), "%d B binary" % size)
	check_eq(slog.count_for("data_received", id), received, "data_received(id) count after sizes")
	check_eq(peer_logs[id].count("data_received"), received, "peer's data_received count after sizes")

	# The client closes.
	ws.close(4001, "client bye")
	await wait_until(func(): poll_pumped(); return ws.get_ready_state() == WebSocketPeer.STATE_CLOSED and slog.count_for("client_disconnected", id) > 0, 5.0, "client-started close done")
	check_eq(slog.count_for("client_close_request", id), 1, "client_close_request once")
	check_eq(slog.args_for("client_close_request", id), [id, 4001, "client bye"], "its code and reason")
	check_eq(slog.args_for("client_disconnected", id), [id, true], "clean client_disconnected")
	check_eq(peer_logs[id].args_of("server_close_request"), [4001, "client bye"], "peer's close request signal")
	check_eq(peer_logs[id].args_of("connection_closed"), [true], "peer's connection_closed")
	check_eq(ws.get_close_code(), 4001, "built-in client sees its code echoed")
	check(not server.has_peer(id), "peer gone after disconnect")
	check_eq(peer.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "server-side peer closed")
	check_eq(peer.get_close_code(), 4001, "server-side peer's close code")
	check_eq(peer.get_close_reason(), "client bye", "server-side peer's close reason")

	# The server closes, through disconnect_peer and through the peer itself.
	for how in ["disconnect_peer", "peer.close"]:
		c = await open_client()
		ws = c[0]
		var id2: int = c[1]
		check_ne(id2, id, "new id")
		if how == "disconnect_peer":
			check_eq(server.disconnect_peer(id2, 4002, "server bye"), OK, "disconnect_peer")
		else:
			check_eq(server.get_peer(id2).close(4002, "server bye"), OK, "peer.close")
		await wait_until(func(): poll_pumped(); return ws.get_ready_state() == WebSocketPeer.STATE_CLOSED and slog.count_for("client_disconnected", id2) > 0, 5.0, "%s close done" % how)
		check_eq(ws.get_close_code(), 4002, "%s: client got the code" % how)
		check_eq(ws.get_close_reason(), "server bye", "%s: client got the reason" % how)
		check_eq(slog.count_for("client_close_request", id2), 0, "%s: no client_close_request" % how)
		check_eq(slog.args_for("client_disconnected", id2), [id2, true], "%s: clean" % how)
		check_eq(peer_logs[id2].count("server_close_request"), 0, "%s: peer's close request silent" % how)
		check_eq(peer_logs[id2].args_of("connection_closed"), [true], "%s: peer's connection_closed" % how)

	# Nothing fires twice later.
	await wait_frames(10)
	poll_pumped()
	check_eq(slog.count("client_connected"), 3, "client_connected once per client")
	check_eq(slog.count("client_disconnected"), 3, "client_disconnected once per client")
	check_eq(slog.count("client_close_request"), 1, "one client-started close in all")
	for pid in peer_logs:
		check_eq(peer_logs[pid].count("connection_closed"), 1, "peer %d connection_closed once" % pid)
	check_eq(server.get_peer_ids(), PackedInt32Array(), "no peers left")
	server.stop()
	check(not server.is_listening(), "stopped")
