//! TLS set-up through the platform's TLS (native-tls): client connectors with
//! the configured trust, server acceptors from PEM key and certificate chain.

use super::error::{Error, ErrorKind, Result};

/// Builds the client-side TLS connector for `verify` and extra `trusted` roots (PEM or DER).
pub fn connector(verify: bool, trusted: &[Vec<u8>]) -> Result<native_tls::TlsConnector> {
    let mut builder = native_tls::TlsConnector::builder();
    builder
        .danger_accept_invalid_certs(!verify)
        .danger_accept_invalid_hostnames(!verify);
    for cert in trusted {
        for one in split_pem_certificates(cert) {
            let parsed = native_tls::Certificate::from_pem(&one)
                .or_else(|_| native_tls::Certificate::from_der(&one))
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Tls,
                        format!("trusted_certificate could not be read: {e}"),
                    )
                })?;
            builder.add_root_certificate(parsed);
        }
    }
    builder
        .build()
        .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS set-up failed: {e}")))
}

/// Builds a server-side acceptor from a PEM private key and a PEM certificate chain.
pub fn acceptor(key_pem: &[u8], chain_pem: &[u8]) -> Result<native_tls::TlsAcceptor> {
    let key = pkcs8_pem(key_pem)?;
    let chain = unique_certificates(chain_pem);
    let identity = native_tls::Identity::from_pkcs8(&chain, &key).map_err(|e| {
        Error::new(
            ErrorKind::Tls,
            format!("private_key and tls_certificate do not form a usable identity: {e}"),
        )
    })?;
    let acceptor = native_tls::TlsAcceptor::new(identity)
        .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS server set-up failed: {e}")))?;
    self_check(&acceptor)?;
    Ok(acceptor)
}

/// Runs one handshake against `acceptor` in memory. The TLS library takes a key
/// that does not belong to the certificate without complaint (OpenSSL drops
/// it), and then every client would fail; this makes `listen()` fail instead.
fn self_check(acceptor: &native_tls::TlsAcceptor) -> Result<()> {
    use native_tls::HandshakeError as H;
    let refused = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Tls,
            format!(
                "private_key and tls_certificate do not form a usable identity \
                 (is the key the certificate's?): {e}"
            ),
        )
    };
    let connector = native_tls::TlsConnector::builder()
        .danger_accept_invalid_certs(true)
        .danger_accept_invalid_hostnames(true)
        .build()
        .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS set-up failed: {e}")))?;
    let (client_end, server_end) = MemoryPipe::pair();
    let mut client = match connector.connect("self-check.invalid", client_end) {
        Ok(_) => None,
        Err(H::WouldBlock(mid)) => Some(mid),
        Err(H::Failure(e)) => return Err(refused(&e)),
    };
    let mut server = match acceptor.accept(server_end) {
        Ok(_) => None,
        Err(H::WouldBlock(mid)) => Some(mid),
        Err(H::Failure(e)) => return Err(refused(&e)),
    };
    // A TLS handshake takes a handful of flights; the bound only stops a loop.
    for _ in 0..32 {
        if client.is_none() && server.is_none() {
            return Ok(());
        }
        if let Some(mid) = server.take() {
            server = match mid.handshake() {
                Ok(_) => None,
                Err(H::WouldBlock(mid)) => Some(mid),
                Err(H::Failure(e)) => return Err(refused(&e)),
            };
        }
        if let Some(mid) = client.take() {
            client = match mid.handshake() {
                Ok(_) => None,
                Err(H::WouldBlock(mid)) => Some(mid),
                Err(H::Failure(e)) => return Err(refused(&e)),
            };
        }
    }
    Err(refused(&"the test handshake did not finish"))
}

/// One end of an in-memory byte pipe; reads would block while nothing is queued.
#[derive(Debug)]
struct MemoryPipe {
    incoming: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u8>>>,
    outgoing: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u8>>>,
}

impl MemoryPipe {
    fn pair() -> (Self, Self) {
        let a = std::rc::Rc::default();
        let b = std::rc::Rc::default();
        (
            Self {
                incoming: std::rc::Rc::clone(&a),
                outgoing: std::rc::Rc::clone(&b),
            },
            Self {
                incoming: b,
                outgoing: a,
            },
        )
    }
}

impl std::io::Read for MemoryPipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut queue = self.incoming.borrow_mut();
        if queue.is_empty() {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(queue.len());
        for (slot, byte) in buf.iter_mut().zip(queue.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

impl std::io::Write for MemoryPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.outgoing.borrow_mut().extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The chain as PEM with each certificate once. Godot's `save_to_string()`
/// repeats the first certificate for every chain entry; sending it twice would
/// only confuse clients.
fn unique_certificates(chain_pem: &[u8]) -> Vec<u8> {
    let mut unique: Vec<Vec<u8>> = Vec::new();
    for cert in split_pem_certificates(chain_pem) {
        if !unique.contains(&cert) {
            unique.push(cert);
        }
    }
    unique.join(&b"\n"[..])
}

/// Splits a PEM bundle into single certificates, each from its BEGIN line (text
/// between them, such as the stray character Godot's PEM strings end with, is
/// dropped); non-PEM input comes back whole.
fn split_pem_certificates(data: &[u8]) -> Vec<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let Ok(text) = std::str::from_utf8(data) else {
        return vec![data.to_vec()];
    };
    if !text.contains(END) {
        return vec![data.to_vec()];
    }
    text.split_inclusive(END)
        .filter_map(|part| part.find(BEGIN).map(|at| part.as_bytes()[at..].to_vec()))
        .collect()
}

/// Returns the key as PKCS#8 PEM, wrapping a PKCS#1 RSA key (what Godot's
/// `CryptoKey.save_to_string()` writes) because native-tls only reads PKCS#8.
fn pkcs8_pem(key_pem: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(key_pem)
        .map_err(|_| Error::new(ErrorKind::Tls, "private_key is not PEM text"))?;
    if text.contains("-----BEGIN PRIVATE KEY-----") {
        return Ok(key_pem.to_vec());
    }
    let body = pem_body(text, "RSA PRIVATE KEY").ok_or_else(|| {
        Error::new(
            ErrorKind::Tls,
            "private_key must be a PEM RSA (PKCS#1) or PKCS#8 private key",
        )
    })?;
    let pkcs1 = data_encoding::BASE64
        .decode(body.as_bytes())
        .map_err(|e| Error::new(ErrorKind::Tls, format!("private_key PEM is corrupt: {e}")))?;
    // PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier rsaEncryption, OCTET STRING key }
    const RSA_ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut inner = vec![0x02, 0x01, 0x00];
    inner.extend_from_slice(RSA_ALGORITHM);
    inner.push(0x04);
    der_len(&mut inner, pkcs1.len());
    inner.extend_from_slice(&pkcs1);
    let mut der = vec![0x30];
    der_len(&mut der, inner.len());
    der.extend_from_slice(&inner);
    let b64 = data_encoding::BASE64.encode(&der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem.into_bytes())
}

fn pem_body(text: &str, label: &str) -> Option<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = text[start..].find(&end)? + start;
    Some(text[start..stop].split_whitespace().collect())
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        let mut v = Vec::new();
        der_len(&mut v, 5);
        der_len(&mut v, 200);
        der_len(&mut v, 1200);
        assert_eq!(v, [5, 0x81, 200, 0x82, 0x04, 0xb0]);
    }

    #[test]
    fn splits_bundles() {
        let one = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let two = format!("{one}{one}");
        assert_eq!(split_pem_certificates(two.as_bytes()).len(), 2);
        assert_eq!(split_pem_certificates(b"\x30\x82").len(), 1);
        // Godot ends each PEM with U+FFFD; it must not stick to the next certificate.
        let godot = format!("{one}\u{FFFD}{one}\u{FFFD}");
        let parts = split_pem_certificates(godot.as_bytes());
        assert_eq!(parts, vec![one.trim_end().as_bytes().to_vec(); 2]);
        assert_eq!(
            unique_certificates(godot.as_bytes()),
            one.trim_end().as_bytes()
        );
    }

    #[test]
    fn rejects_non_rsa_keys() {
        assert!(
            pkcs8_pem(b"-----BEGIN EC PRIVATE KEY-----\nAA\n-----END EC PRIVATE KEY-----").is_err()
        );
    }
}
