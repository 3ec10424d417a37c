extends "res://tests/harness/builtin_server_case.gd"
## Messages of 0 B, 125 B, 126 B, 64 KiB - 1, 64 KiB, 1 MiB and 16 MiB cross
## intact both ways between our client and Godot's built-in server.
## (Godot's built-in peer never puts an empty message on the wire, so 0 B is
## only checked from our side; the cargo and Python tests cover it both ways.)

var crypto := Crypto.new()


func payload(size: int) -> PackedByteArray:
	if size == 0:
		return PackedByteArray()
	return crypto.generate_random_bytes(size)


func run_test() -> void:
	timeout_seconds = 120.0
	var srv: WebSocketPeer = await open_to_builtin(17 << 20)
	for size in [0, 125, 126, 65535, 65536, 1 << 20, 16 << 20]:
		var up := payload(size)
		var down := payload(size)
		check_eq(client.send(up), OK, "send %d B" % size)
		var expect_down := 1 if size > 0 else 0
		if size > 0:
			check_eq(srv.put_packet(down), OK, "built-in sends %d B" % size)
		var ok := await wait_until(func(): poll_pumped(); return srv.get_available_packet_count() == 1 and client.get_available_packet_count() == expect_down, 30.0, "%d B both ways" % size)
		if not ok:
			return
		var got_up := srv.get_packet()
		check_eq(got_up.size(), size, "built-in got %d B" % size)
		check(got_up == up, "content of %d B to the built-in server" % size)
		if size == 0:
			continue
		var got_down := client.get_packet()
		check_eq(got_down.size(), size, "we got %d B" % size)
		check(got_down == down, "content of %d B from the built-in server" % size)
	client.close()
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	server.stop()
