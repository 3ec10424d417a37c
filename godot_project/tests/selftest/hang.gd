extends "res://tests/harness/test_case.gd"
## Runner self-test: a test that never returns must FAIL by the frame watchdog.

signal never_emitted


func _init() -> void:
	timeout_seconds = 2.0


func run_test() -> void:
	check(true, "a passing check")
	await never_emitted
