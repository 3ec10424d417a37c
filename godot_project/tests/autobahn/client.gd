extends SceneTree
## Autobahn|Testsuite client driver: runs every case of a `wstest -m fuzzingserver`
## against RustWebSocketPeer as a client, echoing each message back as it came
## (text or binary), then asks the fuzzing server to write its reports.
##   ci/godot --headless --path godot_project -s res://tests/autobahn/client.gd -- ws://127.0.0.1:PORT AGENT
## ci/autobahn.sh starts it. Exits 0 when every case ran (the verdicts are in
## the server's JSON reports), 1 when the server could not be reached.

const Echo := preload("res://tests/autobahn/echo.gd")

## A case that has not closed by then is abandoned (the report says so).
const CASE_TIMEOUT_MS := 120000


func _initialize() -> void:
	var args := OS.get_cmdline_user_args()
	if args.size() != 2:
		printerr("usage: -- ws://HOST:PORT AGENT")
		quit(2)
		return
	var base: String = args[0]
	var agent: String = args[1]
	var answer := _session(base + "/getCaseCount", false)
	if answer.is_empty() or not answer[0].is_valid_int():
		printerr("autobahn client: no case count from %s (got %s)" % [base, answer])
		quit(1)
		return
	var count := int(answer[0])
	print("autobahn client: %d cases" % count)
	for i in range(1, count + 1):
		_session("%s/runCase?case=%d&agent=%s" % [base, i, agent.uri_encode()], true)
	_session("%s/updateReports?agent=%s" % [base, agent.uri_encode()], false)
	print("autobahn client: done")
	quit(0)


## Connects to url and polls until the connection closes, echoing every
## message when echo is set; returns the text messages received otherwise.
func _session(url: String, echo: bool) -> Array[String]:
	var texts: Array[String] = []
	var peer := RustWebSocketPeer.new()
	if peer.connect_to_url(url) != OK:
		printerr("autobahn client: connect_to_url(%s): %s" % [url, peer.get_last_error()])
		return texts
	var started := Time.get_ticks_msec()
	while peer.get_ready_state() != RustWebSocketPeer.STATE_CLOSED:
		if Time.get_ticks_msec() - started > CASE_TIMEOUT_MS:
			printerr("autobahn client: %s did not close within %d s" % [url, CASE_TIMEOUT_MS / 1000])
			peer.close()
			break
		peer.poll()
		if echo:
			Echo.echo_all(peer)
		else:
			for packet in peer.get_packets():
				texts.append(packet.get_string_from_utf8())
		Echo.idle(peer)
	return texts
