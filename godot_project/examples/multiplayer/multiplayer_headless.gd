extends "res://examples/headless_demo.gd"
## Headless run of the multiplayer demo, printing what happens:
##   godot --headless --path godot_project -s res://examples/multiplayer/multiplayer_headless.gd
## One process, four copies of multiplayer_demo.tscn, each with its own
## SceneMultiplayer (SceneTree.set_multiplayer on its subtree): a host and the
## clients alice, bob and carol. Bots walk the players; then alice chats, bob pings
## the host, alice chases and tags bob, carol joins late and gets every player
## with its score, bob leaves, the host stops, and alice fails to join again.
## Each step must happen within 10 s; exits 0 only if all did.

const Demo := preload("res://examples/multiplayer/multiplayer_demo.tscn")
const WALK_MS := 3000
## How far each player must have walked, as its peers saw it.
const MIN_SEEN_WALK := 50.0

var errors := 0
## While set, logged errors are expected (a peer may log why a connection failed).
var errors_expected := false
var expected_errors := 0
var host: Node2D
var alice: Node2D
var bob: Node2D
var carol: Node2D
var logs := {}  # game -> PackedStringArray of its events


func _initialize() -> void:
	demo_label = "MULTIPLAYER DEMO"
	step_timeout_ms = 10000
	watchdog_ms = 60000
	started_ms = Time.get_ticks_msec()
	OS.add_logger(ErrorCounter.new(self))
	_run.call_deferred()


## Adds one copy of the demo under /root/<label> with a SceneMultiplayer of
## its own, and returns its game node.
func _add(label: String) -> Node2D:
	var demo := Demo.instantiate()
	demo.name = label
	# Before add_child, so that game.gd's _ready connects to this multiplayer.
	set_multiplayer(SceneMultiplayer.new(), NodePath("/root/" + label))
	root.add_child(demo)
	var game: Node2D = demo.game
	game.player_name = label
	logs[game] = PackedStringArray()
	game.event.connect(func(text: String) -> void:
		logs[game].append(text)
		print("[%-5s] %s" % [label, text]))
	return game


func _run() -> void:
	host = _add("host")
	alice = _add("alice")
	bob = _add("bob")
	carol = _add("carol")
	var port: int = host.host(0, "127.0.0.1")
	if port < 0:
		return _finish(false, "the host could not start a server")
	print("multiplayer demo: a host and three clients over %s" % host.multiplayer.multiplayer_peer.get_class())
	var url := "ws://127.0.0.1:%d" % port
	if alice.join(url) != OK or bob.join(url) != OK:
		return _finish(false, "create_client failed")
	if not await _wait(func() -> bool: return _everyone_sees(3), "all three players spawned on all three peers"):
		return
	var ids := {"host": 1, "alice": alice.multiplayer.get_unique_id(), "bob": bob.multiplayer.get_unique_id()}
	print("---- ids: %s" % [ids])
	for game in [host, alice, bob]:
		for id in ids.values():
			if not game.players.has_node(str(id)):
				return _finish(false, "%s has no player %d" % [game.player_name, id])

	# Everyone walks a circle; each peer sees the others move.
	var spawn_seen := _positions_seen()
	var farthest := {}  # "viewer sees owner" -> the farthest from spawn it was seen
	for game in [host, alice, bob]:
		game.local_player().bot = true
	var walk_end := Time.get_ticks_msec() + WALK_MS
	var next_print := 0
	while Time.get_ticks_msec() < walk_end:
		if Time.get_ticks_msec() >= next_print:
			next_print = Time.get_ticks_msec() + 1000
			_print_views()
		var seen := _positions_seen()
		for key in seen:
			farthest[key] = maxf(farthest.get(key, 0.0), seen[key].distance_to(spawn_seen[key]))
		await process_frame
	for game in [host, alice, bob]:
		game.local_player().bot = false
	if not await _wait(_views_agree, "every peer sees every player where its owner put it"):
		return
	_print_views()
	for key in spawn_seen:
		if farthest.get(key, 0.0) < MIN_SEEN_WALK:
			return _finish(false, "%s only %.0f px of walking" % [key, farthest.get(key, 0.0)])
	print("---- each peer saw the other two walk at least %.0f px" % MIN_SEEN_WALK)

	# RPCs: a chat line through the server to everyone, and a ping.
	alice.send_chat("hello from alice")
	var chat := "chat alice (%d): hello from alice" % ids.alice
	if not await _wait(func() -> bool: return _everyone_logged(chat), "everyone got alice's chat line"):
		return
	bob.ping_host()
	if not await _wait(func() -> bool: return _logged(bob, "pong from the host"), "bob's ping came back"):
		return

	# Alice chases bob and tags him; the server checks the distance and scores.
	var bob_in_alices_view: Node2D = alice.players.get_node(str(ids.bob))
	alice.local_player().chase = bob_in_alices_view
	alice.local_player().bot = true
	if not await _wait(func() -> bool: return alice.nearest_in_range() == bob_in_alices_view, "alice caught up with bob"):
		return
	alice.tag_nearest()
	var tag := "alice (%d) tagged bob (%d), score 1" % [ids.alice, ids.bob]
	if not await _wait(func() -> bool: return _everyone_logged(tag), "everyone saw the tag"):
		return
	if not await _wait(func() -> bool: return _everyone_scored(ids.alice, 1), "alice's score of 1 synchronized to every peer"):
		return
	alice.local_player().bot = false

	# Carol joins late: the spawner sends her every player, with the synchronized
	# position and score as they are now.
	if carol.join(url) != OK:
		return _finish(false, "carol's create_client failed")
	var carol_has_all := func() -> bool:
		var a: Node2D = carol.players.get_node_or_null(str(ids.alice))
		return carol.players.get_child_count() == 4 and a != null and a.score == 1 \
				and a.position == alice.local_player().position and host.players.get_child_count() == 4
	if not await _wait(carol_has_all, "carol joined late and got all four players, alice with score 1"):
		return

	# Bob leaves: the server despawns his player everywhere.
	bob.leave()
	if not await _wait(func() -> bool: return _logged(host, "peer %d disconnected" % ids.bob) \
			and _logged(alice, "peer %d disconnected" % ids.bob) \
			and _logged(carol, "peer %d disconnected" % ids.bob) and not host.players.has_node(str(ids.bob)) \
			and not alice.players.has_node(str(ids.bob)) and not carol.players.has_node(str(ids.bob)), "bob left and was despawned"):
		return
	# The host stops: alice is told and clears the game.
	host.leave()
	if not await _wait(func() -> bool: return _logged(alice, "server disconnected") and _logged(carol, "server disconnected") \
			and alice.players.get_child_count() == 0 and not alice.is_online() and not carol.is_online(), "the host stopped; alice and carol were disconnected"):
		return
	# Nobody hosts any more: joining again fails, and says so.
	errors_expected = true
	if alice.join(url) != OK:
		return _finish(false, "create_client failed on the second try")
	if not await _wait(func() -> bool: return _logged(alice, "connection failed") and not alice.is_online(), "alice could not rejoin a stopped game"):
		return
	errors_expected = false
	print("---- errors logged while alice failed to rejoin (allowed: a peer may log why): %d" % expected_errors)
	if errors > 0:
		return _finish(false, "%d error(s) were logged" % errors)
	_finish(true, "host, alice and bob joined, spawned and synced; chat, ping and tag RPCs arrived; a late joiner got the scores; bob left, the host stopped, rejoining failed")


## True when each of the three games has n players, all in the tree.
func _everyone_sees(n: int) -> bool:
	for game in [host, alice, bob]:
		if game.players.get_child_count() != n:
			return false
	return true


## "viewer/owner" -> the position viewer sees owner's player at.
func _positions_seen() -> Dictionary:
	var seen := {}
	for viewer in [host, alice, bob]:
		for p in viewer.players.get_children():
			if p.peer_id != viewer.multiplayer.get_unique_id():
				seen["%s sees %s" % [viewer.player_name, p.player_name]] = p.position
	return seen


## True when every remote copy of a player is where its owner has it.
func _views_agree() -> bool:
	for owner in [host, alice, bob]:
		var own: Node2D = owner.local_player()
		for viewer in [host, alice, bob]:
			var copy: Node2D = viewer.players.get_node_or_null(str(own.peer_id))
			if copy == null or copy.position != own.position:
				return false
	return true


func _print_views() -> void:
	for viewer in [host, alice, bob]:
		var parts := PackedStringArray()
		var own := ""
		for p in viewer.players.get_children():
			var at := "%s (%d) at (%.0f, %.0f)" % [p.player_name, p.peer_id, p.position.x, p.position.y]
			if p.peer_id == viewer.multiplayer.get_unique_id():
				own = at
			else:
				parts.append(at)
		print("[%-5s] sees %s; its own %s" % [viewer.player_name, ", ".join(parts), own])


func _everyone_scored(id: int, score: int) -> bool:
	for game in [host, alice, bob]:
		var p: Node2D = game.players.get_node_or_null(str(id))
		if p == null or p.score != score:
			return false
	return true


func _logged(game: Node2D, line: String) -> bool:
	for text in logs[game]:
		if text.begins_with(line):
			return true
	return false


func _everyone_logged(line: String) -> bool:
	return _logged(host, line) and _logged(alice, line) and _logged(bob, line)


func _tear_down() -> void:
	for game in [host, alice, bob, carol]:
		if game != null:
			game.leave()
			game.get_parent().queue_free()


## Counts the errors Godot logs (script errors, push_error, engine errors),
## so that a run with errors fails even if every step happened.
class ErrorCounter extends Logger:
	var tree: SceneTree

	func _init(owner: SceneTree) -> void:
		tree = owner

	func _log_error(_function: String, _file: String, _line: int, _code: String, _rationale: String,
			_editor_notify: bool, _error_type: int, _script_backtrace: Array[ScriptBacktrace]) -> void:
		if tree.errors_expected:
			tree.expected_errors += 1
		else:
			tree.errors += 1

	func _log_message(_message: String, _error: bool) -> void:
		pass
