extends "res://tests/harness/server_case.gd"
## Handshake headers and subprotocols over wss:// with our TLS server: custom
## request headers (repeated names, colons in values) and the path and query
## reach the server-side peer; extra_headers and the chosen subprotocol are in
## the 101 answer read by a hand-made TLS client; a client offering no
## supported subprotocol gets an HTTP 400 whose reason (on the wire and in
## connection_error) names the subprotocols; header injection is refused.


## A TLS client that sends an upgrade request by hand and keeps what comes back.
class RawTlsClient extends RefCounted:
	var tcp := StreamPeerTCP.new()
	var tls := StreamPeerTLS.new()
	var options: TLSOptions
	var request := ""
	var tls_started := false
	var sent := false
	var received := PackedByteArray()

	func _init(port: int, cert: X509Certificate, protocol: String) -> void:
		options = TLSOptions.client(cert)
		request = ("GET /raw HTTP/1.1\r\nHost: localhost:%d\r\nUpgrade: websocket\r\n" +
				"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
				"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n") % [port, protocol]
		tcp.connect_to_host("127.0.0.1", port)

	func poll() -> void:
		tcp.poll()
		if not tls_started and tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED:
			tls_started = true
			tls.connect_to_stream(tcp, "localhost", options)
		if not tls_started:
			return
		tls.poll()
		if tls.get_status() != StreamPeerTLS.STATUS_CONNECTED:
			return
		if not sent:
			sent = true
			tls.put_data(request.to_ascii_buffer())
		var n := tls.get_available_bytes()
		if n > 0:
			received.append_array(tls.get_partial_data(n)[1])

	func text() -> String:
		return received.get_string_from_utf8()

	func ended() -> bool:
		return tls_started and tls.get_status() != StreamPeerTLS.STATUS_HANDSHAKING \
				and tls.get_status() != StreamPeerTLS.STATUS_CONNECTED


func _init() -> void:
	timeout_seconds = 30


func run_test() -> void:
	var key := Fx.make_key()
	var cert := Fx.self_signed(key)
	server.private_key = key
	server.tls_certificate = cert
	server.handshake_timeout = 2.0
	server.extra_headers = PackedStringArray(["X-Server-Name: tls-test", "Cache-Control: no-store"])
	check_eq(server.listen(0, PackedStringArray(["y", "chat"]), "127.0.0.1"), OK, "TLS server listens")
	var port := server.get_port()

	# Request headers, path and query over TLS.
	var c := RustWebSocketPeer.new()
	c.trusted_certificate = cert
	var headers := PackedStringArray(["Authorization: Bearer xyz", "X-Multi: a", "X-Multi: b",
			"X-Url: http://u:p@h:1/x"])
	check_eq(c.connect_to_url("wss://localhost:%d/room/7?user=ann&x=%%20" % port, PackedStringArray(["chat"]), headers), OK, "connect_to_url with headers")
	await wait_until(func(): c.poll(); server.poll(); return slog.count("client_connected") == 1, 5.0, "client connected")
	var id: int = slog.args_of("client_connected")[0]
	check_eq(slog.args_of("client_connected"), [id, "chat"], "chat chosen")
	var peer: RustWebSocketPeer = server.get_peer(id)
	check_eq(peer.get_requested_url(), "/room/7?user=ann&x=%20", "path and query as sent")
	var seen := {}
	for h in peer.get_request_headers():
		var name := h.get_slice(":", 0).strip_edges().to_lower()
		seen[name] = seen.get(name, []) + [h.substr(h.find(":") + 1).strip_edges()]
	check_eq(seen.get("authorization"), ["Bearer xyz"], "Authorization header arrives")
	check_eq(seen.get("x-multi"), ["a", "b"], "a repeated header arrives twice, in order")
	check_eq(seen.get("x-url"), ["http://u:p@h:1/x"], "colons in a value survive")
	check_eq(seen.get("host"), ["localhost:%d" % port], "Host names the URL's host and port")
	check_eq(seen.get("sec-websocket-protocol"), ["chat"], "offered subprotocol listed")
	await wait_until(func(): c.poll(); server.poll(); return c.get_ready_state() == RustWebSocketPeer.STATE_OPEN, 5.0, "client open")
	check_eq(c.get_selected_protocol(), "chat", "client sees the chosen subprotocol")

	# The 101 answer as a hand-made TLS client reads it.
	var raw := RawTlsClient.new(port, cert, "chat")
	await wait_until(func(): raw.poll(); c.poll(); server.poll(); return raw.text().contains("\r\n\r\n"), 5.0, "raw TLS client gets the answer")
	var head := raw.text().get_slice("\r\n\r\n", 0)
	check(head.begins_with("HTTP/1.1 101"), "switching protocols: " + head.get_slice("\r\n", 0))
	var lower := head.to_lower()
	check(lower.contains("\r\nx-server-name: tls-test"), "extra header in the answer")
	check(lower.contains("\r\ncache-control: no-store"), "second extra header in the answer")
	check(lower.contains("\r\nsec-websocket-protocol: chat"), "chosen subprotocol in the answer")
	check(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "accept key per RFC 6455")
	await wait_until(func(): raw.poll(); c.poll(); server.poll(); return slog.count("client_connected") == 2, 5.0, "the raw client is a peer")
	raw.tls.disconnect_from_stream()
	await wait_until(func(): c.poll(); server.poll(); return slog.count("client_disconnected") == 1, 5.0, "the raw client's drop is seen")

	# No common subprotocol: refused with a reason, on the wire and in the client.
	var refused := RawTlsClient.new(port, cert, "x")
	await wait_until(func(): refused.poll(); c.poll(); server.poll(); return refused.text().contains("supported:") or refused.ended(), 5.0, "raw refusal")
	var answer := refused.text()
	check(answer.begins_with("HTTP/1.1 400"), "HTTP 400 on the wire: " + answer.get_slice("\r\n", 0))
	check(answer.contains("subprotocols") and answer.contains("requested: x") and answer.contains("supported: y, chat"),
			"the body says why: " + answer.get_slice("\r\n\r\n", 1))
	var offering_x := RustWebSocketPeer.new()
	offering_x.trusted_certificate = cert
	var xlog: SignalLog = SignalLog.watching(offering_x)
	offering_x.connect_to_url("wss://localhost:%d/" % port, PackedStringArray(["x"]))
	await wait_until(func(): offering_x.poll(); c.poll(); server.poll(); return offering_x.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "refused client closes")
	check_eq(xlog.count("connection_error"), 1, "connection_error once")
	var reason: String = xlog.args_of("connection_error")[0] if xlog.count("connection_error") > 0 else ""
	check(reason.contains("400") and reason.contains("subprotocol"), "reason gives the status and names the subprotocols: " + reason)
	allow_errors("Invalid status code. Got: '400'")  # Godot's client logs the refusal.
	allow_errors("Invalid response headers")
	var builtin := WebSocketPeer.new()
	builtin.supported_protocols = PackedStringArray(["x"])
	builtin.connect_to_url("wss://localhost:%d/" % port, TLSOptions.client(cert))
	await wait_until(func(): builtin.poll(); c.poll(); server.poll(); return builtin.get_ready_state() == WebSocketPeer.STATE_CLOSED, 5.0, "Godot's client is refused too")
	check_eq(slog.count("client_connected"), 2, "refused clients never became peers")
	check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "the accepted client is unaffected")

	# Header injection and malformed headers are refused at once.
	var bad := RustWebSocketPeer.new()
	expect_errors("is not in the form \"Name: value\"", 1)
	check_eq(bad.connect_to_url("wss://localhost:%d/" % port, PackedStringArray(), PackedStringArray(["NoColon"])), ERR_INVALID_PARAMETER, "header without a colon")
	expect_errors("header value of \"x-evil\" is invalid", 1)
	check_eq(bad.connect_to_url("wss://localhost:%d/" % port, PackedStringArray(), PackedStringArray(["X-Evil: a\r\nInjected: 1"])), ERR_INVALID_PARAMETER, "CR LF in a header value")
	expect_errors("header name \"Bad Name\" is invalid", 1)
	check_eq(bad.connect_to_url("wss://localhost:%d/" % port, PackedStringArray(), PackedStringArray(["Bad Name: v"])), ERR_INVALID_PARAMETER, "space in a header name")
	check_eq(bad.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "nothing started")

	c.close()
	await wait_until(func(): c.poll(); server.poll(); return slog.count("client_disconnected") == 2, 5.0, "closes")
	server.stop()
