//! What the two server classes (`RustWebSocketServer` and
//! `RustWebSocketMultiplayerPeer`) share: the limit properties a public server
//! puts on its clients, and the methods that read a peer's address by id.
//!
//! gdext registers properties only from a class's own fields and cannot
//! flatten a nested struct into them, so `with_server_limits!` adds the limit
//! fields to the class it is given, each after the doc comment that class
//! gives it. Methods can come from a macro only as a whole
//! `#[godot_api(secondary)]` block, which `peer_address_api!` writes.

/// The class struct given, with the `#[var]` fields `inbound_budget`,
/// `message_timeout`, `max_peers` and `max_pending_handshakes` added after its
/// own, and `fn limits_config(&self) -> ServerConfig`: the core's defaults
/// with these four limits as the properties hold them.
//
// Doc lines are matched as `tt`: see `godot_api_with_accessors!`.
macro_rules! with_server_limits {
    (
        $(#[$($class_attr:tt)*])*
        pub struct $class:ident { $($fields:tt)* }
        limits {
            $(#[doc = $budget_doc:tt])* inbound_budget,
            $(#[doc = $timeout_doc:tt])* message_timeout,
            $(#[doc = $peers_doc:tt])* max_peers,
            $(#[doc = $pending_doc:tt])* max_pending_handshakes,
        }
    ) => {
        $crate::godot::server_common::with_server_limits! {
            @class [$(#[$($class_attr)*])*] $class [$($fields)*]
            [inbound_budget: i64, $($budget_doc)*]
            [message_timeout: f64, $($timeout_doc)*]
            [max_peers: i64, $($peers_doc)*]
            [max_pending_handshakes: i64, $($pending_doc)*]
        }
    };
    (
        @class [$($class_attrs:tt)*] $class:ident [$($fields:tt)*]
        $([$limit:ident: $ty:ty, $($doc:tt)*])*
    ) => {
        $($class_attrs)*
        pub struct $class {
            $($fields)*
            $(
                $(#[doc = $doc])*
                #[var]
                $limit: $ty,
            )*
        }

        impl $class {
            /// The core's server defaults with the four limits these
            /// properties hold; the caller sets the rest.
            fn limits_config(&self) -> $crate::core::ServerConfig {
                $crate::core::ServerConfig {
                    $($limit: $crate::godot::convert::Property::from_property(self.$limit),)*
                    ..Default::default()
                }
            }
        }
    };
}

/// A `#[godot_api(secondary)]` block for the class with `get_peer_address(id)`
/// and `get_peer_port(id)`, each after the doc comment given, reading the
/// class's `peer_remote(id, what)`.
//
// `GString` is left for the caller's `godot::prelude` to resolve: gdext writes
// a return type into the editor help as it is spelled.
macro_rules! peer_address_api {
    (
        impl $class:ident {
            $(#[doc = $address_doc:tt])* get_peer_address;
            $(#[doc = $port_doc:tt])* get_peer_port;
        }
    ) => {
        #[::godot::register::godot_api(secondary)]
        impl $class {
            $(#[doc = $address_doc])*
            #[func]
            fn get_peer_address(&mut self, id: i64) -> GString {
                $crate::godot::convert::host(self.peer_remote(id, "get_peer_address"))
            }

            $(#[doc = $port_doc])*
            #[func]
            fn get_peer_port(&mut self, id: i64) -> i64 {
                $crate::godot::convert::port(self.peer_remote(id, "get_peer_port"))
            }
        }
    };
}

pub(crate) use {peer_address_api, with_server_limits};
