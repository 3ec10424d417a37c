extends RefCounted
## Keys and certificates made at test time (nothing secret is checked in), and
## Godot's own TLS WebSocket server, the independent end our client is tested
## against. Every function is static (`Fx.make_key()`). RSA generation is
## slow: make one key per test file and sign every certificate of that file
## with it.

const BuiltinServer := preload("res://tests/support/builtin_server.gd")

const VALID_FROM := "20200101000000"
const VALID_UNTIL := "20991231235959"

static var crypto := Crypto.new()


## Our server on 127.0.0.1 (a port the OS picks), wss:// when key and cert
## are given, that answers every message in its kind: text_prefix + the text,
## or the same bytes. Check is_listening() (get_last_error() says why not).
static func echo_server(key: CryptoKey, cert: X509Certificate, text_prefix := "",
		handshake_timeout := 3.0) -> RustWebSocketServer:
	var s := RustWebSocketServer.new()
	s.private_key = key
	s.tls_certificate = cert
	s.handshake_timeout = handshake_timeout
	# A weak reference: the server holding a lambda that holds the server would leak.
	var weak: WeakRef = weakref(s)
	s.data_received.connect(func(id: int):
		var p: RustWebSocketPeer = weak.get_ref().get_peer(id)
		var data := p.get_packet()
		if p.was_string_packet():
			p.send_text(text_prefix + data.get_string_from_utf8())
		else:
			p.send(data))
	s.listen(0, PackedStringArray(), "127.0.0.1")
	return s


## A fresh 2048-bit RSA key.
static func make_key() -> CryptoKey:
	return crypto.generate_rsa(2048)


## A self-signed certificate for subject_name ("CN=...,O=...,C=..."); Godot
## writes no subjectAltName, so host checks fall back to the CN.
## One in a few hundred comes with a serial number OpenSSL cannot read (Godot
## writes 20 random bytes as a DER INTEGER as they come); such a one is made again.
static func self_signed(key: CryptoKey, subject_name: String = "CN=localhost,O=Test,C=US",
		not_before: String = VALID_FROM, not_after: String = VALID_UNTIL) -> X509Certificate:
	while true:
		var cert := crypto.generate_self_signed_certificate(key, subject_name, not_before, not_after)
		if _serial_is_minimal_der(cert):
			return cert
	return null


## Whether cert's serial number is a minimal DER INTEGER (no redundant
## leading 0x00 or 0xff byte).
static func _serial_is_minimal_der(cert: X509Certificate) -> bool:
	var scratch := "user://tls_fixtures_serial_check.crt"
	# save(), not save_to_string(): that one logs a Unicode error.
	cert.save(scratch)
	var text := FileAccess.get_file_as_string(scratch)
	DirAccess.remove_absolute(ProjectSettings.globalize_path(scratch))
	var b64 := text.get_slice("-----BEGIN CERTIFICATE-----", 1).get_slice("-----END CERTIFICATE-----", 0)
	var der := Marshalls.base64_to_raw(b64.strip_escapes().replace(" ", ""))
	# Certificate SEQUENCE > tbsCertificate SEQUENCE > [0] version > INTEGER serial.
	var at := 0
	for step in ["enter", "enter", "skip"]:
		at += 1
		var len_byte := der[at]
		var length := len_byte
		var header := 1
		if len_byte & 0x80:
			header += len_byte & 0x7f
			length = 0
			for i in range(1, header):
				length = length << 8 | der[at + i]
		at += header + (length if step == "skip" else 0)
	var first := der[at + 2]
	var second := der[at + 3]
	return not ((first == 0x00 and second < 0x80) or (first == 0xff and second >= 0x80))


## Saves cert as PEM at path (user:// or res://) and returns the OS path.
static func save_pem(cert: X509Certificate, path: String) -> String:
	var err := cert.save(path)
	if err != OK:
		push_error("could not save certificate to %s: %s" % [path, error_string(err)])
		return ""
	return ProjectSettings.globalize_path(path)


## A key and a certificate whose only subjectAltName is IP:ip (Godot's Crypto
## cannot write SANs), made with the openssl command. Returns
## {"key": CryptoKey, "cert": X509Certificate}, or {"skip": reason} when the
## openssl command is missing or fails.
static func ip_san_identity(ip: String = "127.0.0.1") -> Dictionary:
	var dir := ProjectSettings.globalize_path("user://tls_fixtures")
	DirAccess.make_dir_recursive_absolute(dir)
	var key_path := dir.path_join("ip_san_key.pem")
	var cert_path := dir.path_join("ip_san_cert.pem")
	var out := []
	var code := OS.execute("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes",
			"-keyout", key_path, "-out", cert_path, "-days", "2", "-subj", "/CN=ip-only/O=Test",
			"-addext", "subjectAltName=IP:%s" % ip], out, true)
	if code != 0:
		return {"skip": "openssl could not make an IP-SAN certificate (exit %d): %s" % [code, "".join(out).strip_edges()]}
	var key := CryptoKey.new()
	var cert := X509Certificate.new()
	if key.load(key_path) != OK or cert.load(cert_path) != OK:
		return {"skip": "Godot could not load the openssl-made key or certificate"}
	return {"key": key, "cert": cert}


## A root CA, an intermediate CA it signed, and a leaf for localhost signed by
## the intermediate, made with the openssl command. Clients that trust only the
## root need the server to send the intermediate. Returns {"key": leaf
## CryptoKey, "chain": X509Certificate holding leaf then intermediate, loaded as
## a resource (Godot's save_to_string() repeats the first certificate of a
## chain, so only the resource's file still holds the intermediate), "ca": the
## root X509Certificate}, or {"skip": reason}.
static func ca_signed_identity() -> Dictionary:
	var dir := ProjectSettings.globalize_path("user://tls_fixtures")
	DirAccess.make_dir_recursive_absolute(dir)
	var f := func(name: String) -> String: return dir.path_join(name)
	var ext := FileAccess.open(f.call("ext.cnf"), FileAccess.WRITE)
	ext.store_string("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n" +
			"[leaf]\nsubjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
	ext.close()
	var steps := [
		["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f.call("root_key.pem"),
			"-out", f.call("root.pem"), "-days", "2", "-subj", "/CN=Test Root/O=Test",
			"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
		["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f.call("mid_key.pem"),
			"-out", f.call("mid.csr"), "-subj", "/CN=Test Intermediate/O=Test"],
		["x509", "-req", "-in", f.call("mid.csr"), "-CA", f.call("root.pem"), "-CAkey", f.call("root_key.pem"),
			"-CAcreateserial", "-out", f.call("mid.pem"), "-days", "2", "-extfile", f.call("ext.cnf"), "-extensions", "ca"],
		["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f.call("leaf_key.pem"),
			"-out", f.call("leaf.csr"), "-subj", "/CN=localhost/O=Test"],
		["x509", "-req", "-in", f.call("leaf.csr"), "-CA", f.call("mid.pem"), "-CAkey", f.call("mid_key.pem"),
			"-CAcreateserial", "-out", f.call("leaf.pem"), "-days", "2", "-extfile", f.call("ext.cnf"), "-extensions", "leaf"],
	]
	for args in steps:
		var out := []
		var code := OS.execute("openssl", args, out, true)
		if code != 0:
			return {"skip": "openssl %s failed (exit %d): %s" % [args[0], code, "".join(out).strip_edges()]}
	var bundle := FileAccess.open("user://tls_fixtures/chain.crt", FileAccess.WRITE)
	bundle.store_string(FileAccess.get_file_as_string(f.call("leaf.pem")) + FileAccess.get_file_as_string(f.call("mid.pem")))
	bundle.close()
	var key := CryptoKey.new()
	var chain = load("user://tls_fixtures/chain.crt")
	var root := X509Certificate.new()
	if key.load(f.call("leaf_key.pem")) != OK or not chain is X509Certificate or root.load(f.call("root.pem")) != OK:
		return {"skip": "Godot could not load the openssl-made files"}
	return {"key": key, "chain": chain, "ca": root}


## Godot's WebSocketPeer behind Godot's StreamPeerTLS on a loopback TCPServer,
## named localhost in its URLs. Call poll() every frame.
static func builtin_tls_server(key: CryptoKey, cert: X509Certificate) -> BuiltinServer:
	var server := BuiltinServer.new()
	server.tls_options = TLSOptions.server(key, cert)
	server.host = "localhost"
	return server


## An X509Certificate loaded from path (every certificate of the file); an
## error (which fails the test) and null if it cannot be loaded.
static func load_cert(path: String) -> X509Certificate:
	return _loaded(X509Certificate.new(), path, "certificate")


## A CryptoKey loaded from path; an error (which fails the test) and null if it cannot be loaded.
static func load_key(path: String) -> CryptoKey:
	return _loaded(CryptoKey.new(), path, "key")


## resource (an X509Certificate or a CryptoKey) after its load(path), or null
## after an error naming it as what.
static func _loaded(resource: Resource, path: String, what: String) -> Resource:
	if resource.call("load", path) != OK:
		push_error("could not load the %s %s" % [what, path])
		return null
	return resource


## A small PKI made with the openssl command under user://tls_fixtures/<name>:
## a root CA (key type root_alg), an intermediate CA it signed (ECDSA P-384)
## and, for each entry of leaf_algs ("rsa", "p256", "p384"), a leaf for
## localhost signed by the intermediate, with serial number serial_base + its
## index and subject "/CN=localhost/O=Test/OU=<name>-<alg>". Each leaf key is
## written in both forms: "pkcs8" ("PRIVATE KEY") and "pkcs1" ("RSA PRIVATE
## KEY") or "sec1" ("EC PRIVATE KEY"). Returns {"root": path, "dir_res": the
## folder as a user:// path, "leaves":
## {alg: {"fullchain": path (leaf then intermediate), "fullchain_crt": the
## same as a user:// .crt resource path, "serial": "hex", "ou": "...", "keys":
## {form: path}}}} (OS paths, and keys named *.key so that load() takes
## them as CryptoKey resources), or {"skip": reason}.
static func openssl_pki(name: String, root_alg: String, leaf_algs: Array, serial_base: int) -> Dictionary:
	var dir := ProjectSettings.globalize_path("user://tls_fixtures").path_join(name)
	DirAccess.make_dir_recursive_absolute(dir)
	var f := func(file: String) -> String: return dir.path_join(file)
	var ext := FileAccess.open(f.call("ext.cnf"), FileAccess.WRITE)
	ext.store_string("[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n" +
			"[leaf]\nsubjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n" +
			"keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
	ext.close()
	var steps := [
		["req", "-x509", "-nodes", "-keyout", f.call("root_key.pem"), "-out", f.call("root.pem"),
			"-days", "2", "-subj", "/CN=Test Root %s/O=Test" % name,
			"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"] + _newkey(root_alg),
		["req", "-nodes", "-keyout", f.call("mid_key.pem"), "-out", f.call("mid.csr"),
			"-subj", "/CN=Test Intermediate %s/O=Test" % name] + _newkey("p384"),
		["x509", "-req", "-in", f.call("mid.csr"), "-CA", f.call("root.pem"), "-CAkey", f.call("root_key.pem"),
			"-set_serial", "1", "-out", f.call("mid.pem"), "-days", "2", "-extfile", f.call("ext.cnf"), "-extensions", "ca"],
	]
	var leaves := {}
	for i in leaf_algs.size():
		var alg: String = leaf_algs[i]
		var pkcs8: String = f.call("%s_pkcs8.key" % alg)
		var other_form := "pkcs1" if alg == "rsa" else "sec1"
		var other: String = f.call("%s_%s.key" % [alg, other_form])
		var serial := serial_base + i
		var ou := "%s-%s" % [name, alg]
		if alg == "rsa":
			steps.append(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pkcs8])
			steps.append(["rsa", "-in", pkcs8, "-traditional", "-out", other])
		else:
			steps.append(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:%s" % _curve(alg), "-out", pkcs8])
			steps.append(["ec", "-in", pkcs8, "-out", other])
		steps.append(["req", "-new", "-key", pkcs8, "-out", f.call("%s.csr" % alg), "-subj", "/CN=localhost/O=Test/OU=%s" % ou])
		steps.append(["x509", "-req", "-in", f.call("%s.csr" % alg), "-CA", f.call("mid.pem"), "-CAkey", f.call("mid_key.pem"),
			"-set_serial", str(serial), "-out", f.call("%s_leaf.pem" % alg), "-days", "2",
			"-extfile", f.call("ext.cnf"), "-extensions", "leaf"])
		leaves[alg] = {"fullchain": f.call("%s_fullchain.pem" % alg), "fullchain_crt": "user://tls_fixtures/%s/%s_fullchain.crt" % [name, alg],
				"serial": "%X" % serial, "ou": ou, "keys": {"pkcs8": pkcs8, other_form: other}}
	for args in steps:
		var out := []
		var code := OS.execute("openssl", args, out, true)
		if code != 0:
			return {"skip": "openssl %s failed (exit %d): %s" % [args[0], code, "".join(out).strip_edges()]}
	var mid := FileAccess.get_file_as_string(f.call("mid.pem"))
	for alg in leaves:
		var chain := FileAccess.get_file_as_string(f.call("%s_leaf.pem" % alg)) + mid
		for path in [leaves[alg].fullchain, leaves[alg].fullchain_crt]:
			var out := FileAccess.open(path, FileAccess.WRITE)
			out.store_string(chain)
			out.close()
	return {"root": f.call("root.pem"), "leaves": leaves, "dir_res": "user://tls_fixtures/" + name}


static func _newkey(alg: String) -> Array:
	if alg == "rsa":
		return ["-newkey", "rsa:2048"]
	return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:%s" % _curve(alg)]


static func _curve(alg: String) -> String:
	return {"p256": "P-256", "p384": "P-384"}[alg]
