extends "res://tests/harness/server_case.gd"
## Bad clients next to real ones: random bytes, an HTTP request that is no
## upgrade, a silent connection and a half-sent request (slowloris). The real
## clients are served throughout; every bad one is dropped (the silent ones no
## earlier than handshake_timeout), and none becomes a client.

const TIMEOUT := 0.5

## name -> RawClient
var bad := {}
var started_ms := {}
var dropped_ms := {}
var clients: Array[RustWebSocketPeer] = []
var echoes := []


func pump() -> void:
	server.poll()
	for name in bad:
		var raw = bad[name]
		raw.poll()
		if raw.dropped and not dropped_ms.has(name):
			dropped_ms[name] = Time.get_ticks_msec()
	for i in clients.size():
		clients[i].poll()
		while clients[i].get_available_packet_count() > 0:
			echoes[i].append(clients[i].get_packet().get_string_from_utf8())


func echo(id: int) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	peer.send_text(peer.get_packet().get_string_from_utf8())


## Opens n real clients, has each send count messages, and checks the echoes.
func serve_real_clients(n: int, count: int, what: String) -> void:
	var first := clients.size()
	var url := "ws://127.0.0.1:%d/" % server.get_port()
	for i in n:
		var c := RustWebSocketPeer.new()
		clients.append(c)
		echoes.append([])
		c.connect_to_url(url)
	await wait_until(func(): pump(); return clients.slice(first).all(func(c): return c.is_connected_to_host()), 5.0, "%s: real clients open" % what)
	for k in count:
		for i in range(first, clients.size()):
			clients[i].send_text("%d:%d" % [i, k])
		await wait_frames(1)
		pump()
	await wait_until(func(): pump(); return echoes.slice(first).all(func(e): return e.size() == count), 5.0, "%s: echoes back" % what)
	for i in range(first, clients.size()):
		var expected := []
		for k in count:
			expected.append("%d:%d" % [i, k])
		check_eq(echoes[i], expected, "%s: client %d served" % [what, i])


func run_test() -> void:
	server.data_received.connect(echo)
	server.handshake_timeout = TIMEOUT
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	for name in ["random", "not_upgrade", "silent", "half_request"]:
		var raw := RawClient.new()
		bad[name] = raw
		started_ms[name] = Time.get_ticks_msec()
		raw.connect_to(server.get_port())
	await wait_until(func(): pump(); return bad.values().all(func(r): return r.is_connected_to_server() or r.dropped), 5.0, "bad clients connect")
	var rng := RandomNumberGenerator.new()
	rng.seed = 4242
	var junk := PackedByteArray()
	for i in 4096:
		junk.append(rng.randi() % 256)
	bad["random"].send(junk)
	bad["not_upgrade"].send("GET / HTTP/1.1\r\n\r\n".to_utf8_buffer())
	bad["half_request"].send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs".to_utf8_buffer())

	await serve_real_clients(3, 10, "among bad clients")
	await wait_until(func(): pump(); return bad.values().all(func(r): return r.dropped), TIMEOUT + 5.0, "every bad client dropped")
	for name in dropped_ms:
		log_info("%s dropped after %.2f s" % [name, (dropped_ms[name] - started_ms[name]) / 1000.0])
	for name in ["silent", "half_request"]:
		if dropped_ms.has(name):
			var waited: float = (dropped_ms[name] - started_ms[name]) / 1000.0
			check(waited >= TIMEOUT - 0.05, "%s dropped only after handshake_timeout (after %.2f s)" % [name, waited])
	check_eq(slog.count("client_connected"), 3, "no client_connected for bad clients")
	check_eq(slog.count("client_disconnected"), 0, "no client_disconnected for bad clients")
	check_eq(server.get_peer_ids().size(), 3, "only real clients are peers")

	# The server still serves after dropping them.
	await serve_real_clients(2, 5, "after the drops")
	check_eq(slog.count("client_connected"), 5, "only real clients connected")
	for c in clients:
		c.close()
	await wait_until(func(): pump(); return slog.count("client_disconnected") == 5, 5.0, "real clients close")
	server.stop()
