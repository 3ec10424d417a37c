extends RefCounted
## The echo servers of one test (tls_fixtures.gd's echo_server(): our server
## answering every message in its kind), ws:// or wss://, each checked as it
## starts and watched by a SignalLog. poll() polls them all (so the set can sit
## in a test's `pumped`), stop() stops them.

const Fx := preload("res://tests/support/tls_fixtures.gd")
const SignalLog := preload("res://tests/support/signal_log.gd")

var servers: Array[RustWebSocketServer] = []
## server -> the SignalLog of its server signals.
var logs := {}
var _test: Node
var _text_prefix: String
var _handshake_timeout: float


## Servers for test that answer text with text_prefix + the text.
func _init(test: Node, text_prefix := "", handshake_timeout := 3.0) -> void:
	_test = test
	_text_prefix = text_prefix
	_handshake_timeout = handshake_timeout


## A new echo server on loopback, wss:// when key and cert are given; a
## check that it listens.
func add(key: CryptoKey = null, cert: X509Certificate = null) -> RustWebSocketServer:
	var s := Fx.echo_server(key, cert, _text_prefix, _handshake_timeout)
	_test.check(s.is_listening(), "%s echo server listens (%s)" % [scheme(s), s.get_last_error()])
	logs[s] = SignalLog.watching(s, SignalLog.SERVER_SIGNALS)
	servers.append(s)
	return s


## "wss" for a server with a certificate, else "ws".
static func scheme(s: RustWebSocketServer) -> String:
	return "wss" if s.tls_certificate != null else "ws"


## The URL of s by the name localhost (the name the test certificates carry),
## in its own scheme unless another is given.
static func url(s: RustWebSocketServer, other_scheme := "") -> String:
	return "%s://localhost:%d/" % [scheme(s) if other_scheme.is_empty() else other_scheme, s.get_port()]


## How many clients the servers accepted in all.
func connected_count() -> int:
	var n := 0
	for s in servers:
		n += logs[s].count("client_connected")
	return n


func poll() -> void:
	for s in servers:
		s.poll()


func stop() -> void:
	for s in servers:
		s.stop()
