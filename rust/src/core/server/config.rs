//! What a [`Server`](super::Server) is told when it starts listening.

use std::time::Duration;

use crate::core::budget::DEFAULT_INBOUND_BUDGET;
use crate::core::config::Config;

/// Default of [`ServerConfig::max_peers`].
pub const DEFAULT_MAX_PEERS: usize = 4096;
/// Default of [`ServerConfig::max_pending_handshakes`].
pub const DEFAULT_MAX_PENDING_HANDSHAKES: usize = 256;
/// Default of [`ServerConfig::message_timeout`].
pub const DEFAULT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Server options. The defaults protect a public server (see each limit).
#[derive(Clone)]
pub struct ServerConfig {
    /// Subprotocols offered; a client asking only for others is refused.
    pub protocols: Vec<String>,
    /// Extra headers for the upgrade response, as `Name: value`.
    pub extra_headers: Vec<String>,
    /// TLS identity for `wss://`.
    pub tls: Option<native_tls::TlsAcceptor>,
    /// Options given to every accepted peer.
    pub peer: Config,
    /// Most inbound bytes all peers together may hold (messages being
    /// received plus received ones not yet taken); 0: no limit. See [`budget`](crate::core::budget).
    pub inbound_budget: usize,
    /// Most connected clients; more are answered HTTP 503. 0: no limit.
    pub max_peers: usize,
    /// Most handshakes in progress at once; more are answered HTTP 503. 0: no limit.
    pub max_pending_handshakes: usize,
    /// Given to every accepted peer as [`Config::message_timeout`].
    pub message_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            protocols: Vec::new(),
            extra_headers: Vec::new(),
            tls: None,
            peer: Config::default(),
            inbound_budget: DEFAULT_INBOUND_BUDGET,
            max_peers: DEFAULT_MAX_PEERS,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT,
        }
    }
}
