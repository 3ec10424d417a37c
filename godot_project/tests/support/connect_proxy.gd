extends RefCounted
## A small HTTP CONNECT proxy for tests, polled from the test loop: it reads
## "CONNECT host:port HTTP/1.1", optionally demands Basic credentials (407
## when they are wrong or missing), or answers a fixed status; otherwise it
## opens the tunnel (to loopback targets only) and relays bytes both ways on
## every poll(). Call poll() every frame.

## "user:password" the client must send, or empty for no authentication.
var required_credentials := ""
## When non-zero, every CONNECT is answered with this HTTP status.
var forced_status := 0
## Request heads received, in order (text up to the blank line).
var requests: PackedStringArray = []
## Statuses answered, in order.
var answered: PackedInt32Array = []
## Bytes relayed through open tunnels, per direction.
var bytes_to_target := 0
var bytes_to_client := 0
var port := 0

var _tcp := TCPServer.new()
var _conns: Array[Dictionary] = []

const REASONS := {200: "Connection established", 400: "Bad Request", 403: "Forbidden",
		407: "Proxy Authentication Required", 502: "Bad Gateway"}


func start() -> Error:
	var err := _tcp.listen(0, "127.0.0.1")
	port = _tcp.get_local_port()
	return err


## The proxy_url to give a client, with credentials ("user:password") if any.
func url(credentials: String = "") -> String:
	var auth := credentials + "@" if not credentials.is_empty() else ""
	return "http://%s127.0.0.1:%d" % [auth, port]


## Open tunnels.
func tunnel_count() -> int:
	var n := 0
	for c in _conns:
		if c.target != null:
			n += 1
	return n


func poll() -> void:
	while _tcp.is_connection_available():
		_conns.append({"client": _tcp.take_connection(), "head": PackedByteArray(),
				"target": null, "connected": false, "pending": PackedByteArray()})
	var alive: Array[Dictionary] = []
	for c in _conns:
		if _step(c):
			alive.append(c)
	_conns = alive


func stop() -> void:
	for c in _conns:
		_close(c)
	_conns.clear()
	_tcp.stop()


## Advances one connection; false once it is finished.
func _step(c: Dictionary) -> bool:
	var client: StreamPeerTCP = c.client
	client.poll()
	if c.target == null:
		return _read_head(c)
	var target: StreamPeerTCP = c.target
	target.poll()
	if not c.connected:
		match target.get_status():
			StreamPeerTCP.STATUS_CONNECTING:
				return true
			StreamPeerTCP.STATUS_CONNECTED:
				c.connected = true
				target.set_no_delay(true)
				_answer(client, 200)
				# Bytes the client sent right after the head belong to the tunnel.
				if not c.pending.is_empty():
					target.put_data(c.pending)
					bytes_to_target += c.pending.size()
			_:
				_answer(client, 502)
				_close(c)
				return false
	bytes_to_target += _relay(client, target)
	bytes_to_client += _relay(target, client)
	if client.get_status() != StreamPeerTCP.STATUS_CONNECTED \
			or target.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		_close(c)
		return false
	return true


func _read_head(c: Dictionary) -> bool:
	var client: StreamPeerTCP = c.client
	if client.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		return false
	var n := client.get_available_bytes()
	if n > 0:
		var got: Array = client.get_partial_data(n)
		c.head.append_array(got[1])
	var text: String = c.head.get_string_from_ascii()
	var end := text.find("\r\n\r\n")
	if end < 0:
		if c.head.size() > 8192:
			_answer(client, 400)
			_close(c)
			return false
		return true
	c.pending = c.head.slice(end + 4)
	var head := text.substr(0, end)
	requests.append(head)
	var status := _decide(head)
	if status != 200:
		_answer(client, status)
		_close(c)
		return false
	var target_addr := head.get_slice("\r\n", 0).get_slice(" ", 1)
	var sep := target_addr.rfind(":")
	var host := target_addr.substr(0, sep).trim_prefix("[").trim_suffix("]")
	if host == "localhost":
		host = "127.0.0.1"
	var target := StreamPeerTCP.new()
	if target.connect_to_host(host, int(target_addr.substr(sep + 1))) != OK:
		_answer(client, 502)
		_close(c)
		return false
	c.target = target
	return true


## The status to answer for a request head; 200 opens the tunnel.
func _decide(head: String) -> int:
	var parts := head.get_slice("\r\n", 0).split(" ")
	if parts.size() != 3 or parts[0] != "CONNECT" or not parts[2].begins_with("HTTP/1."):
		return 400
	if forced_status != 0:
		return forced_status
	if not required_credentials.is_empty():
		var expected := "basic " + Marshalls.utf8_to_base64(required_credentials)
		var ok := false
		for line in head.split("\r\n"):
			var colon := line.find(":")
			if colon > 0 and line.substr(0, colon).strip_edges().to_lower() == "proxy-authorization":
				var value := line.substr(colon + 1).strip_edges()
				ok = value.to_lower().begins_with("basic ") \
						and "basic " + value.substr(6).strip_edges() == expected
		if not ok:
			return 407
	# Tests stay on loopback: refuse to tunnel anywhere else.
	var target := parts[1]
	var sep := target.rfind(":")
	var host := target.substr(0, sep).trim_prefix("[").trim_suffix("]")
	if sep <= 0 or not host in ["127.0.0.1", "::1", "localhost"] or not target.substr(sep + 1).is_valid_int():
		return 403
	return 200


func _answer(client: StreamPeerTCP, status: int) -> void:
	answered.append(status)
	var extra := ""
	if status == 407:
		extra = "Proxy-Authenticate: Basic realm=\"test\"\r\n"
	if status != 200:
		extra += "Content-Length: 0\r\nConnection: close\r\n"
	client.put_data(("HTTP/1.1 %d %s\r\n%s\r\n" % [status, REASONS.get(status, "Error"), extra]).to_ascii_buffer())


## Moves what from has received to to; returns the byte count. put_data
## blocks until written, which is fine for the small messages of tests.
func _relay(from: StreamPeerTCP, to: StreamPeerTCP) -> int:
	if from.get_status() != StreamPeerTCP.STATUS_CONNECTED or to.get_status() != StreamPeerTCP.STATUS_CONNECTED:
		return 0
	var n := from.get_available_bytes()
	if n <= 0:
		return 0
	var got: Array = from.get_partial_data(n)
	if got[0] != OK:
		return 0
	to.put_data(got[1])
	return got[1].size()


func _close(c: Dictionary) -> void:
	c.client.disconnect_from_host()
	if c.target != null:
		c.target.disconnect_from_host()
