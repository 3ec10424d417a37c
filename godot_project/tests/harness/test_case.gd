extends Node
## Base class of every headless test. A test is a script
## `extends "res://tests/harness/test_case.gd"` (path-based: no import step
## runs, so there is no global class cache) that overrides `run_test()`:
##
##     extends "res://tests/harness/test_case.gd"
##     func run_test() -> void:
##         var peer = RustWebSocketPeer.new()
##         check_eq(peer.get_ready_state(), 3, "new peer is closed")
##         var ok = await wait_until(func(): return peer.get_ready_state() == 1, 5.0, "opens")
##
## The runner (res://tests/harness/runner.gd) adds the test to the tree, awaits
## run_test(), and exits 0 only if at least one check ran, none failed, and no
## error was logged (engine errors, script errors, push_error, Rust panics,
## messages the engine or a script printed to stderr)
## except those the test declared with allow_errors()/expect_errors().

# The support scripts most tests use, by name (tests/support/ has the rest).
const Frames := preload("res://tests/support/frames.gd")
const Fx := preload("res://tests/support/tls_fixtures.gd")
const MpTree := preload("res://tests/support/mp_tree.gd")
const RawClient := preload("res://tests/support/raw_client.gd")
const SignalLog := preload("res://tests/support/signal_log.gd")

## Frame watchdog: the runner fails the test when run_test() has not returned
## after this many seconds. Set it in _init() (or anywhere in run_test()).
var timeout_seconds: float = 60.0

var checks_run: int = 0
var checks_failed: int = 0
var failures: PackedStringArray = []

## Error patterns (substring of the logged message) that do not count.
var allowed_error_patterns: PackedStringArray = []
## pattern -> exact number of matching errors the test expects to be logged.
var expected_errors: Dictionary = {}


## The warnings logged while the test is in the tree (the runner does not
## count them as failures), so that a test can check which were given:
## `warnings.count("pattern")`.
var warnings = preload("res://tests/support/warning_log.gd").new()


## Objects with a poll() method that are polled every process frame while the
## test is in the tree: ends that must keep moving while the test awaits
## something else (a raw server while SceneMultiplayer connects to it).
## Append and erase them as the test goes.
var polled: Array = []

## What poll_pumped() polls, in order: objects with a poll() method, or
## arrays of them (an array the test keeps adding clients to is polled as it
## grows). Set it at the start of run_test().
var pumped: Array = []


## Override. May await.
func run_test() -> void:
	pass


func _notification(what: int) -> void:
	# Notifications reach every script of the hierarchy: a test's own
	# _process() or _notification() does not turn these off.
	if what == NOTIFICATION_ENTER_TREE:
		OS.add_logger(warnings)
		set_process(true)
	elif what == NOTIFICATION_EXIT_TREE:
		OS.remove_logger(warnings)
	elif what == NOTIFICATION_PROCESS:
		for p in polled:
			p.poll()


## Polls everything in pumped once; call it from wait_until() conditions.
func poll_pumped() -> void:
	for item in pumped:
		if item is Array:
			for each in item:
				each.poll()
		else:
			item.poll()


# ---- checks ---------------------------------------------------------------

func check(cond: bool, what: String) -> bool:
	checks_run += 1
	if not cond:
		_record_failure(what)
	return cond


func check_eq(actual, expected, what: String) -> bool:
	checks_run += 1
	if _values_equal(actual, expected):
		return true
	_record_failure("%s: expected %s, got %s" % [what, _repr(expected), _repr(actual)])
	return false


func check_ne(actual, unexpected, what: String) -> bool:
	checks_run += 1
	if not _values_equal(actual, unexpected):
		return true
	_record_failure("%s: expected anything but %s" % [what, _repr(unexpected)])
	return false


## Records a failed check.
func fail(what: String) -> void:
	checks_run += 1
	_record_failure(what)


## Awaits process frames until cond.call() is true, or fails a check after
## timeout_s seconds. Returns whether cond became true.
##     var ok: bool = await wait_until(func(): return peer.poll() == OK, 2.0, "polls")
func wait_until(cond: Callable, timeout_s: float, what: String) -> bool:
	var deadline := Time.get_ticks_msec() + int(timeout_s * 1000.0)
	while true:
		if cond.call():
			checks_run += 1
			return true
		if Time.get_ticks_msec() >= deadline:
			fail("timed out after %.2fs waiting for: %s" % [timeout_s, what])
			return false
		await get_tree().process_frame
	return false


## Awaits n process frames.
func wait_frames(n: int) -> void:
	for i in n:
		await get_tree().process_frame


## Awaits s seconds of process frames (keeps frames running, unlike a timer
## in a paused tree).
func wait_seconds(s: float) -> void:
	var deadline := Time.get_ticks_msec() + int(s * 1000.0)
	while Time.get_ticks_msec() < deadline:
		await get_tree().process_frame


# ---- declared errors ------------------------------------------------------

## Logged errors whose text contains pattern do not fail the test.
func allow_errors(pattern: String) -> void:
	if not allowed_error_patterns.has(pattern):
		allowed_error_patterns.append(pattern)


## Like allow_errors(pattern), and the runner also checks, once run_test() has
## returned, that exactly n logged errors contained pattern.
func expect_errors(pattern: String, n: int = 1) -> void:
	allow_errors(pattern)
	expected_errors[pattern] = n


# ---- helpers --------------------------------------------------------------

## Sends chunk through peer until a send is refused, trying at most max_sends
## times, with poll_between() after each accepted one. Returns [the last
## send's result, how many sends were accepted].
func send_until_refused(peer: RustWebSocketPeer, chunk: PackedByteArray, max_sends: int,
		poll_between: Callable) -> Array:
	var result := OK
	var sent := 0
	while sent < max_sends:
		result = peer.send(chunk)
		if result != OK:
			break
		sent += 1
		poll_between.call()
	return [result, sent]


## A loopback port nothing listens on (it was free a moment ago).
func free_port() -> int:
	var tcp := TCPServer.new()
	tcp.listen(0, "127.0.0.1")
	var port := tcp.get_local_port()
	tcp.stop()
	return port


func log_info(msg: String) -> void:
	print("  [%s] %s" % [get_script().resource_path.get_file(), msg])


func _record_failure(what: String) -> void:
	checks_failed += 1
	failures.append(what)
	var where := ""
	var st := get_stack()
	# get_stack() is empty in release exports; in the editor build it names
	# the test's line that called check() (past the harness's base scripts).
	for frame in st:
		if not String(frame.get("source", "")).begins_with("res://tests/harness/"):
			where = " (%s:%d)" % [String(frame.get("source", "?")).get_file(), frame.get("line", 0)]
			break
	print("CHECK FAILED%s: %s" % [where, what])


static func _is_num(v) -> bool:
	return typeof(v) == TYPE_INT or typeof(v) == TYPE_FLOAT


static func _values_equal(a, b) -> bool:
	if _is_num(a) and _is_num(b):
		return a == b
	if typeof(a) != typeof(b):
		# String vs StringName compare by text; anything else differs.
		if (typeof(a) == TYPE_STRING or typeof(a) == TYPE_STRING_NAME) \
				and (typeof(b) == TYPE_STRING or typeof(b) == TYPE_STRING_NAME):
			return String(a) == String(b)
		return false
	return a == b


static func _repr(v) -> String:
	match typeof(v):
		TYPE_STRING, TYPE_STRING_NAME:
			return "\"%s\"" % v
		TYPE_NIL:
			return "null"
		TYPE_PACKED_BYTE_ARRAY:
			var b: PackedByteArray = v
			if b.size() > 32:
				return "PackedByteArray(size %d, first %s)" % [b.size(), str(b.slice(0, 16))]
			return "PackedByteArray(%s)" % str(b)
	var s := var_to_str(v) if typeof(v) != TYPE_OBJECT else str(v)
	if s.length() > 200:
		s = s.substr(0, 200) + "..."
	return s
