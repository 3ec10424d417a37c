extends "res://tests/harness/test_case.gd"
## Our wss:// server (private_key + tls_certificate): Godot's built-in client
## and ours exchange text and binary both ways and close cleanly; a client that
## does not trust the certificate never becomes a peer; a certificate with only
## an IP subjectAltName verifies for its IP and not for a host name; a leaf +
## intermediate chain is sent whole, so clients trusting only the root accept
## it; bad identities (half set, key of another certificate) fail listen().

const EchoServers := preload("res://tests/support/echo_servers.gd")

var echoes := EchoServers.new(self, "", 2.0)


func _init() -> void:
	timeout_seconds = 40


## Our client to url with trusted; checks it opens and echoes; returns the outcome reason.
func rust_client(url: String, trusted: X509Certificate, expect_open: bool, what: String) -> String:
	var c := RustWebSocketPeer.new()
	c.handshake_timeout = 2.0
	c.trusted_certificate = trusted
	var log: SignalLog = SignalLog.watching(c)
	check_eq(c.connect_to_url(url), OK, "%s: connect_to_url" % what)
	await wait_until(func(): c.poll(); echoes.poll(); return c.get_ready_state() != RustWebSocketPeer.STATE_CONNECTING, 5.0, "%s: decided" % what)
	if not expect_open:
		check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "%s: refused" % what)
		check_eq(log.count("connection_error"), 1, "%s: connection_error once" % what)
		return c.get_last_error()
	if not check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "%s: open (%s)" % [what, c.get_last_error()]):
		return c.get_last_error()
	c.send_text("text ✓")
	c.send(PackedByteArray([0, 1, 2]))
	await wait_until(func(): c.poll(); echoes.poll(); return c.get_available_packet_count() == 2, 5.0, "%s: echoes" % what)
	check_eq(c.get_packet().get_string_from_utf8(), "text ✓", "%s: text echoed" % what)
	check(c.was_string_packet(), "%s: as text" % what)
	check_eq(c.get_packet(), PackedByteArray([0, 1, 2]), "%s: binary echoed" % what)
	check(not c.was_string_packet(), "%s: as binary" % what)
	c.close(1000, "bye")
	await wait_until(func(): c.poll(); echoes.poll(); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: closed" % what)
	check_eq(log.args_of("connection_closed"), [true], "%s: clean close" % what)
	return ""


func run_test() -> void:
	var key := Fx.make_key()
	var cert := Fx.self_signed(key, "CN=localhost,O=Server,C=US")
	var server := echoes.add(key, cert)
	var slog: SignalLog = echoes.logs[server]
	var url := EchoServers.url(server)

	# Godot's built-in client, trusting our certificate.
	var b := WebSocketPeer.new()
	check_eq(b.connect_to_url(url, TLSOptions.client(cert)), OK, "built-in connect_to_url")
	await wait_until(func(): b.poll(); echoes.poll(); return b.get_ready_state() == WebSocketPeer.STATE_OPEN, 5.0, "built-in client opens")
	await wait_until(func(): b.poll(); echoes.poll(); return slog.count("client_connected") == 1, 5.0, "client_connected")
	var id: int = slog.args_of("client_connected")[0]
	b.send_text("from godot")
	b.put_packet(PackedByteArray([9, 8, 7]))
	await wait_until(func(): b.poll(); echoes.poll(); return b.get_available_packet_count() == 2, 5.0, "built-in gets both echoes")
	check_eq(b.get_packet().get_string_from_utf8(), "from godot", "text echoed to built-in")
	check(b.was_string_packet(), "built-in sees text")
	check_eq(b.get_packet(), PackedByteArray([9, 8, 7]), "binary echoed to built-in")
	check(not b.was_string_packet(), "built-in sees binary")
	check_eq(server.get_peer_address(id), "127.0.0.1", "peer address over TLS")
	b.close(1000, "built-in done")
	await wait_until(func(): b.poll(); echoes.poll(); return slog.count("client_disconnected") == 1, 5.0, "built-in disconnects")
	check_eq(slog.args_of("client_close_request"), [id, 1000, "built-in done"], "close code and reason over TLS")
	check_eq(slog.args_of("client_disconnected"), [id, true], "clean disconnect")

	# Our client, trusting our certificate.
	await rust_client(url, cert, true, "our client")
	check_eq(slog.count("client_connected"), 2, "our client was a peer")

	# Clients that do not trust the certificate: no peer, and the server goes on.
	allow_errors("TLS handshake error")  # Godot's own client logs its verification failure.
	var untrusting := WebSocketPeer.new()
	untrusting.connect_to_url(url, TLSOptions.client())
	await wait_until(func(): untrusting.poll(); echoes.poll(); return untrusting.get_ready_state() == WebSocketPeer.STATE_CLOSED, 5.0, "built-in refuses")
	var reason := await rust_client(url, null, false, "our untrusting client")
	check(reason.contains("self-signed"), "reason names the self-signed certificate: " + reason)
	await wait_frames(5)
	echoes.poll()
	check_eq(slog.count("client_connected"), 2, "refused clients never became peers")
	await rust_client(url, cert, true, "a trusting client after them")

	# Identity errors are reported by listen().
	var half := RustWebSocketServer.new()
	half.private_key = key
	expect_errors("set both private_key and tls_certificate", 1)
	check_eq(half.listen(0, PackedStringArray(), "127.0.0.1"), ERR_INVALID_PARAMETER, "key without certificate refused")
	check(half.get_last_error().contains("tls_certificate"), "reason names the missing property: " + half.get_last_error())
	check(not half.is_listening(), "not listening")

	var ip := Fx.ip_san_identity("127.0.0.1")
	var chained := Fx.ca_signed_identity()
	if ip.has("skip") or chained.has("skip"):
		log_info("SKIPPED IP-SAN and CA-chain cases: %s" % ip.get("skip", chained.get("skip")))
	else:
		var ip_server := echoes.add(ip.key, ip.cert)
		var ip_port := ip_server.get_port()
		await rust_client("wss://127.0.0.1:%d/" % ip_port, ip.cert, true, "IP URL, IP SAN")
		reason = await rust_client("wss://localhost:%d/" % ip_port, ip.cert, false, "host URL, IP SAN only")
		check(reason.contains("hostname mismatch"), "reason names the host mismatch: " + reason)

		var chain_url := EchoServers.url(echoes.add(chained.key, chained.chain))
		await rust_client(chain_url, chained.ca, true, "leaf + intermediate chain, trusting the root")
		var b2 := WebSocketPeer.new()
		b2.connect_to_url(chain_url, TLSOptions.client(chained.ca))
		await wait_until(func(): b2.poll(); echoes.poll(); return b2.get_ready_state() == WebSocketPeer.STATE_OPEN, 5.0, "built-in trusts the chain via the root")
		b2.close()

		var mismatched := RustWebSocketServer.new()
		mismatched.private_key = ip.key
		mismatched.tls_certificate = cert
		expect_errors("do not form a usable identity", 1)
		check_ne(mismatched.listen(0, PackedStringArray(), "127.0.0.1"), OK, "a key that does not match the certificate is refused")
		check(mismatched.get_last_error().contains("private_key and tls_certificate"), "reason: " + mismatched.get_last_error())

	echoes.stop()
