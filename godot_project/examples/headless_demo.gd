extends SceneTree
## What the headless demo runs share: a watchdog, step waits with a timeout,
## and one way to finish (print the verdict, free the demo, exit 0 or 1).
## A demo extends this script, sets the three settings in _initialize(), and
## overrides _tear_down().

## The name in the verdict line, e.g. "CHAT DEMO" prints "CHAT DEMO OK: ...".
var demo_label := "DEMO"
## How long one _wait() step may take.
var step_timeout_ms := 5000
## How long the whole run may take before it fails.
var watchdog_ms := 30000

var started_ms := 0
var done := false


func _process(_delta: float) -> bool:
	if not done and Time.get_ticks_msec() - started_ms > watchdog_ms:
		_finish(false, "watchdog: the demo did not finish within %d s" % (watchdog_ms / 1000))
	return false


## Awaits frames until cond is true; on timeout finishes with a failure.
func _wait(cond: Callable, what: String) -> bool:
	var deadline := Time.get_ticks_msec() + step_timeout_ms
	while not cond.call():
		if done:
			return false
		if Time.get_ticks_msec() > deadline:
			_finish(false, "timed out after %d ms waiting until: %s" % [step_timeout_ms, what])
			return false
		await process_frame
	print("---- %s" % what)
	return true


func _finish(ok: bool, message: String) -> void:
	if done:
		return
	done = true
	print(demo_label + (" OK: " if ok else " FAILED: ") + message)
	_tear_down()
	quit(0 if ok else 1)


## Frees what the demo created; called once, before quitting.
func _tear_down() -> void:
	pass
