//! Godot's `TLSOptions` mapped onto the core's client and server TLS settings.

use godot::classes::TlsOptions;
use godot::prelude::*;

use crate::core::{Config, Error, Result};
use crate::godot::convert;

/// Applies client `options` (`TLSOptions.client()` / `client_unsafe()`) to `config`.
pub fn apply_client(options: &Gd<TlsOptions>, config: &mut Config) -> Result<()> {
    if options.is_server() {
        return Err(Error::invalid(
            "create_client needs client TLSOptions (TLSOptions.client() or client_unsafe()), \
             not TLSOptions.server()",
        ));
    }
    config.verify_tls = !options.is_unsafe_client();
    if let Some(chain) = options.get_trusted_ca_chain() {
        config.trusted_certificates = vec![convert::certificate_pem(&chain)];
    }
    config.tls_server_name = options.get_common_name_override().to_string();
    Ok(())
}

/// The TLS acceptor for server `options` (`TLSOptions.server(key, certificate)`):
/// the whole chain however the certificate was loaded, RSA or ECDSA keys.
pub fn server_acceptor(options: &Gd<TlsOptions>) -> Result<native_tls::TlsAcceptor> {
    if !options.is_server() {
        return Err(Error::invalid(
            "create_server needs TLSOptions.server(key, certificate), not client options",
        ));
    }
    crate::godot::tls_identity::acceptor_for_options(options)
}

/// An optional `TLSOptions` argument. `#[opt(default)]` takes only immutable
/// types; this one is, for its only default: null.
#[derive(Clone, Debug)]
pub struct TlsArg(pub Option<Gd<TlsOptions>>);

impl godot::meta::GodotConvert for TlsArg {
    type Via = Option<Gd<TlsOptions>>;

    fn godot_shape() -> godot::meta::shape::GodotShape {
        <Option<Gd<TlsOptions>> as godot::meta::GodotConvert>::godot_shape()
    }
}

impl godot::meta::ToGodot for TlsArg {
    type Pass = godot::meta::conv::ByValue;

    fn to_godot(&self) -> Self::Via {
        self.0.clone()
    }
}

impl godot::meta::FromGodot for TlsArg {
    fn try_from_godot(
        via: Self::Via,
    ) -> std::result::Result<Self, godot::meta::error::ConvertError> {
        Ok(Self(via))
    }
}

// SAFETY: the only value used as a default is `TlsArg(None)`, which holds no
// object, so no caller can mutate a shared default.
unsafe impl godot::meta::GodotImmutable for TlsArg {}
