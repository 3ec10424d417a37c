extends "res://tests/harness/server_case.gd"
## A server (handshake_timeout 1 s) flooded with 200 bad TCP connections
## (random bytes, half an HTTP request then silence, silence, connect and
## leave at once) mixed with 10 real clients: every real client is served
## (all its messages echoed), none of the bad ones becomes a client, and once
## the timeout passes the server has dropped every bad connection still open.


const KINDS := ["random", "half_http", "silent", "quit"]
const BAD_PER_BATCH := 20
const BATCHES := 10
const MESSAGES := 5

var rng := RandomNumberGenerator.new()
## Bad connections: {tcp, kind, acted}.
var bad: Array = []
var clients: Array[RustWebSocketPeer] = []
## Client index -> messages echoed back to it, in order.
var echoes := {}


func _init() -> void:
	timeout_seconds = 30


func pump() -> void:
	server.poll()
	for c in clients:
		c.poll()
	for b in bad:
		act(b)


func run_test() -> void:
	rng.seed = 20240611
	server.handshake_timeout = 1.0
	server.data_received.connect(echo)
	check_eq(server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "listen")

	for batch in BATCHES:
		for i in BAD_PER_BATCH:
			var tcp := StreamPeerTCP.new()
			check_eq(tcp.connect_to_host("127.0.0.1", server.get_port()), OK, "bad connection starts")
			bad.append({"tcp": tcp, "kind": KINDS[i % KINDS.size()], "acted": false})
		start_client(batch)
		pump()
		await get_tree().process_frame

	var all := MESSAGES * BATCHES
	await wait_until(func(): pump(); return echoed_count() == all, 10.0, "all %d messages echoed" % all)
	for i in BATCHES:
		check_eq(echoes.get(i, []), expected_messages(i), "client %d got its own messages back in order" % i)
		check(clients[i].is_connected_to_host(), "client %d still open" % i)
	check_eq(slog.count("client_connected"), BATCHES, "client_connected only for the real clients")
	check(bad.all(func(b): return b.acted), "every bad connection got through to the server")

	# Every bad connection still open now is one the server must drop by itself.
	log_info("bad connections open once all echoes arrived: %d" % open_bad().size())
	await wait_until(func(): pump(); return open_bad().is_empty(), 8.0, "server dropped every bad connection")
	var left := {}
	for b in open_bad():
		left[b.kind] = left.get(b.kind, 0) + 1
	check(left.is_empty(), "bad connections still open by kind: %s" % left)

	check_eq(slog.count("client_connected"), BATCHES, "still no client_connected for bad connections")
	check_eq(slog.count("client_disconnected"), 0, "no real client was dropped")
	check_eq(server.get_peer_ids().size(), BATCHES, "the server holds exactly the real clients")

	# The real clients keep being served, and a new one still gets in.
	for i in BATCHES:
		clients[i].send_text("after %d" % i)
	start_client(BATCHES)
	await wait_until(func(): pump(); return echoed_count() == all + BATCHES + MESSAGES, 10.0, "echoes after the flood")
	for i in BATCHES:
		check_eq(echoes[i].back() if echoes.has(i) else null, "after %d" % i, "client %d served after the flood" % i)
	check_eq(echoes.get(BATCHES, []), expected_messages(BATCHES), "a new client is served after the flood")
	check_eq(slog.count("client_connected"), BATCHES + 1, "the new client connected")

	for c in clients:
		c.close()
	await wait_until(func(): pump(); return slog.count("client_disconnected") == BATCHES + 1, 5.0, "all clients closed")
	check(clients.all(func(c): return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED), "clients closed")
	for b in bad:
		b.tcp.disconnect_from_host()
	server.stop()


## Does what a bad connection of its kind does once connected, and reads
## whatever the server answers so a close is noticed.
func act(b: Dictionary) -> void:
	var tcp: StreamPeerTCP = b.tcp
	tcp.poll()
	if tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		return
	if not b.acted:
		b.acted = true
		match b.kind:
			"random":
				var junk := PackedByteArray()
				for i in rng.randi_range(1, 600):
					junk.append(rng.randi() & 0xFF)
				tcp.put_data(junk)
			"half_http":
				tcp.put_data("GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nSec-WebSocket-Ver".to_ascii_buffer())
			"quit":
				tcp.disconnect_from_host()
				return
	var n := tcp.get_available_bytes()
	if n > 0:
		tcp.get_partial_data(n)


func open_bad() -> Array:
	return bad.filter(func(b): return b.tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED)


func start_client(i: int) -> void:
	var c := RustWebSocketPeer.new()
	clients.append(c)
	c.connection_established.connect(func(_p):
		for m in expected_messages(i):
			if m is String:
				c.send_text(m)
			else:
				c.send(m))
	c.data_received.connect(func():
		var pkt := c.get_packet()
		var list: Array = echoes.get_or_add(i, [])
		list.append(pkt.get_string_from_utf8() if c.was_string_packet() else pkt))
	check_eq(c.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "client %d connect_to_url" % i)


## Text and binary messages, different per client so a mix-up shows.
func expected_messages(i: int) -> Array:
	var out := []
	for m in MESSAGES:
		if m % 2 == 0:
			out.append("client %d message %d ✓" % [i, m])
		else:
			out.append(PackedByteArray([i, m, 0, 255]))
	return out


func echoed_count() -> int:
	var n := 0
	for list in echoes.values():
		n += list.size()
	return n


func echo(id: int) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	var pkt := peer.get_packet()
	peer.send(pkt, RustWebSocketPeer.WRITE_MODE_TEXT if peer.was_string_packet() else RustWebSocketPeer.WRITE_MODE_BINARY)
