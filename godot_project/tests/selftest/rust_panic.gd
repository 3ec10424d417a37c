extends "res://tests/harness/test_case.gd"
## Runner self-test: a panic inside a Rust #[func] (caught and logged by gdext)
## must FAIL the test. Needs the extension built with WSP_TEST_HOOKS=1
## (cargo feature `test-hooks`).

func run_test() -> void:
	check(ClassDB.class_exists(&"RustWebSocketPeer"), "RustWebSocketPeer is registered")
	var peer = ClassDB.instantiate(&"RustWebSocketPeer")
	check(peer != null and peer.has_method(&"_test_panic"), "_test_panic exists (build with WSP_TEST_HOOKS=1)")
	if peer != null and peer.has_method(&"_test_panic"):
		peer.call(&"_test_panic")
	check(true, "still running after the panic")
