extends "res://tests/harness/test_case.gd"
## Our client through an HTTP CONNECT proxy (support/connect_proxy.gd, polled
## in this process): ws:// and wss:// (TLS verified end to end through the
## tunnel), with and without Basic credentials (percent-encoded in proxy_url);
## a proxy answering 407 or 502, or not listening, ends in connection_error
## naming that, and no request ever reaches the WebSocket server.

const ConnectProxy := preload("res://tests/support/connect_proxy.gd")
const EchoServers := preload("res://tests/support/echo_servers.gd")

var proxy := ConnectProxy.new()
var echoes := EchoServers.new(self, "echo:")


func _init() -> void:
	timeout_seconds = 30


func pump(c: RustWebSocketPeer) -> void:
	c.poll()
	proxy.poll()
	echoes.poll()


func client(proxy_url: String, cert: X509Certificate) -> RustWebSocketPeer:
	var c := RustWebSocketPeer.new()
	c.proxy_url = proxy_url
	c.trusted_certificate = cert
	c.handshake_timeout = 3.0
	return c


## Connects through the proxy, echoes a message, closes; checks the tunnel carried it.
func through(url: String, proxy_url: String, cert: X509Certificate, what: String) -> void:
	var c := client(proxy_url, cert)
	var before_requests := proxy.requests.size()
	var before_bytes: int = proxy.bytes_to_target
	check_eq(c.connect_to_url(url), OK, "%s: connect_to_url" % what)
	await wait_until(func(): pump(c); return c.get_ready_state() != RustWebSocketPeer.STATE_CONNECTING, 8.0, "%s: decided" % what)
	if not check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "%s: open (%s)" % [what, c.get_last_error()]):
		return
	check_eq(proxy.requests.size(), before_requests + 1, "%s: one CONNECT" % what)
	check_eq(proxy.answered[proxy.answered.size() - 1], 200, "%s: tunnel granted" % what)
	var target := url.get_slice("/", 2)
	check(proxy.requests[before_requests].begins_with("CONNECT %s HTTP/1.1\r\n" % target), "%s: CONNECT names the WebSocket host: %s" % [what, proxy.requests[before_requests].get_slice("\r\n", 0)])
	c.send_text(what)
	await wait_until(func(): pump(c); return c.get_available_packet_count() > 0, 5.0, "%s: echo" % what)
	check_eq(c.get_packet().get_string_from_utf8(), "echo:" + what, "%s: echoed through the tunnel" % what)
	check(proxy.bytes_to_target > before_bytes + what.length(), "%s: the bytes went through the proxy" % what)
	c.close()
	await wait_until(func(): pump(c); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: closes" % what)
	check_eq(c.get_close_code(), 1000, "%s: clean close through the tunnel" % what)


## Connects through a refusing proxy; returns the connection_error reason.
func refused(url: String, proxy_url: String, what: String) -> String:
	var c := client(proxy_url, null)
	var log: SignalLog = SignalLog.watching(c)
	var before := echoes.connected_count()
	check_eq(c.connect_to_url(url), OK, "%s: connect_to_url" % what)
	await wait_until(func(): pump(c); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 8.0, "%s: fails" % what)
	check_eq(log.count("connection_error"), 1, "%s: connection_error once" % what)
	check_eq(log.count("connection_established"), 0, "%s: never open" % what)
	check_eq(echoes.connected_count(), before, "%s: the server saw no client" % what)
	var reason: String = log.args_of("connection_error")[0] if log.count("connection_error") > 0 else ""
	check(not reason.contains("timed out"), "%s: failed on the proxy's answer, not the timeout: %s" % [what, reason])
	return reason


func run_test() -> void:
	var key := Fx.make_key()
	var cert := Fx.self_signed(key)
	var ws_url := EchoServers.url(echoes.add())
	var wss_url := EchoServers.url(echoes.add(key, cert))
	check_eq(proxy.start(), OK, "proxy listens")

	await through(ws_url, proxy.url(), null, "ws via proxy")
	check(not proxy.requests[0].to_lower().contains("proxy-authorization"), "no credentials sent when none are given")
	await through(wss_url, proxy.url(), cert, "wss via proxy")
	# TLS runs end to end: the proxy only ever relays ciphertext.
	check_eq(proxy.requests.size(), 2, "two tunnels so far")

	proxy.required_credentials = "us@er:p:ss"
	var auth_url := "http://us%40er:p%3Ass@127.0.0.1:" + str(proxy.port)
	await through(wss_url, auth_url, cert, "wss via proxy with credentials")
	var sent_auth := proxy.requests[proxy.requests.size() - 1]
	check(sent_auth.contains("\r\nProxy-Authorization: Basic " + Marshalls.utf8_to_base64("us@er:p:ss")), "Basic credentials, percent-decoded: " + sent_auth)
	await through(ws_url, auth_url, null, "ws via proxy with credentials")

	var reason := await refused(ws_url, proxy.url("us@er:wrong"), "wrong credentials")
	check(reason.contains("407"), "reason names 407: " + reason)
	reason = await refused(wss_url, proxy.url(), "missing credentials")
	check(reason.contains("407") and reason.contains("proxy"), "reason names the proxy and 407: " + reason)
	check_eq(proxy.answered.slice(-2), PackedInt32Array([407, 407]), "the proxy answered 407 twice")

	proxy.required_credentials = ""
	proxy.forced_status = 502
	reason = await refused(wss_url, proxy.url(), "proxy answers 502")
	check(reason.contains("502"), "reason names 502: " + reason)
	proxy.forced_status = 0

	# No proxy listening at all.
	var gone := TCPServer.new()
	gone.listen(0, "127.0.0.1")
	var gone_port := gone.get_local_port()
	gone.stop()
	reason = await refused(ws_url, "http://127.0.0.1:%d" % gone_port, "proxy not listening")
	check(reason.contains("proxy") and reason.contains(str(gone_port)), "reason names the proxy: " + reason)

	# A proxy_url that is no http:// URL fails connect_to_url at once.
	var bad := RustWebSocketPeer.new()
	bad.proxy_url = "socks5://127.0.0.1:1080"
	expect_errors("invalid proxy_url", 1)
	check_eq(bad.connect_to_url(ws_url), ERR_INVALID_PARAMETER, "unsupported proxy scheme refused")
	check_eq(bad.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "and nothing started")

	proxy.stop()
	echoes.stop()
