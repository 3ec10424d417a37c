extends Node2D
## One player: a coloured square with its name and score. Only the peer that
## owns it (its multiplayer authority) moves it, with the arrow keys or, when
## `bot` is set, along a scripted path; its PositionSynchronizer sends the
## position to every other peer. The score is the server's to change: the
## ScoreSynchronizer has the server as its authority (see game.gd).

## The score changed (here, or by the ScoreSynchronizer).
signal score_changed

const SPEED := 240.0
const SIZE := 32.0
## The square the players walk in, in the parent's coordinates.
const ARENA := Rect2(16, 16, 760, 616)

## The owning peer's id (also the node's name, so that paths agree everywhere).
var peer_id := 0
var player_name := ""
var color := Color.WHITE
var score := 0:
	set(value):
		score = value
		queue_redraw()
		score_changed.emit()
## Set on the local player to drive it by script instead of the keyboard: it
## walks a circle round its start point, or towards `chase` when that is set.
var bot := false
var chase: Node2D

var _start := Vector2.ZERO
var _bot_angle := 0.0


func _ready() -> void:
	_start = position
	$Label.text = player_name


func _physics_process(delta: float) -> void:
	if not is_multiplayer_authority():
		return  # someone else moves this one; the synchronizer updates position
	if bot:
		_bot_step(delta)
	else:
		position += _keyboard_direction() * SPEED * delta
	position = position.clamp(ARENA.position, ARENA.end - Vector2(SIZE, SIZE))


func _draw() -> void:
	draw_rect(Rect2(Vector2.ZERO, Vector2(SIZE, SIZE)), color)
	if is_multiplayer_authority():
		draw_rect(Rect2(Vector2.ZERO, Vector2(SIZE, SIZE)), Color.WHITE, false, 2.0)
	draw_string(ThemeDB.fallback_font, Vector2(0, SIZE + 16), str(score))


func _keyboard_direction() -> Vector2:
	if get_viewport().gui_get_focus_owner() is LineEdit:
		return Vector2.ZERO  # typing a chat line, not walking
	return Input.get_vector("ui_left", "ui_right", "ui_up", "ui_down")


func _bot_step(delta: float) -> void:
	if chase != null and is_instance_valid(chase):
		position = position.move_toward(chase.position, SPEED * delta)
		return
	_bot_angle += delta * 2.0
	position = _start + Vector2(cos(_bot_angle) - 1.0, sin(_bot_angle)) * 80.0
