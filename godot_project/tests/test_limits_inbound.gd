extends "res://tests/harness/test_case.gd"
## Inbound backpressure: a peer whose game does not read stops reading its
## socket once inbound_buffer_limit is queued; the sender sees its outbound
## buffer grow instead of messages being dropped; once read, nothing is lost.

var server := RustWebSocketServer.new()
var client := RustWebSocketPeer.new()


func run_test() -> void:
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	server.client_connected.connect(func(id, _p): ids.append(id))
	client.inbound_buffer_limit = 256 * 1024
	check_eq(client.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "connect")
	await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host() and ids.size() == 1, 5.0, "open")
	var remote: RustWebSocketPeer = server.get_peer(ids[0])

	const COUNT := 400
	const SIZE := 16 * 1024
	var refused := 0
	for i in COUNT:
		var msg := PackedByteArray()
		msg.resize(SIZE)
		msg.encode_u32(0, i)
		if remote.send(msg) != OK:
			refused += 1
	check_eq(refused, 0, "the server queued all %d messages" % COUNT)
	# Both sides poll for a while; the client never reads.
	await wait_seconds(0.5)
	for i in 50:
		client.poll()
		server.poll()
	var held := client.get_available_packet_count()
	check(held * SIZE <= 256 * 1024 + SIZE, "client holds about the limit, not everything: %d messages" % held)
	check(held > 0, "client read up to the limit")
	check(remote.get_current_outbound_buffered_amount() > 0, "the sender is held back (TCP backpressure): %d bytes wait" % remote.get_current_outbound_buffered_amount())

	# Now the game reads: every message arrives exactly once, in order.
	# Lambdas capture locals by value, so the tally lives in a Dictionary.
	var seen := {"next": 0, "in_order": true}
	await wait_until(func():
		client.poll()
		server.poll()
		while client.get_available_packet_count() > 0:
			var p := client.get_packet()
			if p.size() != SIZE or p.decode_u32(0) != seen.next:
				seen.in_order = false
			seen.next += 1
		return seen.next >= COUNT, 20.0, "all %d messages" % COUNT)
	check(seen.in_order, "in order, none lost, none duplicated")
	check_eq(seen.next, COUNT, "exact count")
	client.close()
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
