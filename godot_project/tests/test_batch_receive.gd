extends "res://tests/harness/test_case.gd"
## RustWebSocketPeer.get_packets(): every waiting message in one call, oldest
## first, with were_string_packets() giving each one's text flag; a limit
## takes only the oldest; the queue is left empty; messages that arrived
## before a close are still returned after it.

var server := RustWebSocketServer.new()
var client := RustWebSocketPeer.new()


## Message i: text on every third, binary otherwise, all different sizes.
func message(i: int) -> PackedByteArray:
	if i % 3 == 0:
		return ("text %d ✓" % i).to_utf8_buffer()
	var data := PackedByteArray()
	data.resize(i % 200)
	for k in data.size():
		data[k] = (i + k) & 0xFF
	return data


func run_test() -> void:
	pumped = [client, server]
	check_eq(server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "listen")
	check_eq(client.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "connect_to_url")
	await wait_until(func(): poll_pumped(); return client.is_connected_to_host() and server.get_peer_ids().size() == 1, 5.0, "open")
	var remote: RustWebSocketPeer = server.get_peer(server.get_peer_ids()[0])

	check_eq(client.get_packets(), [], "nothing waiting: empty array")
	check_eq(client.were_string_packets(), PackedByteArray(), "nothing waiting: no flags")

	const N := 300
	for i in N:
		if i % 3 == 0:
			remote.send_text(message(i).get_string_from_utf8())
		else:
			remote.send(message(i))
	var received := [0]
	client.data_received.connect(func(): received[0] += 1)
	await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == N, 5.0, "%d messages waiting" % N)
	check_eq(received[0], N, "data_received once per message")

	# A limit takes only the oldest.
	var first: Array[PackedByteArray] = client.get_packets(5)
	check_eq(first.size(), 5, "get_packets(5) returns 5")
	check_eq(client.were_string_packets(), PackedByteArray([1, 0, 0, 1, 0]), "flags of the first 5")
	check_eq(client.get_available_packet_count(), N - 5, "the rest still waits")
	check(not client.was_string_packet(), "was_string_packet is the last returned (binary)")

	var rest: Array[PackedByteArray] = client.get_packets()
	var flags := client.were_string_packets()
	check_eq(rest.size(), N - 5, "get_packets() returns all the rest")
	check_eq(flags.size(), N - 5, "one flag per message")
	check_eq(client.get_available_packet_count(), 0, "queue empty")
	var wrong := 0
	for k in rest.size():
		var i := k + 5
		if rest[k] != message(i) or flags[k] != int(i % 3 == 0):
			wrong += 1
	check_eq(wrong, 0, "every message in order, intact, with its text flag")
	check_eq(client.was_string_packet(), (N - 1) % 3 == 0, "was_string_packet is the last returned")
	check_eq(client.get_packets(), [], "empty afterwards")
	check_eq(client.get_packet_error(), OK, "get_packets does not set a packet error")

	# Interleaving with get_packet keeps the order.
	remote.send_text("a")
	remote.send(PackedByteArray([1]))
	remote.send_text("c")
	await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == 3, 5.0, "3 more")
	check_eq(client.get_packet().get_string_from_utf8(), "a", "get_packet takes the oldest")
	check(client.was_string_packet(), "that one was text")
	var two: Array[PackedByteArray] = client.get_packets(-1)
	check_eq(two, [PackedByteArray([1]), "c".to_utf8_buffer()] as Array[PackedByteArray], "get_packets the other two")
	check_eq(client.were_string_packets(), PackedByteArray([0, 1]), "their flags")

	# Messages that arrived before a close are still returned after it.
	remote.send(PackedByteArray([7, 7]))
	remote.send_text("bye")
	remote.close(1000, "done")
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	var late: Array[PackedByteArray] = client.get_packets()
	check_eq(late, [PackedByteArray([7, 7]), "bye".to_utf8_buffer()] as Array[PackedByteArray], "messages kept across the close")
	check_eq(client.were_string_packets(), PackedByteArray([0, 1]), "their flags")
	check_eq(client.get_available_packet_count(), 0, "queue empty after the close")
	server.stop()
