extends RefCounted
## Runs one script of tests/python/ with the venv Python that ci/python-env.sh
## installs (an independent WebSocket implementation to test against), and
## kills it when asked or when this object goes away.

var pid := -1
## Set once the process is known to have ended: Godot's OS.is_process_running
## reaps it, and asking again about a reaped pid logs an error.
var ended := false
## Why start() failed, for the test's failure message.
var error := ""


## The venv's Python, beside godot_project/ in .cache/venv.
static func python_path() -> String:
	return ProjectSettings.globalize_path("res://").path_join("../.cache/venv/bin/python").simplify_path()


## A fresh absolute path for a file the script writes (the file is removed first).
static func scratch_file(name: String) -> String:
	var dir := ProjectSettings.globalize_path("user://").path_join("python-interop")
	DirAccess.make_dir_recursive_absolute(dir)
	var path := dir.path_join("%d-%s" % [OS.get_process_id(), name])
	if FileAccess.file_exists(path):
		DirAccess.remove_absolute(path)
	return path


## Starts tests/python/<script> with args; false (and error set) if it cannot.
func start(script: String, args: PackedStringArray) -> bool:
	var python := python_path()
	if not FileAccess.file_exists(python):
		error = "%s is missing: run `bash ci/python-env.sh` first" % python
		return false
	var argv := PackedStringArray([ProjectSettings.globalize_path("res://tests/python/" + script)])
	argv.append_array(args)
	pid = OS.create_process(python, argv)
	if pid <= 0:
		error = "OS.create_process(%s %s) failed" % [python, " ".join(argv)]
		return false
	return true


func is_running() -> bool:
	if pid <= 0 or ended:
		return false
	ended = not OS.is_process_running(pid)
	return not ended


## The exit code once it has ended, or -1 (also where Godot cannot tell).
func exit_code() -> int:
	if pid <= 0 or not ended or not OS.has_method("get_process_exit_code"):
		return -1
	return OS.call("get_process_exit_code", pid)


## Kills the process (OS.kill also reaps it).
func kill() -> void:
	if is_running():
		OS.kill(pid)
		ended = true


func _notification(what: int) -> void:
	# Only plain calls here: the script's own methods are gone at PREDELETE.
	if what == NOTIFICATION_PREDELETE and pid > 0 and not ended:
		OS.kill(pid)
