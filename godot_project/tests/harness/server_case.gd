extends "res://tests/harness/test_case.gd"
## Base of the tests of one RustWebSocketServer: `server`, `slog` (every
## server signal, recorded from the start), listening on loopback and polling
## the server with its clients.
##
##     extends "res://tests/harness/server_case.gd"
##     func run_test() -> void:
##         var url := listen_loopback()
##         ...

var server := RustWebSocketServer.new()
var slog: SignalLog = SignalLog.watching(server, SignalLog.SERVER_SIGNALS)


## Starts the server on 127.0.0.1 at a port the OS picks (a check named what)
## and returns its ws:// URL.
func listen_loopback(protocols := PackedStringArray(), what := "listen") -> String:
	check_eq(server.listen(0, protocols, "127.0.0.1"), OK, what)
	return "ws://127.0.0.1:%d/" % server.get_port()


## Polls the server, then each of clients (RustWebSocketPeer or Godot's
## WebSocketPeer), handing every packet a client received to
## on_packet.call(client index, packet, whether it was text).
func poll_clients(clients: Array, on_packet: Callable) -> void:
	server.poll()
	for i in clients.size():
		var c = clients[i]
		c.poll()
		while c.get_available_packet_count() > 0:
			var packet: PackedByteArray = c.get_packet()
			on_packet.call(i, packet, c.was_string_packet())
