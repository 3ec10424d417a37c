extends SceneTree
## Benchmark: Godot's built-in WebSocketPeer against RustWebSocketPeer /
## RustWebSocketServer. Both ends live in this process and are polled on the
## main thread; every workload runs the same GDScript loop for both
## implementations (only the object types differ). Run by ci/bench.sh:
##
##     ci/godot --headless --path godot_project -s res://bench/bench.gd -- throughput
##     ci/godot --headless --path godot_project -s res://bench/bench.gd -- idle builtin|ours [peers] [frames]
##     ci/godot … -- profile ping_pong|idle|echo builtin|ours COUNT
##
## The profile mode runs a fixed amount of work instead of a fixed time, for
## instruction counts under callgrind and system-call counts under strace:
## COUNT round trips (ping_pong, 64 B), COUNT polls of each of 100 idle
## clients (idle), or COUNT echoes of 1 MiB with 4 in flight (echo); `copy`
## times taking COUNT (at most 60) waiting 1 MiB messages with get_packet() (Godot's
## PacketPeer copies them into the new array) against get_packets(). Two runs
## with different COUNT, subtracted, give the cost of one unit of work: start-up
## and shutdown cancel out (docs/BENCHMARKS.md, "Running it").
##
## Prints one `ROW<TAB>key<TAB>builtin<TAB>ours` line per measurement (values
## in the row's unit, see ci/bench.sh) and `IDLE<TAB>impl<TAB>key<TAB>value`
## lines for the idle-connection mode, then quits with 0 (1 on a failure).
##
## The idle mode runs one implementation per process so that heap memory freed
## by one cannot be reused by the other and hide its resident-memory growth.

## Seconds each measurement runs; the reported value is the best of ROUNDS,
## with the two implementations alternating so background load hits both alike
## (load only ever slows a round down, so the best is the least disturbed).
const SECONDS := 0.5
const ROUNDS := 5
const IDLE_PEERS := 1000
const IDLE_FRAMES := 500

var _started := false
var _failed := false


func _process(_delta: float) -> bool:
	if _started:
		return false
	_started = true
	var args := OS.get_cmdline_user_args()
	var mode: String = args[0] if args.size() > 0 else "throughput"
	if mode == "profile":
		_profile(args[1] if args.size() > 1 else "ping_pong", args[2] if args.size() > 2 else "ours",
				int(args[3]) if args.size() > 3 else 1000)
	elif mode == "idle":
		var peers: int = int(args[2]) if args.size() > 2 else IDLE_PEERS
		var frames: int = int(args[3]) if args.size() > 3 else IDLE_FRAMES
		_bench_idle(args[1] if args.size() > 1 else "ours", peers, frames)
	else:
		_bench_throughput(args.slice(1))
	quit(1 if _failed else 0)
	return false


func _fail(what: String) -> void:
	_failed = true
	printerr("BENCH FAILED: ", what)


## Main-thread CPU time in seconds (the kernel's exact per-thread run time), or
## wall time where /proc is missing. Rates are taken per CPU second so that
## other processes on the machine change neither column's result.
static func _cpu_s() -> float:
	var f := FileAccess.open("/proc/thread-self/schedstat", FileAccess.READ)
	if f == null:
		return Time.get_ticks_usec() / 1e6
	return int(f.get_line().split(" ")[0]) / 1e9


## How often the kernel has scheduled this thread onto a CPU; -1 without /proc.
static func _switch_count() -> int:
	var f := FileAccess.open("/proc/thread-self/schedstat", FileAccess.READ)
	if f == null:
		return -1
	return int(f.get_line().split(" ")[2])


# ---- connections -------------------------------------------------------------

## A connected pair: `a` is the client, `b` the server-side peer.
class Pair:
	var a
	var b
	## Polled after the client by pump(): the built-in server-side peer, or our
	## server, which polls its peers.
	var other
	## Accepts the connection: a TCPServer (built-in) or our RustWebSocketServer.
	var listener
	func _init(with_listener) -> void:
		listener = with_listener
	func pump() -> void:
		a.poll()
		other.poll()
	## Closes the ends, polls a while so the closes go out, then stops.
	func shutdown() -> void:
		a.close()
		if b != null:
			b.close()
		for i in 20:
			pump()
		listener.stop()


## Sizes the built-in peer's ring buffers and packet queue for a workload; its
## defaults (64 KiB, 4096 packets) cannot hold a 1 MiB message.
static func _size_builtin(ws: WebSocketPeer, buffer: int, packets: int) -> void:
	ws.inbound_buffer_size = buffer
	ws.outbound_buffer_size = buffer
	ws.max_queued_packets = packets


func _open_builtin(buffer: int, packets: int) -> Pair:
	var tcp := TCPServer.new()
	var p := Pair.new(tcp)
	if tcp.listen(0, "127.0.0.1") != OK:
		_fail("TCPServer.listen")
		return null
	var client := WebSocketPeer.new()
	_size_builtin(client, buffer, packets)
	client.connect_to_url("ws://127.0.0.1:%d/" % tcp.get_local_port())
	p.a = client
	var deadline := Time.get_ticks_msec() + 5000
	while Time.get_ticks_msec() < deadline:
		client.poll()
		if p.b == null and tcp.is_connection_available():
			var ws := WebSocketPeer.new()
			_size_builtin(ws, buffer, packets)
			ws.accept_stream(tcp.take_connection())
			p.b = ws
			p.other = ws
		if p.b != null:
			p.b.poll()
			if client.get_ready_state() == WebSocketPeer.STATE_OPEN \
					and p.b.get_ready_state() == WebSocketPeer.STATE_OPEN:
				# Ours disables Nagle by default; give the built-in the same.
				client.set_no_delay(true)
				p.b.set_no_delay(true)
				return p
		OS.delay_usec(100)
	_fail("built-in pair did not open")
	return null


func _open_ours() -> Pair:
	var server := RustWebSocketServer.new()
	var p := Pair.new(server)
	p.other = server
	if server.listen(0, PackedStringArray(), "127.0.0.1") != OK:
		_fail("RustWebSocketServer.listen")
		return null
	var client := RustWebSocketPeer.new()
	client.connect_to_url("ws://127.0.0.1:%d/" % server.get_port())
	p.a = client
	var deadline := Time.get_ticks_msec() + 5000
	while Time.get_ticks_msec() < deadline:
		p.pump()
		var ids: PackedInt32Array = server.get_peer_ids()
		if client.get_ready_state() == RustWebSocketPeer.STATE_OPEN and ids.size() == 1:
			p.b = server.get_peer(ids[0])
			return p
		OS.delay_usec(100)
	_fail("our pair did not open")
	return null


# ---- workloads (the same code runs on both implementations) -------------------

## How the receiving side of `_stream` takes messages.
enum Take { ONE_BY_ONE, BATCH, ECHO }


## Client sends `payload` keeping `window` messages in flight. With ONE_BY_ONE
## the server-side peer takes each with `get_packet()`, with BATCH all waiting
## ones with `get_packets()` (ours only); with ECHO it sends each back with
## `put_packet(get_packet())`, the PacketPeer calls a game would use, and the
## client takes the echoes with `get_packet()`. Returns messages received
## (ECHO: echoes received by the client) per second of the timed part.
static func _stream(p: Pair, payload: PackedByteArray, window: int, seconds: float, take: Take) -> float:
	var a = p.a
	var b = p.b
	var sent := 0
	var received := 0
	var bytes := 0
	var now := Time.get_ticks_usec()
	var end := now + int(seconds * 1e6)
	var cpu0 := _cpu_s()
	while now < end:
		while sent - received < window:
			if a.send(payload) != OK:
				break
			sent += 1
		p.pump()
		if take == Take.ECHO:
			for i in b.get_available_packet_count():
				b.put_packet(b.get_packet())
			for i in a.get_available_packet_count():
				bytes += a.get_packet().size()
				received += 1
		elif take == Take.BATCH:
			for pkt in b.get_packets():
				bytes += pkt.size()
				received += 1
		else:
			for i in b.get_available_packet_count():
				bytes += b.get_packet().size()
				received += 1
		now = Time.get_ticks_usec()
	var rate := received / (_cpu_s() - cpu0)
	if bytes != received * payload.size():
		printerr("size mismatch: %d bytes in %d messages of %d" % [bytes, received, payload.size()])
		rate = -1.0
	# Drain what is still in flight so the pair is idle for the next round.
	var deadline := Time.get_ticks_msec() + 10000
	while received < sent and Time.get_ticks_msec() < deadline:
		p.pump()
		for i in b.get_available_packet_count():
			if take == Take.ECHO:
				b.put_packet(b.get_packet())
			else:
				b.get_packet()
				received += 1
		if take == Take.ECHO:
			for i in a.get_available_packet_count():
				a.get_packet()
				received += 1
	return rate


## One message bounces between client and server-side peer; returns round trips per second.
static func _ping_pong(p: Pair, payload: PackedByteArray, seconds: float) -> float:
	var a = p.a
	var b = p.b
	var trips := 0
	var now := Time.get_ticks_usec()
	var end := now + int(seconds * 1e6)
	var cpu0 := _cpu_s()
	a.send(payload)
	while now < end:
		p.pump()
		for i in b.get_available_packet_count():
			b.send(b.get_packet())
		for i in a.get_available_packet_count():
			a.get_packet()
			trips += 1
			a.send(payload)
		now = Time.get_ticks_usec()
	var rate := trips / (_cpu_s() - cpu0)
	var deadline := Time.get_ticks_msec() + 2000
	while Time.get_ticks_msec() < deadline:
		p.pump()
		for i in b.get_available_packet_count():
			b.send(b.get_packet())
		if a.get_available_packet_count() > 0:
			a.get_packet()
			break
	return rate


## Runs `measure(pair) -> float` ROUNDS times per implementation, alternating,
## each on a fresh pair; returns [built-in best, ours best]. measure_ours, if
## given, measures ours instead (a call the built-in peer does not have).
func _compare(measure: Callable, buffer: int, packets: int, measure_ours := Callable()) -> Array:
	if not measure_ours.is_valid():
		measure_ours = measure
	var builtin: Array[float] = []
	var ours: Array[float] = []
	for r in ROUNDS:
		var bp := _open_builtin(buffer, packets)
		if bp != null:
			builtin.append(measure.call(bp))
			bp.shutdown()
		var op := _open_ours()
		if op != null:
			ours.append(measure_ours.call(op))
			op.shutdown()
	return [_best(builtin), _best(ours)]


static func _best(values: Array[float]) -> float:
	if values.is_empty() or values.has(-1.0):
		return -1.0
	return values.max()


func _row(key: String, values: Array) -> void:
	print("ROW\t%s\t%.6f\t%.6f" % [key, values[0], values[1]])


func _bytes(n: int) -> PackedByteArray:
	var data := PackedByteArray()
	data.resize(n)
	for i in mini(n, 4096):
		data[i] = i * 31 & 0xFF
	return data


func _bench_throughput(only: PackedStringArray) -> void:
	var want := func(key: String) -> bool: return only.is_empty() or only.has(key)
	var mib := 1024.0 * 1024.0
	var small := _bytes(64)
	# Untimed warm-up of both implementations: the first connections of a
	# process pay one-time costs that would otherwise land on row 1.
	_compare(func(p): return _stream(p, small, 64, 0.2, Take.ONE_BY_ONE), 1 << 20, 4096)
	if want.call("small_w64"):
		_row("small_w64", _compare(func(p): return _stream(p, small, 64, SECONDS, Take.ONE_BY_ONE), 1 << 20, 4096))
	if want.call("small_w64_batch"):
		# Built-in has no batch call: its column is the per-message loop.
		_row("small_w64_batch", _compare(func(p): return _stream(p, small, 64, SECONDS, Take.ONE_BY_ONE), 1 << 20, 4096,
				func(p): return _stream(p, small, 64, SECONDS, Take.BATCH)))
	if want.call("large_w4"):
		var large := _bytes(1 << 20)
		var r := _compare(func(p): return _stream(p, large, 4, SECONDS, Take.ONE_BY_ONE), 8 << 20, 4096)
		_row("large_w4", [r[0], r[1]])
	if want.call("large_w4_batch"):
		# As above, ours taking messages with get_packets(): PacketPeer.get_packet()
		# copies into the new array byte by byte, get_packets() with memcpy.
		var large := _bytes(1 << 20)
		_row("large_w4_batch", _compare(func(p): return _stream(p, large, 4, SECONDS, Take.ONE_BY_ONE), 8 << 20, 4096,
				func(p): return _stream(p, large, 4, SECONDS, Take.BATCH)))
	if want.call("ping_pong"):
		_row("ping_pong", _compare(func(p): return _ping_pong(p, small, SECONDS), 1 << 16, 4096))
	for w in [1, 4]:
		var key := "echo_1m_w%d" % w
		if want.call(key):
			var large := _bytes(1 << 20)
			var r := _compare(func(p): return _stream(p, large, w, SECONDS, Take.ECHO), 8 << 20, 4096)
			_row(key, [r[0], r[1]])
	if want.call("huge_16m"):
		var huge := _bytes(16 << 20)
		_row("huge_16m", _compare(func(p): return _stream(p, huge, 1, SECONDS * 2, Take.ONE_BY_ONE) * 16.0, 32 << 20, 4096))
	if want.call("echo_100"):
		_row("echo_100", [_echo_builtin(), _echo_ours()])


# ---- 100 clients echoing through one server -------------------------------

const ECHO_CLIENTS := 100
const ECHO_WINDOW := 4

## Each client keeps ECHO_WINDOW messages in flight; the server sends every
## message back. Returns echoes received by the clients per second.
static func _echo_loop(clients: Array, server_peers: Array, poll_server: Callable, seconds: float) -> float:
	var payload := PackedByteArray()
	payload.resize(256)
	var in_flight := PackedInt32Array()
	in_flight.resize(clients.size())
	var echoed := 0
	var now := Time.get_ticks_usec()
	var end := now + int(seconds * 1e6)
	var cpu0 := _cpu_s()
	while now < end:
		for i in clients.size():
			var c = clients[i]
			while in_flight[i] < ECHO_WINDOW:
				c.send(payload)
				in_flight[i] += 1
			c.poll()
		poll_server.call()
		for s in server_peers:
			for k in s.get_available_packet_count():
				s.send(s.get_packet())
		for i in clients.size():
			var c = clients[i]
			for k in c.get_available_packet_count():
				c.get_packet()
				in_flight[i] -= 1
				echoed += 1
		now = Time.get_ticks_usec()
	return echoed / (_cpu_s() - cpu0)


func _echo_builtin() -> float:
	var results: Array[float] = []
	for r in ROUNDS:
		var tcp := TCPServer.new()
		tcp.listen(0, "127.0.0.1")
		var clients := []
		var servers := []
		if not _connect_builtin(tcp, ECHO_CLIENTS, clients, servers, 1 << 16, 4096):
			return -1.0
		var poll_server := func():
			for s in servers:
				s.poll()
		results.append(_echo_loop(clients, servers, poll_server, SECONDS))
		_close_clients(clients, poll_server)
		tcp.stop()
	return _best(results)


func _echo_ours() -> float:
	var results: Array[float] = []
	for r in ROUNDS:
		var server := RustWebSocketServer.new()
		server.listen(0, PackedStringArray(), "127.0.0.1")
		var clients := []
		var servers := []
		if not _connect_ours(server, ECHO_CLIENTS, clients, servers):
			return -1.0
		results.append(_echo_loop(clients, servers, server.poll, SECONDS))
		_close_clients(clients, server.poll)
		server.stop()
	return _best(results)


## Closes every client and polls both ends a few times so the closes go out.
static func _close_clients(clients: Array, poll_server: Callable) -> void:
	for c in clients:
		c.close()
	for i in 10:
		for c in clients:
			c.poll()
		poll_server.call()


## Whether the msec clock passed `deadline`; if so, fails the run with `what`.
func _late(deadline: int, what: String) -> bool:
	if Time.get_ticks_msec() <= deadline:
		return false
	_fail(what)
	return true


## `count` new clients of class `peer_class`, each connecting to `port` on loopback.
static func _dial(peer_class, port: int, count: int) -> Array:
	var dialed := []
	for i in count:
		var c = peer_class.new()
		c.connect_to_url("ws://127.0.0.1:%d/" % port)
		dialed.append(c)
	return dialed


## Connects `n` built-in clients to `tcp` and accepts their server-side peers,
## a few at a time: TCPServer listens with a backlog of 8, and connects beyond
## it wait for SYN retransmits (seconds).
func _connect_builtin(tcp: TCPServer, n: int, clients: Array, servers: Array, buffer: int, packets: int) -> bool:
	var deadline := Time.get_ticks_msec() + 60000
	while clients.size() < n:
		var batch := _dial(WebSocketPeer, tcp.get_local_port(), mini(8, n - clients.size()))
		var accepted := []
		while true:
			if _late(deadline, "built-in clients did not all open"):
				return false
			for c in batch:
				c.poll()
			while tcp.is_connection_available():
				var ws := WebSocketPeer.new()
				_size_builtin(ws, buffer, packets)
				ws.accept_stream(tcp.take_connection())
				accepted.append(ws)
			var open := 0
			for s in accepted:
				s.poll()
				if s.get_ready_state() == WebSocketPeer.STATE_OPEN:
					open += 1
			for c in batch:
				if c.get_ready_state() == WebSocketPeer.STATE_OPEN:
					open += 1
			if open == 2 * batch.size():
				break
			OS.delay_usec(100)
		for ws in batch + accepted:
			ws.set_no_delay(true)
		clients.append_array(batch)
		servers.append_array(accepted)
	return true


## Connects `n` of our clients to `server`, 100 at a time; appends the clients
## and the server-side peers.
func _connect_ours(server: RustWebSocketServer, n: int, clients: Array, servers: Array) -> bool:
	var deadline := Time.get_ticks_msec() + 60000
	var first := clients.size()
	while clients.size() - first < n:
		var batch := _dial(RustWebSocketPeer, server.get_port(), mini(100, n - (clients.size() - first)))
		var want := server.get_peer_ids().size() + batch.size()
		while true:
			if _late(deadline, "our clients did not all open"):
				return false
			for c in batch:
				c.poll()
			server.poll()
			var open := 0
			for c in batch:
				if c.get_ready_state() == RustWebSocketPeer.STATE_OPEN:
					open += 1
			if open == batch.size() and server.get_peer_ids().size() == want:
				break
			OS.delay_usec(100)
		clients.append_array(batch)
	for id in server.get_peer_ids():
		servers.append(server.get_peer(id))
	return true


# ---- idle connections: poll cost and memory -----------------------------------

static func _rss_kib() -> int:
	var f := FileAccess.open("/proc/self/status", FileAccess.READ)
	if f == null:
		return -1
	# /proc files report size 0, so read line by line instead of get_as_text().
	while not f.eof_reached():
		var line := f.get_line()
		if line.begins_with("VmRSS:"):
			return int(line.split(":")[1].strip_edges().split(" ")[0])
	return -1


## Opens `peers` connections (both ends in this process, default buffer
## settings), then times `frame_count` frames of polling with all of them idle.
func _bench_idle(impl: String, peers: int, frame_count: int) -> void:
	var clients := []
	var servers := []
	var server_poll: Callable
	var tcp := TCPServer.new()
	var server := RustWebSocketServer.new()
	if impl == "builtin":
		tcp.listen(0, "127.0.0.1")
		server_poll = func():
			for s in servers:
				s.poll()
	else:
		server.listen(0, PackedStringArray(), "127.0.0.1")
		server_poll = server.poll
	var rss_before := _rss_kib()
	var t0 := Time.get_ticks_msec()
	var ok: bool
	if impl == "builtin":
		ok = _connect_builtin(tcp, peers, clients, servers, 65535, 4096)
	else:
		ok = _connect_ours(server, peers, clients, servers)
	if not ok:
		return
	var connect_ms := Time.get_ticks_msec() - t0
	# Let handshake leftovers settle before measuring.
	for i in 20:
		server_poll.call()
		for c in clients:
			c.poll()
	var rss_after := _rss_kib()

	# The thread's CPU time advances in scheduler ticks (4 ms here): a server
	# poll of idle peers takes microseconds, so run at least 0.25 s of them.
	var server_frames := 0
	var server_end := Time.get_ticks_usec() + 250000
	var cpu0 := _cpu_s()
	while server_frames < frame_count or Time.get_ticks_usec() < server_end:
		server_poll.call()
		server_frames += 1
	var server_us := (_cpu_s() - cpu0) * 1e6
	cpu0 = _cpu_s()
	for f in frame_count:
		for c in clients:
			c.poll()
	var client_us := (_cpu_s() - cpu0) * 1e6
	# Frame by frame, for the median and the 99th percentile. The kernel's
	# per-thread CPU time only advances at scheduler ticks (4 ms here), too
	# coarse for one frame, so a frame is timed by the wall clock and kept only
	# when the thread was not switched out meanwhile (its schedule count, the
	# third schedstat field, did not move): its wall time is then CPU time.
	var frames := PackedFloat64Array()
	var switched := 0
	while frames.size() < frame_count and switched < 20 * frame_count:
		var runs := _switch_count()
		var t0f := Time.get_ticks_usec()
		for c in clients:
			c.poll()
		var t1f := Time.get_ticks_usec()
		if _switch_count() == runs:
			frames.append(t1f - t0f)
		else:
			switched += 1
	if frames.is_empty():
		_fail("every timed frame was interrupted by the scheduler")
		return
	frames.sort()
	var open := 0
	for c in clients:
		if c.get_ready_state() == 1:
			open += 1
	if open != peers or servers.size() != peers:
		_fail("%d of %d clients open, %d server peers" % [open, peers, servers.size()])
	print("IDLE\t%s\tserver_poll_us\t%.2f" % [impl, float(server_us) / server_frames])
	print("IDLE\t%s\tclient_poll_us\t%.2f" % [impl, float(client_us) / frame_count])
	print("IDLE\t%s\tclient_poll_median_us\t%.2f" % [impl, frames[frames.size() / 2]])
	print("IDLE\t%s\tclient_poll_p99_us\t%.2f" % [impl, frames[int(frames.size() * 0.99)]])
	print("IDLE\t%s\tclient_poll_frames_timed\t%d" % [impl, frames.size()])
	print("IDLE\t%s\tclient_poll_frames_interrupted\t%d" % [impl, switched])
	print("IDLE\t%s\tkib_per_conn\t%.2f" % [impl, float(rss_after - rss_before) / peers])
	print("IDLE\t%s\tconnect_ms\t%d" % [impl, connect_ms])


# ---- fixed work for callgrind and strace --------------------------------------

## With WSP_PROFILE_GO set to a file path, waits for that file before the
## measured part: callgrind can then start with --instr-atstart=no (Godot's
## start-up under full instrumentation takes many minutes) and be switched on
## with `callgrind_control -i on` once "PROFILE ready" is printed.
func _wait_for_go() -> void:
	var go := OS.get_environment("WSP_PROFILE_GO")
	if go.is_empty():
		return
	print("PROFILE\tready")
	var deadline := Time.get_ticks_msec() + 600000
	while not FileAccess.file_exists(go) and Time.get_ticks_msec() < deadline:
		OS.delay_msec(10)


func _mark(what: String) -> void:
	print("PROFILE\t", what)


func _profile(what: String, impl: String, count: int) -> void:
	if what == "copy":
		_profile_copy(count)
		return
	if what == "idle":
		var clients := []
		var servers := []
		var tcp := TCPServer.new()
		var server := RustWebSocketServer.new()
		var ok: bool
		if impl == "builtin":
			tcp.listen(0, "127.0.0.1")
			ok = _connect_builtin(tcp, 100, clients, servers, 65535, 4096)
		else:
			server.listen(0, PackedStringArray(), "127.0.0.1")
			ok = _connect_ours(server, 100, clients, servers)
		if not ok:
			return
		_wait_for_go()
		_mark("start")
		for f in count:
			for c in clients:
				c.poll()
		_mark("end")
		return
	var p: Pair = _open_builtin(8 << 20, 4096) if impl == "builtin" else _open_ours()
	if p == null:
		return
	var a = p.a
	var b = p.b
	var payload := _bytes(1 << 20 if what == "echo" else 64)
	var window := 4 if what == "echo" else 1
	var sent := 0
	var done := 0
	var loops := 0
	_wait_for_go()
	_mark("start")
	while done < count:
		while sent - done < window and sent < count:
			a.send(payload)
			sent += 1
		p.pump()
		loops += 1
		for i in b.get_available_packet_count():
			b.put_packet(b.get_packet())
		for i in a.get_available_packet_count():
			a.get_packet()
			done += 1
	_mark("end")
	print("PROFILE\tloops\t%d" % loops)
	p.shutdown()


## Main-thread CPU seconds to take `count` waiting 1 MiB messages from our
## server-side peer, one by one with get_packet() and then with get_packets().
func _profile_copy(count: int) -> void:
	# inbound_buffer_limit (64 MiB by default) stops reading beyond that.
	count = mini(count, 60)
	var p: Pair = _open_ours()
	if p == null:
		return
	var payload := _bytes(1 << 20)
	var results := {}
	for how in ["get_packet", "get_packets"]:
		for i in count:
			p.a.send(payload)
		var deadline := Time.get_ticks_msec() + 20000
		while p.b.get_available_packet_count() < count and Time.get_ticks_msec() < deadline:
			p.pump()
		var t0 := _cpu_s()
		var bytes := 0
		if how == "get_packet":
			for i in count:
				bytes += p.b.get_packet().size()
		else:
			for pkt in p.b.get_packets():
				bytes += pkt.size()
		results[how] = (_cpu_s() - t0) / count * 1e6
		if bytes != count * payload.size():
			_fail("copy: %d bytes" % bytes)
	print("PROFILE\tcopy_us_per_mib\tget_packet\t%.1f\tget_packets\t%.1f" % [results["get_packet"], results["get_packets"]])
	p.shutdown()
