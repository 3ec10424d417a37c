extends "res://examples/chat_panel.gd"
## Chat server demo: press Start, then connect chat clients to
## ws://127.0.0.1:<port>/chat?name=<nickname>. Every text message a client
## sends is relayed to all clients as "<nickname>: <text>".
##
## The server is a RustWebSocketServer polled once per frame in _process();
## its signals (and each peer's own) are emitted from inside that poll() call.

@onready var port_edit: LineEdit = %Port
@onready var start_button: Button = %StartButton
@onready var clients_list: ItemList = %Clients

var server := RustWebSocketServer.new()
## Peer id -> nickname, for the connected clients.
var names: Dictionary = {}


func _ready() -> void:
	server.handshake_timeout = 5.0
	server.max_message_size = 64 * 1024  # chat lines only; bigger closes with 1009
	server.client_connected.connect(_on_client_connected)
	server.client_disconnected.connect(_on_client_disconnected)
	server.client_close_request.connect(_on_client_close_request)
	server.data_received.connect(_on_data_received)
	start_button.pressed.connect(_on_start_pressed)
	_update_ui()


func _process(_delta: float) -> void:
	server.poll()


## Starts listening on port (0 picks a free port; see server.get_port()).
func start(port: int) -> Error:
	_set_error("")
	var err := server.listen(port)
	if err != OK:
		_show_error("listen: %s (%s)" % [server.get_last_error(), error_string(err)])
	else:
		port_edit.text = str(server.get_port())
		_log("listening on port %d" % server.get_port())
	_update_ui()
	return err


## Closes every client (code 1001) and stops listening.
func stop() -> void:
	server.stop()
	_log("stopped")
	_update_ui()


## Starts closing one client's connection.
func kick(id: int, code: int = 1000, reason: String = "") -> void:
	server.disconnect_peer(id, code, reason)


func _on_start_pressed() -> void:
	if server.is_listening():
		stop()
	else:
		start(port_edit.text.strip_edges().to_int())


func _on_client_connected(id: int, protocol: String) -> void:
	var peer: RustWebSocketPeer = server.get_peer(id)
	names[id] = _nickname(peer.get_requested_url(), id)
	_log("client %d (%s) connected from %s:%d, path %s, subprotocol '%s'" % [
		id, names[id], server.get_peer_address(id), server.get_peer_port(id),
		peer.get_requested_url(), protocol])
	_broadcast("* %s joined" % names[id])
	_update_ui()


func _on_data_received(id: int) -> void:
	# Fires once per message; the message is readable now.
	var peer: RustWebSocketPeer = server.get_peer(id)
	var text := peer.get_packet().get_string_from_utf8()
	if not peer.was_string_packet():
		_log("client %d sent binary data; ignored" % id)
		return
	_log("client %d says: %s" % [id, text])
	_broadcast("%s: %s" % [names.get(id, "?"), text])


func _on_client_close_request(id: int, code: int, reason: String) -> void:
	_log("client %d asks to close: code %d, reason '%s'" % [id, code, reason])


func _on_client_disconnected(id: int, was_clean_close: bool) -> void:
	var nick: String = names.get(id, "client %d" % id)
	names.erase(id)
	_log("client %d (%s) disconnected (clean: %s)" % [id, nick, was_clean_close])
	_broadcast("* %s left" % nick)
	_update_ui()


## Sends line to every client whose connection is open.
func _broadcast(line: String) -> void:
	for id in server.get_peer_ids():
		var peer: RustWebSocketPeer = server.get_peer(id)
		if peer.is_connected_to_host():
			peer.send_text(line)


## The "name" query parameter of a requested path like /chat?name=alice.
func _nickname(path: String, id: int) -> String:
	var query := path.get_slice("?", 1) if path.contains("?") else ""
	for pair in query.split("&", false):
		if pair.begins_with("name="):
			var nick := pair.trim_prefix("name=").uri_decode().strip_edges()
			if not nick.is_empty():
				return nick.left(24)
	return "guest%d" % id


func _update_ui() -> void:
	if server.is_listening():
		status_label.text = "Listening on port %d, %d client(s)" % [server.get_port(), names.size()]
	else:
		status_label.text = "Stopped"
	start_button.text = "Stop" if server.is_listening() else "Start"
	port_edit.editable = not server.is_listening()
	clients_list.clear()
	for id in names:
		clients_list.add_item("%d  %s  (%s)" % [id, names[id], server.get_peer_address(id)])
