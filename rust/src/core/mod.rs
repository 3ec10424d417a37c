//! The WebSocket engine, free of any Godot type: connection state machines over
//! tungstenite on non-blocking sockets, the server's listener, limits and errors.
//! Everything here is driven by `poll` calls and never waits on the network.

pub mod budget;
pub mod budgeted_queue;
pub mod chain_probe;
pub mod close;
pub mod config;
pub mod connection;
pub mod connector;
pub(crate) mod der;
pub mod error;
pub mod event;
pub mod framing;
pub(crate) mod handshake;
pub mod inbox;
pub mod input_signal;
pub(crate) mod listener;
pub(crate) mod memory_pipe;
pub mod multiplayer;
pub mod peer;
pub mod pem;
pub mod pkcs8;
pub mod proxy;
pub mod readiness;
pub(crate) mod request;
pub mod server;
pub mod tls;
pub mod transport;
pub mod url;

pub use budget::Budget;
pub use close::CloseStatus;
pub use config::Config;
pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use inbox::Packet;
pub use peer::{Peer, ReadyState};
pub use server::{Accepted, OverBudget, Rejection, Server, ServerConfig};
