extends "res://tests/harness/test_case.gd"
## Our wss:// server with certificates as people deploy them (made by the
## openssl command: root CA -> intermediate -> leaf, like a Let's Encrypt
## fullchain.pem), checked by clients that trust only the root: Python's ssl
## with `websockets` (tests/python/tls_client.py, which reports the subject and
## serial number it was shown) and Godot's built-in WebSocketPeer with
## TLSOptions.client(root).
## - The chain is sent whole however it was loaded: X509Certificate.load() in
##   code, a .crt resource, a PEM path; key and certificate mixed too.
## - RSA keys (PKCS#1, PKCS#8) and ECDSA P-256 and P-384 keys (SEC1, PKCS#8),
##   given as paths and as CryptoKey objects.
## - A key of another certificate, a missing file and a wrong type are
##   refused with a reason.
## The runner fails the test on any engine error or stderr line, so these
## wss:// start-ups also show that nothing spurious is logged.

const PythonProcess := preload("res://tests/support/python_process.gd")

var servers: Array[RustWebSocketServer] = []
## server -> Array of [peer id, text] it received.
var received := {}


func _init() -> void:
	timeout_seconds = 90


func make_server(key, cert) -> RustWebSocketServer:
	var s := RustWebSocketServer.new()
	s.private_key = key
	s.tls_certificate = cert
	s.handshake_timeout = 5.0
	received[s] = []
	# A weak reference: the server holding a lambda that holds the server would leak.
	var weak: WeakRef = weakref(s)
	s.data_received.connect(func(id: int):
		var me: RustWebSocketServer = weak.get_ref()
		received[me].append([id, me.get_peer(id).get_packet().get_string_from_utf8()]))
	servers.append(s)
	return s


func poll_all() -> void:
	for s in servers:
		s.poll()


## A Python client of server s trusting only ca_file; returns it with its result file.
func python_client(s: RustWebSocketServer, ca_file: String, tag: String) -> Dictionary:
	var p := PythonProcess.new()
	var result_file := PythonProcess.scratch_file("tls-%s.json" % tag)
	if not p.start("tls_client.py", ["wss://localhost:%d/" % s.get_port(), "--ca", ca_file, "--result-file", result_file]):
		fail(p.error)
	return {"process": p, "result_file": result_file, "server": s, "tag": tag}


## The certificate a Python client reported in its first message, or null.
func reported(client: Dictionary):
	for m in received[client.server]:
		var info = JSON.parse_string(m[1])
		if info is Dictionary and info.has("serial"):
			return {"id": m[0], "serial": info.serial, "subject": info.subject}
	return null


## Waits for every client's report and checks it shows the expected leaf.
func check_reports(clients: Array, what: String) -> void:
	await wait_until(func(): poll_all(); return clients.all(func(c): return reported(c) != null or not c.process.is_running()),
			30.0, "%s: every Python client reports its certificate" % what)
	for c in clients:
		var r = reported(c)
		if not check(r != null, "%s: Python client %s connected (%s)" % [what, c.tag, python_errors(c)]):
			continue
		check_eq(r.serial, c.leaf.serial, "%s: %s saw the leaf's serial" % [what, c.tag])
		check(r.subject.contains("organizationalUnitName=" + c.leaf.ou), "%s: %s saw the leaf's subject: %s" % [what, c.tag, r.subject])


## Says "bye" to every reported client and checks each ended cleanly.
func finish_python(clients: Array, what: String) -> void:
	for c in clients:
		var r = reported(c)
		if r != null and c.server.has_peer(r.id):
			c.server.get_peer(r.id).send_text("bye")
	await wait_until(func(): poll_all(); return clients.all(func(c): return not c.process.is_running()), 20.0, "%s: Python clients end" % what)
	for c in clients:
		c.process.kill()
		var result = JSON.parse_string(FileAccess.get_file_as_string(c.result_file)) if FileAccess.file_exists(c.result_file) else null
		if check(result is Dictionary, "%s: %s wrote its result" % [what, c.tag]):
			check(result.ok, "%s: %s's checks: %s" % [what, c.tag, str(result.errors)])
			check_eq(result.close_code, 1000, "%s: %s closed cleanly" % [what, c.tag])


func python_errors(c: Dictionary) -> String:
	if not FileAccess.file_exists(c.result_file):
		return "no result yet"
	var result = JSON.parse_string(FileAccess.get_file_as_string(c.result_file))
	return str(result.errors) if result is Dictionary else "unreadable result"


## Godot's built-in client trusting only root opens a connection to s.
func builtin_opens(s: RustWebSocketServer, root: X509Certificate, what: String) -> void:
	var b := WebSocketPeer.new()
	check_eq(b.connect_to_url("wss://localhost:%d/" % s.get_port(), TLSOptions.client(root)), OK, "%s: built-in connect_to_url" % what)
	await wait_until(func(): b.poll(); poll_all(); return b.get_ready_state() != WebSocketPeer.STATE_CONNECTING, 10.0, "%s: built-in decided" % what)
	check_eq(b.get_ready_state(), WebSocketPeer.STATE_OPEN, "%s: built-in client trusting only the root opens" % what)
	b.close()


func run_test() -> void:
	var pki := Fx.openssl_pki("deploy", "rsa", ["rsa", "p256", "p384"], 0x5001)
	if pki.has("skip"):
		fail("openssl is needed for this test: %s" % pki.skip)
		return
	var root := Fx.load_cert(pki.root)
	var leaves: Dictionary = pki.leaves

	# name -> [key, certificate, leaf]: every way to give them.
	var cases := {}
	for alg in leaves:
		var leaf: Dictionary = leaves[alg]
		for form in leaf.keys:
			cases["%s %s, paths" % [alg, form]] = [leaf.keys[form], leaf.fullchain, leaf]
			cases["%s %s, loaded in code" % [alg, form]] = [Fx.load_key(leaf.keys[form]), Fx.load_cert(leaf.fullchain), leaf]
	var rsa: Dictionary = leaves.rsa
	cases["rsa, resources"] = [load(pki.dir_res.path_join(rsa.keys.pkcs1.get_file())), load(rsa.fullchain_crt), rsa]
	cases["p256 key object, certificate path"] = [Fx.load_key(leaves.p256.keys.sec1), leaves.p256.fullchain, leaves.p256]
	cases["p384 key path, certificate object"] = [leaves.p384.keys.sec1, Fx.load_cert(leaves.p384.fullchain), leaves.p384]
	check(cases["rsa, resources"][0] is CryptoKey and cases["rsa, resources"][1] is X509Certificate, "keys and chains load as resources")

	var clients := []
	for what in cases:
		var s := make_server(cases[what][0], cases[what][1])
		if not check_eq(s.listen(0, PackedStringArray(), "127.0.0.1"), OK, "%s: listen (%s)" % [what, s.get_last_error()]):
			continue
		check_eq(s.get_tls_certificate(), cases[what][1], "%s: tls_certificate keeps what it was given" % what)
		var c := python_client(s, pki.root, what.replace(" ", "_").replace(",", ""))
		c.leaf = cases[what][2]
		clients.append(c)
	await check_reports(clients, "chains")
	for c in clients:
		await builtin_opens(c.server, root, c.tag)
	await finish_python(clients, "chains")

	# Refusals, each with its reason.
	var mismatched := make_server(leaves.p256.keys.pkcs8, rsa.fullchain)
	expect_errors("do not form a usable identity", 1)
	check_ne(mismatched.listen(0, PackedStringArray(), "127.0.0.1"), OK, "an ECDSA key with an RSA certificate is refused")
	check(mismatched.get_last_error().contains("private_key and tls_certificate"), "reason: " + mismatched.get_last_error())
	var missing := make_server(rsa.keys.pkcs8, rsa.fullchain + ".gone")
	expect_errors("tls_certificate: no file at", 1)
	check_eq(missing.listen(0, PackedStringArray(), "127.0.0.1"), ERR_INVALID_PARAMETER, "a missing certificate file is refused")
	check(missing.get_last_error().contains(".gone"), "reason names the file: " + missing.get_last_error())
	var wrong := RustWebSocketServer.new()
	expect_errors("private_key must be a CryptoKey or the path of a PEM file", 1)
	wrong.private_key = 42
	check_eq(wrong.private_key, null, "a value of the wrong type is not taken")
	var public_path: String = pki.dir_res.path_join("rsa_public.pem")
	check_eq(Fx.load_key(rsa.keys.pkcs8).save(public_path, true), OK, "public key saved")
	var public_only := CryptoKey.new()
	check_eq(public_only.load(public_path, true), OK, "public key loaded")
	var half := make_server(public_only, rsa.fullchain)
	expect_errors("holds only a public key", 1)
	check_ne(half.listen(0, PackedStringArray(), "127.0.0.1"), OK, "a public key is refused")

	for s in servers:
		s.stop()
