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
    let identity = native_tls::Identity::from_pkcs8(chain_pem, &key).map_err(|e| {
        Error::new(
            ErrorKind::Tls,
            format!("private_key and tls_certificate do not form a usable identity: {e}"),
        )
    })?;
    native_tls::TlsAcceptor::new(identity)
        .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS server set-up failed: {e}")))
}

/// Splits a PEM bundle into single certificates; non-PEM input comes back whole.
fn split_pem_certificates(data: &[u8]) -> Vec<Vec<u8>> {
    const END: &str = "-----END CERTIFICATE-----";
    let Ok(text) = std::str::from_utf8(data) else {
        return vec![data.to_vec()];
    };
    if !text.contains(END) {
        return vec![data.to_vec()];
    }
    text.split_inclusive(END)
        .filter(|part| part.contains("-----BEGIN CERTIFICATE-----"))
        .map(|part| part.trim_start().as_bytes().to_vec())
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
    }

    #[test]
    fn rejects_non_rsa_keys() {
        assert!(
            pkcs8_pem(b"-----BEGIN EC PRIVATE KEY-----\nAA\n-----END EC PRIVATE KEY-----").is_err()
        );
    }
}
