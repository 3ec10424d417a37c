extends "res://tests/harness/test_case.gd"
## A refused connection fires connection_error once with a reason and ends
## CLOSED; a malformed URL is refused at once with ERR_INVALID_PARAMETER.


func run_test() -> void:
	var client := RustWebSocketPeer.new()
	var log: SignalLog = SignalLog.watching(client)
	check_eq(client.connect_to_url("ws://127.0.0.1:%d/" % free_port()), OK, "connect_to_url returns OK")
	await wait_until(func(): client.poll(); return client.get_ready_state() == RustWebSocketPeer.STATE_CLOSED, 5.0, "closed")
	await wait_frames(3)
	client.poll()
	check_eq(log.count("connection_error"), 1, "connection_error once")
	var reason: String = log.args_of("connection_error")[0]
	check(reason.contains("refused"), "reason names the refusal: " + reason)
	check_eq(client.get_last_error(), reason, "get_last_error has the reason")
	check_eq(log.count("connection_established") + log.count("connection_closed"), 0, "no other signal")

	expect_errors("invalid URL", 3)
	var started := Time.get_ticks_usec()
	check_eq(client.connect_to_url("ws://[::1"), ERR_INVALID_PARAMETER, "unclosed IPv6 bracket")
	check_eq(client.connect_to_url("http://example.com"), ERR_INVALID_PARAMETER, "http scheme")
	check_eq(client.connect_to_url("ws://host:99999"), ERR_INVALID_PARAMETER, "port out of range")
	check(Time.get_ticks_usec() - started < 100000, "refused at once")
	check_eq(client.get_ready_state(), RustWebSocketPeer.STATE_CLOSED, "still closed")
	check(client.get_last_error().contains("port"), "reason: " + client.get_last_error())
	check_eq(client.send_text("x"), ERR_UNCONFIGURED, "send on a closed peer") 
	expect_errors("not connected", 1)
