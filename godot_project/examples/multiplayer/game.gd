extends Node2D
## The game session, made only of SceneMultiplayer APIs: hosting or joining,
## a MultiplayerSpawner that spawns one player per peer (the server decides),
## and a few RPCs: chat, ping, and tagging the nearest player for a point.
##
## The host is a player too (a "listen server"). Clients only ask the server
## (rpc_id(1, ...)); the server checks the request and tells everyone.

## A line of what happened, for the log (the UI and the headless run show it).
signal event(text: String)
## The set of players or a score changed.
signal players_changed

const Net := preload("res://examples/multiplayer/net.gd")
const PlayerScene := preload("res://examples/multiplayer/player.tscn")
const Player := preload("res://examples/multiplayer/player.gd")
## How close (in pixels, between the squares' corners) a tag must be.
const TAG_RANGE := 64.0
## The server accepts a bit more, since it sees positions a few frames late.
const TAG_SLACK := 32.0
## A player scores at most once per this many milliseconds.
const TAG_COOLDOWN_MS := 1000
const MAX_NAME := 16
const MAX_CHAT := 200

@onready var players: Node2D = $Players
@onready var spawner: MultiplayerSpawner = $PlayerSpawner

var player_name := "player"
## When set, our player walks by script (player.gd's `bot`) instead of the keyboard.
var autopilot := false

var _last_tag_ms := {}  # server only: peer id -> when it last scored


func _ready() -> void:
	spawner.spawn_function = _spawn_player
	# Deferred: a node that enters or leaves is not yet in or out of the list.
	players.child_entered_tree.connect(func(_node: Node) -> void: _emit_players_changed.call_deferred())
	players.child_exiting_tree.connect(func(_node: Node) -> void: _emit_players_changed.call_deferred())
	spawner.despawned.connect(func(node: Node) -> void: _say("despawned %s" % _who(node.peer_id, node.player_name)))
	multiplayer.peer_connected.connect(func(id: int) -> void: _say("peer %d connected" % id))
	multiplayer.peer_disconnected.connect(_on_peer_disconnected)
	multiplayer.connected_to_server.connect(_on_connected_to_server)
	multiplayer.connection_failed.connect(_on_connection_failed)
	multiplayer.server_disconnected.connect(_on_server_disconnected)


func _draw() -> void:
	draw_rect(Player.ARENA, Color(1, 1, 1, 0.35), false, 2.0)


# ---- session ----------------------------------------------------------------

## Hosts a game on `port` (0: any free port) and joins it as a player.
## Returns the port, or -1 when the server cannot start.
func host(port: int, bind_address: String = "*") -> int:
	leave()
	var peer = Net.new_peer()
	var bound := Net.start_server(peer, port, bind_address)
	if bound < 0:
		_say("could not host on port %d%s" % [port, _reason(peer)])
		return -1
	multiplayer.multiplayer_peer = peer
	_say("hosting on port %d as peer %d" % [bound, multiplayer.get_unique_id()])
	_add_player(1, player_name)
	return bound


## Joins the game at `url` (e.g. ws://127.0.0.1:9080). The player appears
## once the server has our name (see _on_connected_to_server).
func join(url: String) -> Error:
	leave()
	var peer = Net.new_peer()
	var err: Error = peer.create_client(url)
	if err != OK:
		_say("could not join %s: %s%s" % [url, error_string(err), _reason(peer)])
		return err
	multiplayer.multiplayer_peer = peer
	_say("joining %s" % url)
	return OK


## Leaves the game (the host stops it for everyone).
func leave() -> void:
	if not is_online():
		return
	multiplayer.multiplayer_peer.close()
	multiplayer.multiplayer_peer = null  # back to an OfflineMultiplayerPeer
	_clear_players()
	_say("left the game")


func is_online() -> bool:
	var peer := multiplayer.multiplayer_peer
	return peer != null and not peer is OfflineMultiplayerPeer \
			and peer.get_connection_status() != MultiplayerPeer.CONNECTION_DISCONNECTED


## The player this peer controls, or null.
func local_player() -> Node2D:
	return players.get_node_or_null(str(multiplayer.get_unique_id()))


func _on_connected_to_server() -> void:
	_say("connected as peer %d" % multiplayer.get_unique_id())
	register.rpc_id(1, player_name)


func _on_connection_failed() -> void:
	_say("connection failed%s" % _reason(multiplayer.multiplayer_peer))
	multiplayer.multiplayer_peer = null


func _on_server_disconnected() -> void:
	_say("server disconnected")
	multiplayer.multiplayer_peer = null
	_clear_players()


func _on_peer_disconnected(id: int) -> void:
	_say("peer %d disconnected" % id)
	if multiplayer.is_server():
		var node := players.get_node_or_null(str(id))
		if node != null:
			_say("despawned %s" % _who(id))
			node.queue_free()  # the spawner despawns it on every client


# ---- spawning -----------------------------------------------------------------

## Client -> server, once connected: "spawn me with this name".
@rpc("any_peer", "reliable")
func register(wanted_name: String) -> void:
	var id := multiplayer.get_remote_sender_id()
	if not multiplayer.is_server() or players.has_node(str(id)):
		return
	_add_player(id, wanted_name)


func _add_player(id: int, wanted_name: String) -> void:
	var clean := wanted_name.strip_edges().left(MAX_NAME)
	# The spawner calls _spawn_player here and on every peer, now and for
	# peers that join later, with the same data.
	spawner.spawn({"id": id, "name": clean if not clean.is_empty() else "player"})


func _spawn_player(data: Dictionary) -> Node:
	var player := PlayerScene.instantiate()
	player.peer_id = data.id
	player.name = str(data.id)
	player.player_name = data.name
	player.color = Color.from_hsv(fposmod(data.id * 0.618034, 1.0), 0.65, 0.95)
	player.position = _spawn_point(data.id)
	player.set_multiplayer_authority(data.id)  # the owner moves it, and syncs it
	player.get_node("ScoreSynchronizer").set_multiplayer_authority(1)  # the server scores
	player.score_changed.connect(players_changed.emit)
	player.bot = autopilot and data.id == multiplayer.get_unique_id()
	_say("spawned %s" % _who(data.id, data.name))
	return player


func _spawn_point(id: int) -> Vector2:
	var angle := fposmod(id * 2.399963, TAU)  # golden angle: spread out, stable per id
	return Vector2(400, 320) + Vector2(cos(angle), sin(angle)) * 160.0


func _clear_players() -> void:
	for node in players.get_children():
		players.remove_child(node)
		node.queue_free()
	players_changed.emit()


# ---- chat ---------------------------------------------------------------------

## Sends a chat line through the server to everyone.
func send_chat(text: String) -> void:
	if is_online() and not text.strip_edges().is_empty():
		post_chat.rpc_id(1, text)


@rpc("any_peer", "call_local", "reliable")
func post_chat(text: String) -> void:
	if multiplayer.is_server():
		show_chat.rpc(multiplayer.get_remote_sender_id(), text.strip_edges().left(MAX_CHAT))


@rpc("authority", "call_local", "reliable")
func show_chat(from: int, text: String) -> void:
	_say("chat %s: %s" % [_who(from), text])


# ---- ping ---------------------------------------------------------------------

## Measures the round trip to the host; the answer arrives as an event.
func ping_host() -> void:
	if is_online() and not multiplayer.is_server():
		ping.rpc_id(1, Time.get_ticks_usec())


@rpc("any_peer", "reliable")
func ping(sent_usec: int) -> void:
	pong.rpc_id(multiplayer.get_remote_sender_id(), sent_usec)


@rpc("authority", "reliable")
func pong(sent_usec: int) -> void:
	_say("pong from the host after %.1f ms" % ((Time.get_ticks_usec() - sent_usec) / 1000.0))


# ---- tag ----------------------------------------------------------------------

## The nearest other player within TAG_RANGE of ours, or null.
func nearest_in_range() -> Node2D:
	var me := local_player()
	var best: Node2D = null
	if me == null:
		return null
	for other in players.get_children():
		var d := me.position.distance_to(other.position)
		if other != me and d <= TAG_RANGE and (best == null or d < me.position.distance_to(best.position)):
			best = other
	return best


## Asks the server to tag the nearest player in range; true if there was one.
func tag_nearest() -> bool:
	var target := nearest_in_range()
	if target == null or not is_online():
		return false
	request_tag.rpc_id(1, target.peer_id)
	return true


@rpc("any_peer", "call_local", "reliable")
func request_tag(target_id: int) -> void:
	if not multiplayer.is_server():
		return
	var from_id := multiplayer.get_remote_sender_id()
	var tagger := players.get_node_or_null(str(from_id))
	var target := players.get_node_or_null(str(target_id))
	if tagger == null or target == null or tagger == target:
		return
	if tagger.position.distance_to(target.position) > TAG_RANGE + TAG_SLACK:
		_say("refused a tag by %s: too far from %s" % [_who(from_id), _who(target_id)])
		return
	var now := Time.get_ticks_msec()
	if now - _last_tag_ms.get(from_id, -TAG_COOLDOWN_MS) < TAG_COOLDOWN_MS:
		return  # too soon: holding Space does not farm points
	_last_tag_ms[from_id] = now
	tagger.score += 1  # the ScoreSynchronizer sends it to everyone
	tagged.rpc(from_id, target_id, tagger.score)


## Server -> everyone: the event, for the log (the score itself is synchronized).
@rpc("authority", "call_local", "reliable")
func tagged(from_id: int, target_id: int, new_score: int) -> void:
	_say("%s tagged %s, score %d" % [_who(from_id), _who(target_id), new_score])


# ---- helpers ------------------------------------------------------------------

func _who(id: int, known_name: String = "") -> String:
	var name_ := known_name
	if name_.is_empty():
		var node := players.get_node_or_null(str(id))
		name_ = node.player_name if node != null else "host" if id == 1 else "peer"
	return "%s (%d)" % [name_, id]


func _emit_players_changed() -> void:
	players_changed.emit()


func _reason(peer) -> String:
	var why := Net.failure_reason(peer)
	return "" if why.is_empty() else " (%s)" % why


func _say(text: String) -> void:
	event.emit(text)
