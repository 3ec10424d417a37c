//! Conversions between Godot values and what the core takes.

use godot::classes::{CryptoKey, FileAccess, X509Certificate};
use godot::prelude::*;

/// A `PackedStringArray` as Rust strings.
pub fn strings(array: &PackedStringArray) -> Vec<String> {
    array.as_slice().iter().map(|s| s.to_string()).collect()
}

/// Rust strings as a `PackedStringArray`.
pub fn packed_strings<'a>(items: impl IntoIterator<Item = &'a String>) -> PackedStringArray {
    items.into_iter().map(GString::from).collect()
}

/// The PEM text of a certificate (chain). Godot's `save_to_string()` writes the
/// first certificate once per chain entry (its mbedTLS module encodes the head
/// of the list in the loop), losing intermediates; a certificate loaded as a
/// resource is therefore read from its PEM file, which holds the whole chain.
pub fn certificate_pem(cert: &Gd<X509Certificate>) -> Vec<u8> {
    let path = cert.get_path();
    if !path.is_empty() && FileAccess::file_exists(&path) {
        let bytes = FileAccess::get_file_as_bytes(&path).to_vec();
        if bytes
            .windows(27)
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            return bytes;
        }
    }
    cert.clone().save_to_string().to_string().into_bytes()
}

/// The PEM text of a private key.
pub fn private_key_pem(key: &Gd<CryptoKey>) -> Vec<u8> {
    key.clone().save_to_string().to_string().into_bytes()
}

/// Seconds from the inspector as a `Duration`; negative and NaN count as zero.
pub fn seconds(value: f64) -> std::time::Duration {
    if value.is_finite() && value > 0.0 {
        std::time::Duration::from_secs_f64(value.min(1e9))
    } else {
        std::time::Duration::ZERO
    }
}

/// A size property from GDScript, clamped to what the platform can hold.
pub fn size(value: i64) -> usize {
    usize::try_from(value.max(0)).unwrap_or(usize::MAX)
}
