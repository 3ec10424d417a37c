extends Node
## The node every multiplayer test puts at the same path under each
## SceneMultiplayer root: RPCs in every transfer mode and on another channel,
## each recording [mode, sender, value] in `calls`.

var calls: Array = []


@rpc("any_peer", "call_remote", "reliable")
func r_reliable(value) -> void:
	_got("reliable", value)


@rpc("any_peer", "call_remote", "unreliable")
func r_unreliable(value) -> void:
	_got("unreliable", value)


@rpc("any_peer", "call_remote", "unreliable_ordered")
func r_ordered(value) -> void:
	_got("unreliable_ordered", value)


@rpc("any_peer", "call_remote", "reliable", 3)
func r_channel3(value) -> void:
	_got("channel3", value)


func _got(mode: String, value) -> void:
	calls.append([mode, multiplayer.get_remote_sender_id(), value])


## Calls of mode, as [sender, value] pairs.
func of(mode: String) -> Array:
	return calls.filter(func(c): return c[0] == mode).map(func(c): return [c[1], c[2]])


## Values received in mode from sender, in order.
func values_from(mode: String, sender: int) -> Array:
	return calls.filter(func(c): return c[0] == mode and c[1] == sender).map(func(c): return c[2])
