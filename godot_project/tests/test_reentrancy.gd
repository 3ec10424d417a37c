extends "res://tests/harness/test_case.gd"
## Signal handlers may call back into the object that emitted: poll() and
## close() from inside a handler, and dropping the last reference to a peer
## or a server inside its own handler, neither crash nor lose events.


var server := RustWebSocketServer.new()
var client: RustWebSocketPeer


func connect_client() -> RustWebSocketPeer:
	var peer := RustWebSocketPeer.new()
	peer.connect_to_url("ws://127.0.0.1:%d" % server.get_port())
	await wait_until(func(): peer.poll(); server.poll(); return peer.is_connected_to_host(), 5.0, "open")
	return peer


func run_test() -> void:
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	var gone := []
	server.client_connected.connect(func(id, _p):
		ids.append(id)
		# Re-entrant: the server is in the middle of its own poll().
		server.poll()
		check(server.has_peer(id), "get_peer works inside client_connected"))
	server.client_disconnected.connect(func(id, _clean): gone.append(id))
	server.data_received.connect(func(id):
		var peer: RustWebSocketPeer = server.get_peer(id)
		var text := peer.get_packet().get_string_from_utf8()
		if text == "bye":
			server.disconnect_peer(id, 4000, "asked")
		else:
			peer.send_text(text))

	# poll() from inside data_received: every message still arrives exactly once.
	var a: RustWebSocketPeer = await connect_client()
	var got := []
	a.data_received.connect(func():
		got.append(a.get_packet().get_string_from_utf8())
		a.poll())
	for i in 20:
		a.send_text("m%d" % i)
	await wait_until(func(): a.poll(); server.poll(); return got.size() >= 20, 5.0, "20 echoes")
	await wait_frames(3)
	a.poll()
	var expected := []
	for i in 20:
		expected.append("m%d" % i)
	check_eq(got, expected, "each echo once, in order, despite nested polls")

	# close() from inside a handler, on the server side (disconnect_peer) and the client side.
	var b: RustWebSocketPeer = await connect_client()
	var log_b: SignalLog = SignalLog.watching(b)
	b.send_text("bye")
	await wait_until(func(): b.poll(); server.poll(); return b.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed by the server's handler")
	check_eq(b.get_close_code(), 4000, "code from disconnect_peer inside data_received")
	check_eq(log_b.count("connection_closed"), 1, "closed once")
	var c: RustWebSocketPeer = await connect_client()
	c.data_received.connect(func(): c.close(4001, "from handler"))
	c.send_text("echo then close")
	await wait_until(func(): c.poll(); server.poll(); return c.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed from its own handler")
	check_eq(c.get_close_code(), 4001, "close() inside data_received")

	# Dropping the last reference inside the peer's own handler.
	client = await connect_client()
	var watch: WeakRef = weakref(client)
	var before := gone.size()
	client.data_received.connect(func(): client = null)
	client.send_text("drop me")
	await wait_until(func():
		if client != null:
			client.poll()
		server.poll()
		return watch.get_ref() == null, 5.0, "the peer is freed after its poll() returned")
	await wait_until(func(): server.poll(); return gone.size() > before, 5.0, "the server sees it go")

	# Dropping the last reference to the server inside its own handler.
	var d: RustWebSocketPeer = await connect_client()
	var log_d: SignalLog = SignalLog.watching(d)
	var server_ref: WeakRef = weakref(server)
	server.data_received.connect(func(_id): server = null)
	d.send_text("drop the server")
	await wait_until(func():
		d.poll()
		if server != null:
			server.poll()
		return server_ref.get_ref() == null, 5.0, "the server is freed after its poll() returned")
	await wait_until(func(): d.poll(); return d.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "its client sees the close")
	check_eq(log_d.count("connection_closed"), 1, "client closed once")
	check(Engine.get_frames_drawn() >= 0, "engine still running")
