extends "res://tests/harness/test_case.gd"
## Our wss:// client against Godot's own TLS WebSocket server (StreamPeerTLS +
## WebSocketPeer.accept_stream): verification is on by default and refuses a
## self-signed, a wrong-name, an IP-address-mismatched and an expired
## certificate with a reason naming the problem; trusted_certificate (object,
## user:// path, OS path, PEM bundle) lets exactly that server pass;
## verify_tls = false connects to anything and warns once per peer.

const DIR := "user://test_tls_client_verify"

var servers: Array = []


func _init() -> void:
	timeout_seconds = 40


func serve(cert: X509Certificate, key: CryptoKey) -> Fx.BuiltinServer:
	var s := Fx.builtin_tls_server(key, cert)
	check_eq(s.start(), OK, "built-in TLS server listens")
	servers.append(s)
	return s


## Connects a new client (set up by setup) to url; returns [peer, log] once
## the attempt is decided.
func attempt(server: Fx.BuiltinServer, url: String, setup: Callable) -> Array:
	var c := RustWebSocketPeer.new()
	c.handshake_timeout = 2.0
	setup.call(c)
	var log: SignalLog = SignalLog.watching(c)
	check_eq(c.connect_to_url(url), OK, "connect_to_url(%s)" % url)
	await wait_until(func(): c.poll(); server.poll(); return c.get_ready_state() != RustWebSocketPeer.STATE_CONNECTING,
			5.0, "outcome of %s" % url)
	return [c, log]


func expect_refused(server: Fx.BuiltinServer, url: String, setup: Callable, cause: String, what: String) -> void:
	var r := await attempt(server, url, setup)
	var c: RustWebSocketPeer = r[0]
	var log: SignalLog = r[1]
	check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "%s: closed" % what)
	check_eq(log.count("connection_error"), 1, "%s: connection_error once" % what)
	check_eq(log.count("connection_established") + log.count("connection_closed"), 0, "%s: never opened" % what)
	var reason: String = log.args_of("connection_error")[0] if log.count("connection_error") > 0 else ""
	check(reason.contains("certificate") and reason.contains(cause), "%s: reason names the problem (%s): %s" % [what, cause, reason])
	check_eq(c.get_last_error(), reason, "%s: get_last_error is the reason" % what)


## Connects, then proves the connection carries data both ways and closes cleanly.
func expect_open(server: Fx.BuiltinServer, url: String, setup: Callable, what: String) -> RustWebSocketPeer:
	var r := await attempt(server, url, setup)
	var c: RustWebSocketPeer = r[0]
	var log: SignalLog = r[1]
	if not check_eq(c.get_ready_state(), RustWebSocketPeer.STATE_OPEN, "%s: open (%s)" % [what, c.get_last_error()]):
		return c
	check_eq(log.count("connection_error"), 0, "%s: no connection_error" % what)
	if not await wait_until(func(): c.poll(); server.poll(); return server.open_peer() != null, 5.0, "%s: server side open" % what):
		return c
	var srv: WebSocketPeer = server.open_peer()
	c.send_text("hello over TLS")
	await wait_until(func(): c.poll(); server.poll(); return srv.get_available_packet_count() > 0, 5.0, "%s: server gets text" % what)
	check_eq(srv.get_packet().get_string_from_utf8(), "hello over TLS", "%s: text arrives" % what)
	srv.put_packet(PackedByteArray([7, 0, 255]))
	await wait_until(func(): c.poll(); server.poll(); return c.get_available_packet_count() > 0, 5.0, "%s: client gets binary" % what)
	check_eq(c.get_packet(), PackedByteArray([7, 0, 255]), "%s: binary arrives" % what)
	c.close(1000, "done")
	await wait_until(func(): c.poll(); server.poll(); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "%s: closes" % what)
	check_eq(log.args_of("connection_closed"), [true], "%s: clean close" % what)
	server.peers.clear()
	return c


func run_test() -> void:
	var key := Fx.make_key()
	var good := Fx.self_signed(key, "CN=localhost,O=Good,C=US")
	var other := Fx.self_signed(key, "CN=other.example,O=Other,C=US")
	var expired := Fx.self_signed(key, "CN=localhost,O=Expired,C=US", "20200101000000", "20210101000000")
	var good_srv := serve(good, key)
	var other_srv := serve(other, key)
	var expired_srv := serve(expired, key)

	check_eq(RustWebSocketPeer.new().verify_tls, true, "verify_tls is on by default")
	await expect_refused(good_srv, good_srv.url(), func(_c): pass, "self-signed", "untrusted self-signed")
	await expect_open(good_srv, good_srv.url(), func(c): c.trusted_certificate = good, "trusted X509Certificate")
	await expect_refused(good_srv, good_srv.url_at("127.0.0.1"), func(c): c.trusted_certificate = good,
			"IP address mismatch", "IP URL, certificate names only localhost")
	await expect_refused(other_srv, other_srv.url(), func(c): c.trusted_certificate = other,
			"hostname mismatch", "certificate for another host")
	await expect_refused(expired_srv, expired_srv.url(), func(c): c.trusted_certificate = expired,
			"expired", "expired certificate")
	# Trusting one certificate does not trust another made with the same key.
	await expect_refused(good_srv, good_srv.url(), func(c): c.trusted_certificate = other,
			"certificate verify failed", "trusting a different certificate")

	# PEM files: user:// path, OS path, and a bundle whose second entry is the right one.
	DirAccess.make_dir_recursive_absolute(ProjectSettings.globalize_path(DIR))
	var os_path := Fx.save_pem(good, DIR + "/good.pem")
	# save(), not save_to_string(): that one logs a Unicode error (it copies a NUL along).
	Fx.save_pem(other, DIR + "/other.pem")
	var f := FileAccess.open(DIR + "/bundle.pem", FileAccess.WRITE)
	f.store_string(FileAccess.get_file_as_string(DIR + "/other.pem") + FileAccess.get_file_as_string(DIR + "/good.pem"))
	f.close()
	var c := await expect_open(good_srv, good_srv.url(), func(c): c.trusted_certificate = DIR + "/good.pem", "PEM at a user:// path")
	check_eq(c.trusted_certificate, DIR + "/good.pem", "trusted_certificate keeps the path it was given")
	await expect_open(good_srv, good_srv.url(), func(c): c.trusted_certificate = os_path, "PEM at an OS path")
	await expect_open(good_srv, good_srv.url(), func(c): c.trusted_certificate = DIR + "/bundle.pem", "PEM bundle")

	# A path that does not exist is refused when set, and the previous value stays.
	expect_errors("trusted_certificate: could not read a certificate", 1)
	allow_errors("Can't open file from path")
	var p := RustWebSocketPeer.new()
	p.trusted_certificate = good
	p.trusted_certificate = DIR + "/missing.pem"
	check(p.trusted_certificate is X509Certificate, "a missing file leaves trusted_certificate unchanged")
	check(p.get_last_error().contains("missing.pem"), "the reason names the path: " + p.get_last_error())
	# A file that is no certificate fails connect_to_url at once.
	f = FileAccess.open(DIR + "/junk.pem", FileAccess.WRITE)
	f.store_string("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
	f.close()
	expect_errors("trusted_certificate could not be read", 1)
	p.trusted_certificate = DIR + "/junk.pem"
	check_ne(p.connect_to_url(good_srv.url()), OK, "a junk certificate fails connect_to_url")
	check_eq(p.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "and the peer stays closed")
	p.trusted_certificate = null
	check_eq(p.trusted_certificate, null, "trusted_certificate can be cleared")

	# verify_tls = false: wrong host name and an untrusted certificate are both accepted.
	check_eq(warnings.count("verify_tls is false"), 0, "no warning while verifying")
	var insecure := await expect_open(other_srv, other_srv.url(), func(c): c.verify_tls = false, "verify_tls = false")
	check_eq(warnings.count("verify_tls is false"), 1, "one warning for the insecure connect")
	check_eq(insecure.connect_to_url(other_srv.url()), OK, "the same peer reconnects")
	await wait_until(func(): insecure.poll(); other_srv.poll(); return insecure.get_ready_state() == RustWebSocketPeer.STATE_OPEN, 5.0, "reopens")
	check_eq(warnings.count("verify_tls is false"), 1, "still one warning: it is given once per peer")
	insecure.close()
	await wait_until(func(): insecure.poll(); other_srv.poll(); return insecure.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closes again")
	# Plain ws:// is not a reason to warn.
	var plain := RustWebSocketPeer.new()
	plain.verify_tls = false
	plain.connect_to_url("ws://127.0.0.1:%d/" % good_srv.port)
	check_eq(warnings.count("verify_tls is false"), 1, "no warning for ws://")
	plain.close()

	for s in servers:
		s.stop()
