//! A server's TLS key and certificate as the user gave them (Godot objects or
//! PEM file paths), turned into the PEM the core builds a `wss://` acceptor
//! from, with the whole certificate chain however it was loaded.
//!
//! Godot's `X509Certificate` keeps every certificate of a loaded
//! `fullchain.pem`, but both of its exports write the first one again for
//! each entry (and `save_to_string()` logs a Unicode error per entry for the
//! NUL it copies along), so the chain is not read from them: Godot's own TLS
//! server is handed the key and certificate over an in-memory stream, and the
//! certificates it sends are taken from its answer (see `core::chain_probe`).

use godot::classes::{
    CryptoKey, FileAccess, StreamPeerBuffer, StreamPeerTls, TlsOptions, X509Certificate,
};
use godot::prelude::*;

use crate::core::{chain_probe, pem, pkcs8, tls, Error, ErrorKind, Result};

/// One half of a TLS identity as set: an object, or the path of a PEM file.
enum Source<T: GodotClass> {
    Object(Gd<T>),
    Path(GString),
}

/// Checks that `value` can be `property`: null, a `T`, or a path String.
pub fn check_value<T>(value: &Variant, property: &str) -> Result<()>
where
    T: GodotClass + Inherits<godot::classes::Object>,
{
    source::<T>(value, property).map(|_| ())
}

fn source<T>(value: &Variant, property: &str) -> Result<Option<Source<T>>>
where
    T: GodotClass + Inherits<godot::classes::Object>,
{
    if value.is_nil() {
        return Ok(None);
    }
    if let Ok(object) = value.try_to::<Gd<T>>() {
        return Ok(Some(Source::Object(object)));
    }
    if let Ok(path) = value.try_to::<GString>() {
        if path.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Source::Path(path)));
    }
    let class = T::class_id().to_string();
    // "an X509Certificate", "a CryptoKey".
    let article = if class.starts_with(['A', 'E', 'I', 'O', 'U', 'X']) {
        "an"
    } else {
        "a"
    };
    Err(Error::invalid(format!(
        "{property} must be {article} {class} or the path of a PEM file"
    )))
}

/// The acceptor for a server's `private_key` and `tls_certificate` settings,
/// `None` when both are unset (the server speaks `ws://`).
pub fn acceptor(key: &Variant, cert: &Variant) -> Result<Option<native_tls::TlsAcceptor>> {
    let key = source::<CryptoKey>(key, "private_key")?;
    let cert = source::<X509Certificate>(cert, "tls_certificate")?;
    match (key, cert) {
        (Some(key), Some(cert)) => build(&key, &cert).map(Some),
        (None, None) => Ok(None),
        _ => Err(Error::invalid(
            "set both private_key and tls_certificate for wss://, or neither",
        )),
    }
}

/// The acceptor for `TLSOptions.server(key, certificate)`, for a server
/// configured through Godot's `TLSOptions`.
pub fn acceptor_for_options(options: &Gd<TlsOptions>) -> Result<native_tls::TlsAcceptor> {
    if !options.is_server() {
        return Err(Error::invalid(
            "TLS options for a server must come from TLSOptions.server(key, certificate)",
        ));
    }
    match (options.get_private_key(), options.get_own_certificate()) {
        (Some(key), Some(cert)) => build(&Source::Object(key), &Source::Object(cert)),
        _ => Err(Error::invalid(
            "TLSOptions.server() needs both a key and a certificate",
        )),
    }
}

fn build(
    key: &Source<CryptoKey>,
    cert: &Source<X509Certificate>,
) -> Result<native_tls::TlsAcceptor> {
    // Converting first refuses an unusable key with a reason of its own.
    let key_pem = pkcs8::pkcs8_pem(&match key {
        Source::Object(key) => private_key_pem(key)?,
        Source::Path(path) => read_file(path, "private_key")?,
    })?;
    let chain_pem = match cert {
        Source::Path(path) => read_file(path, "tls_certificate")?,
        Source::Object(cert) => {
            let key = match key {
                Source::Object(key) => key.clone(),
                Source::Path(_) => crypto_key(&key_pem)?,
            };
            served_chain(cert, &key)?
        }
    };
    tls::acceptor(&key_pem, &chain_pem)
}

/// The PEM text of a private key, as Godot writes it (PKCS#1 for RSA, SEC1 for ECDSA).
pub fn private_key_pem(key: &Gd<CryptoKey>) -> Result<Vec<u8>> {
    if key.is_public_only() {
        return Err(Error::new(
            ErrorKind::Tls,
            "private_key holds only a public key (loaded with public_only = true)",
        ));
    }
    let pem = key.clone().save_to_string().to_string();
    if pem.is_empty() {
        return Err(Error::new(
            ErrorKind::Tls,
            "private_key is empty (no key was loaded into it)",
        ));
    }
    Ok(pem.into_bytes())
}

/// The certificates Godot's TLS server sends for `cert`, leaf first, as PEM.
pub fn served_chain(cert: &Gd<X509Certificate>, key: &Gd<CryptoKey>) -> Result<Vec<u8>> {
    let unreadable = |e: Error| {
        Error::new(
            ErrorKind::Tls,
            format!(
                "tls_certificate: could not read its certificates: {}",
                e.reason()
            ),
        )
    };
    let hello = chain_probe::client_hello()?;
    let options = TlsOptions::server(key, cert)
        .ok_or_else(|| unreadable(Error::new(ErrorKind::Tls, "TLSOptions.server() failed")))?;
    let mut stream = StreamPeerBuffer::new_gd();
    stream.set_data_array(&PackedByteArray::from(hello.as_slice()));
    let mut server = StreamPeerTls::new_gd();
    // The handshake stops, waiting for the client's next flight, once the
    // server has written its certificates after the hello it read.
    server.accept_stream(&stream, &options);
    let reply = stream.get_data_array();
    // Also unlocks the key and certificate, which Godot locks while a TLS stream uses them.
    server.disconnect_from_stream();
    let reply = reply.as_slice().get(hello.len()..).unwrap_or_default();
    let certificates = chain_probe::served_certificates(reply).map_err(unreadable)?;
    Ok(pem::certificates(&certificates))
}

/// A Godot key from PEM, for Godot's TLS server.
fn crypto_key(pem: &[u8]) -> Result<Gd<CryptoKey>> {
    let mut key = CryptoKey::new_gd();
    let text = GString::from(String::from_utf8_lossy(pem).as_ref());
    if key.load_from_string(&text) != godot::global::Error::OK {
        return Err(Error::new(
            ErrorKind::Tls,
            "private_key: Godot could not read the key",
        ));
    }
    Ok(key)
}

fn read_file(path: &GString, property: &str) -> Result<Vec<u8>> {
    if !FileAccess::file_exists(path) {
        return Err(Error::invalid(format!("{property}: no file at \"{path}\"")));
    }
    let bytes = FileAccess::get_file_as_bytes(path).to_vec();
    if bytes.is_empty() {
        return Err(Error::invalid(format!(
            "{property}: \"{path}\" could not be read or is empty"
        )));
    }
    Ok(bytes)
}
