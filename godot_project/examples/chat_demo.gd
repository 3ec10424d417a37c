extends HBoxContainer
## The chat server and two chat clients side by side in one window. On start
## the server listens on a free port, both clients connect to it and say hello;
## after that the UI is yours (type into either client).
##
## With the user argument --screenshot=<path> it saves a PNG of the window once
## the greeting has gone round, then quits:
##   godot --path godot_project res://examples/chat_demo.tscn -- --screenshot=/tmp/chat.png

@onready var server: Node = $ChatServer
@onready var alice: Node = $Alice
@onready var bob: Node = $Bob


func _ready() -> void:
	if server.start(0) != OK:
		return
	var url := "ws://127.0.0.1:%d/chat?name=" % server.server.get_port()
	alice.connect_to(url + "alice")
	bob.connect_to(url + "bob")
	await _until(func() -> bool: return alice.peer.is_connected_to_host() and bob.peer.is_connected_to_host())
	alice.send_message("hi bob! this runs over RustWebSocketPeer")
	await _until(func() -> bool: return bob.received.has("alice: hi bob! this runs over RustWebSocketPeer"))
	bob.send_message("hello alice, the server relays it")
	await _until(func() -> bool: return alice.received.has("bob: hello alice, the server relays it"))
	alice.input_edit.text = "typing…"

	var shot := _screenshot_path()
	if not shot.is_empty():
		for i in 10:  # let the layout and the labels settle
			await get_tree().process_frame
		await RenderingServer.frame_post_draw
		var image := get_viewport().get_texture().get_image()
		var err := image.save_png(shot)
		print("screenshot %s: %s (%dx%d)" % [shot, error_string(err), image.get_width(), image.get_height()])
		get_tree().quit(0 if err == OK else 1)


func _until(cond: Callable, timeout_ms: int = 5000) -> void:
	var deadline := Time.get_ticks_msec() + timeout_ms
	while not cond.call() and Time.get_ticks_msec() < deadline:
		await get_tree().process_frame


func _screenshot_path() -> String:
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("--screenshot="):
			return arg.trim_prefix("--screenshot=")
	return ""
