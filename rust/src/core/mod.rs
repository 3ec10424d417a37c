//! The WebSocket engine, free of any Godot type: connection state machines over
//! tungstenite on non-blocking sockets, the server's listener, limits and errors.
//! Everything here is driven by `poll` calls and never waits on the network.

pub mod close;
pub mod config;
pub mod connection;
pub mod connector;
pub mod error;
pub mod event;
pub mod framing;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub(crate) mod handshake;
pub mod inbox;
pub mod input_signal;
pub mod peer;
pub mod proxy;
pub mod readiness;
pub mod server;
pub mod tls;
pub mod transport;
pub mod url;

pub use close::CloseStatus;
pub use config::Config;
pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use inbox::Packet;
pub use peer::{Peer, ReadyState};
pub use server::{Accepted, Server, ServerConfig};
