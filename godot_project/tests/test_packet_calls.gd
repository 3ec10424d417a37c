extends "res://tests/harness/builtin_server_case.gd"
## get_packet() and get_packet_error(), which RustWebSocketPeer takes over from
## PacketPeer (to copy a message in one block), behave as PacketPeer's own:
## called on an untyped variable, on a RustWebSocketPeer and on a PacketPeer
## (which reaches Godot's PacketPeer.get_packet() and our packet virtual), with
## messages from Godot's built-in server, text and binary, up to 1 MiB.

var crypto := Crypto.new()


func run_test() -> void:
	var srv: WebSocketPeer = await open_to_builtin(4 << 20)

	var own := ClassDB.class_get_method_list("RustWebSocketPeer", true).map(func(m): return m.name)
	check(own.has("get_packet") and own.has("get_packet_error"), "RustWebSocketPeer registers its own get_packet() and get_packet_error()")

	var untyped = client
	var as_packet_peer: PacketPeer = client
	var takers := {
		"untyped": func(): return untyped.get_packet(),
		"RustWebSocketPeer": func(): return client.get_packet(),
		"PacketPeer": func(): return as_packet_peer.get_packet(),
	}
	var errors := {
		"untyped": func(): return untyped.get_packet_error(),
		"RustWebSocketPeer": func(): return client.get_packet_error(),
		"PacketPeer": func(): return as_packet_peer.get_packet_error(),
	}
	for how in takers:
		var sent: Array[PackedByteArray] = []
		var text: Array[bool] = []
		for size in [1, 125, 65536, 1 << 20]:
			var data := crypto.generate_random_bytes(size)
			sent.append(data)
			text.append(false)
			check_eq(srv.send(data, WebSocketPeer.WRITE_MODE_BINARY), OK, "built-in sends %d B" % size)
		var words := "héllo, %s" % how
		sent.append(words.to_utf8_buffer())
		text.append(true)
		check_eq(srv.send_text(words), OK, "built-in sends text")
		if not await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == sent.size(), 10.0, "%s: messages arrive" % how):
			return
		for i in sent.size():
			var got: PackedByteArray = takers[how].call()
			check_eq(errors[how].call(), OK, "%s: get_packet_error() after message %d" % [how, i])
			check_eq(got.size(), sent[i].size(), "%s: size of message %d" % [how, i])
			check(got == sent[i], "%s: content of message %d, in order" % [how, i])
			check_eq(client.was_string_packet(), text[i], "%s: was_string_packet() of message %d" % [how, i])
		check_eq(client.get_available_packet_count(), 0, "%s: all taken" % how)
		var none: PackedByteArray = takers[how].call()
		check_eq(none.size(), 0, "%s: get_packet() with nothing waiting is empty" % how)
		check_eq(errors[how].call(), ERR_UNAVAILABLE, "%s: get_packet_error() is ERR_UNAVAILABLE then" % how)
		check_eq(client.get_last_error(), "no packet available", "%s: get_last_error() says why" % how)

	# get_var() goes through the packet virtual; it sets our error too.
	check_eq(srv.put_var({"score": 7}), OK, "built-in sends a Variant")
	await wait_until(func(): poll_pumped(); return client.get_available_packet_count() == 1, 5.0, "Variant arrives")
	check_eq(client.get_var(), {"score": 7}, "get_var()")
	check_eq(client.get_packet_error(), OK, "get_packet_error() after get_var()")

	client.close()
	await wait_until(func(): poll_pumped(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	server.stop()
