extends "res://tests/harness/test_case.gd"
## A peer used from a Thread while the main thread polls it: calls are
## serialized, every message sent from the thread arrives, nothing crashes.

var server := RustWebSocketServer.new()
var peer := RustWebSocketPeer.new()


func send_from_thread(count: int) -> int:
	var failures := 0
	for i in count:
		if peer.send_text("t%d" % i) != OK:
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
	var thread := Thread.new()
	thread.start(send_from_thread.bind(COUNT))
	await wait_until(func(): peer.poll(); server.poll(); return got.size() >= COUNT or not thread.is_alive() and got.size() >= COUNT, 10.0, "all messages from the thread")
	var failures: int = thread.wait_to_finish()
	check_eq(failures, 0, "every send from the thread succeeded")
	var expected := []
	for i in COUNT:
		expected.append("t%d" % i)
	check_eq(got, expected, "all arrived, in order")
	peer.close()
	await wait_until(func(): peer.poll(); server.poll(); return peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
