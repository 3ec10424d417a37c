extends Control
## The multiplayer demo's window: the arena on the left, on the right the
## Host / Join buttons, the player list and the chat. Run it twice (or more):
## one window hosts, the others join. Arrow keys move your square, Space tags
## the nearest player (a point, decided by the host), P pings the host.
##
## The game itself is the World node (game.gd); this script only wires the UI
## to it. multiplayer_headless.gd drives the same calls without the buttons.
##
## Windows can also be started from a shell, with user arguments after `--`:
##   godot --path godot_project res://examples/multiplayer/multiplayer_demo.tscn -- --host --name=ann
##   godot --path godot_project res://examples/multiplayer/multiplayer_demo.tscn -- --join=ws://127.0.0.1:9080 --bot
## --host[=port] hosts, --join[=url] joins, --name=<name> names the player,
## --bot lets a script walk it, --screenshot=<png> saves the window after a
## few seconds and quits.

const Net := preload("res://examples/multiplayer/net.gd")

@onready var game: Node2D = $World
@onready var name_edit: LineEdit = %Name
@onready var address_edit: LineEdit = %Address
@onready var port_spin: SpinBox = %Port
@onready var host_button: Button = %HostButton
@onready var join_button: Button = %JoinButton
@onready var leave_button: Button = %LeaveButton
@onready var status_label: Label = %Status
@onready var player_list: ItemList = %PlayerList
@onready var log_view: RichTextLabel = %Log
@onready var chat_edit: LineEdit = %ChatInput
@onready var send_button: Button = %SendButton


func _ready() -> void:
	port_spin.value = Net.DEFAULT_PORT
	address_edit.text = "ws://127.0.0.1:%d" % Net.DEFAULT_PORT
	name_edit.text = "player%d" % (randi() % 100)
	host_button.pressed.connect(_on_host_pressed)
	join_button.pressed.connect(_on_join_pressed)
	leave_button.pressed.connect(game.leave)
	send_button.pressed.connect(_on_send_pressed)
	chat_edit.text_submitted.connect(func(_text: String) -> void: _on_send_pressed())
	game.event.connect(_on_event)
	game.players_changed.connect(_refresh_players)
	_update_status()
	_apply_command_line.call_deferred()


func _process(_delta: float) -> void:
	_update_status()


func _unhandled_input(event: InputEvent) -> void:
	var key := event as InputEventKey
	if key == null or not key.pressed or key.echo:
		return
	if key.keycode == KEY_SPACE:
		game.tag_nearest()
	elif key.keycode == KEY_P:
		game.ping_host()


func _gui_input(event: InputEvent) -> void:
	if event is InputEventMouseButton and event.pressed:
		get_viewport().gui_release_focus()  # a click in the arena: back to walking


func _on_host_pressed() -> void:
	game.player_name = name_edit.text
	game.host(int(port_spin.value))


func _on_join_pressed() -> void:
	game.player_name = name_edit.text
	game.join(address_edit.text.strip_edges())


func _on_send_pressed() -> void:
	game.send_chat(chat_edit.text)
	chat_edit.clear()
	chat_edit.release_focus()


func _on_event(text: String) -> void:
	log_view.add_text(text + "\n")


func _refresh_players() -> void:
	player_list.clear()
	for player in game.players.get_children():
		if player.is_queued_for_deletion():
			continue
		var you := " (you)" if player.peer_id == multiplayer.get_unique_id() else ""
		var row := player_list.add_item("%s%s  id %d  score %d" % [player.player_name, you, player.peer_id, player.score])
		player_list.set_item_custom_fg_color(row, player.color)


func _update_status() -> void:
	var peer := multiplayer.multiplayer_peer
	var online: bool = game.is_online()
	var text := "offline"
	if online and peer.get_connection_status() == MultiplayerPeer.CONNECTION_CONNECTING:
		text = "connecting…"
	elif online and multiplayer.is_server():
		text = "hosting, %d other player(s)" % multiplayer.get_peers().size()
	elif online:
		text = "playing as peer %d" % multiplayer.get_unique_id()
	status_label.text = "Status: " + text
	host_button.disabled = online
	join_button.disabled = online
	leave_button.disabled = not online
	send_button.disabled = not online


func _apply_command_line() -> void:
	var args := {}
	for arg in OS.get_cmdline_user_args():
		var pair := arg.trim_prefix("--").split("=", true, 1)
		args[pair[0]] = pair[1] if pair.size() > 1 else ""
	if args.has("name"):
		name_edit.text = args.name
	game.autopilot = args.has("bot")
	if args.has("host"):
		if not args.host.is_empty():
			port_spin.value = int(args.host)
		_on_host_pressed()
	elif args.has("join"):
		if not args.join.is_empty():
			address_edit.text = args.join
		_on_join_pressed()
	if args.has("screenshot"):
		await get_tree().create_timer(4.0).timeout
		await RenderingServer.frame_post_draw
		var image := get_viewport().get_texture().get_image()
		var err := image.save_png(args.screenshot)
		print("screenshot %s: %s (%dx%d)" % [args.screenshot, error_string(err), image.get_width(), image.get_height()])
		get_tree().quit(0 if err == OK else 1)
