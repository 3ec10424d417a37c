extends "res://tests/harness/test_case.gd"
## Runner self-test: must PASS (exit 0).

func _init() -> void:
	timeout_seconds = 10.0


func run_test() -> void:
	check(true, "true is true")
	check_eq(1 + 1, 2, "int arithmetic")
	check_eq(2, 2.0, "int equals float")
	check_eq("a", &"a", "String equals StringName")
	check_ne("1", 1, "String differs from int (no runtime error)")
	var frames := [0]
	var counter := func(): frames[0] += 1; return frames[0] >= 3
	check(await wait_until(counter, 5.0, "three polls"), "wait_until returns true")
	# A declared error does not fail the test.
	expect_errors("selftest: declared error", 1)
	push_error("selftest: declared error")
	allow_errors("selftest: allowed")
	push_error("selftest: allowed 1")
	push_error("selftest: allowed 2")
	await wait_frames(2)
