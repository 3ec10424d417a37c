extends "res://tests/harness/test_case.gd"
## A client that stops reading while the server sends: the server's outbound
## limit refuses more data with an error, and its heartbeat closes the dead
## connection with a reason; the server keeps serving everyone else.

var server := RustWebSocketServer.new()


func run_test() -> void:
	server.outbound_buffer_limit = 256 * 1024
	server.heartbeat_interval = 0.3
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	var gone := {}
	server.client_connected.connect(func(id, _p): ids.append(id))
	server.client_disconnected.connect(func(id, clean): gone[id] = clean)
	server.data_received.connect(func(id):
		var p: RustWebSocketPeer = server.get_peer(id)
		p.send(p.get_packet()))

	# Connected one after the other, so the first id is the stalled client's.
	var stalled := RustWebSocketPeer.new()
	stalled.connect_to_url("ws://127.0.0.1:%d" % server.get_port())
	await wait_until(func(): stalled.poll(); server.poll(); return ids.size() == 1 and stalled.is_connected_to_host(), 5.0, "stalled client open")
	var healthy := RustWebSocketPeer.new()
	healthy.connect_to_url("ws://127.0.0.1:%d" % server.get_port())
	await wait_until(func(): healthy.poll(); server.poll(); return ids.size() == 2 and healthy.is_connected_to_host(), 5.0, "healthy client open")
	var stalled_id: int = ids[0]
	var healthy_id: int = ids[1]
	var remote: RustWebSocketPeer = server.get_peer(stalled_id)

	# From now on the stalled client is never polled again.
	var chunk := PackedByteArray()
	chunk.resize(32 * 1024)
	expect_errors("outbound buffer full", 1)
	var result: Array = send_until_refused(remote, chunk, 1000, server.poll)
	check_eq(result[0], ERR_OUT_OF_MEMORY, "the outbound limit engages")
	check(remote.get_current_outbound_buffered_amount() <= 256 * 1024, "buffered stays within the limit")

	var echoes := []
	healthy.data_received.connect(func(): echoes.append(healthy.get_packet().get_string_from_utf8()))
	await wait_until(func():
		healthy.poll()
		server.poll()
		if healthy.get_available_packet_count() == 0 and echoes.size() < 5:
			healthy.send_text("ping %d" % echoes.size())
		return gone.has(stalled_id), 5.0, "the heartbeat closes the stalled client")
	check_eq(gone.get(stalled_id), false, "closed uncleanly")
	check(remote.get_last_error().contains("heartbeat"), "reason: " + remote.get_last_error())
	check(not gone.has(healthy_id), "the healthy client is still connected")
	check(echoes.size() > 0, "the healthy client was served meanwhile: %d echoes" % echoes.size())

