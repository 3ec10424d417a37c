extends "res://tests/harness/test_case.gd"
## RPCs in every transfer mode (reliable, unreliable, unreliable_ordered, and
## reliable on channel 3) between server and clients in both directions and
## between clients through the server's relay, with our server (one built-in
## client, one of ours) and with a built-in server (one of ours, one built-in).
## WebSocket is one reliable ordered stream, so every one of them arrives, in order.

const MODES := ["reliable", "unreliable", "unreliable_ordered", "channel3"]
const PER_MODE := 20


func run_test() -> void:
	timeout_seconds = 60.0
	await MpTree.both_ways(self, scenario)


func call_mode(game: Node, mode: String, target: int, value) -> void:
	var method: Callable = {"reliable": game.r_reliable, "unreliable": game.r_unreliable,
			"unreliable_ordered": game.r_ordered, "channel3": game.r_channel3}[mode]
	if target == 0:
		method.rpc(value)
	else:
		method.rpc_id(target, value)


func scenario(session: MpTree.Session, label: String) -> void:
	var server := session.server
	var a: MpTree.Endpoint = session.clients[0]
	var b: MpTree.Endpoint = session.clients[1]
	for mode in MODES:
		for i in PER_MODE:
			call_mode(server.game, mode, 0, "s%d" % i)
			call_mode(a.game, mode, 1, "a%d" % i)
			call_mode(b.game, mode, 1, "b%d" % i)
			call_mode(a.game, mode, b.id(), "ab%d" % i)
			call_mode(b.game, mode, a.id(), "ba%d" % i)
	var total := MODES.size() * PER_MODE * 2
	await wait_until(func(): return server.game.calls.size() == total and a.game.calls.size() == total \
			and b.game.calls.size() == total, 10.0, "%s: every RPC of every mode arrived" % label)
	var seq := func(prefix: String) -> Array:
		var out := []
		for i in PER_MODE:
			out.append("%s%d" % [prefix, i])
		return out
	for mode in MODES:
		check_eq(server.game.values_from(mode, a.id()), seq.call("a"), "%s: %s a -> server, in order" % [label, mode])
		check_eq(server.game.values_from(mode, b.id()), seq.call("b"), "%s: %s b -> server, in order" % [label, mode])
		check_eq(a.game.values_from(mode, 1), seq.call("s"), "%s: %s server -> a" % [label, mode])
		check_eq(b.game.values_from(mode, 1), seq.call("s"), "%s: %s server -> b" % [label, mode])
		check_eq(b.game.values_from(mode, a.id()), seq.call("ab"), "%s: %s a -> b relayed" % [label, mode])
		check_eq(a.game.values_from(mode, b.id()), seq.call("ba"), "%s: %s b -> a relayed" % [label, mode])
