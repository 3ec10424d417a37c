extends Node
## Godot 3's WebSocketServer (or Godot 4's TCPServer + WebSocketPeer.accept_stream),
## moved to RustWebSocketServer: an echo server with the Godot 3 signals.

var server := RustWebSocketServer.new()


func start(port: int) -> Error:
	server.client_connected.connect(_on_client_connected)
	server.client_close_request.connect(_on_client_close_request)
	server.client_disconnected.connect(_on_client_disconnected)
	server.data_received.connect(_on_data)
	return server.listen(port)  # was: listen(port, protocols, gd_mp_api)


func _process(_delta: float) -> void:
	server.poll()  # accepts, handshakes and drives every client


func _on_client_connected(id: int, protocol: String) -> void:
	print("client %d connected from %s, subprotocol '%s'" % [id, server.get_peer_address(id), protocol])


func _on_data(id: int) -> void:
	var peer := server.get_peer(id)  # a RustWebSocketPeer
	var packet := peer.get_packet()
	if not peer.is_connected_to_host():
		return  # it came just before the client closed: too late to answer
	var mode := RustWebSocketPeer.WRITE_MODE_TEXT if peer.was_string_packet() else RustWebSocketPeer.WRITE_MODE_BINARY
	peer.send(packet, mode)  # echo it back as it came


func _on_client_close_request(id: int, code: int, reason: String) -> void:
	print("client %d is closing: %d '%s'" % [id, code, reason])


func _on_client_disconnected(id: int, was_clean_close: bool) -> void:
	print("client %d left, clean: %s" % [id, was_clean_close])
