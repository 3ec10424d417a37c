extends "res://tests/harness/server_case.gd"
## 50 of our clients on one server at once, each sending 20 numbered messages
## that the server echoes from its data_received(id) handler through
## get_peer(id).put_packet: every client gets exactly its own echoes, in order.

const CLIENTS := 50
const MESSAGES := 20

var clients: Array[RustWebSocketPeer] = []
## client index -> Array of received texts
var got := []
## client index -> count of messages that were not text
var not_text := []


func pump() -> void:
	poll_clients(clients, on_echo)


func on_echo(i: int, packet: PackedByteArray, text: bool) -> void:
	got[i].append(packet.get_string_from_utf8())
	if not text:
		not_text[i] += 1


## Echoes each message back to its sender, text as text.
func echo(id: int) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	var packet := peer.get_packet()
	peer.set_write_mode(RustWebSocketPeer.WRITE_MODE_TEXT if peer.was_string_packet() else RustWebSocketPeer.WRITE_MODE_BINARY)
	if peer.put_packet(packet) != OK:
		fail("echo to %d failed: %s" % [id, peer.get_last_error()])


func run_test() -> void:
	timeout_seconds = 40.0
	server.data_received.connect(echo)
	var url := listen_loopback()
	for i in CLIENTS:
		var c := RustWebSocketPeer.new()
		clients.append(c)
		got.append([])
		not_text.append(0)
		if c.connect_to_url(url) != OK:
			fail("client %d: connect_to_url" % i)
	await wait_until(func(): pump(); return slog.count("client_connected") == CLIENTS and clients.all(func(c): return c.is_connected_to_host()), 15.0, "%d clients open" % CLIENTS)
	check_eq(server.get_peer_ids().size(), CLIENTS, "get_peer_ids lists every client")
	var ids := {}
	for id in slog.ids_of("client_connected"):
		ids[id] = true
	check_eq(ids.size(), CLIENTS, "every client has its own id")

	for n in MESSAGES:
		for i in CLIENTS:
			if clients[i].send_text("c%d:%d" % [i, n]) != OK:
				fail("client %d: send %d" % [i, n])
		pump()
	var done := func():
		pump()
		for i in CLIENTS:
			if got[i].size() < MESSAGES:
				return false
		return true
	await wait_until(done, 15.0, "every echo back")

	check_eq(slog.count("data_received"), CLIENTS * MESSAGES, "data_received once per message")
	var wrong := 0
	for i in CLIENTS:
		var expected := []
		for n in MESSAGES:
			expected.append("c%d:%d" % [i, n])
		if got[i] != expected:
			wrong += 1
			if wrong <= 3:
				check_eq(got[i], expected, "client %d's echoes" % i)
	check_eq(wrong, 0, "clients with wrong, lost, foreign or reordered echoes")
	check_eq(not_text.reduce(func(a, b): return a + b, 0), 0, "echoes of text are text")
	for id in ids:
		check_eq(slog.count_for("data_received", id), MESSAGES, "data_received(%d) count" % id)

	for c in clients:
		c.close()
	await wait_until(func(): pump(); return slog.count("client_disconnected") == CLIENTS, 10.0, "all disconnected")
	check_eq(slog.count("client_close_request"), CLIENTS, "each client's close request seen")
	check_eq(server.get_peer_ids(), PackedInt32Array(), "no peers left")
	server.stop()
