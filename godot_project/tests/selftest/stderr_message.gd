extends "res://tests/harness/test_case.gd"
## Runner self-test: an engine message printed to stderr (print_error, not
## raised as an error) must FAIL the test. Decoding bytes that are not UTF-8
## makes Godot print "Unicode parsing error, some characters were replaced …"
## that way, as a NUL copied into a String does.

func run_test() -> void:
	var text := PackedByteArray([0x61, 0xff, 0x62]).get_string_from_utf8()
	check_eq(text.length(), 3, "the bad byte became one replacement character")
