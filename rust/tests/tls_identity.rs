//! Server TLS identities made by the `openssl` command at test time: PKCS#1 and
//! PKCS#8 keys both serve wss://, and a key that does not belong to the
//! certificate is refused when the acceptor is built. Skipped (with a note)
//! when the command is missing.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;
use websocket_peer::core::{tls, Accepted, Config, Event, Peer, ReadyState, ServerConfig};

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

/// Makes key.pem (PKCS#1 when `traditional`) and a self-signed cert.pem for localhost.
fn identity(dir: &Path, traditional: bool) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut genrsa = vec!["genrsa", "-out", "key.pem"];
    if traditional {
        genrsa.push("-traditional");
    }
    genrsa.push("2048");
    let made = openssl(dir, &genrsa)
        && openssl(
            dir,
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
                "-addext",
                "subjectAltName=DNS:localhost",
            ],
        );
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

#[test]
fn key_of_another_certificate_is_refused() {
    let (a, b) = (scratch("mismatch-a"), scratch("mismatch-b"));
    let (Some((key_a, _)), Some((_, cert_b))) = (identity(&a.0, true), identity(&b.0, false))
    else {
        return;
    };
    let err = tls::acceptor(&key_a, &cert_b)
        .err()
        .expect("a foreign key must be refused");
    assert!(err.reason().contains("usable identity"), "{}", err.reason());
}
