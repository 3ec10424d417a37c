extends SceneTree
## Headless test runner. One test per Godot process:
##   ci/godot --headless --path godot_project -s res://tests/harness/runner.gd -- res://tests/test_x.gd
## Exits 0 only if the test ran >= 1 check, no check failed, run_test()
## returned before its watchdog, and no error was logged except those the test
## declared (allow_errors / expect_errors). Prints `CHECKS <n> FAILED <n>
## ERRORS <n>` and `RESULT PASS|FAIL <file>` for ci/run-godot-tests.sh.

const TEST_CASE_PATH := "res://tests/harness/test_case.gd"
## After an undeclared error, give the test this long to finish by itself
## (a script error inside run_test() aborts the coroutine, so it never would).
const ERROR_GRACE_MS := 2000


class ErrorCounter extends Logger:
	# Called from any thread: only record here; the runner classifies.
	var mutex := Mutex.new()
	var entries: Array[Dictionary] = []

	func _log_error(function: String, file: String, line: int, code: String,
			rationale: String, _editor_notify: bool, error_type: int,
			_script_backtraces: Array[ScriptBacktrace]) -> void:
		if error_type == ERROR_TYPE_WARNING:
			return
		var text := rationale if not rationale.is_empty() else code
		if not rationale.is_empty() and not code.is_empty() and code != rationale:
			text = "%s (%s)" % [rationale, code]
		mutex.lock()
		entries.append({
			"text": text,
			"where": "%s:%d @ %s()" % [file, line, function],
			"type": ["ERROR", "WARNING", "SCRIPT ERROR", "SHADER ERROR"][clampi(error_type, 0, 3)],
		})
		mutex.unlock()

	# Engine messages printed with print_error() (Unicode parsing errors, for
	# one) reach loggers only here, as messages to stderr, not as errors.
	func _log_message(message: String, error: bool) -> void:
		if not error:
			return
		mutex.lock()
		entries.append({"text": message.strip_edges(), "where": "stderr", "type": "STDERR"})
		mutex.unlock()

	func snapshot() -> Array[Dictionary]:
		mutex.lock()
		var copy := entries.duplicate()
		mutex.unlock()
		return copy


var logger := ErrorCounter.new()
var test: Node = null
var test_path := ""
var started_ms := 0
var finished := false      # run_test() returned
var ending := false        # _finish() under way
var first_bad_error_ms := -1


func _initialize() -> void:
	OS.add_logger(logger)
	Engine.max_fps = 1000  # headless frames otherwise spin a core at 100%
	var args := OS.get_cmdline_user_args()
	if args.is_empty():
		_abort("usage: godot --headless --path godot_project -s %s -- res://tests/test_x.gd" % get_script().resource_path)
		return
	test_path = args[0]
	if not test_path.begins_with("res://"):
		test_path = "res://" + test_path.trim_prefix("godot_project/")
	print("RUN %s" % test_path)
	if not ResourceLoader.exists(test_path):
		_abort("test script not found: %s" % test_path)
		return
	var script = load(test_path)
	if script == null or not (script is Script) or not script.can_instantiate():
		_abort("test script does not load (parse error?): %s" % test_path)
		return
	var inst = script.new()
	if not (inst is Node) or not inst.has_method("run_test") or inst.get("checks_run") == null:
		_abort("%s must extend \"%s\"" % [test_path, TEST_CASE_PATH])
		if inst is Node:
			inst.free()
		return
	test = inst
	test.name = test_path.get_file().get_basename()
	root.add_child(test)
	started_ms = Time.get_ticks_msec()
	_run.call_deferred()


func _run() -> void:
	await test.run_test()
	finished = true
	_finish("")


func _process(_delta: float) -> bool:
	if ending or test == null:
		return false
	var elapsed := Time.get_ticks_msec() - started_ms
	var limit_ms := int(float(test.get("timeout_seconds")) * 1000.0)
	if elapsed > limit_ms:
		_finish("watchdog: run_test() did not return within %.1fs" % (limit_ms / 1000.0))
		return false
	if first_bad_error_ms < 0 and not _unexpected_errors().is_empty():
		first_bad_error_ms = Time.get_ticks_msec()
	if first_bad_error_ms >= 0 and Time.get_ticks_msec() - first_bad_error_ms > ERROR_GRACE_MS:
		_finish("an undeclared error was logged and run_test() did not return within %.1fs after it" % (ERROR_GRACE_MS / 1000.0))
	return false


func _unexpected_errors() -> Array[Dictionary]:
	var allowed: PackedStringArray = test.get("allowed_error_patterns") if test != null else PackedStringArray()
	return _not_allowed(logger.snapshot(), allowed)


## The errors of logged that contain none of the allowed patterns.
func _not_allowed(logged: Array, allowed: PackedStringArray) -> Array[Dictionary]:
	var bad: Array[Dictionary] = []
	for e in logged:
		if not Array(allowed).any(func(p: String) -> bool: return e.text.contains(p)):
			bad.append(e)
	return bad


func _finish(reason: String) -> void:
	if ending:
		return
	ending = true
	var seconds := (Time.get_ticks_msec() - started_ms) / 1000.0
	var allowed: PackedStringArray = test.allowed_error_patterns
	var expected: Dictionary = test.expected_errors
	# Free the test (and whatever it owns) while errors are still counted.
	var checks_run: int = test.checks_run
	var checks_failed: int = test.checks_failed
	root.remove_child(test)
	test.queue_free()
	await process_frame
	await process_frame

	var all := logger.snapshot()
	for pattern in expected:
		var n := 0
		for e in all:
			if e.text.contains(pattern):
				n += 1
		checks_run += 1
		if n != int(expected[pattern]):
			checks_failed += 1
			print("CHECK FAILED: expected %d logged error(s) containing \"%s\", got %d" % [expected[pattern], pattern, n])

	var bad := _not_allowed(all, allowed)
	for e in bad:
		print("LOGGED %s: %s [%s]" % [e.type, e.text, e.where])

	var problems: PackedStringArray = []
	if not reason.is_empty():
		problems.append(reason)
	if checks_run == 0:
		problems.append("no checks ran")
	if checks_failed > 0:
		problems.append("%d check(s) failed" % checks_failed)
	if not bad.is_empty():
		problems.append("%d undeclared error(s) logged" % bad.size())

	print("CHECKS %d FAILED %d ERRORS %d" % [checks_run, checks_failed, bad.size()])
	var file := test_path.get_file()
	if problems.is_empty():
		print("RESULT PASS %s %.2fs" % [file, seconds])
		OS.remove_logger(logger)
		quit(0)
	else:
		print("RESULT FAIL %s %.2fs: %s" % [file, seconds, "; ".join(problems)])
		OS.remove_logger(logger)
		quit(1)


func _abort(msg: String) -> void:
	ending = true
	printerr("RUNNER ERROR: %s" % msg)
	print("CHECKS 0 FAILED 0 ERRORS 1")
	print("RESULT FAIL %s: %s" % [test_path.get_file(), msg])
	OS.remove_logger(logger)
	quit(2)
