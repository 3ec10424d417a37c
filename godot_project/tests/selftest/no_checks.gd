extends "res://tests/harness/test_case.gd"
## Runner self-test: a test that runs no check must FAIL.

func run_test() -> void:
	await wait_frames(2)
