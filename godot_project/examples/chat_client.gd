extends "res://examples/chat_panel.gd"
## Chat client demo: type a ws:// URL, press Connect, then chat.
##
## Everything network-related is a RustWebSocketPeer and its signals; the peer
## is polled once per frame in _process(), and every signal is emitted from
## inside that poll() call. The server (chat_server.tscn) takes the nickname
## from the URL's query: ws://127.0.0.1:9080/chat?name=alice

@onready var url_edit: LineEdit = %Url
@onready var connect_button: Button = %ConnectButton
@onready var input_edit: LineEdit = %Input
@onready var send_button: Button = %SendButton

var peer := RustWebSocketPeer.new()
## Chat lines received from the server, in order.
var received: PackedStringArray = []


func _ready() -> void:
	peer.heartbeat_interval = 10.0  # notice a dead server within ~20 s
	peer.connection_established.connect(_on_connection_established)
	peer.connection_error.connect(_on_connection_error)
	peer.data_received.connect(_on_data_received)
	peer.server_close_request.connect(_on_server_close_request)
	peer.connection_closed.connect(_on_connection_closed)
	connect_button.pressed.connect(_on_connect_pressed)
	send_button.pressed.connect(_on_send_pressed)
	input_edit.text_submitted.connect(func(_text: String) -> void: _on_send_pressed())
	_update_ui()


func _process(_delta: float) -> void:
	peer.poll()
	_update_ui()


## Connects to url. Returns the error of connect_to_url (a malformed URL fails at once).
func connect_to(url: String) -> Error:
	url_edit.text = url
	_set_error("")
	var err := peer.connect_to_url(url)
	if err != OK:
		_show_error("connect_to_url: %s (%s)" % [peer.get_last_error(), error_string(err)])
	else:
		_log("connecting to %s" % url)
	_update_ui()
	return err


## Sends one chat line as a text message.
func send_message(text: String) -> Error:
	var err := peer.send_text(text)
	if err != OK:
		_show_error("send_text: %s (%s)" % [peer.get_last_error(), error_string(err)])
	return err


## Starts the close handshake; connection_closed follows from poll().
func leave(code: int = 1000, reason: String = "bye") -> void:
	peer.close(code, reason)
	_update_ui()


func _on_connect_pressed() -> void:
	if peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED:
		connect_to(url_edit.text.strip_edges())
	else:
		leave()


func _on_send_pressed() -> void:
	var text := input_edit.text.strip_edges()
	if text.is_empty() or not peer.is_connected_to_host():
		return
	if send_message(text) == OK:
		input_edit.clear()


func _on_connection_established(protocol: String) -> void:
	_log("connected to %s:%d (subprotocol: '%s')" % [peer.get_connected_host(), peer.get_connected_port(), protocol])


func _on_connection_error(reason: String) -> void:
	_show_error("connection failed: " + reason)


func _on_data_received() -> void:
	# Fires once per message; the message is readable now.
	var line := peer.get_packet().get_string_from_utf8()
	received.append(line)
	_log(line)


func _on_server_close_request(code: int, reason: String) -> void:
	_log("server is closing the connection: code %d, reason '%s'" % [code, reason])


func _on_connection_closed(was_clean_close: bool) -> void:
	_log("disconnected (clean: %s, code %d, reason '%s')" % [was_clean_close, peer.get_close_code(), peer.get_close_reason()])
	if not was_clean_close and not peer.get_last_error().is_empty():
		_show_error(peer.get_last_error())


func _update_ui() -> void:
	var state := peer.get_ready_state()
	status_label.text = "Status: " + ["connecting…", "open", "closing…", "closed"][state]
	connect_button.text = "Connect" if state == RustWebSocketPeer.STATE_CLOSED else "Disconnect"
	url_edit.editable = state == RustWebSocketPeer.STATE_CLOSED
	send_button.disabled = state != RustWebSocketPeer.STATE_OPEN
