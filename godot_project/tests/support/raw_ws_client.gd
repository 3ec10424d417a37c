extends "res://tests/support/raw_ws_end.gd"
## A WebSocket client written by hand on a StreamPeerTCP, for tests that need
## a client that misbehaves on purpose: it sends a correct upgrade request,
## checks the answer, then sends whatever frames the test builds (masked or
## not) and decodes the server's frames. Call poll() every frame.

var tcp := StreamPeerTCP.new()
var key := Marshalls.raw_to_base64(Crypto.new().generate_random_bytes(16))
var path := "/"
## The server's answer (head only), once it arrived.
var response := ""
## True once the answer was a 101 with the right Sec-WebSocket-Accept.
var open := false
var _sent_request := false


func connect_to(port: int, request_path := "/") -> Error:
	path = request_path
	return tcp.connect_to_host("127.0.0.1", port)


func poll() -> void:
	tcp.poll()
	if tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		return
	if not _sent_request:
		_sent_request = true
		tcp.put_data(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
				% [path, tcp.get_connected_port(), key]).to_ascii_buffer())
	_read_available()
	if response.is_empty():
		response = _take_head()
		if response.is_empty():
			return
		open = response.begins_with("HTTP/1.1 101 ") \
				and Frames.header_value(response, "Sec-WebSocket-Accept") == Frames.accept_key(key)
	_take_frames()


## The socket once the upgrade request went out.
func _stream() -> StreamPeerTCP:
	return tcp if _sent_request else null


## Sends one frame, masked as a client must unless mask says otherwise.
func send_frame(opcode: int, payload := PackedByteArray(), fin := true, rsv := 0,
		mask := true) -> Error:
	return send(Frames.build(opcode, payload, fin, rsv, mask))
