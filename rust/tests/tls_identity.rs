//! Server TLS identities made by the `openssl` command at test time: RSA keys
//! (PKCS#1, PKCS#8) and ECDSA P-256 and P-384 keys (SEC1, PKCS#8) serve
//! wss://, the PKCS#8 made from PKCS#1 and SEC1 is byte for byte what
//! `openssl pkcs8 -topk8` makes, a key that does not belong to the certificate
//! is refused when the acceptor is built, and the chain probe reads the whole
//! chain an OpenSSL server sends. Skipped (with a note) when the command is
//! missing.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;
use websocket_peer::core::{
    chain_probe, pem, pkcs8, tls, Accepted, Config, Event, Peer, ReadyState, ServerConfig,
};

/// A scratch folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("wsp-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Runs openssl with `args` in `dir`; false when the command is unavailable.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            eprintln!("SKIPPED: no openssl command ({e})");
            false
        }
    }
}

/// Makes cert.pem, a certificate for localhost signed by key.pem.
fn self_signed(dir: &Path) -> bool {
    let args = "req -x509 -key key.pem -out cert.pem -days 2 -subj /CN=localhost";
    let mut args: Vec<&str> = args.split(' ').collect();
    args.extend(["-addext", "subjectAltName=DNS:localhost"]);
    openssl(dir, &args)
}

/// Makes key.pem (PKCS#1 when `traditional`) and a self-signed cert.pem for localhost.
fn identity(dir: &Path, traditional: bool) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut genrsa = vec!["genrsa", "-out", "key.pem"];
    if traditional {
        genrsa.push("-traditional");
    }
    genrsa.push("2048");
    let made = openssl(dir, &genrsa) && self_signed(dir);
    made.then(|| {
        (
            std::fs::read(dir.join("key.pem")).unwrap(),
            std::fs::read(dir.join("cert.pem")).unwrap(),
        )
    })
}

/// Opens a wss:// connection to a server with `key`/`cert`, trusting `cert`, and exchanges a message.
fn serves_wss(key: &[u8], cert: &[u8]) {
    let acceptor = tls::acceptor(key, cert).expect("acceptor");
    let mut server = server(ServerConfig {
        tls: Some(acceptor),
        ..ServerConfig::default()
    });
    let mut client = Peer::new(Config {
        trusted_certificates: vec![cert.to_vec()],
        ..Config::default()
    });
    client
        .connect(&format!("wss://localhost:{}/", server.port()), &[], &[])
        .expect("connect");
    let mut accepted: Vec<Accepted> = Vec::new();
    wait_for(10, "the wss connection to open", || {
        server.poll(&mut accepted);
        let events: Vec<Event> = client.poll().collect();
        if let Some(Event::ConnectFailed { reason }) = events.first() {
            panic!("connect failed: {reason}");
        }
        (client.ready_state() == ReadyState::Open && !accepted.is_empty()).then_some(())
    });
    let mut remote = accepted.remove(0).peer;
    client.send(b"over tls", true).unwrap();
    let got = wait_for(5, "the message", || {
        let _ = client.poll().count();
        let _ = remote.poll().count();
        remote.take_packet()
    });
    assert_eq!(got.data.as_ref() as &[u8], b"over tls");
    assert!(got.text);
}

/// A key in one PEM format (its header is `marker`) serves `wss://`.
fn key_format_serves_wss(name: &str, pkcs1: bool, marker: &str) {
    let dir = scratch(name);
    let Some((key, cert)) = identity(&dir.0, pkcs1) else {
        return;
    };
    assert!(String::from_utf8_lossy(&key).contains(marker));
    serves_wss(&key, &cert);
}

#[test]
fn pkcs1_key_serves_wss() {
    key_format_serves_wss("pkcs1", true, "BEGIN RSA PRIVATE KEY");
}

#[test]
fn pkcs8_key_serves_wss() {
    key_format_serves_wss("pkcs8", false, "BEGIN PRIVATE KEY");
}

/// Two identities from `make`, each in its own folder: the first one's key
/// with the second one's certificate is refused, and the reason says why.
fn foreign_key_is_refused(name: &str, make: impl Fn(&Path) -> Option<(Vec<u8>, Vec<u8>)>) {
    let (a, b) = (scratch(&format!("{name}-a")), scratch(&format!("{name}-b")));
    let (Some((key_a, _)), Some((_, cert_b))) = (make(&a.0), make(&b.0)) else {
        return;
    };
    let err = tls::acceptor(&key_a, &cert_b)
        .err()
        .expect("a foreign key must be refused");
    assert!(err.reason().contains("usable identity"), "{}", err.reason());
}

#[test]
fn key_of_another_certificate_is_refused() {
    foreign_key_is_refused("mismatch", |dir| identity(dir, true));
}

/// Makes an ECDSA key on `curve` as PKCS#8 (key.pem) and SEC1 (sec1.pem) and a
/// self-signed cert.pem for localhost.
fn ec_identity(dir: &Path, curve: &str) -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let curve = format!("ec_paramgen_curve:{curve}");
    let made = openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &curve,
            "-out",
            "key.pem",
        ],
    ) && openssl(dir, &["ec", "-in", "key.pem", "-out", "sec1.pem"])
        && self_signed(dir);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    made.then(|| (read("key.pem"), read("sec1.pem"), read("cert.pem")))
}

/// The DER of the one PEM block of `text`.
fn der(text: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(text).unwrap();
    let blocks = pem::blocks(text);
    assert_eq!(blocks.len(), 1, "one PEM block in {text}");
    blocks[0].der("test").unwrap()
}

fn ecdsa_keys_serve_wss(curve: &str) {
    let dir = scratch(curve);
    let Some((pkcs8_key, sec1_key, cert)) = ec_identity(&dir.0, curve) else {
        return;
    };
    assert!(String::from_utf8_lossy(&pkcs8_key).contains("BEGIN PRIVATE KEY"));
    assert!(String::from_utf8_lossy(&sec1_key).contains("BEGIN EC PRIVATE KEY"));
    serves_wss(&sec1_key, &cert);
    serves_wss(&pkcs8_key, &cert);
    // The conversion is the one OpenSSL itself makes.
    assert_eq!(der(&pkcs8::pkcs8_pem(&sec1_key).unwrap()), der(&pkcs8_key));
}

#[test]
fn p256_keys_serve_wss() {
    ecdsa_keys_serve_wss("P-256");
}

#[test]
fn p384_keys_serve_wss() {
    ecdsa_keys_serve_wss("P-384");
}

#[test]
fn pkcs1_converts_as_openssl_does() {
    let dir = scratch("pkcs1-convert");
    let Some((pkcs1, _)) = identity(&dir.0, true) else {
        return;
    };
    if !openssl(
        &dir.0,
        &[
            "pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-out", "key8.pem",
        ],
    ) {
        return;
    }
    let by_openssl = std::fs::read(dir.0.join("key8.pem")).unwrap();
    assert_eq!(der(&pkcs8::pkcs8_pem(&pkcs1).unwrap()), der(&by_openssl));
}

#[test]
fn ecdsa_key_of_another_certificate_is_refused() {
    foreign_key_is_refused("ec-mismatch", |dir| {
        ec_identity(dir, "P-256").map(|(_, sec1, cert)| (sec1, cert))
    });
}

/// Root -> intermediate -> leaf; the probe, answered by an OpenSSL server
/// given leaf + intermediate, reads both, in order.
#[test]
fn chain_probe_reads_the_whole_chain() {
    let dir = scratch("chain");
    let d = &dir.0;
    std::fs::write(
        d.join("ext.cnf"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n\
         [leaf]\nsubjectAltName=DNS:localhost\n",
    )
    .unwrap();
    let ok = openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "root_key.pem",
            "-out",
            "root.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Root",
        ],
    ) && openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-nodes",
            "-keyout",
            "mid_key.pem",
            "-out",
            "mid.csr",
            "-subj",
            "/CN=Intermediate",
        ],
    ) && openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "mid.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root_key.pem",
            "-set_serial",
            "2",
            "-out",
            "mid.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "ca",
        ],
    ) && openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf_key.pem",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ],
    ) && openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "mid.pem",
            "-CAkey",
            "mid_key.pem",
            "-set_serial",
            "3",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "leaf",
        ],
    );
    if !ok {
        return;
    }
    let read = |name: &str| std::fs::read(d.join(name)).unwrap();
    let chain = [read("leaf.pem"), read("mid.pem")].concat();
    let acceptor = tls::acceptor(&read("leaf_key.pem"), &chain).expect("acceptor");

    // The server side of a TCP pair reads the hello and writes its first flight.
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server_end, _) = listener.accept().unwrap();
    server_end.set_nonblocking(true).unwrap();
    client.set_nonblocking(true).unwrap();
    client
        .write_all(&chain_probe::client_hello().unwrap())
        .unwrap();
    let mut handshake = match acceptor.accept(server_end) {
        Err(native_tls::HandshakeError::WouldBlock(mid)) => Some(mid),
        other => panic!("the server's handshake should wait for the client: {other:?}"),
    };
    let mut flight = Vec::new();
    let chain_der = wait_for(5, "the certificates", || {
        // Until the hello has arrived, the server waits for it.
        handshake = match handshake.take()?.handshake() {
            Err(native_tls::HandshakeError::WouldBlock(mid)) => Some(mid),
            other => panic!("the server's handshake should wait for the client: {other:?}"),
        };
        let mut buf = [0u8; 16384];
        if let Ok(n) = client.read(&mut buf) {
            flight.extend_from_slice(&buf[..n]);
        }
        chain_probe::served_certificates(&flight).ok()
    });
    assert_eq!(
        chain_der,
        vec![der(&read("leaf.pem")), der(&read("mid.pem"))]
    );
}

/// A certificate whose serial number has a redundant leading zero byte, as
/// Godot's generate_self_signed_certificate() sometimes writes, is refused
/// with a reason that says so (the TLS library's own only names the field).
#[test]
fn certificate_with_a_padded_serial_is_refused_with_a_reason() {
    let dir = scratch("padded-serial");
    let serial = "0x1234567890abcdef1234567890abcdef12345678";
    let made = openssl(&dir.0, &["genrsa", "-out", "key.pem", "2048"])
        && openssl(
            &dir.0,
            &[
                "req",
                "-x509",
                "-key",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-set_serial",
                serial,
            ],
        );
    if !made {
        return;
    }
    let key = std::fs::read(dir.0.join("key.pem")).unwrap();
    let mut cert = der(&std::fs::read(dir.0.join("cert.pem")).unwrap());
    // INTEGER of 20 bytes, 0x12 0x34 …: make the first byte a redundant 0x00.
    let at = cert
        .windows(4)
        .position(|w| w == [0x02, 0x14, 0x12, 0x34])
        .expect("the serial in the DER");
    cert[at + 2] = 0x00;
    let pem = pem::encode("CERTIFICATE", &cert);
    let err = tls::acceptor(&key, pem.as_bytes())
        .err()
        .expect("the certificate cannot be read");
    assert!(err.reason().contains("serial number"), "{}", err.reason());
}
