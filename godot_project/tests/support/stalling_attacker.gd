extends RefCounted
## One client of a memory attack: a raw client that completes the upgrade,
## announces a big binary message, sends as much of it as the server reads
## and then stalls. It notes the close frame the server answers with, and the
## peer id a multiplayer server sends first. Call upgrade() every frame until
## `upgraded`, then start() once and attack() every frame.
## Also reads this process's memory from /proc (Linux).

const Frames := preload("res://tests/support/frames.gd")
const RawClient := preload("res://tests/support/raw_client.gd")

## Most bytes one attack() call sends, so that one frame does not take long.
const PER_CALL := 4 << 20

var raw := RawClient.new()
## Payload bytes of the message sent so far.
var sent := 0
var upgraded := false
## The close code the server sent; -1 if the connection went without one.
var closed_code := 0
var reason := ""
## The peer id a multiplayer server sent as its first message, else 0.
var id := 0
var last_progress_ms := 0


func connect_to(port: int) -> Error:
	last_progress_ms = Time.get_ticks_msec()
	return raw.connect_to(port)


## Sends the upgrade request once connected; sets `upgraded` on the 101.
func upgrade() -> void:
	raw.poll_upgrading()
	if upgraded:
		return
	var head := raw.response_head()
	if head.begins_with("HTTP/1.1 101"):
		upgraded = true
		raw.received = raw.received.slice(head.length())


## Announces a binary message of message_size bytes (sends only its header).
func start(message_size: int) -> void:
	last_progress_ms = Time.get_ticks_msec()
	raw.send(Frames.build(Frames.BINARY, PackedByteArray(), true, 0, true, message_size))


## Reads what the server sent (noting its peer id or close frame) and sends
## what the socket takes of the message, up to goal bytes, in pieces of chunk.
func attack(chunk: PackedByteArray, goal: int) -> void:
	raw.poll()
	if closed_code != 0:
		return
	var parsed: Array = Frames.take_all(raw.received)
	raw.received = parsed[1]
	for frame in parsed[0]:
		if frame.opcode == Frames.CLOSE:
			closed_code = Frames.close_code(frame)
			reason = Frames.close_reason(frame)
			return
		if frame.opcode == Frames.BINARY and id == 0 and frame.payload.size() == 4:
			id = frame.payload.decode_s32(0)
	if raw.dropped:
		closed_code = -1
		return
	var left := PER_CALL
	while sent < goal and left > 0:
		var n := mini(chunk.size(), goal - sent)
		var r: Array = raw.tcp.put_partial_data(chunk.slice(0, n) if n < chunk.size() else chunk)
		if r[0] != OK or r[1] == 0:
			break
		sent += r[1]
		left -= r[1]
		last_progress_ms = Time.get_ticks_msec()
		if r[1] < n:
			break


## Whether this attacker is finished: closed, all sent, or stalled (the server
## stopped reading it) for stall_ms.
func is_done(goal: int, stall_ms: int) -> bool:
	return closed_code != 0 or sent >= goal or Time.get_ticks_msec() - last_progress_ms > stall_ms


## Resets VmHWM to the current resident size (Linux: "5" into clear_refs).
static func reset_peak() -> bool:
	var f := FileAccess.open("/proc/self/clear_refs", FileAccess.WRITE)
	if f == null:
		return false
	f.store_string("5")
	f.close()
	return true


## A "Vm…" line of /proc/self/status, in KiB.
static func status_kib(field: String) -> int:
	var f := FileAccess.open("/proc/self/status", FileAccess.READ)
	if f == null:
		return -1
	# /proc files report size 0, so read line by line instead of get_as_text().
	while not f.eof_reached():
		var line := f.get_line()
		if line.begins_with(field + ":"):
			return int(line.split(":")[1].strip_edges().split(" ")[0])
	return -1
