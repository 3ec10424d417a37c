//! The TLS identity of a `wss://` server: storing `private_key` and
//! `tls_certificate` as set, and renewing a listening server's certificate
//! when a usable pair is set.

use godot::prelude::*;

use super::WebSocketServer;
use crate::core::Error;
use crate::godot::tls_identity;

/// Reads a TLS identity property as it was set (an object, a path or null).
macro_rules! identity_get {
    ($this:ident, $field:ident: $class:ty, $property:literal) => {
        $this.$field.clone()
    };
}

/// Stores a TLS identity property; a listening `wss://` server switches to
/// the new pair at once if it is usable.
macro_rules! identity_set {
    ($this:ident, $value:ident, $field:ident: $class:ty, $property:literal) => {
        $this.set_identity_part::<$class>($value, $property, |s, v| s.$field = v)
    };
}

pub(super) use {identity_get, identity_set};

impl WebSocketServer {
    /// Stores a new `private_key` or `tls_certificate` value; a listening
    /// `wss://` server switches to the pair at once if it is usable.
    pub(super) fn set_identity_part<T>(
        &mut self,
        value: Variant,
        property: &str,
        store: fn(&mut Self, Variant),
    ) where
        T: GodotClass + Inherits<godot::classes::Object>,
    {
        if let Err(e) = tls_identity::check_value::<T>(&value, property) {
            self.record(&format!("RustWebSocketServer.{property}"), Err(e));
            return;
        }
        store(self, value);
        let Some(server) = self.server.as_mut().filter(|s| s.is_tls()) else {
            return;
        };
        // A renewal sets the two one after the other, so a mismatch after the
        // first is expected; it is reported only if it outlives this frame.
        self.identity_error = match tls_identity::acceptor(&self.key, &self.cert) {
            Ok(Some(acceptor)) => server.replace_tls(acceptor).err(),
            Ok(None) => Some(Error::invalid(
                "private_key and tls_certificate were cleared; the server keeps its identity until it is stopped",
            )),
            Err(e) => Some(e),
        };
    }

    /// Reports, once, why the pair set on a listening server during the last
    /// frame could not replace its identity.
    pub(super) fn report_identity_error(&mut self) {
        if let Some(e) = self.identity_error.take() {
            let reason = format!(
                "the new private_key and tls_certificate were not applied \
                 (new connections still use the previous ones): {}",
                e.reason()
            );
            let e = Error::new(e.kind(), reason);
            self.record("RustWebSocketServer.tls_certificate", Err(e));
        }
    }
}
