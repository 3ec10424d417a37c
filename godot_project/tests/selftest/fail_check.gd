extends "res://tests/harness/test_case.gd"
## Runner self-test: a failing check must FAIL the test.

func run_test() -> void:
	check(true, "a passing check")
	check_eq(1, 2, "selftest: deliberately failing check")
