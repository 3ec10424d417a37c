extends "res://tests/harness/test_case.gd"
## The addon's manifest is listed and its library loads.

const MANIFEST := "res://addons/websocket_peer/websocket_peer.gdextension"


func run_test() -> void:
	check(FileAccess.file_exists(MANIFEST), "addon manifest exists (run ci/build.sh)")
	check(FileAccess.file_exists("res://addons/websocket_peer/bin/libwebsocket_peer.so"), "addon library exists")
	check(GDExtensionManager.get_loaded_extensions().has(MANIFEST),
		"extension is loaded (loaded: %s)" % str(GDExtensionManager.get_loaded_extensions()))
	check(GDExtensionManager.is_extension_loaded(MANIFEST), "GDExtensionManager.is_extension_loaded")
