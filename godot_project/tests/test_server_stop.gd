extends "res://tests/harness/server_case.gd"
## stop() closes every client with a close frame (1001) — ours and Godot's
## built-in — and reports each disconnect exactly once; a client that goes
## away without a close frame (socket closed, reset, or freed peer) gives one
## client_disconnected(id, false) (or one clean one after the freed peer's
## "going away" frame).


var ours: Array[RustWebSocketPeer] = []
var our_logs: Array = []
var builtin := WebSocketPeer.new()


func pump() -> void:
	server.poll()
	for c in ours:
		c.poll()
	builtin.poll()


func url() -> String:
	return "ws://127.0.0.1:%d/" % server.get_port()


## Waits for the next client_connected and returns its id.
func next_id(before: int, what: String) -> int:
	await wait_until(func(): pump(); return slog.count("client_connected") == before + 1, 5.0, what)
	return slog.last_connected_id()


func run_test() -> void:
	check_eq(server.listen(0), OK, "listen")
	var port := server.get_port()
	for i in 2:
		var c := RustWebSocketPeer.new()
		var l: SignalLog = SignalLog.watching(c)
		ours.append(c)
		our_logs.append(l)
		c.connect_to_url(url())
	builtin.connect_to_url(url())
	await wait_until(func(): pump(); return slog.count("client_connected") == 3 and builtin.get_ready_state() == WebSocketPeer.STATE_OPEN and ours.all(func(c): return c.is_connected_to_host()), 5.0, "3 clients open")
	var ids := server.get_peer_ids()
	check_eq(ids.size(), 3, "3 peers")

	server.stop()
	check(not server.is_listening(), "not listening after stop()")
	check_eq(server.get_port(), 0, "no port after stop()")
	check_eq(server.get_peer_ids(), PackedInt32Array(), "no peers after stop()")
	check_eq(slog.count("client_disconnected"), 3, "client_disconnected for every peer, at once")
	for id in ids:
		check_eq(slog.count_for("client_disconnected", id), 1, "client_disconnected(%d) once" % id)
		check(not server.has_peer(id), "peer %d gone" % id)
	await wait_until(func(): pump(); return builtin.get_ready_state() == WebSocketPeer.STATE_CLOSED and ours.all(func(c): return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED), 5.0, "clients see the close")
	check_eq(builtin.get_close_code(), 1001, "built-in client got close code 1001")
	for i in ours.size():
		check_eq(our_logs[i].count("server_close_request"), 1, "client %d: server_close_request once" % i)
		check_eq(our_logs[i].args_of("server_close_request")[0], 1001, "client %d: code 1001" % i)
		check_eq(our_logs[i].count("connection_closed"), 1, "client %d: connection_closed once" % i)
	await wait_frames(10)
	pump()
	check_eq(slog.count("client_disconnected"), 3, "nothing more after stop()")
	check_eq(slog.count("client_close_request"), 0, "no client_close_request on stop()")

	# The port is closed: a new client is refused.
	var late := RustWebSocketPeer.new()
	var late_log: SignalLog = SignalLog.watching(late)
	late.connect_to_url("ws://127.0.0.1:%d/" % port)
	await wait_until(func(): late.poll(); return late_log.count("connection_error") == 1, 5.0, "refused after stop()")

	# The same object listens again.
	check_eq(server.listen(0), OK, "listen again after stop()")
	check(server.is_listening(), "listening again")

	# A hand-made client with unread data closes its socket: the kernel resets.
	var raw := RawClient.new()
	raw.connect_to(server.get_port())
	await wait_until(func(): raw.poll(); pump(); return raw.is_connected_to_server(), 5.0, "raw connects")
	raw.send_upgrade()
	var raw_id := await next_id(slog.count("client_connected"), "raw client upgraded")
	await wait_until(func(): pump(); raw.poll(); return raw.response_head() != "", 5.0, "raw gets 101")
	check(not Array(ids).has(raw_id), "ids are not reused after stop() and a new listen()")
	server.get_peer(raw_id).send_text("unread")
	await wait_frames(5)
	server.poll()
	raw.tcp.poll()  # leave the message unread, so closing resets the connection
	raw.drop()
	await wait_until(func(): pump(); return slog.count_for("client_disconnected", raw_id) > 0, 5.0, "reset seen")
	check_eq(slog.args_for("client_disconnected", raw_id), [raw_id, false], "reset: unclean")

	# Godot's built-in client drops its socket without a close frame.
	builtin = WebSocketPeer.new()
	var before := slog.count("client_connected")
	builtin.connect_to_url(url())
	var b_id := await next_id(before, "built-in client open")
	await wait_until(func(): pump(); return builtin.get_ready_state() == WebSocketPeer.STATE_OPEN, 5.0, "built-in open")
	builtin.close(-1)  # a negative code closes at once, without a close frame
	await wait_until(func(): pump(); return slog.count_for("client_disconnected", b_id) > 0, 5.0, "drop seen")
	check_eq(slog.args_for("client_disconnected", b_id), [b_id, false], "dropped socket: unclean")
	check_eq(slog.count_for("client_close_request", b_id), 0, "no close request without a close frame")

	# Our client object is freed while open: it says "going away" on its way out.
	ours.clear()
	var doomed := RustWebSocketPeer.new()
	before = slog.count("client_connected")
	doomed.connect_to_url(url())
	await wait_until(func(): doomed.poll(); server.poll(); return slog.count("client_connected") == before + 1 and doomed.is_connected_to_host(), 5.0, "doomed client open")
	var d_id := slog.last_connected_id()
	doomed = null
	await wait_until(func(): pump(); return slog.count_for("client_disconnected", d_id) > 0, 5.0, "freed client seen")
	check_eq(slog.args_for("client_close_request", d_id), [d_id, 1001, "going away"], "freed client sent 1001")

	await wait_frames(10)
	pump()
	for id in [raw_id, b_id, d_id]:
		check_eq(slog.count_for("client_disconnected", id), 1, "client_disconnected(%d) exactly once" % id)
	check_eq(server.get_peer_ids(), PackedInt32Array(), "no peers left")
	server.stop()
	check_eq(slog.count("client_disconnected"), slog.count("client_connected"), "one disconnect per connect")
