extends "res://tests/harness/test_case.gd"
## Our client against an independent implementation: the Python `websockets`
## echo server (tests/python/echo_server.py, venv from ci/python-env.sh).
## Text and binary (empty to 4 MiB) echo with their kind, the path, query and
## headers reach the server, subprotocols are negotiated or refused, and the
## close handshake carries codes and reasons both ways.

const PythonProcess := preload("res://tests/support/python_process.gd")

var python := PythonProcess.new()
var port := 0


## Connects a client; returns [client, log] once it is open or has failed.
func open(path := "/", protocols := PackedStringArray(), headers := PackedStringArray()) -> Array:
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	check_eq(client.connect_to_url("ws://127.0.0.1:%d%s" % [port, path], protocols, headers), OK, "connect_to_url")
	await wait_until(func(): client.poll(); return log.count("connection_established") + log.count("connection_error") > 0, 5.0, "connects or fails")
	return [client, log]


## Sends one message and returns the echo as [bytes, was_string], or null.
func echo(client: RustWebSocketPeer, data: PackedByteArray, text: bool):
	var err: Error = client.send(data, RustWebSocketPeer.WRITE_MODE_TEXT if text else RustWebSocketPeer.WRITE_MODE_BINARY)
	if not check_eq(err, OK, "send %d B" % data.size()):
		return null
	if not await wait_until(func(): client.poll(); return client.get_available_packet_count() > 0, 10.0, "echo of %d B" % data.size()):
		return null
	var got := client.get_packet()
	return [got, client.was_string_packet()]


func run_test() -> void:
	timeout_seconds = 40.0
	var port_file := PythonProcess.scratch_file("echo_server.port")
	if not python.start("echo_server.py", ["--port-file", port_file, "--parent-pid", str(OS.get_process_id()), "--lifetime", "60"]):
		fail(python.error)
		return
	var ready := await wait_until(func(): return FileAccess.file_exists(port_file) or not python.is_running(), 15.0, "Python echo server starts")
	if not ready or not FileAccess.file_exists(port_file):
		fail("the Python echo server did not start (exit code %d)" % python.exit_code())
		return
	port = FileAccess.get_file_as_string(port_file).to_int()
	check(port > 0, "Python server port")

	# Subprotocol, path, query and headers.
	var c = await open("/game?room=5", PackedStringArray(["nope", "v2"]), PackedStringArray(["X-Token: abc"]))
	var client: RustWebSocketPeer = c[0]
	var log = c[1]
	check_eq(log.args_of("connection_established"), ["v2"], "server chose v2")
	check_eq(client.get_selected_protocol(), "v2", "get_selected_protocol")
	client.send_text("whoami")
	await wait_until(func(): client.poll(); return client.get_available_packet_count() > 0, 5.0, "whoami answer")
	var who = JSON.parse_string(client.get_packet().get_string_from_utf8())
	if check(who is Dictionary, "whoami answer is JSON"):
		check_eq(who.path, "/game?room=5", "path and query reached the server")
		# Header names are case-insensitive (RFC 9110); ours go out lower-case.
		check(who.headers.any(func(h): return h[0].to_lower() == "x-token" and h[1] == "abc"), "custom header reached the server: %s" % str(who.headers))
		check_eq(who.subprotocol, "v2", "server's view of the subprotocol")

	# Text and binary, empty to 4 MiB, each echoed with its kind.
	var crypto := Crypto.new()
	for size in [0, 1, 125, 126, 65535, 65536, 1 << 20, 4 << 20]:
		var bin := crypto.generate_random_bytes(size) if size > 0 else PackedByteArray()
		var r = await echo(client, bin, false)
		if r == null:
			return
		check(r[0] == bin, "%d B binary echoed intact" % size)
		check(not r[1], "%d B binary echoed as binary" % size)
	for text in ["", "héllo ✓", "ж".repeat(40000)]:
		var r = await echo(client, text.to_utf8_buffer(), true)
		if r == null:
			return
		check_eq(r[0].get_string_from_utf8(), text, "text of %d chars echoed" % text.length())
		check(r[1], "text echoed as text")

	# The Python server closes with a code and reason.
	client.send_text("close:4002:py says bye")
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed by the server")
	check_eq(log.args_of("server_close_request"), [4002, "py says bye"], "server_close_request with code and reason")
	check_eq(log.args_of("connection_closed"), [true], "clean close")
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(client.get_close_code(), 4002, "get_close_code")
	check_eq(client.get_close_reason(), "py says bye", "get_close_reason")

	# We close: the Python server echoes our code.
	c = await open()
	client = c[0]
	log = c[1]
	check_eq(log.args_of("connection_established"), [""], "no protocol offered, none chosen")
	check_eq(client.close(4001, "rust bye"), OK, "close")
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed by us")
	check_eq(log.args_of("connection_closed"), [true], "clean close")
	check_eq(log.count("server_close_request"), 0, "no server_close_request when we close")
	check_eq(client.get_close_code(), 4001, "the server echoed our code")

	# Offering only unsupported protocols is refused.
	c = await open("/", PackedStringArray(["nope"]))
	log = c[1]
	check_eq(log.count("connection_error"), 1, "connection_error for an unsupported protocol")
	check_eq(log.count("connection_established"), 0, "not established")
	check(c[0].get_last_error().contains("400"), "reason names the HTTP status: %s" % c[0].get_last_error())

	check(python.is_running(), "Python server still up")
	python.kill()
