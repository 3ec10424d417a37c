extends RefCounted
## The memory attack RustWebSocketServer and RustWebSocketMultiplayerPeer are
## both tested against: `count` stalling attackers (stalling_attacker.gd) each
## announce a binary message of `message` bytes, send `goal` bytes of it and
## stall, while the test keeps its real clients served through its pump. It
## measures the peak resident memory of this process over the attack (VmHWM,
## reset first) and checks what every server owes: memory within its budget,
## the biggest holders closed with 1009 and a reason, the others kept, one
## warning for the burst, the real clients served throughout.

const Attacker := preload("res://tests/support/stalling_attacker.gd")

const MIB := 1 << 20
## What the process may add beyond the budget: tungstenite's 16 KiB read chunk
## per connection, the attackers' 1 MiB send chunk, allocator slack and pages
## Godot touches while the test runs.
const OVERHEAD := 48 * MIB
## An attacker that could send nothing for this long is done: the server
## stopped reading it.
const STALL_MS := 1500

var message: int
var goal: int
var count: int
var attackers: Array[Attacker] = []
## What each attack() call sends from.
var chunk := PackedByteArray()
## Resident memory at the start and its peak over the attack, in KiB, and
## whether the peak could be reset before; set by run().
var start_rss := 0
var peak := 0
var reset := false
## Rounds the real clients were served (served() counts them), those before
## the attack began, and the longest wait between two since it began.
var rounds := 0
var rounds_before := 0
var longest_gap_ms := 0
var _last_round_ms := 0


func _init(message_size: int, goal_bytes: int, attacker_count: int) -> void:
	message = message_size
	goal = goal_bytes
	count = attacker_count
	chunk.resize(MIB)


## Connects the attackers to port and calls pump every frame until each one
## upgraded (and, with wants_id, holds the peer id a multiplayer server sends
## first). Returns whether they all did.
func join(test: Node, port: int, pump: Callable, wants_id: bool) -> bool:
	for i in count:
		var a := Attacker.new()
		test.check_eq(a.connect_to(port), OK, "attacker %d connects" % i)
		attackers.append(a)
	return await test.wait_until(func():
		pump.call()
		for a in attackers:
			a.upgrade()
		if wants_id:
			read()
		return attackers.all(func(a): return a.upgraded and (a.id != 0 or not wants_id)), 10.0,
		"every attacker upgraded" + (" and has its peer id" if wants_id else ""))


## Notes that the real clients were served once more; call it from the pump.
func served() -> void:
	rounds += 1
	var now := Time.get_ticks_msec()
	longest_gap_ms = maxi(longest_gap_ms, now - _last_round_ms)
	_last_round_ms = now


## Runs the attack, calling pump every frame, until every attacker was
## closed, sent its goal or stalled (at most seconds), and notes the peak.
func run(test: Node, pump: Callable, seconds: float) -> void:
	start_rss = Attacker.status_kib("VmRSS")
	reset = Attacker.reset_peak()
	_last_round_ms = Time.get_ticks_msec()
	longest_gap_ms = 0
	rounds_before = rounds
	for a in attackers:
		a.start(message)
	await test.wait_until(func():
		pump.call()
		for a in attackers:
			a.attack(chunk, goal)
		return attackers.all(func(a): return a.is_done(goal, STALL_MS)), seconds,
		"the attack to run its course")
	await test.wait_seconds(0.5)
	peak = Attacker.status_kib("VmHWM")


## Reads what the server sent each attacker (its peer id, a close frame)
## without sending more.
func read() -> void:
	for a in attackers:
		a.attack(chunk, 0)


## The attackers the server closed.
func closed() -> Array:
	return attackers.filter(func(a): return a.closed_code != 0)


## Logs the outcome and checks what every server owes after the attack:
## the attackers sent more than must_exceed bytes, the peak grew by at most
## budget + OVERHEAD, buffered (the server's get_inbound_buffered()) is within
## budget, the biggest holders were closed with 1009 and a reason and the
## others kept, the test's warnings hold one budget warning, and the real
## clients were served at least 10 rounds since the attack began, with no
## wait of 3 s.
func check_outcome(test: Node, budget: int, buffered: int, must_exceed: int) -> void:
	var growth_mib := (peak - start_rss) / 1024.0
	var sent_mib: float = attackers.reduce(func(s, a): return s + a.sent, 0) / float(MIB)
	var shut := closed()
	var during := rounds - rounds_before
	test.log_info("peak RSS %.0f MiB over the %.0f MiB at the start (peak reset: %s); attackers sent %.0f MiB; %d closed; real clients served %d rounds since the attack began, longest gap %d ms"
			% [growth_mib, start_rss / 1024.0, reset, sent_mib, shut.size(), during, longest_gap_ms])
	test.check(reset, "the peak could be reset")
	test.check(sent_mib > must_exceed / float(MIB), "the attackers sent more than %d MiB (%.0f MiB)"
			% [must_exceed / MIB, sent_mib])
	test.check(growth_mib * MIB <= budget + OVERHEAD,
			"peak resident memory grew by %.0f MiB; budget %d MiB + %d MiB overhead"
			% [growth_mib, budget / MIB, OVERHEAD / MIB])
	test.check(buffered <= budget, "buffered %d bytes within the budget" % buffered)
	test.check(shut.size() >= 1, "the biggest holders were closed")
	for a in shut:
		test.check_eq(a.closed_code, 1009, "closed with 1009")
		test.check(a.reason.contains("inbound budget"), "readable reason: %s" % a.reason)
	test.check(attackers.size() - shut.size() >= 1, "attackers that fit stay connected")
	test.check_eq(test.warnings.count("inbound budget"), 1, "one warning for the burst")
	test.check(during >= 10, "the real clients were served through the attack (%d rounds)" % during)
	test.check(longest_gap_ms < 3000, "no round waited long (longest gap %d ms)" % longest_gap_ms)


## Drops every attacker's connection.
func drop() -> void:
	for a in attackers:
		a.raw.drop()
