//! Private keys as PKCS#8, the one form native-tls reads on every platform
//! (`Identity::from_pkcs8`). Godot's `CryptoKey` writes RSA keys as PKCS#1
//! (`RSA PRIVATE KEY`) and ECDSA keys as SEC1 (`EC PRIVATE KEY`), as OpenSSL's
//! traditional format and most ACME clients do; both are wrapped here into a
//! PKCS#8 `PrivateKeyInfo` (RFC 5208) with a few lines of DER rather than
//! through a TLS library, so the same code serves OpenSSL and Windows' schannel.

use super::der::{read_tlv, tlv, CONTEXT_0, CONTEXT_1, INTEGER, NULL, OCTET_STRING, OID, SEQUENCE};
use super::error::{Error, ErrorKind, Result};
use super::pem;

/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// 1.2.840.10045.2.1, id-ecPublicKey.
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

fn tls_error(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::Tls, reason)
}

/// The first private key of `key_pem` as PKCS#8 PEM. Takes `PRIVATE KEY`
/// (PKCS#8, passed through), `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY`
/// (SEC1, with its named curve); other blocks before it, such as
/// `EC PARAMETERS`, are skipped. Encrypted keys are refused with a hint.
pub fn pkcs8_pem(key_pem: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(key_pem)
        .map_err(|_| tls_error("private_key is not PEM text (is it a DER file?)"))?;
    let blocks = pem::blocks(text);
    let Some(key) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) else {
        let found = match blocks.first() {
            Some(b) => format!("a PEM \"{}\" block", b.label),
            None => "no PEM block".to_string(),
        };
        return Err(tls_error(format!(
            "private_key must be a PEM private key (PKCS#8 \"PRIVATE KEY\", RSA \"RSA PRIVATE KEY\" \
             or ECDSA \"EC PRIVATE KEY\"); found {found}"
        )));
    };
    if key.label == "ENCRYPTED PRIVATE KEY" || key.has_headers() {
        return Err(tls_error(
            "private_key is encrypted with a passphrase; store it decrypted \
             (openssl pkey -in key.pem -out plain.pem)",
        ));
    }
    let der = key.der("private_key")?;
    let pkcs8 = match key.label {
        "PRIVATE KEY" => der,
        "RSA PRIVATE KEY" => from_pkcs1(&der)?,
        "EC PRIVATE KEY" => from_sec1(&der)?,
        other => {
            return Err(tls_error(format!(
                "private_key: a \"{other}\" key is not supported; use an RSA or ECDSA key"
            )))
        }
    };
    Ok(pem::encode("PRIVATE KEY", &pkcs8).into_bytes())
}

/// Whether `pkcs8_pem` (as [`pkcs8_pem`] returns it) holds an ECDSA key.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn is_ecdsa(pkcs8_pem: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(pkcs8_pem) else {
        return false;
    };
    let Some(Ok(der)) = pem::blocks(text).first().map(|b| b.der("private_key")) else {
        return false;
    };
    // PrivateKeyInfo: version, then AlgorithmIdentifier { OID, parameters }.
    let algorithm = read_tlv(&der)
        .and_then(|(_, info, _)| read_tlv(info))
        .and_then(|(_, _, rest)| read_tlv(rest))
        .and_then(|(_, algorithm, _)| read_tlv(algorithm));
    matches!(algorithm, Some((OID, oid, _)) if oid == EC_PUBLIC_KEY)
}

/// PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier rsaEncryption NULL, OCTET STRING RSAPrivateKey }
fn from_pkcs1(der: &[u8]) -> Result<Vec<u8>> {
    let (tag, _, rest) = read_tlv(der).ok_or_else(|| tls_error("private_key: corrupt RSA key"))?;
    if tag != SEQUENCE || !rest.is_empty() {
        return Err(tls_error("private_key: corrupt RSA key"));
    }
    let algorithm = tlv(
        SEQUENCE,
        &[tlv(OID, RSA_ENCRYPTION), tlv(NULL, &[])].concat(),
    );
    Ok(private_key_info(&algorithm, der))
}

/// ECPrivateKey ::= SEQUENCE { version 1, OCTET STRING privateKey,
/// [0] ECParameters OPTIONAL, [1] BIT STRING publicKey OPTIONAL } (RFC 5915).
/// PKCS#8 moves the curve into the AlgorithmIdentifier and, as OpenSSL writes
/// it, leaves `[0]` out of the inner key.
fn from_sec1(der: &[u8]) -> Result<Vec<u8>> {
    let corrupt = || tls_error("private_key: corrupt EC key");
    let (tag, fields, rest) = read_tlv(der).ok_or_else(corrupt)?;
    if tag != SEQUENCE || !rest.is_empty() {
        return Err(corrupt());
    }
    let mut curve: Option<&[u8]> = None;
    let mut inner = Vec::new();
    let mut at = fields;
    while !at.is_empty() {
        let (tag, value, rest) = read_tlv(at).ok_or_else(corrupt)?;
        let whole = &at[..at.len() - rest.len()];
        match tag {
            CONTEXT_0 => match read_tlv(value) {
                Some((OID, oid, [])) => curve = Some(oid),
                _ => {
                    return Err(tls_error(
                        "private_key: the EC key has explicit curve parameters; \
                         use a named curve such as P-256 (openssl ec -param_enc named_curve)",
                    ))
                }
            },
            INTEGER | OCTET_STRING | CONTEXT_1 => inner.extend_from_slice(whole),
            _ => return Err(corrupt()),
        }
        at = rest;
    }
    let curve = curve.ok_or_else(|| {
        tls_error("private_key: the EC key does not name its curve; convert it with openssl pkcs8 -topk8 -nocrypt")
    })?;
    let algorithm = tlv(
        SEQUENCE,
        &[tlv(OID, EC_PUBLIC_KEY), tlv(OID, curve)].concat(),
    );
    Ok(private_key_info(&algorithm, &tlv(SEQUENCE, &inner)))
}

fn private_key_info(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let version = tlv(INTEGER, &[0]);
    tlv(
        SEQUENCE,
        &[version, algorithm.to_vec(), tlv(OCTET_STRING, key)].concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_of(label: &str, der: &[u8]) -> Vec<u8> {
        pem::encode(label, der).into_bytes()
    }

    fn der_of(pkcs8_pem: &[u8]) -> Vec<u8> {
        let text = std::str::from_utf8(pkcs8_pem).unwrap();
        let blocks = pem::blocks(text);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "PRIVATE KEY");
        blocks[0].der("test").unwrap()
    }

    #[test]
    fn wraps_pkcs1_with_the_rsa_algorithm() {
        let pkcs1 = tlv(
            SEQUENCE,
            &[tlv(INTEGER, &[0]), tlv(INTEGER, &[0x55; 130])].concat(),
        );
        let out = der_of(&pkcs8_pem(&pem_of("RSA PRIVATE KEY", &pkcs1)).unwrap());
        let (_, info, _) = read_tlv(&out).unwrap();
        let (_, version, rest) = read_tlv(info).unwrap();
        assert_eq!(version, [0]);
        let (_, algorithm, rest) = read_tlv(rest).unwrap();
        assert_eq!(read_tlv(algorithm).unwrap().1, RSA_ENCRYPTION);
        let (tag, key, rest) = read_tlv(rest).unwrap();
        assert_eq!((tag, key, rest), (OCTET_STRING, &pkcs1[..], &[][..]));
    }

    /// A SEC1 key with the P-256 curve and a public key: PKCS#8 carries the
    /// curve in the algorithm and keeps version, private and public key.
    #[test]
    fn moves_the_sec1_curve_into_the_algorithm() {
        let p256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let version = tlv(INTEGER, &[1]);
        let private = tlv(OCTET_STRING, &[0x11; 32]);
        let public = tlv(CONTEXT_1, &tlv(0x03, &[0x22; 66]));
        let sec1 = tlv(
            SEQUENCE,
            &[
                version.clone(),
                private.clone(),
                tlv(CONTEXT_0, &tlv(OID, p256)),
                public.clone(),
            ]
            .concat(),
        );
        let out = der_of(&pkcs8_pem(&pem_of("EC PRIVATE KEY", &sec1)).unwrap());
        let algorithm = tlv(
            SEQUENCE,
            &[tlv(OID, EC_PUBLIC_KEY), tlv(OID, p256)].concat(),
        );
        let inner = tlv(SEQUENCE, &[version, private, public].concat());
        assert_eq!(out, private_key_info(&algorithm, &inner));
    }

    #[test]
    fn tells_ecdsa_keys_from_rsa_keys() {
        let p256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let sec1 = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[1]),
                tlv(OCTET_STRING, &[1; 32]),
                tlv(CONTEXT_0, &tlv(OID, p256)),
            ]
            .concat(),
        );
        let rsa = tlv(
            SEQUENCE,
            &[tlv(INTEGER, &[0]), tlv(INTEGER, &[0x55; 130])].concat(),
        );
        assert!(is_ecdsa(
            &pkcs8_pem(&pem_of("EC PRIVATE KEY", &sec1)).unwrap()
        ));
        assert!(!is_ecdsa(
            &pkcs8_pem(&pem_of("RSA PRIVATE KEY", &rsa)).unwrap()
        ));
        assert!(!is_ecdsa(b"not pem"));
    }

    #[test]
    fn passes_pkcs8_through_and_skips_ec_parameters() {
        let info = private_key_info(&tlv(SEQUENCE, &tlv(OID, EC_PUBLIC_KEY)), &[1, 2, 3]);
        let text = format!(
            "{}{}",
            pem::encode("EC PARAMETERS", &tlv(OID, &[1])),
            pem::encode("PRIVATE KEY", &info)
        );
        assert_eq!(der_of(&pkcs8_pem(text.as_bytes()).unwrap()), info);
    }

    #[test]
    fn refuses_what_it_cannot_use_with_a_reason() {
        let reason = |input: &[u8]| pkcs8_pem(input).unwrap_err().reason().to_string();
        let no_curve = tlv(
            SEQUENCE,
            &[tlv(INTEGER, &[1]), tlv(OCTET_STRING, &[1; 32])].concat(),
        );
        assert!(reason(&pem_of("EC PRIVATE KEY", &no_curve)).contains("does not name its curve"));
        let explicit = tlv(
            SEQUENCE,
            &[
                tlv(INTEGER, &[1]),
                tlv(OCTET_STRING, &[1; 32]),
                tlv(CONTEXT_0, &tlv(SEQUENCE, &[])),
            ]
            .concat(),
        );
        assert!(reason(&pem_of("EC PRIVATE KEY", &explicit)).contains("named curve"));
        assert!(reason(&pem_of("EC PRIVATE KEY", &[SEQUENCE, 9, 1])).contains("corrupt EC key"));
        assert!(reason(&pem_of("RSA PRIVATE KEY", &[INTEGER, 1, 0])).contains("corrupt RSA key"));
        assert!(reason(&pem_of("ENCRYPTED PRIVATE KEY", &[1])).contains("passphrase"));
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(reason(legacy.as_bytes()).contains("passphrase"));
        assert!(reason(&pem_of("CERTIFICATE", &[1])).contains("found a PEM \"CERTIFICATE\" block"));
        assert!(reason(&pem_of("DSA PRIVATE KEY", &[1])).contains("not supported"));
        assert!(reason(b"\x30\x82\x01\xff").contains("DER"));
        assert!(reason(b"").contains("no PEM block"));
    }
}
