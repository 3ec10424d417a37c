//! Conversions between Godot values and what the core takes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use godot::classes::{DirAccess, FileAccess, X509Certificate};
use godot::prelude::*;

/// A `PackedStringArray` as Rust strings.
pub fn strings(array: &PackedStringArray) -> Vec<String> {
    array.as_slice().iter().map(|s| s.to_string()).collect()
}

/// Rust strings as a `PackedStringArray`.
pub fn packed_strings<'a>(items: impl IntoIterator<Item = &'a String>) -> PackedStringArray {
    items.into_iter().map(GString::from).collect()
}

/// The PEM text of a trusted certificate for a client. A certificate loaded
/// as a resource is read from its file, which holds every certificate of a
/// bundle; otherwise it is written with `save()` to a scratch file and read
/// back. Godot's exports repeat the first certificate for each one the object
/// holds, so only that one is kept; `save_to_string()` is avoided because it
/// logs a Unicode error for each certificate (it copies the NUL terminator).
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
    static SCRATCH: AtomicU32 = AtomicU32::new(0);
    let scratch = GString::from(&format!(
        "user://.websocket_peer_{}_{}.crt",
        std::process::id(),
        SCRATCH.fetch_add(1, Ordering::Relaxed)
    ));
    if cert.clone().save(&scratch) != godot::global::Error::OK {
        return Vec::new();
    }
    let bytes = FileAccess::get_file_as_bytes(&scratch).to_vec();
    DirAccess::remove_absolute(&scratch);
    crate::core::pem::split_certificates(&bytes)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Seconds from the inspector as a `Duration`; negative and NaN count as zero.
pub fn seconds(value: f64) -> std::time::Duration {
    if value.is_finite() && value > 0.0 {
        std::time::Duration::from_secs_f64(value.min(1e9))
    } else {
        std::time::Duration::ZERO
    }
}

/// The IP address of a remote side as GDScript shows it, or empty.
pub fn host(remote: Option<SocketAddr>) -> GString {
    remote.map_or_else(GString::new, |a| GString::from(&a.ip().to_string()))
}

/// The port of a remote side, or 0.
pub fn port(remote: Option<SocketAddr>) -> i64 {
    remote.map_or(0, |a| a.port() as i64)
}

/// A size property from GDScript, clamped to what the platform can hold.
pub fn size(value: i64) -> usize {
    usize::try_from(value.max(0)).unwrap_or(usize::MAX)
}

/// A core setting as a Godot property holds it: a `Duration` as seconds, a
/// size as an `int`, text as a `String`.
pub trait Property {
    /// The property's type in Godot.
    type Godot;
    /// The setting as the property shows it.
    fn to_property(&self) -> Self::Godot;
    /// The setting a value from GDScript stands for.
    fn from_property(value: Self::Godot) -> Self;
}

impl Property for std::time::Duration {
    type Godot = f64;
    fn to_property(&self) -> f64 {
        self.as_secs_f64()
    }
    fn from_property(value: f64) -> Self {
        seconds(value)
    }
}

impl Property for usize {
    type Godot = i64;
    fn to_property(&self) -> i64 {
        *self as i64
    }
    fn from_property(value: i64) -> Self {
        size(value)
    }
}

impl Property for bool {
    type Godot = bool;
    fn to_property(&self) -> bool {
        *self
    }
    fn from_property(value: bool) -> Self {
        value
    }
}

impl Property for String {
    type Godot = GString;
    fn to_property(&self) -> GString {
        self.as_str().into()
    }
    fn from_property(value: GString) -> Self {
        value.to_string()
    }
}
