extends RefCounted
## Records every signal of a RustWebSocketPeer (or server) with its arguments,
## so tests can check that each fired exactly as often as it should; for a
## server, also per peer id (count_for, args_for, ids_of, last_connected_id).

var events: Array = []


## A new log already watching every signal in names of obj (a peer's by
## default).
static func watching(obj: Object, names: PackedStringArray = PEER_SIGNALS):
	var log = new()
	log.watch(obj, names)
	return log


## Connects to every signal of obj that is listed in names.
func watch(obj: Object, names: PackedStringArray) -> void:
	for n in names:
		var name := n
		obj.connect(name, func(a = null, b = null, c = null): _record(name, [a, b, c]))


func _record(name: String, args: Array) -> void:
	while not args.is_empty() and args.back() == null:
		args.pop_back()
	events.append([name, args])


func count(name: String) -> int:
	var n := 0
	for e in events:
		if e[0] == name:
			n += 1
	return n


## Arguments of the first emission of name, or null.
func args_of(name: String):
	for e in events:
		if e[0] == name:
			return e[1]
	return null


# ---- a server's log: its signals all start with the peer id, so one
# client's events can be checked while others come and go.

## How often name fired for peer id.
func count_for(name: String, id: int) -> int:
	var n := 0
	for e in events:
		if e[0] == name and not e[1].is_empty() and e[1][0] == id:
			n += 1
	return n


## Arguments of the first emission of name for peer id, or null.
func args_for(name: String, id: int):
	for e in events:
		if e[0] == name and not e[1].is_empty() and e[1][0] == id:
			return e[1]
	return null


## The ids name fired for, in order (with repeats).
func ids_of(name: String) -> Array:
	var ids := []
	for e in events:
		if e[0] == name:
			ids.append(e[1][0])
	return ids


## The id of the latest client_connected, or 0.
func last_connected_id() -> int:
	var ids := ids_of("client_connected")
	return ids.back() if not ids.is_empty() else 0


const PEER_SIGNALS := ["connection_established", "connection_error", "data_received",
		"server_close_request", "connection_closed"]
const SERVER_SIGNALS := ["client_connected", "client_disconnected", "client_close_request",
		"data_received"]
