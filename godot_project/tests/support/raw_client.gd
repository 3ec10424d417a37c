extends RefCounted
## A client made by hand on a StreamPeerTCP: sends whatever bytes a test wants
## (a proper upgrade request, garbage, or nothing) and notices when the server
## drops it. Call poll() every frame.

const UPGRADE := "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
		+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

var tcp := StreamPeerTCP.new()
## Everything received so far.
var received := PackedByteArray()
## Set once the connection was up and then went away (FIN, reset or error).
var dropped := false
var _was_connected := false
var _upgrade_sent := false


func connect_to(port: int, host := "127.0.0.1") -> Error:
	return tcp.connect_to_host(host, port)


func poll() -> void:
	if dropped:
		return
	tcp.poll()
	var status := tcp.get_status()
	if status == StreamPeerTCP.STATUS_CONNECTED:
		_was_connected = true
		var n := tcp.get_available_bytes()
		if n > 0:
			var r := tcp.get_partial_data(n)
			if r[0] == OK:
				received.append_array(r[1])
			else:
				dropped = true
	elif _was_connected or status == StreamPeerTCP.STATUS_ERROR:
		dropped = true


func is_connected_to_server() -> bool:
	return tcp.get_status() == StreamPeerTCP.STATUS_CONNECTED and not dropped


func send(bytes: PackedByteArray) -> void:
	tcp.put_data(bytes)


## Sends a valid upgrade request for path.
func send_upgrade(path := "/") -> void:
	send((UPGRADE % path).to_utf8_buffer())


## poll(), and sends a valid upgrade request for path once connected.
func poll_upgrading(path := "/") -> void:
	poll()
	if is_connected_to_server() and not _upgrade_sent:
		_upgrade_sent = true
		send_upgrade(path)


## The HTTP response head once it has arrived completely, else "".
func response_head() -> String:
	var text := received.get_string_from_ascii()
	var end := text.find("\r\n\r\n")
	return text.substr(0, end + 4) if end >= 0 else ""


## Closes the socket without a close frame.
func drop() -> void:
	tcp.disconnect_from_host()
	dropped = true
