extends "res://tests/harness/test_case.gd"
## The memory attack on a server with default settings, at a size that fits
## CI: ATTACKERS raw clients each announce a 40 MiB binary message (under the
## default 64 MiB max_message_size), send 39 MiB of it and stall: 351 MiB in
## all, more than the default 256 MiB inbound_budget. Meanwhile Godot's
## built-in WebSocketPeer keeps echoing small messages through the server.
## The peak resident memory of this process (VmHWM, reset before the attack
## through /proc/self/clear_refs) may grow by the budget plus OVERHEAD only;
## the biggest holders are closed with 1009 and a reason, client_disconnected
## fires for each, the budget warning is logged once, the real client is
## served throughout, and afterwards one 48 MiB message still arrives whole.
##
## Env WSP_ATTACK_BUDGET=<bytes> runs the same attack with another
## inbound_budget (0: none) to measure the difference; WSP_ATTACK_FULL=1 runs
## it at full size: 40 clients sending 59 MiB of 60 MiB messages (2.3 GiB).

const Attacker := preload("res://tests/support/stalling_attacker.gd")
const ServerLog := preload("res://tests/support/server_log.gd")
const WarningLog := preload("res://tests/support/warning_log.gd")

const MIB := 1 << 20
var MESSAGE := 40 * MIB
var SENT := 39 * MIB
var ATTACKERS := 9
var attack_seconds := 60.0
## What the process may add beyond the budget: tungstenite's 16 KiB read chunk
## per connection, the test's own 1 MiB send chunk, allocator slack and pages
## Godot touches while the test runs.
const OVERHEAD := 48 * MIB
const BIG := 48 * MIB


var server := RustWebSocketServer.new()
var slog := ServerLog.new()
var warnings := WarningLog.new()
var echo_client := WebSocketPeer.new()
var echoes := 0
var echo_started := false
var last_echo_ms := 0
var longest_gap_ms := 0
var chunk := PackedByteArray()
var attackers: Array[Attacker] = []
var big_received := -1


func _init() -> void:
	timeout_seconds = 90


func run_test() -> void:
	OS.add_logger(warnings)
	if OS.get_environment("WSP_ATTACK_FULL") == "1":
		MESSAGE = 60 * MIB
		SENT = 59 * MIB
		ATTACKERS = 40
		timeout_seconds = 300
		attack_seconds = 240.0
	var budget_env := OS.get_environment("WSP_ATTACK_BUDGET")
	if not budget_env.is_empty():
		server.inbound_budget = int(budget_env)
	var budget := server.inbound_budget
	log_info("inbound_budget %d MiB" % (budget / MIB))
	slog.watch(server, ServerLog.SERVER_SIGNALS)
	server.data_received.connect(on_data)
	check_eq(server.listen(0, PackedStringArray(), "127.0.0.1"), OK, "listen")
	chunk.resize(MIB)

	check_eq(echo_client.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "echo client connects")
	await wait_until(func(): pump(); return echoes >= 5, 10.0, "the real client gets echoes")

	for i in ATTACKERS:
		var a := Attacker.new()
		check_eq(a.connect_to(server.get_port()), OK, "attacker %d connects" % i)
		attackers.append(a)
	await wait_until(func():
		pump()
		for a in attackers:
			a.upgrade()
		return attackers.all(func(a): return a.upgraded), 10.0, "every attacker upgraded")

	var start_rss := Attacker.status_kib("VmRSS")
	var reset := Attacker.reset_peak()
	var attack_started := Time.get_ticks_msec()
	last_echo_ms = attack_started
	longest_gap_ms = 0
	var echoes_before := echoes
	for a in attackers:
		a.start(MESSAGE)
	# The attack is over when every attacker was closed, sent its 39 MiB, or
	# could send nothing for 1.5 s (the server stopped reading it).
	await wait_until(func():
		pump()
		for a in attackers:
			a.attack(chunk, SENT)
		return attackers.all(func(a): return a.is_done(SENT, 1500)), attack_seconds,
			"the attack to run its course")
	await wait_seconds(0.5)
	var peak := Attacker.status_kib("VmHWM")
	var growth_mib := (peak - start_rss) / 1024.0
	var sent_mib: float = attackers.reduce(func(s, a): return s + a.sent, 0) / float(MIB)
	log_info("peak RSS %.0f MiB over the %.0f MiB at the start (peak reset: %s); attackers sent %.0f MiB; %d closed; %d echoes during the attack, longest gap %d ms"
			% [growth_mib, start_rss / 1024.0, reset, sent_mib,
			attackers.filter(func(a): return a.closed_code != 0).size(),
			echoes - echoes_before, longest_gap_ms])
	check(sent_mib > 256.0, "the attackers sent more than the default budget (%.0f MiB)" % sent_mib)
	check(growth_mib * MIB <= budget + OVERHEAD,
			"peak resident memory grew by %.0f MiB; budget %d MiB + %d MiB overhead"
			% [growth_mib, budget / MIB, OVERHEAD / MIB])
	check(server.get_inbound_buffered() <= budget, "buffered %d bytes within the budget" % server.get_inbound_buffered())

	var closed: Array = attackers.filter(func(a): return a.closed_code != 0)
	check(closed.size() >= 1, "the biggest holders were closed")
	for a in closed:
		check_eq(a.closed_code, 1009, "closed with 1009")
		check(a.reason.contains("inbound budget"), "readable reason: %s" % a.reason)
	check(attackers.size() - closed.size() >= 1, "attackers that fit stay connected")
	await wait_until(func(): pump(); return slog.count("client_disconnected") >= closed.size(),
			10.0, "client_disconnected for each closed attacker")
	check_eq(warnings.count("inbound budget"), 1, "one warning for the burst")
	check(echoes - echoes_before >= 10, "the real client was served during the attack (%d echoes)" % (echoes - echoes_before))
	check(longest_gap_ms < 3000, "no echo waited long (longest gap %d ms)" % longest_gap_ms)
	check_eq(echo_client.get_ready_state(), WebSocketPeer.STATE_OPEN, "the real client is still connected")

	# The attackers leave; their memory comes back, and one big message fits whole.
	for a in attackers:
		a.raw.drop()
	await wait_until(func(): pump(); return server.get_peer_ids().size() == 1 and server.get_inbound_buffered() == 0,
			10.0, "the attackers' memory given back")
	var big := RustWebSocketPeer.new()
	big.connection_established.connect(func(_p):
		var data := PackedByteArray()
		data.resize(BIG)
		data[BIG - 1] = 7
		big.send(data))
	check_eq(big.connect_to_url("ws://127.0.0.1:%d/" % server.get_port()), OK, "big client connects")
	await wait_until(func(): pump(); big.poll(); return big_received >= 0, 30.0, "the 48 MiB message")
	check_eq(big_received, BIG, "the 48 MiB message arrived whole")
	server.stop()


func pump() -> void:
	server.poll()
	echo_client.poll()
	if echo_client.get_ready_state() != WebSocketPeer.STATE_OPEN:
		return
	while echo_client.get_available_packet_count() > 0:
		echo_client.get_packet()
		echoes += 1
		var now := Time.get_ticks_msec()
		longest_gap_ms = maxi(longest_gap_ms, now - last_echo_ms)
		last_echo_ms = now
		echo_client.send_text("ping %d" % echoes)
	if not echo_started:
		echo_started = true
		echo_client.send_text("ping")


func on_data(id: int) -> void:
	if not server.has_peer(id):
		fail("data_received(%d) for a peer the server does not list (peers %s, disconnected %s)"
				% [id, server.get_peer_ids(), slog.ids_of("client_disconnected")])
		return
	var peer: RustWebSocketPeer = server.get_peer(id)
	var pkt := peer.get_packet()
	if pkt.size() >= BIG:
		big_received = pkt.size()
	elif pkt.size() < 1024 and peer.get_ready_state() == RustWebSocketPeer.STATE_OPEN:
		peer.send_text(pkt.get_string_from_utf8())
