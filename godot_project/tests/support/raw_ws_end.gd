extends RefCounted
## What the hand-written WebSocket client (raw_ws_client.gd) and server
## (raw_ws_server.gd) share: reading the socket into pending bytes, splitting
## the HTTP head off them, decoding the frames behind it, and sending bytes.

const Frames := preload("res://tests/support/frames.gd")

## Frames the other end sent after the handshake, parsed and unmasked, in order.
var frames: Array = []
## Bytes received and not yet parsed.
var pending := PackedByteArray()


## The connected socket, or null (each end says where it keeps it).
func _stream() -> StreamPeerTCP:
	return null


## Whether the other end has closed the socket (FIN or reset seen).
func disconnected() -> bool:
	var s := _stream()
	return s != null and s.get_status() != StreamPeerTCP.STATUS_CONNECTED


## Drops the connection.
func drop() -> void:
	var s := _stream()
	if s != null:
		s.disconnect_from_host()


func send(bytes: PackedByteArray) -> Error:
	var s := _stream()
	return s.put_data(bytes) if s != null else ERR_UNCONFIGURED


## The first close frame the other end sent, or {}.
func close_frame() -> Dictionary:
	for f in frames:
		if f.opcode == Frames.CLOSE:
			return f
	return {}


## Frames of the given opcode.
func frames_of(opcode: int) -> Array:
	return frames.filter(func(f): return f.opcode == opcode)


## Appends whatever the socket has to pending.
func _read_available() -> void:
	var s := _stream()
	var n := s.get_available_bytes() if s != null and s.get_status() == StreamPeerTCP.STATUS_CONNECTED else 0
	if n > 0:
		var got: Array = s.get_partial_data(n)
		if got[0] == OK:
			pending.append_array(got[1])


## Takes the HTTP head (without its blank line) off the front of pending, or
## returns "" while it is incomplete. The head is ASCII, so its character
## offsets are byte offsets.
func _take_head() -> String:
	var text := pending.get_string_from_ascii()
	var end := text.find("\r\n\r\n")
	if end < 0:
		return ""
	pending = pending.slice(end + 4)
	return text.substr(0, end)


## Moves every complete frame in pending to frames.
func _take_frames() -> void:
	var res := Frames.take_all(pending)
	frames.append_array(res[0])
	pending = res[1]
