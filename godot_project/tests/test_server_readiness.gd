extends "res://tests/harness/server_case.gd"
## RustWebSocketServer.poll() only drives peers whose socket has input or that
## have something to do. With many idle peers around, each way a peer can need
## the server without any input arriving must still be served: a message sent
## from the server side, messages held back by inbound_buffer_limit and then
## taken, disconnect_peer(), a heartbeat switched on later, and a client that
## closes.

const N := 30

var clients: Array[RustWebSocketPeer] = []
var logs: Array = []
## Client index -> server-side peer id.
var ids: Array[int] = []


func run_test() -> void:
	pumped = [server, clients]
	server.inbound_buffer_limit = 1000
	var url := listen_loopback()
	for i in N:
		var c := RustWebSocketPeer.new()
		var log: SignalLog = SignalLog.watching(c)
		c.connect_to_url(url)
		clients.append(c)
		logs.append(log)
	await wait_until(func(): poll_pumped(); return slog.count("client_connected") == N and clients.all(func(c): return c.is_connected_to_host()), 10.0, "%d clients open" % N)
	# Map each client to its server-side peer by the client's local port.
	var by_port := {}
	for id in server.get_peer_ids():
		by_port[server.get_peer_port(id)] = id
	for c in clients:
		c.send_text("hello")
	await wait_until(func(): poll_pumped(); return slog.count("data_received") == N, 5.0, "one message from each client")
	for id in server.get_peer_ids():
		var text: String = server.get_peer(id).get_packet().get_string_from_utf8()
		check_eq(text, "hello", "peer %d got hello" % id)
	for i in N:
		ids.append(-1)
	for id in server.get_peer_ids():
		var peer: RustWebSocketPeer = server.get_peer(id)
		peer.send_text(str(id))
	await wait_until(func(): poll_pumped(); return clients.all(func(c): return c.get_available_packet_count() == 1), 5.0, "each client got its id")
	for i in N:
		ids[i] = int(clients[i].get_packet().get_string_from_utf8())
	check(not ids.has(-1), "every client knows its peer id")
	await wait_frames(20)
	check_eq(slog.count("data_received"), N, "nothing arrives while all are idle")

	# A server-side send, outside any signal handler, reaches an idle client.
	var remote: RustWebSocketPeer = server.get_peer(ids[3])
	check_eq(remote.send_text("unprompted"), OK, "send from an idle server-side peer")
	await wait_until(func(): poll_pumped(); return clients[3].get_available_packet_count() == 1, 5.0, "the idle client got it")
	check_eq(clients[3].get_packet().get_string_from_utf8(), "unprompted", "its content")
	check(clients.all(func(c): return c.get_available_packet_count() == 0), "no other client got anything")

	# Held back by inbound_buffer_limit, then taken: the rest must follow.
	var held: RustWebSocketPeer = server.get_peer(ids[5])
	for k in 12:
		var data := PackedByteArray()
		data.resize(600)
		data.fill(k)
		clients[5].send(data)
	await wait_frames(30)
	for f in 30:
		poll_pumped()
	var waiting := held.get_available_packet_count()
	check(waiting >= 1 and waiting < 12, "the limit holds messages back (%d of 12 taken in)" % waiting)
	var got: Array[int] = []
	await wait_until(func():
		poll_pumped()
		while held.get_available_packet_count() > 0:
			got.append(held.get_packet()[0])
		return got.size() == 12, 5.0, "taking them lets the rest in")
	check_eq(got, range(12), "all 12 in order")

	# disconnect_peer() on an idle peer.
	check_eq(server.disconnect_peer(ids[7], 4001, "bye"), OK, "disconnect_peer")
	await wait_until(func(): poll_pumped(); return clients[7].get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "client 7 closed")
	check_eq(clients[7].get_close_code(), 4001, "client 7 got the code")
	check_eq(slog.count_for("client_disconnected", ids[7]), 1, "client_disconnected for 7")

	# A heartbeat switched on later on an idle server-side peer runs.
	var beating: RustWebSocketPeer = server.get_peer(ids[9])
	beating.heartbeat_interval = 0.1
	await wait_until(func(): poll_pumped(); return beating.get_heartbeat_rtt() >= 0.0, 5.0, "the heartbeat ping was answered")

	# A client closing is noticed.
	clients[11].close(1000, "done")
	await wait_until(func(): poll_pumped(); return slog.count_for("client_disconnected", ids[11]) == 1, 5.0, "client 11 disconnected")
	check_eq(server.get_peer_ids().size(), N - 2, "the other peers are still there")

	# Everyone still works after all that.
	for i in N:
		if i != 7 and i != 11:
			clients[i].send_text("again")
	await wait_until(func(): poll_pumped(); return slog.count("data_received") == N + 12 + N - 2, 5.0, "every open client is still served")
	server.stop()
