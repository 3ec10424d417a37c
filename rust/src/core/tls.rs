//! TLS set-up through the platform's TLS (native-tls): client connectors with
//! the configured trust, server acceptors from PEM key and certificate chain.

use std::sync::OnceLock;

use super::error::{Error, ErrorKind, Result};
use super::memory_pipe::MemoryPipe;
use super::pem::split_certificates;
use super::pkcs8::pkcs8_pem;

/// Builds the client-side TLS connector for `verify` and extra `trusted` roots (PEM or DER).
pub fn connector(verify: bool, trusted: &[Vec<u8>]) -> Result<native_tls::TlsConnector> {
    let mut builder = native_tls::TlsConnector::builder();
    builder
        .danger_accept_invalid_certs(!verify)
        .danger_accept_invalid_hostnames(!verify);
    for cert in trusted {
        for one in split_certificates(cert) {
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

/// Builds a server-side acceptor from a PEM private key (PKCS#8, PKCS#1 RSA or
/// SEC1 EC) and a PEM certificate chain, leaf first. Fails, with the reason,
/// when the key is not the leaf certificate's.
pub fn acceptor(key_pem: &[u8], chain_pem: &[u8]) -> Result<native_tls::TlsAcceptor> {
    let key = pkcs8_pem(key_pem)?;
    // native-tls imports schannel keys into an RSA-only CryptoAPI container.
    #[cfg(windows)]
    if super::pkcs8::is_ecdsa(&key) {
        return Err(Error::new(
            ErrorKind::Tls,
            "private_key: ECDSA keys are not supported by the Windows build yet; use an RSA key",
        ));
    }
    let chain = unique_certificates(chain_pem);
    let identity = native_tls::Identity::from_pkcs8(&chain, &key).map_err(|e| {
        if !leaf_serial_is_minimal(&chain) {
            return Error::new(
                ErrorKind::Tls,
                "tls_certificate: its serial number is not valid DER (a redundant leading byte), \
                 so the TLS library cannot read it. Godot's Crypto.generate_self_signed_certificate() \
                 now and then makes such a certificate (one in a few hundred): generate it again",
            );
        }
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
    let connector = unverified_connector(false)?;
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

/// A client connector that verifies nothing, for handshakes in memory (the
/// check above, the chain probe with `tls12_only`). Each is built once per
/// process: building one reads the system's CA store, which costs OpenSSL tens
/// of milliseconds, and a certificate renewal would pay it on the game's thread.
pub(crate) fn unverified_connector(tls12_only: bool) -> Result<native_tls::TlsConnector> {
    static ANY_VERSION: OnceLock<native_tls::TlsConnector> = OnceLock::new();
    static TLS12_ONLY: OnceLock<native_tls::TlsConnector> = OnceLock::new();
    let cell = if tls12_only {
        &TLS12_ONLY
    } else {
        &ANY_VERSION
    };
    if let Some(connector) = cell.get() {
        return Ok(connector.clone());
    }
    let mut builder = native_tls::TlsConnector::builder();
    builder
        .danger_accept_invalid_certs(true)
        .danger_accept_invalid_hostnames(true)
        .disable_built_in_roots(true);
    if tls12_only {
        builder
            .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
            .max_protocol_version(Some(native_tls::Protocol::Tlsv12));
    }
    let connector = builder
        .build()
        .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS set-up failed: {e}")))?;
    Ok(cell.get_or_init(|| connector).clone())
}

fn leaf_serial_is_minimal(chain_pem: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(chain_pem) else {
        return true;
    };
    match crate::core::pem::blocks(text)
        .first()
        .map(|b| b.der("tls_certificate"))
    {
        Some(Ok(der)) => super::der::serial_is_minimal(&der),
        _ => true,
    }
}

/// The chain as PEM with each certificate once: a bundle pasted together by
/// hand may repeat one, and sending it twice would only confuse clients.
fn unique_certificates(chain_pem: &[u8]) -> Vec<u8> {
    let mut unique: Vec<Vec<u8>> = Vec::new();
    for cert in split_certificates(chain_pem) {
        if !unique.contains(&cert) {
            unique.push(cert);
        }
    }
    unique.join(&b"\n"[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_certificates_are_sent_once() {
        let one = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        let other = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";
        let bundle = format!("{one}{other}{one}");
        let expected = format!("{}\n{}", one.trim_end(), other.trim_end());
        assert_eq!(unique_certificates(bundle.as_bytes()), expected.as_bytes());
    }
}
