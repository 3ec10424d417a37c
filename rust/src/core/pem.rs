//! PEM text as TLS files hold it: labelled base64 blocks, several to a file
//! (a `fullchain.pem`, a key file that starts with `EC PARAMETERS`).

use super::error::{Error, ErrorKind, Result};

const CERTIFICATE: &str = "CERTIFICATE";

/// One `-----BEGIN label-----` … `-----END label-----` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    /// The label, such as `CERTIFICATE` or `EC PRIVATE KEY`.
    pub label: &'a str,
    /// The lines between the markers, headers (`Proc-Type: …`) included.
    pub body: &'a str,
}

impl Block<'_> {
    /// Whether the block carries RFC 1421 headers, which OpenSSL writes only
    /// for a key encrypted with a passphrase.
    pub fn has_headers(&self) -> bool {
        self.body.lines().any(|line| line.contains(':'))
    }

    /// The decoded DER; `what` names the block in the error.
    pub fn der(&self, what: &str) -> Result<Vec<u8>> {
        let base64: String = self.body.split_whitespace().collect();
        data_encoding::BASE64
            .decode(base64.as_bytes())
            .map_err(|e| Error::new(ErrorKind::Tls, format!("{what}: corrupt PEM base64 ({e})")))
    }
}

/// The PEM blocks of `text` in order; text outside them is ignored.
pub fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("-----BEGIN ") {
        let after = &rest[at + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            break;
        };
        found.push(Block {
            label,
            body: &body_start[..body_end],
        });
        rest = &body_start[body_end + end_marker.len()..];
    }
    found
}

/// Each certificate of a PEM bundle as its own PEM text; input without
/// certificate blocks (DER, say) comes back whole.
pub fn split_certificates(data: &[u8]) -> Vec<Vec<u8>> {
    let Ok(text) = std::str::from_utf8(data) else {
        return vec![data.to_vec()];
    };
    let certs: Vec<Vec<u8>> = blocks(text)
        .into_iter()
        .filter(|b| b.label == CERTIFICATE)
        .map(|b| {
            format!(
                "-----BEGIN {CERTIFICATE}-----{}-----END {CERTIFICATE}-----",
                b.body
            )
            .into_bytes()
        })
        .collect();
    if certs.is_empty() {
        vec![data.to_vec()]
    } else {
        certs
    }
}

/// `der` as a PEM block with `label`, in 64-column lines.
pub fn encode(label: &str, der: &[u8]) -> String {
    let base64 = data_encoding::BASE64.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in base64.as_bytes().chunks(64) {
        // Base64 output is ASCII, so every chunk is a whole string.
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// DER certificates as one PEM bundle, in the given order.
pub fn certificates(ders: &[Vec<u8>]) -> Vec<u8> {
    ders.iter()
        .map(|der| encode(CERTIFICATE, der))
        .collect::<String>()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

    #[test]
    fn finds_blocks_among_other_text() {
        let text = format!(
            "subject=CN = x\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
             -----BEGIN EC PRIVATE KEY-----\nMHcC\nAQEE\n-----END EC PRIVATE KEY-----\n{ONE}"
        );
        let found = blocks(&text);
        let labels: Vec<&str> = found.iter().map(|b| b.label).collect();
        assert_eq!(labels, ["EC PARAMETERS", "EC PRIVATE KEY", "CERTIFICATE"]);
        assert_eq!(
            found[0].der("params").unwrap(),
            [6, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7]
        );
        assert!(!found[1].has_headers());
    }

    #[test]
    fn an_unterminated_block_is_not_a_block() {
        assert!(blocks("-----BEGIN CERTIFICATE-----\nAAAA\n").is_empty());
        assert!(blocks("-----BEGIN CERTIFICATE").is_empty());
    }

    #[test]
    fn encrypted_keys_show_their_headers() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----";
        assert!(blocks(text)[0].has_headers());
    }

    #[test]
    fn splits_bundles() {
        let two = format!("{ONE}{ONE}");
        assert_eq!(split_certificates(two.as_bytes()).len(), 2);
        assert_eq!(split_certificates(b"\x30\x82").len(), 1);
        // A stray character between certificates does not stick to either.
        let godot = format!("{ONE}\u{FFFD}{ONE}\u{FFFD}");
        let parts = split_certificates(godot.as_bytes());
        assert_eq!(parts, vec![ONE.trim_end().as_bytes().to_vec(); 2]);
    }

    #[test]
    fn encodes_in_64_columns() {
        let pem = encode("CERTIFICATE", &[0u8; 60]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].len(), 64);
        let back = blocks(&pem)[0].der("x").unwrap();
        assert_eq!(back, [0u8; 60]);
        let bundle = certificates(&[vec![1, 2, 3], vec![4, 5, 6]]);
        assert_eq!(split_certificates(&bundle).len(), 2);
    }
}
