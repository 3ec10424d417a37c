extends "res://tests/harness/server_case.gd"
## 100 RustWebSocketPeer clients x 100 numbered messages through one
## RustWebSocketServer that echoes from its data_received(id) handler. Every
## echo is checked against the message it names: nothing lost, duplicated,
## reordered or corrupted, text stays text, and every connection closes
## cleanly on both sides. The GDScript twin of rust/tests/soak_small.rs.

const CLIENTS := 100
const MESSAGES := 100
## Messages a client may have in flight, so buffers stay small.
const WINDOW := 16

var clients: Array[RustWebSocketPeer] = []
## Per client: next sequence number to send, distinct echoes received, the
## highest number received, and which numbers came back.
var next_send := PackedInt32Array()
var received := PackedInt32Array()
var highest := PackedInt32Array()
var seen: Array[PackedByteArray] = []
var closed_clean := PackedInt32Array()
var established := 0

## Pattern bytes the payloads are cut from; a message's slice depends on its
## client and number, so a swapped or shifted payload does not match.
var block := PackedByteArray()
var block_text := ""

var lost := 0
var duplicated := 0
var reordered := 0
var corrupt := 0
var send_errors := 0
var server_echoed := 0
var server_errors := 0
var server_clean := 0
var server_unclean := 0
var client_unclean := 0
var last_progress_ms := 0


func _init() -> void:
	timeout_seconds = 90


func _slice_of(id: int, seq: int) -> Vector2i:
	var length := (id * 7 + seq * 13) % 300
	if seq % 25 == 24:
		length += 200  # past 125: 16-bit frame length
	return Vector2i((id * 131 + seq * 17) % 3000, length)


func is_text(seq: int) -> bool:
	return seq % 5 == 2


func build(id: int, seq: int) -> PackedByteArray:
	var s := _slice_of(id, seq)
	if is_text(seq):
		return ("%d:%d:" % [id, seq] + block_text.substr(s.x, s.y)).to_utf8_buffer()
	var head := PackedByteArray()
	head.resize(8)
	head.encode_u32(0, id)
	head.encode_u32(4, seq)
	return head + block.slice(s.x, s.x + s.y)


func send_next(i: int) -> void:
	var c := clients[i]
	while next_send[i] < MESSAGES and next_send[i] - received[i] < WINDOW:
		var seq := next_send[i]
		var data := build(i, seq)
		var err: int
		if is_text(seq):
			err = c.send_text(data.get_string_from_utf8())
		else:
			err = c.send(data)
		if err != OK:
			send_errors += 1
			return
		next_send[i] = seq + 1


## Returns the sequence number the echo claims (or -1 when it cannot be read)
## after checking its bytes against what that number should carry.
func check_echo(i: int, data: PackedByteArray, text: bool) -> int:
	var id := -1
	var seq := -1
	if text:
		var parts := data.get_string_from_utf8().split(":", true, 2)
		if parts.size() == 3 and parts[0].is_valid_int() and parts[1].is_valid_int():
			id = parts[0].to_int()
			seq = parts[1].to_int()
	elif data.size() >= 8:
		id = data.decode_u32(0)
		seq = data.decode_u32(4)
	if id != i or seq < 0 or seq >= MESSAGES or is_text(seq) != text or data != build(i, seq):
		corrupt += 1
		return -1
	return seq


func pump() -> void:
	poll_clients(clients, on_echo)
	for i in clients.size():
		if clients[i].get_ready_state() == RustWebSocketPeer.STATE_OPEN:
			send_next(i)
			if received[i] == MESSAGES:
				clients[i].close(1000, "done")


func on_echo(i: int, data: PackedByteArray, text: bool) -> void:
	var seq := check_echo(i, data, text)
	if seq < 0:
		return
	if seen[i][seq]:
		duplicated += 1
		return
	seen[i][seq] = 1
	received[i] += 1
	last_progress_ms = Time.get_ticks_msec()
	if seq < highest[i]:
		reordered += 1  # arrived after a later one
	else:
		highest[i] = seq


func _on_server_data(id: int) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	if peer == null or peer.get_available_packet_count() == 0:
		server_errors += 1
		return
	var data := peer.get_packet()
	var err: int
	if peer.was_string_packet():
		err = peer.send_text(data.get_string_from_utf8())
	else:
		err = peer.send(data)
	if err == OK:
		server_echoed += 1
	else:
		server_errors += 1


func _on_server_disconnected(_id: int, clean: bool) -> void:
	if clean:
		server_clean += 1
	else:
		server_unclean += 1


func run_test() -> void:
	var rng := RandomNumberGenerator.new()
	rng.seed = 6455
	block.resize(4096)
	var letters := PackedByteArray()
	letters.resize(4096)
	for k in 4096:
		block[k] = rng.randi() & 255
		letters[k] = 97 + rng.randi() % 26
	block_text = letters.get_string_from_ascii()

	server.data_received.connect(_on_server_data)
	server.client_disconnected.connect(_on_server_disconnected)
	server.client_connected.connect(func(_id, _p): established += 1)
	var url := listen_loopback() + "soak"

	var started := Time.get_ticks_msec()
	for i in CLIENTS:
		var c := RustWebSocketPeer.new()
		c.connection_closed.connect(func(clean: bool):
			if clean:
				closed_clean[i] += 1
			else:
				client_unclean += 1)
		clients.append(c)
		next_send.append(0)
		received.append(0)
		highest.append(-1)
		var flags := PackedByteArray()
		flags.resize(MESSAGES)
		seen.append(flags)
		closed_clean.append(0)
		if c.connect_to_url(url) != OK:
			fail("connect_to_url %d: %s" % [i, c.get_last_error()])

	var all_closed := func() -> bool:
		for c in clients:
			if c.get_ready_state() != RustWebSocketPeer.STATE_CLOSED:
				return false
		return true
	# Several pumps per frame: frames are capped at 1000 per second. A lost
	# message stalls its client for good; stop waiting then and count.
	last_progress_ms = Time.get_ticks_msec()
	await wait_until(func():
		for k in 8:
			pump()
		return (all_closed.call() and server.get_peer_ids().is_empty()) \
				or Time.get_ticks_msec() - last_progress_ms > 10000, 75.0, "every client echoed and closed")
	check(all_closed.call(), "every client closed (no stall)")
	var secs := (Time.get_ticks_msec() - started) / 1000.0

	for i in CLIENTS:
		lost += MESSAGES - received[i]
	var total := CLIENTS * MESSAGES
	log_info("%d clients x %d messages: %d echoed in %.2f s (%.0f/s); lost %d dup %d reordered %d corrupt %d"
			% [CLIENTS, MESSAGES, total - lost, secs, (total - lost) / maxf(secs, 0.001), lost, duplicated, reordered, corrupt])
	check_eq(established, CLIENTS, "client_connected per client")
	check_eq(lost, 0, "lost")
	check_eq(duplicated, 0, "duplicated")
	check_eq(reordered, 0, "reordered")
	check_eq(corrupt, 0, "corrupt")
	check_eq(send_errors, 0, "send errors")
	check_eq(server_echoed, total, "server echoed every message from data_received")
	check_eq(server_errors, 0, "data_received without a readable message, or echo refused")
	check_eq(server_clean, CLIENTS, "client_disconnected(clean) per client")
	check_eq(server_unclean, 0, "unclean disconnects at the server")
	check_eq(client_unclean, 0, "unclean closes at the clients")
	check_eq(closed_clean, _filled(CLIENTS, 1), "connection_closed(true) exactly once per client")
	server.stop()


static func _filled(n: int, v: int) -> PackedInt32Array:
	var a := PackedInt32Array()
	a.resize(n)
	a.fill(v)
	return a
