extends RefCounted
## Godot's own WebSocketPeer on the server side of a TCPServer (behind
## Godot's StreamPeerTLS when tls_options is set): the independent
## implementation our client is tested against. Call poll() every frame.

var tcp := TCPServer.new()
var peers: Array[WebSocketPeer] = []
var port := 0
var supported_protocols := PackedStringArray()
## TLSOptions.server(...) for wss://, or null for ws://.
var tls_options: TLSOptions = null
## Host name put in url(); a TLS test may need the certificate's name.
var host := "127.0.0.1"


## Listens on a free loopback port; buffers are sized for messages up to max_size.
func start(max_size: int = 20 << 20) -> Error:
	_max_size = max_size
	var err := tcp.listen(0, "127.0.0.1")
	port = tcp.get_local_port()
	return err


func url(path: String = "/") -> String:
	return url_at(host, path)


## The URL with another host name for the same loopback server.
func url_at(name: String, path: String = "/") -> String:
	return "%s://%s:%d%s" % ["wss" if tls_options != null else "ws", name, port, path]


func poll() -> void:
	while tcp.is_connection_available():
		var ws := WebSocketPeer.new()
		ws.inbound_buffer_size = _max_size + 1024
		ws.outbound_buffer_size = _max_size + 1024
		ws.max_queued_packets = 8192
		ws.supported_protocols = supported_protocols
		var stream: StreamPeer = tcp.take_connection()
		if tls_options != null:
			var tls := StreamPeerTLS.new()
			if tls.accept_stream(stream, tls_options) != OK:
				continue
			stream = tls
		ws.accept_stream(stream)
		peers.append(ws)
	for ws in peers:
		ws.poll()


## The first accepted peer once it is open, else null.
func open_peer() -> WebSocketPeer:
	for ws in peers:
		if ws.get_ready_state() == WebSocketPeer.STATE_OPEN:
			return ws
	return null


func stop() -> void:
	for ws in peers:
		ws.close()
	peers.clear()
	tcp.stop()


var _max_size := 0
