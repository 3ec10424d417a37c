//! The little DER (X.690) the TLS set-up needs: writing and reading one
//! tag-length-value element, and one check of a certificate.

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const NULL: u8 = 0x05;
/// `[0]` and `[1]`: a certificate's version, the optional fields of a SEC1 `ECPrivateKey`.
pub(crate) const CONTEXT_0: u8 = 0xa0;
pub(crate) const CONTEXT_1: u8 = 0xa1;

/// One DER element: tag, length, value.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    push_len(&mut out, value.len());
    out.extend_from_slice(value);
    out
}

pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Splits the first DER element off `der`: `(tag, value, rest)`; `None` when
/// it is truncated or its length is not in DER's definite form.
pub(crate) fn read_tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| acc << 8 | *b as usize);
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// Whether the serial number of the DER certificate `cert` is a minimal DER
/// INTEGER. Godot's `Crypto.generate_self_signed_certificate()` writes 20
/// random bytes as they come, so one certificate in a few hundred starts with a
/// redundant 0x00 or 0xff byte, which OpenSSL refuses to read.
pub(crate) fn serial_is_minimal(cert: &[u8]) -> bool {
    let serial = read_tlv(cert)
        .and_then(|(_, certificate, _)| read_tlv(certificate))
        .and_then(|(_, tbs, _)| match read_tlv(tbs)? {
            (CONTEXT_0, _, rest) => read_tlv(rest),
            first => Some(first),
        });
    match serial {
        Some((INTEGER, [0x00, next, ..], _)) => *next >= 0x80,
        Some((INTEGER, [0xff, next, ..], _)) => *next < 0x80,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        let mut v = Vec::new();
        push_len(&mut v, 5);
        push_len(&mut v, 200);
        push_len(&mut v, 1200);
        assert_eq!(v, [5, 0x81, 200, 0x82, 0x04, 0xb0]);
        let long = tlv(OCTET_STRING, &[7; 300]);
        let (tag, value, rest) = read_tlv(&long).unwrap();
        assert_eq!((tag, value.len(), rest.len()), (OCTET_STRING, 300, 0));
        assert!(read_tlv(&long[..long.len() - 1]).is_none(), "truncated");
        assert!(read_tlv(&[SEQUENCE, 0x80]).is_none(), "indefinite length");
    }

    fn certificate(serial: &[u8]) -> Vec<u8> {
        let version = tlv(CONTEXT_0, &tlv(INTEGER, &[2]));
        let tbs = tlv(
            SEQUENCE,
            &[version, tlv(INTEGER, serial), tlv(SEQUENCE, &[])].concat(),
        );
        tlv(SEQUENCE, &[tbs, tlv(SEQUENCE, &[])].concat())
    }

    #[test]
    fn finds_redundant_serial_bytes() {
        assert!(serial_is_minimal(&certificate(&[0x00, 0x80, 1])));
        assert!(serial_is_minimal(&certificate(&[0x7f, 0x00])));
        assert!(serial_is_minimal(&certificate(&[0x00])));
        assert!(!serial_is_minimal(&certificate(&[0x00, 0x12, 1])));
        assert!(!serial_is_minimal(&certificate(&[0xff, 0x80, 1])));
        // A version 1 certificate has no [0] field before its serial.
        let v1 = tlv(SEQUENCE, &tlv(SEQUENCE, &tlv(INTEGER, &[0, 1])));
        assert!(!serial_is_minimal(&v1));
        assert!(
            serial_is_minimal(b"not DER"),
            "only a readable serial is judged"
        );
    }
}
