extends RefCounted
## The echo both Autobahn drivers share: every waiting message goes back as it
## came, text as text and binary as binary, empty ones included (send(), not
## put_packet(), which sends nothing for an empty buffer as in every Godot
## PacketPeer).


## Sends every message waiting on peer back to it.
static func echo_all(peer: RustWebSocketPeer) -> void:
	var packets := peer.get_packets()
	var text := peer.were_string_packets()
	for i in packets.size():
		var mode := RustWebSocketPeer.WRITE_MODE_TEXT if text[i] else RustWebSocketPeer.WRITE_MODE_BINARY
		peer.send(packets[i], mode)


## Sleeps a little when peer has nothing left to write, so the poll loop does
## not spin a core that the fuzzing process needs.
static func idle(peer: RustWebSocketPeer) -> void:
	if peer.get_current_outbound_buffered_amount() == 0:
		OS.delay_usec(200)
