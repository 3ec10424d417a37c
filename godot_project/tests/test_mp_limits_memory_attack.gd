extends "res://tests/harness/test_case.gd"
## The memory attack on a RustWebSocketMultiplayerPeer server with default
## settings, as test_limits_memory_attack.gd makes it on RustWebSocketServer:
## 9 raw clients each take their peer id, announce a 40 MiB binary
## message (under the default 64 MiB max_message_size), send 39 MiB of it and
## stall: 351 MiB in all, more than the default 256 MiB inbound_budget.
## Meanwhile a client on Godot's built-in WebSocketMultiplayerPeer and one on
## ours keep exchanging RPCs with the server through SceneMultiplayer.
## The peak resident memory of this process (VmHWM, reset before the attack)
## may grow by the budget plus OVERHEAD only (support/memory_attack.gd); the biggest holders are closed
## with 1009 and a reason and leave with peer_disconnected, one warning is
## logged for the burst, and the game clients are served throughout.
##
## Env WSP_ATTACK_BUDGET=<bytes> runs the same attack with another
## inbound_budget (0: none) to measure the difference.

const MemoryAttack := preload("res://tests/support/memory_attack.gd")

const MIB := 1 << 20
const ATTACKERS := 9

var attack := MemoryAttack.new(40 * MIB, 39 * MIB, ATTACKERS)


func _init() -> void:
	timeout_seconds = 90


func run_test() -> void:
	var ours := RustWebSocketMultiplayerPeer.new()
	check_eq(ours.inbound_budget, 256 * MIB, "the default budget")
	var budget_env := OS.get_environment("WSP_ATTACK_BUDGET")
	if not budget_env.is_empty():
		ours.inbound_budget = int(budget_env)
	log_info("inbound_budget %d MiB" % (ours.inbound_budget / MIB))
	await MpTree.run(self, "attack", ours, MpTree.mixed_clients(), attacked.bind(ours))


func attacked(session: MpTree.Session, ours: RustWebSocketMultiplayerPeer) -> void:
	var server := session.server
	var players: Array = session.clients
	var pump := play.bind(server, players)
	await attack.join(self, ours.get_port(), pump, true)
	check_eq(server.mp.get_peers().size(), 2 + ATTACKERS, "the attackers are peers")
	await attack.run(self, pump, 60.0)
	# Each closed attacker reads its close frame, and each leaves the game.
	await wait_until(func():
		play(server, players)
		attack.read()
		var left: Array = server.ids_of("peer_disconnected")
		return attack.attackers.all(func(a): return (a.closed_code != 0) == left.has(a.id)), 10.0,
			"peer_disconnected for each closed attacker and no other")
	attack.check_outcome(self, ours.inbound_budget, ours.get_inbound_buffered(), ours.inbound_budget)
	check_eq(warnings.count("RustWebSocketMultiplayerPeer"), 1, "no warning per closed attacker")
	check(ours.get_last_error().contains("inbound budget"), "the reason is kept: %s" % ours.get_last_error())
	for p in players:
		check_eq(p.mp.multiplayer_peer.get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTED,
				"%s still connected" % p.name)

	attack.drop()
	await wait_until(func():
		play(server, players)
		return server.mp.get_peers().size() == 2 and ours.get_inbound_buffered() == 0, 10.0,
			"the attackers' memory given back")


## One round of the game: each player sends the server an RPC once the
## server's answer to its previous one arrived; the server answers each.
func play(server, players: Array) -> void:
	for p in players:
		var got: int = p.game.values_from("reliable", 1).size()
		var asked: int = p.get_meta("asked", 0)
		if got == asked:
			p.set_meta("asked", asked + 1)
			p.game.r_reliable.rpc_id(1, asked)
	for p in players:
		var from_p: Array = server.game.values_from("reliable", p.id())
		var answered: int = p.get_meta("answered", 0)
		while answered < from_p.size():
			server.game.r_reliable.rpc_id(p.id(), from_p[answered])
			answered += 1
			if p == players[0]:
				attack.served()
		p.set_meta("answered", answered)
