//! Godot bindings: classes, signals, enums and type conversions. No protocol
//! logic lives here; it all sits in `crate::core`.

mod accessors;
mod convert;
mod editor_docs;
pub mod enums;
mod errors;
mod lifetime;
pub mod multiplayer;
mod panic_guard;
pub mod peer;
mod raw_buffers;
pub mod server;
mod server_common;
pub mod tls_identity;
