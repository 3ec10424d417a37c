extends "res://tests/support/raw_ws_end.gd"
## A WebSocket server written by hand on a TCPServer, for tests that need a
## server that misbehaves on purpose: it answers the upgrade request with
## what the test chose, sends the raw bytes the test gives it, and decodes
## the frames our client sends back. One connection at a time; call poll()
## every frame.

## How the upgrade request is answered: "101" (correct), "404", "500",
## "bad_accept" (101 with a Sec-WebSocket-Accept for another key) or
## "garbage" (bytes that are not HTTP).
var answer := "101"
## Sent in the same write as the answer, so our client finds frames already
## buffered behind the handshake.
var after_answer := PackedByteArray()

var tcp := TCPServer.new()
var conn: StreamPeerTCP
var port := 0
## The client's upgrade request (head only), once it arrived.
var request := ""
var answered := false


func start() -> Error:
	var err := tcp.listen(0, "127.0.0.1")
	port = tcp.get_local_port()
	return err


func url(path := "/") -> String:
	return "ws://127.0.0.1:%d%s" % [port, path]


## A new raw server, listening, with peer (our client) connected to it and
## open; the test's checks record what failed (the server is returned anyway).
static func serving(test: Node, peer: RustWebSocketPeer, what: String):
	var raw = new()
	if test.check_eq(raw.start(), OK, "%s: raw server listens" % what):
		test.check_eq(peer.connect_to_url(raw.url()), OK, "%s: connect_to_url" % what)
		await test.wait_until(func(): raw.poll(); peer.poll(); return peer.is_connected_to_host(), 5.0, "%s: open" % what)
	return raw


func poll() -> void:
	if conn == null and tcp.is_connection_available():
		conn = tcp.take_connection()
	if conn == null:
		return
	conn.poll()
	_read_available()
	if not answered:
		_maybe_answer()
	if answered:
		_take_frames()


func _stream() -> StreamPeerTCP:
	return conn


## Sends one unmasked frame (a server's frames are unmasked unless mask says).
func send_frame(opcode: int, payload := PackedByteArray(), fin := true, rsv := 0,
		mask := false) -> Error:
	return send(Frames.build(opcode, payload, fin, rsv, mask))


func stop() -> void:
	drop()
	tcp.stop()


func _maybe_answer() -> void:
	request = _take_head()
	if request.is_empty():
		return
	var key := Frames.header_value(request, "Sec-WebSocket-Key")
	var head := ""
	match answer:
		"101":
			head = _switching(Frames.accept_key(key))
		"bad_accept":
			head = _switching(Frames.accept_key(key + "x"))
		"404":
			head = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
		"500":
			head = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
	var out := head.to_ascii_buffer()
	if answer == "garbage":
		# Starts with bytes no HTTP parser accepts, ends like a complete head
		# so a parser that waits for one has it.
		out = PackedByteArray([0x00, 0xFF, 0x16, 0x03, 0x01, 0x7F])
		out.append_array("\u0001\u0002 not http at all\r\n\r\n".to_ascii_buffer())
	out.append_array(after_answer)
	conn.put_data(out)
	answered = true


func _switching(accept: String) -> String:
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept
