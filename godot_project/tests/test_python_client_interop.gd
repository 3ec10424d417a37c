extends "res://tests/harness/server_case.gd"
## Our server against an independent client: the Python `websockets` client
## (tests/python/client.py, venv from ci/python-env.sh) negotiates a
## subprotocol, gets our greeting, has text, binary and empty messages and
## 1 MiB echoed with their kind, and closes with 4000 "py bye"; our server
## sees all of it and signals each step once.

const PythonProcess := preload("res://tests/support/python_process.gd")

var python := PythonProcess.new()
## [text or PackedByteArray, was_string] of each message the server got.
var received := []


func on_connected(id: int, _protocol: String) -> void:
	server.get_peer(id).send_text("welcome")


func on_data(id: int) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	var data := peer.get_packet()
	var text := peer.was_string_packet()
	received.append([data.get_string_from_utf8() if text else data, text])
	peer.send(data, RustWebSocketPeer.WRITE_MODE_TEXT if text else RustWebSocketPeer.WRITE_MODE_BINARY)


func run_test() -> void:
	timeout_seconds = 40.0
	server.client_connected.connect(on_connected)
	server.data_received.connect(on_data)
	var request := [""]
	server.client_connected.connect(func(id, _p):
		var peer: RustWebSocketPeer = server.get_peer(id)
		request[0] = peer.get_requested_url() + "\n" + "\n".join(peer.get_request_headers()).to_lower())
	var url := listen_loopback(PackedStringArray(["chat", "v2"])) + "py?x=1"

	var result_file := PythonProcess.scratch_file("client.json")
	if not python.start("client.py", [url, "--result-file", result_file, "--protocol", "v2", "--header", "X-From: python"]):
		fail(python.error)
		return
	var done := await wait_until(func(): server.poll(); return not python.is_running(), 20.0, "Python client finishes")
	if not done:
		python.kill()
	# Let the server finish the close it was answering.
	await wait_until(func(): server.poll(); return slog.count("client_disconnected") > 0, 5.0, "client_disconnected")

	var result = JSON.parse_string(FileAccess.get_file_as_string(result_file)) if FileAccess.file_exists(result_file) else null
	if not check(result is Dictionary, "Python client wrote its result file"):
		return
	check(result.ok, "Python client's checks: %s" % str(result.errors))
	check_eq(result.protocol, "v2", "Python client got the subprotocol")
	check_eq(result.close_code, 4000, "Python client got its close code back")
	var code := python.exit_code()
	if code >= 0:
		check_eq(code, 0, "Python client exit code")

	# What our server saw.
	check_eq(slog.count("client_connected"), 1, "client_connected once")
	var id := slog.last_connected_id()
	check_eq(slog.args_for("client_connected", id), [id, "v2"], "client_connected with v2")
	var req: String = request[0]
	check(req.begins_with("/py?x=1\n"), "requested path and query: %s" % req.get_slice("\n", 0))
	check(req.contains("x-from: python"), "the client's header")
	check(req.contains("user-agent: python"), "a Python client indeed")
	check_eq(received.size(), 5, "5 messages")
	check_eq(slog.count_for("data_received", id), 5, "data_received once per message")
	if received.size() == 5:
		check_eq(received[0], ["héllo ✓", true], "text")
		check_eq(received[1], [PackedByteArray([0, 1, 255]), false], "binary")
		check_eq(received[2], ["", true], "empty text")
		check_eq(received[3], [PackedByteArray(), false], "empty binary")
		check_eq(received[4][0].size(), 1 << 20, "1 MiB binary")
		check_eq(received[4][0].slice(250, 253), PackedByteArray([250, 0, 1]), "1 MiB content pattern")
		check(not received[4][1], "1 MiB is binary")
	check_eq(slog.count_for("client_close_request", id), 1, "client_close_request once")
	check_eq(slog.args_for("client_close_request", id), [id, 4000, "py bye"], "code and reason")
	check_eq(slog.count_for("client_disconnected", id), 1, "client_disconnected once")
	check_eq(slog.args_for("client_disconnected", id), [id, true], "clean")
	server.stop()
