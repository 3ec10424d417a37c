extends Node
## Godot 4's WebSocketMultiplayerPeer under SceneMultiplayer: hosting, joining
## and an RPC. Moving to RustWebSocketMultiplayerPeer changes only the class
## name in host() and join(); RPCs, MultiplayerSpawner and
## MultiplayerSynchronizer work as they did.

var chat_log: PackedStringArray = []


func _ready() -> void:
	multiplayer.peer_connected.connect(func(id: int) -> void: print("peer %d joined" % id))
	multiplayer.peer_disconnected.connect(func(id: int) -> void: print("peer %d left" % id))
	multiplayer.connection_failed.connect(func() -> void: print("could not join"))
	multiplayer.server_disconnected.connect(func() -> void: print("the host is gone"))


func host(port: int) -> Error:
	var peer := RustWebSocketMultiplayerPeer.new()  # was: WebSocketMultiplayerPeer.new()
	var err := peer.create_server(port)
	if err == OK:
		multiplayer.multiplayer_peer = peer  # this peer is the server, id 1
	return err


func join(url: String) -> Error:
	var peer := RustWebSocketMultiplayerPeer.new()  # was: WebSocketMultiplayerPeer.new()
	var err := peer.create_client(url)
	if err == OK:
		multiplayer.multiplayer_peer = peer  # connected_to_server follows
	return err


## Everyone hears it, the sender too.
@rpc("any_peer", "call_local", "reliable")
func say(text: String) -> void:
	chat_log.append("%d: %s" % [multiplayer.get_remote_sender_id(), text])
