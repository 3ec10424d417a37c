extends RefCounted
## Failures you can see and act on: connect_to_url refuses a malformed URL at
## once, a host that cannot be reached fires connection_error with the reason,
## and a full send queue is an error instead of unbounded memory.


## Returns OK, or the error with its reason printed.
static func connect_checked(peer: RustWebSocketPeer, url: String) -> Error:
	var err := peer.connect_to_url(url)
	if err != OK:
		print("bad URL (%s): %s" % [error_string(err), peer.get_last_error()])
	return err


## Sends unless the outbound queue is full; the caller retries after poll().
static func send_or_wait(peer: RustWebSocketPeer, data: PackedByteArray) -> bool:
	# 14: the largest WebSocket frame header.
	if peer.get_current_outbound_buffered_amount() + data.size() + 14 > peer.outbound_buffer_limit:
		return false  # backpressure: let poll() write what is queued first
	return peer.send(data) == OK
