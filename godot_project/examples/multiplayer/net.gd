extends RefCounted
## The one place where the multiplayer demo chooses its MultiplayerPeer class.
## Everything else talks to SceneMultiplayer only, so swapping the class here
## swaps the transport of the whole demo.

## The port the Host button offers and the address field points at.
const DEFAULT_PORT := 9080
## The class a native build plays over.
const NATIVE_PEER := "RustWebSocketMultiplayerPeer"


## A new WebSocket multiplayer peer, not yet a server or a client. A Web
## export gets Godot's built-in class (the browser's WebSocket: GDExtensions do
## not run there), which speaks the same protocol. The native class is named
## by a string because GDScript resolves class names when it loads a script,
## and an addon's classes do not exist in the browser.
static func new_peer() -> MultiplayerPeer:
	if OS.has_feature("web"):
		return WebSocketMultiplayerPeer.new()
	if not ClassDB.class_exists(NATIVE_PEER):
		push_error("%s is missing (is addons/websocket_peer installed?): using WebSocketMultiplayerPeer" % NATIVE_PEER)
		return WebSocketMultiplayerPeer.new()
	return ClassDB.instantiate(NATIVE_PEER)


## Makes `peer` a server on `port` (0: a free port the OS picks) and returns
## the port it listens on, or -1 when it cannot listen.
static func start_server(peer, port: int, bind_address: String = "*") -> int:
	var reports_port: bool = peer.has_method("get_port")
	if port == 0 and not reports_port:
		# The peer cannot say which port it got: ask the OS for a free one first.
		port = _free_port(bind_address)
	if peer.create_server(port, bind_address) != OK:
		return -1
	return peer.get_port() if reports_port else port


static func _free_port(bind_address: String) -> int:
	var probe := TCPServer.new()
	if probe.listen(0, bind_address) != OK:
		return 0
	var port := probe.get_local_port()
	probe.stop()
	return port


## Why the peer's last connection or server start failed, if it can say
## ("" for a peer class that gives no reasons).
static func failure_reason(peer) -> String:
	return peer.get_last_error() if peer != null and peer.has_method("get_last_error") else ""
