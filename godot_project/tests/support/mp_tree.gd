extends RefCounted
## Several SceneMultiplayer instances in one process: each gets its own
## subtree of the test node (SceneTree.set_multiplayer with a root path), with
## an mp_game.gd node named Game under it, so RPC paths agree between them.
## The SceneTree polls every one of them each frame.

const Game := preload("res://tests/support/mp_game.gd")


## One endpoint: its SceneMultiplayer, its Game node and a log of its signals.
class Endpoint:
	var name: String
	var mp: SceneMultiplayer
	var game: Node
	var root: Node
	## [signal name, args] in the order they fired.
	var events: Array = []

	func count(signal_name: String) -> int:
		return events.filter(func(e): return e[0] == signal_name).size()

	func ids_of(signal_name: String) -> Array:
		return events.filter(func(e): return e[0] == signal_name).map(func(e): return e[1])

	func id() -> int:
		return mp.get_unique_id()


## Adds an endpoint named name under test using peer (already created).
static func add(test: Node, name: String, peer: MultiplayerPeer) -> Endpoint:
	var e := Endpoint.new()
	e.name = name
	e.root = Node.new()
	e.root.name = name
	test.add_child(e.root)
	e.mp = SceneMultiplayer.new()
	test.get_tree().set_multiplayer(e.mp, e.root.get_path())
	e.game = Game.new()
	e.game.name = "Game"
	e.root.add_child(e.game)
	# The handlers hold the log, not the endpoint: that would be a reference cycle.
	var events := e.events
	for s in ["peer_connected", "peer_disconnected"]:
		var sname: String = s
		e.mp.connect(sname, func(id): events.append([sname, id]))
	for s in ["connected_to_server", "connection_failed", "server_disconnected"]:
		var sname: String = s
		e.mp.connect(sname, func(): events.append([sname, null]))
	e.mp.multiplayer_peer = peer
	return e


## Removes the endpoint's subtree and its SceneMultiplayer.
static func remove(test: Node, e: Endpoint) -> void:
	test.get_tree().set_multiplayer(null, e.root.get_path())
	e.root.queue_free()


## Whether every client is connected (has its id) and the server saw them all.
static func all_connected(server: Endpoint, clients: Array) -> bool:
	for c in clients:
		if c.mp.multiplayer_peer.get_connection_status() != MultiplayerPeer.CONNECTION_CONNECTED:
			return false
		if c.count("connected_to_server") != 1:
			return false
		if not server.mp.get_peers().has(c.id()):
			return false
	return true


## What start() connected: the server's endpoint and the clients' endpoints.
class Session:
	var server: Endpoint
	## In the order of the client peers given to start().
	var clients: Array

	## Every endpoint, clients first (what stop() takes).
	func everyone() -> Array:
		return clients + [server]


## One client on Godot's built-in WebSocketMultiplayerPeer and one on ours: the
## pair of players most tests serve.
static func mixed_clients() -> Array:
	return [WebSocketMultiplayerPeer.new(), RustWebSocketMultiplayerPeer.new()]


## Runs scenario both ways round, as run() does: our server with client_count
## clients alternating built-in and ours, then Godot's built-in server with
## clients alternating ours and built-in. scenario is called with the label
## ("our server", "built-in server") and the Session.
static func both_ways(test: Node, scenario: Callable, client_count := 2, scheme := "ws",
		server_tls: TLSOptions = null, client_tls: TLSOptions = null) -> void:
	for way in [["our server", RustWebSocketMultiplayerPeer, WebSocketMultiplayerPeer],
			["built-in server", WebSocketMultiplayerPeer, RustWebSocketMultiplayerPeer]]:
		var label: String = way[0]
		test.log_info(label)
		await run(test, label, way[1].new(), _alternating(way[2], way[1], client_count),
				scenario.bind(label), scheme, server_tls, client_tls)


## Starts a Session as start() does, awaits body.call(session) and stops every
## endpoint of it, whatever body checked. Returns whether the session started
## (when not, body is not called).
static func run(test: Node, label: String, server_peer: MultiplayerPeer, client_peers: Array,
		body: Callable, scheme := "ws", server_tls: TLSOptions = null, client_tls: TLSOptions = null) -> bool:
	var session := await start(test, label, server_peer, client_peers, scheme, server_tls, client_tls)
	if session == null:
		return false
	await body.call(session)
	await stop(test, session.everyone())
	return true


static func _alternating(first, second, count: int) -> Array:
	var peers: Array = []
	for i in count:
		peers.append((first if i % 2 == 0 else second).new())
	return peers


## Starts peer as a client of url (with client_tls when given), checks that
## create_client() returned OK (the check is named what) and adds the
## endpoint name for it.
static func join(test: Node, name: String, peer: MultiplayerPeer, url: String, what: String,
		client_tls: TLSOptions = null) -> Endpoint:
	var err: Error = peer.create_client(url, client_tls) if client_tls != null else peer.create_client(url)
	test.check_eq(err, OK, what)
	return add(test, name, peer)


## Starts server_peer on a free port and connects client_peers to it, each
## endpoint in its own subtree. Returns the Session once every client has its
## id and knows every other client, or null (after a failed check).
## setup, if given, is called with each new endpoint (the server first) before
## its first poll.
static func start(test: Node, label: String, server_peer: MultiplayerPeer, client_peers: Array,
		scheme := "ws", server_tls: TLSOptions = null, client_tls: TLSOptions = null,
		setup := Callable()) -> Session:
	var port: int = test.free_port()
	var key := label.validate_node_name().replace(" ", "_")
	var err: Error = server_peer.create_server(port, "127.0.0.1", server_tls) if server_tls != null \
			else server_peer.create_server(port, "127.0.0.1")
	test.check_eq(err, OK, "%s: create_server" % label)
	var server := add(test, key + "_server", server_peer)
	if setup.is_valid():
		setup.call(server)
	var clients: Array = []
	var host := "localhost" if scheme == "wss" else "127.0.0.1"
	for i in client_peers.size():
		clients.append(join(test, "%s_client%d" % [key, i], client_peers[i],
				"%s://%s:%d" % [scheme, host, port], "%s: create_client %d" % [label, i], client_tls))
		if setup.is_valid():
			setup.call(clients.back())
	var ok: bool = await test.wait_until(func():
		if not all_connected(server, clients):
			return false
		for c in clients:
			if c.mp.get_peers().size() != clients.size():
				return false
		return true, 10.0, "%s: every client connected and knows the others" % label)
	if not ok:
		return null
	var session := Session.new()
	session.server = server
	session.clients = clients
	return session


## Closes every endpoint's peer and removes the subtrees.
static func stop(test: Node, endpoints: Array) -> void:
	for e in endpoints:
		if e.mp.multiplayer_peer != null:
			e.mp.multiplayer_peer.close()
	await test.get_tree().process_frame
	for e in endpoints:
		remove(test, e)
	await test.get_tree().process_frame


## SceneMultiplayer authentication on endpoint e, with auth_timeout 2 s: a
## server admits clients that send expected; a client sends answer. Failed
## authentications are listed in e.get_meta("auth_failed").
static func use_auth(e: Endpoint, expected: String, answer: String) -> void:
	e.mp.auth_timeout = 2.0
	# A weak reference: the SceneMultiplayer holds these callables.
	var mp: WeakRef = weakref(e.mp)
	e.mp.auth_callback = func(id: int, data: PackedByteArray):
		if id != 1 and data.get_string_from_utf8() == expected:
			mp.get_ref().complete_auth(id)
	e.mp.peer_authenticating.connect(func(id: int):
		if id == 1:
			mp.get_ref().send_auth(1, answer.to_utf8_buffer())
			mp.get_ref().complete_auth(1))
	var failed: Array = []
	e.set_meta("auth_failed", failed)
	e.mp.peer_authentication_failed.connect(func(id: int): failed.append(id))
