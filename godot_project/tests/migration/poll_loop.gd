extends Node
## Godot 4's built-in WebSocketPeer loop, moved to RustWebSocketPeer: the same
## calls and states. Messages that arrived before a close stay readable.

var socket := RustWebSocketPeer.new()  # was: WebSocketPeer.new()
var received: PackedStringArray = []


func start(url: String) -> Error:
	return socket.connect_to_url(url)


func _process(_delta: float) -> void:
	socket.poll()
	var state := socket.get_ready_state()
	# Read in every state: packets are not dropped when the connection closes.
	while socket.get_available_packet_count() > 0:
		received.append(socket.get_packet().get_string_from_utf8())
	if state == RustWebSocketPeer.STATE_CLOSED:
		var code := socket.get_close_code()
		print("closed with code %d, reason '%s'" % [code, socket.get_close_reason()])
		if code == -1:
			print("why: " + socket.get_last_error())  # the built-in peer cannot say
		set_process(false)
