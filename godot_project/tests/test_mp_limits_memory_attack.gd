extends "res://tests/harness/test_case.gd"
## The memory attack on a RustWebSocketMultiplayerPeer server with default
## settings, as test_limits_memory_attack.gd makes it on RustWebSocketServer:
## ATTACKERS raw clients each take their peer id, announce a 40 MiB binary
## message (under the default 64 MiB max_message_size), send 39 MiB of it and
## stall: 351 MiB in all, more than the default 256 MiB inbound_budget.
## Meanwhile a client on Godot's built-in WebSocketMultiplayerPeer and one on
## ours keep exchanging RPCs with the server through SceneMultiplayer.
## The peak resident memory of this process (VmHWM, reset before the attack)
## may grow by the budget plus OVERHEAD only; the biggest holders are closed
## with 1009 and a reason and leave with peer_disconnected, one warning is
## logged for the burst, and the game clients are served throughout.
##
## Env WSP_ATTACK_BUDGET=<bytes> runs the same attack with another
## inbound_budget (0: none) to measure the difference.

const Attacker := preload("res://tests/support/stalling_attacker.gd")
const MpTree := preload("res://tests/support/mp_tree.gd")
const WarningLog := preload("res://tests/support/warning_log.gd")

const MIB := 1 << 20
const MESSAGE := 40 * MIB
const SENT := 39 * MIB
const ATTACKERS := 9
## What the process may add beyond the budget: tungstenite's 16 KiB read chunk
## per connection, the test's own 1 MiB send chunk, allocator slack and pages
## Godot touches while the test runs (as in test_limits_memory_attack.gd).
const OVERHEAD := 48 * MIB

var warnings := WarningLog.new()
var attackers: Array[Attacker] = []
var chunk := PackedByteArray()
## RPC traffic of the game clients: [rounds, last_answer_ms, longest_gap_ms].
var traffic := [0, 0, 0]


func _init() -> void:
	timeout_seconds = 90


func run_test() -> void:
	OS.add_logger(warnings)
	var ours := RustWebSocketMultiplayerPeer.new()
	check_eq(ours.inbound_budget, 256 * MIB, "the default budget")
	var budget_env := OS.get_environment("WSP_ATTACK_BUDGET")
	if not budget_env.is_empty():
		ours.inbound_budget = int(budget_env)
	var budget: int = ours.inbound_budget
	log_info("inbound_budget %d MiB" % (budget / MIB))
	var session := await MpTree.start(self, "attack", ours, MpTree.mixed_clients())
	if session == null:
		return
	var server := session.server
	var players: Array = session.clients
	chunk.resize(MIB)

	for i in ATTACKERS:
		var a := Attacker.new()
		check_eq(a.connect_to(ours.get_port()), OK, "attacker %d connects" % i)
		attackers.append(a)
	await wait_until(func():
		play(server, players)
		for a in attackers:
			a.upgrade()
			a.attack(chunk, 0)
		return attackers.all(func(a): return a.upgraded and a.id != 0), 10.0,
			"every attacker upgraded and has its peer id")
	check_eq(server.mp.get_peers().size(), 2 + ATTACKERS, "the attackers are peers")

	var start_rss := Attacker.status_kib("VmRSS")
	var reset := Attacker.reset_peak()
	var rounds_before: int = traffic[0]
	traffic[1] = Time.get_ticks_msec()
	traffic[2] = 0
	for a in attackers:
		a.start(MESSAGE)
	await wait_until(func():
		play(server, players)
		for a in attackers:
			a.attack(chunk, SENT)
		return attackers.all(func(a): return a.is_done(SENT, 1500)), 60.0,
			"the attack to run its course")
	await wait_seconds(0.5)
	var peak := Attacker.status_kib("VmHWM")
	# Each closed attacker reads its close frame, and each leaves the game.
	await wait_until(func():
		play(server, players)
		var left: Array = server.ids_of("peer_disconnected")
		for a in attackers:
			a.attack(chunk, 0)
		return attackers.all(func(a): return (a.closed_code != 0) == left.has(a.id)), 10.0,
			"peer_disconnected for each closed attacker and no other")
	var growth_mib := (peak - start_rss) / 1024.0
	var sent_mib: float = attackers.reduce(func(s, a): return s + a.sent, 0) / float(MIB)
	var closed: Array = attackers.filter(func(a): return a.closed_code != 0)
	log_info("peak RSS %.0f MiB over the %.0f MiB at the start (peak reset: %s); attackers sent %.0f MiB; %d closed; %d RPC rounds during the attack, longest gap %d ms"
			% [growth_mib, start_rss / 1024.0, reset, sent_mib, closed.size(),
			traffic[0] - rounds_before, traffic[2]])
	check(reset, "the peak could be reset")
	check(sent_mib > budget / float(MIB), "the attackers sent more than the budget (%.0f MiB)" % sent_mib)
	check(growth_mib * MIB <= budget + OVERHEAD,
			"peak resident memory grew by %.0f MiB; budget %d MiB + %d MiB overhead"
			% [growth_mib, budget / MIB, OVERHEAD / MIB])
	check(ours.get_inbound_buffered() <= budget,
			"buffered %d bytes within the budget" % ours.get_inbound_buffered())

	check(closed.size() >= 1, "the biggest holders were closed")
	check(attackers.size() - closed.size() >= 1, "attackers that fit stay connected")
	for a in closed:
		check_eq(a.closed_code, 1009, "closed with 1009")
		check(a.reason.contains("inbound budget"), "readable reason: %s" % a.reason)
	check_eq(warnings.count("inbound budget"), 1, "one warning for the burst")
	check_eq(warnings.count("RustWebSocketMultiplayerPeer"), 1, "no warning per closed attacker")
	check(ours.get_last_error().contains("inbound budget"), "the reason is kept: %s" % ours.get_last_error())
	check(traffic[0] - rounds_before >= 10, "the players were served during the attack (%d rounds)" % (traffic[0] - rounds_before))
	check(traffic[2] < 3000, "no RPC waited long (longest gap %d ms)" % traffic[2])
	for p in players:
		check_eq(p.mp.multiplayer_peer.get_connection_status(), MultiplayerPeer.CONNECTION_CONNECTED,
				"%s still connected" % p.name)

	for a in attackers:
		a.raw.drop()
	await wait_until(func():
		play(server, players)
		return server.mp.get_peers().size() == 2 and ours.get_inbound_buffered() == 0, 10.0,
			"the attackers' memory given back")
	await MpTree.stop(self, session.everyone())
	OS.remove_logger(warnings)


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
				traffic[0] += 1
				var now := Time.get_ticks_msec()
				traffic[2] = maxi(traffic[2], now - traffic[1])
				traffic[1] = now
		p.set_meta("answered", answered)
