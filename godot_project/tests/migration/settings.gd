extends RefCounted
## Where the Godot 3 and Godot 4 settings went.


static func configure_client(peer: RustWebSocketPeer, ca: X509Certificate) -> void:
	# Godot 3: verify_ssl, trusted_ssl_certificate. Godot 4: TLSOptions.client(ca).
	peer.verify_tls = true
	peer.trusted_certificate = ca  # or the path of a PEM file
	# Godot 3: set_buffers(). Godot 4: inbound_buffer_size, outbound_buffer_size,
	# max_queued_packets. Here: one message limit and two byte limits.
	peer.max_message_size = 1 << 20  # a bigger message closes with 1009
	peer.inbound_buffer_limit = 4 << 20  # unread bytes before reading pauses
	peer.outbound_buffer_limit = 4 << 20  # queued bytes before send() fails
	peer.handshake_timeout = 5.0
	peer.heartbeat_interval = 15.0  # ping when idle; closes a dead peer
	peer.set_no_delay(true)  # the default here


static func configure_server(server: RustWebSocketServer, key: CryptoKey, cert: X509Certificate) -> void:
	# Godot 3: private_key, ssl_certificate. Godot 4: TLSOptions.server(key, cert).
	server.private_key = key
	server.tls_certificate = cert
	server.max_message_size = 1 << 20
	server.handshake_timeout = 3.0
	server.extra_headers = PackedStringArray(["X-Game: my-game"])
