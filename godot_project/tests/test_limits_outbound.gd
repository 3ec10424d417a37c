extends "res://tests/harness/test_case.gd"
## outbound_buffer_limit: when the reader is slow, send()/put_packet() fail
## with ERR_OUT_OF_MEMORY and queue nothing, what was queued is still
## delivered, and get_current_outbound_buffered_amount() is exact.


var server := RustWebSocketServer.new()
var client := RustWebSocketPeer.new()


func frame_size(payload: int) -> int:
	# A client frame: 2 header bytes, 2 or 8 length bytes, 4 mask bytes.
	var ext := 0 if payload <= 125 else (2 if payload <= 65535 else 8)
	return 2 + ext + 4 + payload


func run_test() -> void:
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var ids := []
	server.client_connected.connect(func(id, _p): ids.append(id))
	client.outbound_buffer_limit = 1 << 20
	check_eq(client.connect_to_url("ws://127.0.0.1:%d" % server.get_port()), OK, "connect")
	await wait_until(func(): client.poll(); server.poll(); return client.is_connected_to_host() and ids.size() == 1, 5.0, "open")

	# Exact accounting: send() only queues; poll() writes.
	check_eq(client.send(PackedByteArray([1, 2, 3])), OK, "3 B")
	check_eq(client.send_text("x".repeat(200)), OK, "200 B")
	check_eq(client.get_current_outbound_buffered_amount(), frame_size(3) + frame_size(200), "queued bytes are exact")
	client.poll()
	check_eq(client.get_current_outbound_buffered_amount(), 0, "written by poll()")

	# The server stops reading (not polled), so the socket buffers fill, then ours.
	var chunk := PackedByteArray()
	chunk.resize(64 * 1024)
	for i in chunk.size():
		chunk[i] = i % 251
	expect_errors("outbound buffer full", 1)
	var result: Array = send_until_refused(client, chunk, 2000, client.poll)
	var sent: int = result[1]
	check_eq(result[0], ERR_OUT_OF_MEMORY, "send fails once the limit is reached")
	check(client.get_last_error().contains("outbound_buffer_limit") or client.get_last_error().contains("outbound buffer"), "reason: " + client.get_last_error())
	var queued := client.get_current_outbound_buffered_amount()
	check(queued > 0 and queued <= (1 << 20), "buffered amount within the limit: %d" % queued)
	check(queued + frame_size(chunk.size()) > (1 << 20), "refused only because it would not fit")
	check_eq(client.get_current_outbound_buffered_amount(), queued, "the refused message queued nothing")
	check(client.is_connected_to_host(), "still open")

	expect_errors("larger than outbound_buffer_limit", 1)
	var huge := PackedByteArray()
	huge.resize(2 << 20)
	check_eq(client.send(huge), ERR_OUT_OF_MEMORY, "a message above the limit can never be sent")

	# The reader comes back: everything queued arrives, in order, intact.
	# Lambdas capture locals by value, so the tally lives in a Dictionary.
	# The 3 B and 200 B messages from the start arrive first.
	var got := {"count": 0, "intact": true, "small": []}
	server.data_received.connect(func(id):
		var p: PackedByteArray = server.get_peer(id).get_packet()
		if p.size() < 256:
			got.small.append(p.size())
			return
		if p != chunk:
			got.intact = false
		got.count += 1)
	await wait_until(func(): client.poll(); server.poll(); return got.count == sent, 20.0, "%d queued messages delivered" % sent)
	check_eq(got.count, sent, "exactly the queued messages arrive")
	check(got.intact, "every delivered message intact")
	check_eq(got.small, [3, 200], "the first two messages arrived first")
	check_eq(client.get_current_outbound_buffered_amount(), 0, "buffer drained")
	check_eq(client.send(chunk), OK, "sending works again")
	client.close()
	await wait_until(func(): client.poll(); server.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
