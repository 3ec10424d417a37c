extends "res://tests/harness/test_case.gd"
## Runner self-test: a runtime script error must FAIL the test, quickly
## (it aborts run_test(), which never returns).

func _init() -> void:
	timeout_seconds = 30.0


func run_test() -> void:
	check(true, "a passing check")
	await wait_frames(1)
	var nothing: Object = null
	nothing.call("no_such_method")  # runtime error: method call on null
	check(true, "not reached")
