extends "res://tests/harness/test_case.gd"
## A peer used from two Threads while the main thread polls it: calls are
## serialized, every message sent from the threads arrives in each thread's
## order, nothing crashes or hangs.

var server := RustWebSocketServer.new()
var peer := RustWebSocketPeer.new()


func send_from_thread(prefix: String, count: int) -> int:
	var failures := 0
	for i in count:
		if peer.send_text("%s%d" % [prefix, i]) != OK:
			failures += 1
		if i % 10 == 0:
			OS.delay_usec(100)
	return failures


func run_test() -> void:
	check_eq(server.listen(0, [], "127.0.0.1"), OK, "listen")
	var got := []
	server.data_received.connect(func(id): got.append(server.get_peer(id).get_packet().get_string_from_utf8()))
	peer.connect_to_url("ws://127.0.0.1:%d" % server.get_port())
	await wait_until(func(): peer.poll(); server.poll(); return peer.is_connected_to_host(), 5.0, "open")

	const COUNT := 300
	var threads: Array[Thread] = [Thread.new(), Thread.new()]
	threads[0].start(send_from_thread.bind("a", COUNT))
	threads[1].start(send_from_thread.bind("b", COUNT))
	await wait_until(func(): peer.poll(); server.poll(); return got.size() >= 2 * COUNT, 10.0, "all messages from both threads")
	for t in threads:
		check_eq(t.wait_to_finish(), 0, "every send from a thread succeeded")
	for prefix in ["a", "b"]:
		var expected := []
		for i in COUNT:
			expected.append("%s%d" % [prefix, i])
		check_eq(got.filter(func(m): return m.begins_with(prefix)), expected, "thread %s: all arrived, in order" % prefix)
	peer.close()
	await wait_until(func(): peer.poll(); server.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
