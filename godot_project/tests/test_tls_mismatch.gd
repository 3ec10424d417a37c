extends "res://tests/harness/test_case.gd"
## Plain and TLS mixed up: ws:// clients (ours and Godot's) at our wss://
## server, and wss:// clients at our ws:// server. Each fails on the real cause
## (not the handshake timeout) with a reason that points at the other scheme,
## never becomes a server peer, and the good clients of both servers keep
## echoing throughout.

const EchoServers := preload("res://tests/support/echo_servers.gd")

var echoes := EchoServers.new(self, "echo:", 1.0)
var good: Array[RustWebSocketPeer] = []


func _init() -> void:
	timeout_seconds = 30


## Every good client sends tag and gets its echo.
func good_clients_echo(tag: String) -> void:
	for c in good:
		c.send_text(tag)
	await wait_until(func(): poll_pumped(); return good.all(func(c): return c.get_available_packet_count() > 0), 5.0, "good clients echo " + tag)
	for c in good:
		check_eq(c.get_packet().get_string_from_utf8(), "echo:" + tag, "echo of %s" % tag)
		check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "good client still open")


## Our client at url fails; returns its reason.
func rust_fails(url: String, cert: X509Certificate, what: String) -> String:
	var c := RustWebSocketPeer.new()
	c.handshake_timeout = 1.0
	c.trusted_certificate = cert
	var log: SignalLog = SignalLog.watching(c)
	check_eq(c.connect_to_url(url), OK, "%s: connect_to_url" % what)
	await wait_until(func(): c.poll(); poll_pumped(); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: fails" % what)
	check_eq(log.count("connection_error"), 1, "%s: connection_error once" % what)
	check_eq(log.count("connection_established") + log.count("connection_closed"), 0, "%s: never open" % what)
	var reason: String = c.get_last_error()
	check(not reason.is_empty() and not reason.contains("timed out"), "%s: failed on its cause, not the timeout: %s" % [what, reason])
	return reason


## Godot's client at url ends closed without ever opening.
func builtin_fails(url: String, options: TLSOptions, what: String) -> void:
	var b := WebSocketPeer.new()
	check_eq(b.connect_to_url(url, options), OK, "%s: connect_to_url" % what)
	var opened := [false]
	await wait_until(func():
		b.poll()
		poll_pumped()
		opened[0] = opened[0] or b.get_ready_state() == WebSocketPeer.STATE_OPEN
		return b.get_ready_state() == WebSocketPeer.STATE_CLOSED, 5.0, "%s: ends" % what)
	check(not opened[0], "%s: never open" % what)


func run_test() -> void:
	pumped = [echoes, good]
	var key := Fx.make_key()
	var cert := Fx.self_signed(key)
	var tls_srv := echoes.add(key, cert)
	var plain_srv := echoes.add()

	for url in [EchoServers.url(tls_srv), EchoServers.url(plain_srv)]:
		var c := RustWebSocketPeer.new()
		c.trusted_certificate = cert
		c.connect_to_url(url)
		good.append(c)
	await wait_until(func(): poll_pumped(); return good.all(func(c): return c.get_ready_state() == RustWebSocketPeer.STATE_OPEN), 5.0, "good clients open")
	check_eq(echoes.connected_count(), 2, "one peer per server")
	await good_clients_echo("before")

	# ws:// at the wss:// server.
	var reason := await rust_fails(EchoServers.url(tls_srv, "ws"), null, "our ws:// client at a wss:// server")
	check(reason.contains("wss://"), "the reason suggests wss://: " + reason)
	await builtin_fails("ws://127.0.0.1:%d/" % tls_srv.get_port(), null, "Godot's ws:// client at a wss:// server")
	await good_clients_echo("after plain at TLS")

	# wss:// at the ws:// server.
	allow_errors("TLS handshake error")  # Godot's client logs its failure.
	reason = await rust_fails(EchoServers.url(plain_srv, "wss"), cert, "our wss:// client at a ws:// server")
	check(reason.contains("TLS") and reason.contains("ws://"), "the reason names TLS and suggests ws://: " + reason)
	await builtin_fails(EchoServers.url(plain_srv, "wss"), TLSOptions.client(cert), "Godot's wss:// client at a ws:// server")
	await good_clients_echo("after TLS at plain")

	await wait_frames(3)
	poll_pumped()
	check_eq(echoes.connected_count(), 2, "no mixed-up client became a peer")
	for s in echoes.servers:
		check_eq(echoes.logs[s].count("client_disconnected"), 0, "no peer of the servers was disturbed")
		check_eq(s.get_peer_ids().size(), 1, "each server still has its one good peer")

	for c in good:
		c.close()
	await wait_until(func(): poll_pumped(); return good.all(func(c): return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED), 5.0, "good clients close")
	echoes.stop()
