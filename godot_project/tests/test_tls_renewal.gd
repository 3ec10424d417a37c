extends "res://tests/harness/server_case.gd"
## Certificate renewal on a listening wss:// server, without a restart: a new
## certificate and key set on it serve every later handshake while clients
## connected before stay connected and keep talking. Clients trust only root
## CAs: Python (tests/python/tls_client.py, which reports the certificate it was
## shown) and Godot's built-in WebSocketPeer.
## - From an RSA chain under root A to an ECDSA chain under root B (objects
##   loaded in code, certificate set before the key): a client from before
##   keeps seeing A, a new one sees B; Godot's client trusting only B now
##   opens, one trusting only A is refused.
## - A pair that does not match is not applied: the server keeps B, says why at
##   the next poll() (error + get_last_error()).
## - Paths, the Let's Encrypt way: the files at the same paths are replaced and
##   the same paths set again; new clients see the new files.

const PythonProcess := preload("res://tests/support/python_process.gd")

## [peer id, text] of each message the server received.
var received := []
var pythons := []
var roots_file := ""


func _init() -> void:
	timeout_seconds = 90


## Starts a Python client trusting roots A and B and waits for its report:
## {"id", "serial", "subject", "process", "result_file"}, or {} on failure.
func python_connects(tag: String) -> Dictionary:
	var p := PythonProcess.new()
	var result_file := PythonProcess.scratch_file("renewal-%s.json" % tag)
	if not p.start("tls_client.py", ["wss://localhost:%d/" % server.get_port(), "--ca", roots_file, "--result-file", result_file]):
		fail(p.error)
		return {}
	pythons.append(p)
	var report := {}
	var got := await wait_until(func():
		server.poll()
		var r = report_of_new_peer()
		if r != null:
			report.merge(r)
			return true
		return not p.is_running(), 20.0, "%s: Python client reports its certificate" % tag)
	if not got or report.is_empty():
		fail("%s: Python client did not connect: %s" % [tag, FileAccess.get_file_as_string(result_file)])
		return {}
	report.process = p
	report.result_file = result_file
	return report


var reported_ids := []


## The first certificate report from a peer not seen before, or null.
func report_of_new_peer():
	for m in received:
		# Only the reports are JSON; other messages are echoes.
		if m[0] in reported_ids or not m[1].begins_with("{"):
			continue
		var info = JSON.parse_string(m[1])
		if info is Dictionary and info.has("serial"):
			reported_ids.append(m[0])
			return {"id": m[0], "serial": info.serial, "subject": info.subject}
	return null


## The text the server received from peer id after index from, or "".
func text_from(id: int, from: int) -> String:
	for i in range(from, received.size()):
		if received[i][0] == id:
			return received[i][1]
	return ""


## Godot's built-in client trusting only root: whether it opens.
func builtin_opens(root: X509Certificate, what: String) -> WebSocketPeer:
	var b := WebSocketPeer.new()
	b.connect_to_url("wss://localhost:%d/" % server.get_port(), TLSOptions.client(root))
	await wait_until(func(): b.poll(); server.poll(); return b.get_ready_state() != WebSocketPeer.STATE_CONNECTING, 10.0, "%s: built-in decided" % what)
	return b


## Copies leaf's chain and key to the same two paths as before (as certbot's
## live/ folder changes), sets those paths again, and connects a new client.
func renew_from_files(leaf: Dictionary, tag: String) -> Dictionary:
	var live := ProjectSettings.globalize_path("user://tls_fixtures/renew_live")
	DirAccess.make_dir_recursive_absolute(live)
	DirAccess.copy_absolute(leaf.fullchain, live.path_join("fullchain.pem"))
	DirAccess.copy_absolute(leaf.keys.pkcs8, live.path_join("privkey.pem"))
	server.tls_certificate = live.path_join("fullchain.pem")
	server.private_key = live.path_join("privkey.pem")
	server.poll()
	return await python_connects(tag)


func run_test() -> void:
	var a := Fx.openssl_pki("renew_a", "rsa", ["rsa"], 0xA001)
	var b := Fx.openssl_pki("renew_b", "p256", ["p256"], 0xB001)
	if a.has("skip") or b.has("skip"):
		fail("openssl is needed for this test: %s" % a.get("skip", b.get("skip")))
		return
	var leaf_a: Dictionary = a.leaves.rsa
	var leaf_b: Dictionary = b.leaves.p256
	var root_a := Fx.load_cert(a.root)
	var root_b := Fx.load_cert(b.root)
	roots_file = ProjectSettings.globalize_path("user://tls_fixtures/renew_roots.pem")
	var f := FileAccess.open(roots_file, FileAccess.WRITE)
	f.store_string(FileAccess.get_file_as_string(a.root) + FileAccess.get_file_as_string(b.root))
	f.close()

	server.data_received.connect(func(id: int): received.append([id, server.get_peer(id).get_packet().get_string_from_utf8()]))
	server.private_key = Fx.load_key(leaf_a.keys.pkcs1)
	server.tls_certificate = Fx.load_cert(leaf_a.fullchain)
	if not check_eq(server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "listen with chain A (%s)" % server.get_last_error()):
		return

	# Clients from before the renewal: Python and Godot's built-in.
	var before := await python_connects("before")
	if before.is_empty():
		return
	check_eq(before.serial, leaf_a.serial, "the client before sees certificate A")
	var builtin_before := await builtin_opens(root_a, "built-in before")
	check_eq(builtin_before.get_ready_state(), WebSocketPeer.STATE_OPEN, "built-in client trusting root A opens before")

	# Renewal to chain B: certificate first, then the key, as a timer would.
	server.tls_certificate = Fx.load_cert(leaf_b.fullchain)
	server.private_key = Fx.load_key(leaf_b.keys.sec1)
	server.poll()
	check_eq(server.get_last_error(), "", "a matching pair is applied without an error")

	var after := await python_connects("after")
	if after.is_empty():
		return
	check_eq(after.serial, leaf_b.serial, "the client after sees certificate B")
	check(after.subject.contains(leaf_b.ou), "and its subject: " + after.subject)
	var builtin_b := await builtin_opens(root_b, "built-in trusting B")
	check_eq(builtin_b.get_ready_state(), WebSocketPeer.STATE_OPEN, "built-in client trusting only root B opens after")
	allow_errors("TLS handshake error")  # Godot's client logs its verification failure.
	var builtin_a := await builtin_opens(root_a, "built-in trusting A")
	check_eq(builtin_a.get_ready_state(), WebSocketPeer.STATE_CLOSED, "built-in client trusting only root A is refused after")

	# The clients from before are still connected and talking.
	check_eq(slog.count("client_disconnected"), 0, "no client was dropped by the renewal")
	var mark := received.size()
	server.get_peer(before.id).send_text("still there?")
	builtin_before.send_text("built-in still here")
	await wait_until(func():
		server.poll()
		builtin_before.poll()
		return text_from(before.id, mark) != "" and received.size() >= mark + 2, 10.0, "both clients from before answer")
	check_eq(text_from(before.id, mark), "still there?", "the Python client from before echoes")
	check(received.slice(mark).any(func(m): return m[1] == "built-in still here"), "the built-in client from before sends")
	check_eq(builtin_before.get_ready_state(), WebSocketPeer.STATE_OPEN, "built-in client from before still open")

	# A pair that does not match is refused; B stays in use.
	expect_errors("were not applied", 1)
	server.private_key = leaf_a.keys.pkcs8
	server.poll()
	check(server.get_last_error().contains("not applied") and server.get_last_error().contains("usable identity"),
			"the reason is given: " + server.get_last_error())
	var kept := await python_connects("kept")
	if not kept.is_empty():
		check_eq(kept.serial, leaf_b.serial, "after a refused pair, new clients still see B")

	# Paths that stay the same while the files change, as with Let's Encrypt's live/ folder.
	var live_a := await renew_from_files(leaf_a, "live_a")
	if not live_a.is_empty():
		check_eq(live_a.serial, leaf_a.serial, "paths: new clients see the files' certificate A")
	var live_b := await renew_from_files(leaf_b, "live_b")
	if not live_b.is_empty():
		check_eq(live_b.serial, leaf_b.serial, "paths set again after the files changed: new clients see B")

	# Every Python client, old and new, ends cleanly.
	for r in [before, after, kept, live_a, live_b]:
		if not r.is_empty() and server.has_peer(r.id):
			server.get_peer(r.id).send_text("bye")
	await wait_until(func(): server.poll(); return pythons.all(func(p): return not p.is_running()), 20.0, "Python clients end")
	for r in [before, after, kept, live_a, live_b]:
		if r.is_empty():
			continue
		var result = JSON.parse_string(FileAccess.get_file_as_string(r.result_file))
		if check(result is Dictionary, "result of %s" % r.serial):
			check(result.ok, "Python client's checks: %s" % str(result.errors))
			check_eq(result.close_code, 1000, "closed cleanly")
	builtin_before.close()
	builtin_b.close()
	for p in pythons:
		p.kill()
	server.stop()
