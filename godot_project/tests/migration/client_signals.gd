extends Node
## Godot 3's WebSocketClient, moved to RustWebSocketPeer: the same signals,
## and the client is the peer itself (no get_peer(1)).

var client := RustWebSocketPeer.new()
var received: PackedStringArray = []


func start(url: String) -> Error:
	client.connection_established.connect(_on_connected)
	client.connection_error.connect(_on_error)
	client.data_received.connect(_on_data)
	client.server_close_request.connect(_on_close_request)
	client.connection_closed.connect(_on_closed)
	return client.connect_to_url(url)


func _process(_delta: float) -> void:
	client.poll()  # every signal is emitted from inside poll()


func _on_connected(protocol: String) -> void:
	print("connected, subprotocol '%s'" % protocol)
	client.send_text("hello")  # was: client.get_peer(1).put_packet("hello".to_utf8())


func _on_data() -> void:
	var packet := client.get_packet()  # was: client.get_peer(1).get_packet()
	received.append(packet.get_string_from_utf8())


func _on_error(reason: String) -> void:
	print("could not connect: " + reason)  # Godot 3 gave no reason


func _on_close_request(code: int, reason: String) -> void:
	print("server is closing: %d '%s'" % [code, reason])


func _on_closed(was_clean_close: bool) -> void:
	print("closed, clean: %s" % was_clean_close)
