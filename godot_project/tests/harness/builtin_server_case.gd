extends "res://tests/harness/test_case.gd"
## Base of the tests of our client against Godot's built-in WebSocketPeer
## server: `server` (support/builtin_server.gd), `client`, both pumped, and
## open_to_builtin(), which connects the two.
##
##     extends "res://tests/harness/builtin_server_case.gd"
##     func run_test() -> void:
##         var srv := await open_to_builtin(4 << 20)
##         ...

const BuiltinServer := preload("res://tests/support/builtin_server.gd")

var server := BuiltinServer.new()
var client := RustWebSocketPeer.new()


## Starts the built-in server taking messages up to max_size, connects the
## client to it and returns the server side's peer once both ends are open
## (null, with a failed check, if they do not open within 5 s).
func open_to_builtin(max_size: int) -> WebSocketPeer:
	pumped = [client, server]
	check_eq(server.start(max_size), OK, "built-in server listens")
	check_eq(client.connect_to_url(server.url()), OK, "connect")
	await wait_until(func(): poll_pumped(); return server.open_peer() != null and client.is_connected_to_host(), 5.0, "open")
	return server.open_peer()
