//! Learns the certificate chain a TLS server sends, from its first answer to a
//! TLS 1.2 ClientHello, where the chain travels in clear (TLS 1.3 encrypts
//! it). Godot's `X509Certificate` holds every certificate of a loaded
//! `fullchain.pem`, and its TLS server sends them all, but its exports
//! (`save_to_string()`, `save()`) repeat the first one instead; asking Godot's
//! own TLS server is how the bindings read the whole chain of such an object.
//!
//! Usage: give [`client_hello`] to the server, collect what it writes back,
//! and pass that to [`served_certificates`].

use std::io::Read;

use super::error::{Error, ErrorKind, Result};
use super::memory_pipe::MemoryPipe;

/// TLS record content types (RFC 5246 §6.2.1).
const ALERT: u8 = 21;
const HANDSHAKE: u8 = 22;
/// Handshake message type of `Certificate` (RFC 5246 §7.4.2).
const CERTIFICATE: u8 = 11;

fn tls_error(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::Tls, reason)
}

/// A ClientHello that offers only TLS 1.2, made by the platform's TLS library
/// so that it offers what any of its clients would (ECDSA and RSA suites).
pub fn client_hello() -> Result<Vec<u8>> {
    let connector = super::tls::unverified_connector(true)?;
    let (client_end, mut server_end) = MemoryPipe::pair();
    match connector.connect("chain-probe.invalid", client_end) {
        Err(native_tls::HandshakeError::WouldBlock(_)) => {}
        Err(native_tls::HandshakeError::Failure(e)) => {
            return Err(tls_error(format!("TLS set-up failed: {e}")))
        }
        Ok(_) => return Err(tls_error("TLS handshake finished without a server")),
    }
    let mut hello = Vec::new();
    match server_end.read_to_end(&mut hello) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => {
            other.map_err(|e| tls_error(format!("TLS set-up failed: {e}")))?;
        }
    }
    Ok(hello)
}

/// The DER certificates, in the order sent, of the `Certificate` message in
/// `reply`, the bytes a server wrote after reading [`client_hello`].
pub fn served_certificates(reply: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut handshake = Vec::new();
    let mut rest = reply;
    while rest.len() >= 5 {
        let kind = rest[0];
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        let Some(payload) = rest.get(5..5 + len) else {
            break;
        };
        match kind {
            HANDSHAKE => handshake.extend_from_slice(payload),
            ALERT => {
                return Err(tls_error(format!(
                    "the TLS server refused to send its certificate (alert {})",
                    payload.get(1).copied().unwrap_or(0)
                )))
            }
            // Anything after the handshake messages is encrypted.
            _ => break,
        }
        if let Some(chain) = certificate_message(&handshake)? {
            return Ok(chain);
        }
        rest = &rest[5 + len..];
    }
    Err(tls_error("the TLS server sent no certificate"))
}

/// The certificates of the first `Certificate` message among complete
/// handshake messages, `None` while it has not (fully) arrived.
fn certificate_message(mut messages: &[u8]) -> Result<Option<Vec<Vec<u8>>>> {
    while messages.len() >= 4 {
        let len = u24(&messages[1..4]);
        let Some(body) = messages.get(4..4 + len) else {
            return Ok(None);
        };
        if messages[0] == CERTIFICATE {
            return certificate_list(body).map(Some);
        }
        messages = &messages[4 + len..];
    }
    Ok(None)
}

/// `opaque ASN.1Cert<1..2^24-1>; ASN.1Cert certificate_list<0..2^24-1>;`
fn certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>> {
    let corrupt = || tls_error("the TLS server's certificate message is corrupt");
    let total = body.get(..3).map(u24).ok_or_else(corrupt)?;
    let mut list = body.get(3..3 + total).ok_or_else(corrupt)?;
    let mut certificates = Vec::new();
    while !list.is_empty() {
        let len = list.get(..3).map(u24).ok_or_else(corrupt)?;
        certificates.push(list.get(3..3 + len).ok_or_else(corrupt)?.to_vec());
        list = &list[3 + len..];
    }
    if certificates.is_empty() {
        return Err(tls_error("the TLS server sent an empty certificate list"));
    }
    Ok(certificates)
}

fn u24(bytes: &[u8]) -> usize {
    (bytes[0] as usize) << 16 | (bytes[1] as usize) << 8 | bytes[2] as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = vec![kind, 3, 3];
        r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        r.extend_from_slice(payload);
        r
    }

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn certificate_body(certs: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for c in certs {
            list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
            list.extend_from_slice(c);
        }
        let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
        body.extend(list);
        body
    }

    #[test]
    fn offers_tls_1_2_only() {
        let hello = client_hello().unwrap();
        assert_eq!(hello[0], HANDSHAKE, "a handshake record");
        assert_eq!(hello[5], 1, "a ClientHello");
        // client_version in the hello body: TLS 1.2 is { 3, 3 }.
        assert_eq!(&hello[9..11], &[3, 3]);
    }

    #[test]
    fn reads_a_chain_split_over_records() {
        let flight = [
            message(2, &[0; 40]),
            message(CERTIFICATE, &certificate_body(&[b"leaf", b"intermediate"])),
            message(12, &[0; 10]),
        ]
        .concat();
        let (a, b) = flight.split_at(50);
        let reply = [record(HANDSHAKE, a), record(HANDSHAKE, b)].concat();
        assert_eq!(
            served_certificates(&reply).unwrap(),
            vec![b"leaf".to_vec(), b"intermediate".to_vec()]
        );
    }

    #[test]
    fn reports_what_went_wrong() {
        let reason = |reply: &[u8]| served_certificates(reply).unwrap_err().reason().to_string();
        assert!(reason(&record(ALERT, &[2, 70])).contains("alert 70"));
        assert!(reason(&record(HANDSHAKE, &message(2, &[0; 4]))).contains("no certificate"));
        assert!(reason(&[]).contains("no certificate"));
        let cut = message(CERTIFICATE, &[0, 0, 9, 0, 0, 5, 1]);
        assert!(reason(&record(HANDSHAKE, &cut)).contains("corrupt"));
        let empty = message(CERTIFICATE, &certificate_body(&[]));
        assert!(reason(&record(HANDSHAKE, &empty)).contains("empty"));
    }
}
