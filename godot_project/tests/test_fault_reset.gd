extends "res://tests/harness/test_case.gd"
## The other end vanishing: a TCP reset in the middle of a message, and a
## peer process that is killed, each end in one connection_closed(false) with
## close code -1 and a reason; messages that arrived before stay readable.

const RawServer := preload("res://tests/support/raw_ws_server.gd")
const PythonProcess := preload("res://tests/support/python_process.gd")


func run_test() -> void:
	# Reset mid-message: a whole message, then half of a second one, then gone.
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	var raw: RawServer = await RawServer.serving(self, client, "reset mid-message")
	raw.send_frame(Frames.TEXT, "complete".to_utf8_buffer())
	var big := PackedByteArray()
	big.resize(100000)
	var partial: PackedByteArray = Frames.build(Frames.BINARY, big)
	raw.send(partial.slice(0, 50000))
	await wait_until(func(): raw.poll(); client.poll(); return client.get_available_packet_count() == 1, 5.0, "the complete message")
	raw.drop()
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed after the reset")
	check_eq(log.count("connection_closed"), 1, "connection_closed once")
	check_eq(log.args_of("connection_closed"), [false], "not clean")
	check_eq(client.get_close_code(), -1, "close code -1")
	check(client.get_last_error() != "", "a reason: " + client.get_last_error())
	check_eq(client.get_packet().get_string_from_utf8(), "complete", "the complete message is still readable")
	check_eq(client.get_available_packet_count(), 0, "the half message is not delivered")
	raw.stop()

	# A peer process that is killed.
	var py := PythonProcess.new()
	var port_file := PythonProcess.scratch_file("reset-port")
	if not check(py.start("echo_server.py", ["--port-file", port_file, "--parent-pid", str(OS.get_process_id()), "--lifetime", "30"]), "python echo server starts: " + py.error):
		return
	await wait_until(func(): return FileAccess.file_exists(port_file) and FileAccess.get_file_as_string(port_file).strip_edges() != "", 15.0, "python server listens")
	var port := FileAccess.get_file_as_string(port_file).strip_edges().to_int()
	var client2 := RustWebSocketPeer.new()
	var log2: SignalLog = SignalLog.watching(client2)
	client2.connect_to_url("ws://127.0.0.1:%d/" % port)
	await wait_until(func(): client2.poll(); return client2.is_connected_to_host(), 5.0, "open to python")
	client2.send_text("echo me")
	await wait_until(func(): client2.poll(); return client2.get_available_packet_count() == 1, 5.0, "echo")
	py.kill()
	await wait_until(func(): client2.poll(); return client2.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed after the process died")
	check_eq(log2.count("connection_closed"), 1, "connection_closed once")
	check_eq(log2.args_of("connection_closed"), [false], "not clean")
	check_eq(log2.count("server_close_request"), 0, "no close request from a dead process")
	check_eq(client2.get_packet().get_string_from_utf8(), "echo me", "the echo stays readable")
