extends "res://tests/support/signal_log.gd"
## SignalLog for a RustWebSocketServer, whose signals all start with the peer
## id: counts and arguments per id, so one client's events can be checked
## while others come and go.


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
