extends "res://examples/headless_demo.gd"
## Headless run of the chat demo, printing every event:
##   ci/godot --headless --path godot_project -s res://examples/chat_headless.gd
## It loads the real demo scenes (chat_server.tscn and two chat_client.tscn),
## drives them the way their buttons do, and checks the outcome: alice and bob
## join, chat, alice leaves with close code 1000, the server closes bob with
## 1001. Exits 0 on success, 1 on a failure or when the watchdog fires.

const ServerScene := preload("res://examples/chat_server.tscn")
const ClientScene := preload("res://examples/chat_client.tscn")

var server: Node
var alice: Node
var bob: Node


func _initialize() -> void:
	demo_label = "CHAT DEMO"
	step_timeout_ms = 5000
	watchdog_ms = 30000
	started_ms = Time.get_ticks_msec()
	server = _add(ServerScene, "server")
	alice = _add(ClientScene, "alice")
	bob = _add(ClientScene, "bob")
	_run.call_deferred()


func _add(scene: PackedScene, label: String) -> Node:
	var node := scene.instantiate()
	node.name = label
	node.event.connect(func(text: String) -> void: print("[%-6s] %s" % [label, text]))
	root.add_child(node)
	return node


func _run() -> void:
	print("chat demo: one RustWebSocketServer, two RustWebSocketPeer clients")
	if server.start(0) != OK:  # port 0: the OS picks a free port
		return _finish(false, "the server could not listen")
	var url := "ws://127.0.0.1:%d/chat?name=" % server.server.get_port()

	if alice.connect_to(url + "alice") != OK or bob.connect_to(url + "bob") != OK:
		return _finish(false, "connect_to_url failed")
	if not await _wait(func() -> bool: return server.names.size() == 2 \
			and alice.peer.is_connected_to_host() and bob.peer.is_connected_to_host(), "both clients connected"):
		return

	alice.send_message("hi bob!")
	if not await _wait(func() -> bool: return bob.received.has("alice: hi bob!"), "bob got alice's message"):
		return
	bob.send_message("hello alice")
	if not await _wait(func() -> bool: return alice.received.has("bob: hello alice"), "alice got bob's answer"):
		return

	alice.leave(1000, "bye")
	if not await _wait(func() -> bool: return alice.peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED \
			and bob.received.has("* alice left"), "alice left"):
		return
	if alice.peer.get_close_code() != 1000:
		return _finish(false, "alice's close code is %d, expected 1000" % alice.peer.get_close_code())

	var bob_id: int = server.names.keys()[0]
	server.kick(bob_id, 1001, "server shutting down")
	if not await _wait(func() -> bool: return bob.peer.get_ready_state() == RustWebSocketPeer.STATE_CLOSED \
			and server.names.is_empty(), "the server closed bob"):
		return
	if bob.peer.get_close_code() != 1001 or bob.peer.get_close_reason() != "server shutting down":
		return _finish(false, "bob saw close code %d '%s', expected 1001" % [bob.peer.get_close_code(), bob.peer.get_close_reason()])
	server.stop()

	# Whether bob saw "* alice joined" depends on who finished connecting first.
	var expected := PackedStringArray(["* bob joined", "alice: hi bob!", "bob: hello alice", "* alice left"])
	for line in expected:
		if not bob.received.has(line):
			return _finish(false, "bob never received '%s' (got %s)" % [line, bob.received])
	if not alice.received.has("* alice joined"):
		return _finish(false, "alice never saw her own join (got %s)" % [alice.received])
	_finish(true, "alice and bob chatted; close codes 1000 and 1001 arrived")


func _tear_down() -> void:
	for node in [alice, bob, server]:
		if node != null:
			node.queue_free()
