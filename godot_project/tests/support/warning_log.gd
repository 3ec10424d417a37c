extends Logger
## Collects the warnings logged while it is installed (OS.add_logger), which
## the test runner does not count as failures, so tests can check that one
## was given and what it said.

var mutex := Mutex.new()
var texts: PackedStringArray = []


func _log_error(_function: String, _file: String, _line: int, code: String,
		rationale: String, _editor_notify: bool, error_type: int,
		_script_backtraces: Array[ScriptBacktrace]) -> void:
	if error_type == ERROR_TYPE_WARNING:
		mutex.lock()
		texts.append(rationale if not rationale.is_empty() else code)
		mutex.unlock()


## How many warnings contained pattern.
func count(pattern: String) -> int:
	mutex.lock()
	var n := 0
	for t in texts:
		if t.contains(pattern):
			n += 1
	mutex.unlock()
	return n
