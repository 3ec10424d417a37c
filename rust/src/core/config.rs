//! Limits and options shared by client peers and servers.

use std::time::Duration;

/// Default for [`Config::max_message_size`]: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 << 20;
/// Default for [`Config::outbound_buffer_limit`]: 64 MiB.
pub const DEFAULT_OUTBOUND_BUFFER_LIMIT: usize = 64 << 20;
/// Default for [`Config::inbound_buffer_limit`]: 64 MiB.
pub const DEFAULT_INBOUND_BUFFER_LIMIT: usize = 64 << 20;
/// Default for [`Config::handshake_timeout`].
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);

/// Options of one connection. Cheap to clone; each peer keeps its own copy.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest incoming message; a bigger one closes the connection with 1009.
    pub max_message_size: usize,
    /// Most bytes that may wait to be written to the socket; a send beyond it fails.
    pub outbound_buffer_limit: usize,
    /// Received bytes kept unread before the socket stops being read (TCP backpressure).
    pub inbound_buffer_limit: usize,
    /// Time allowed for DNS, TCP, TLS and the HTTP upgrade together, and for a close handshake.
    pub handshake_timeout: Duration,
    /// Server side: longest time from the first byte of a message to its last;
    /// a client trickling one in more slowly is closed with 1008. Zero disables.
    pub message_timeout: Duration,
    /// Idle time after which a ping is sent; a peer silent for twice this is closed. Zero disables.
    pub heartbeat_interval: Duration,
    /// Disables Nagle's algorithm on the socket.
    pub no_delay: bool,
    /// Client: verify the server's certificate and host name.
    pub verify_tls: bool,
    /// Client: extra trusted root certificates, PEM or DER encoded.
    pub trusted_certificates: Vec<Vec<u8>>,
    /// Client: `http://[user:pass@]host:port` of an HTTP CONNECT proxy, or empty.
    pub proxy_url: String,
    /// Client: the name the server's certificate must carry, when it is not the
    /// URL's host (Godot's `TLSOptions` common name override). Empty: the host.
    pub tls_server_name: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            outbound_buffer_limit: DEFAULT_OUTBOUND_BUFFER_LIMIT,
            inbound_buffer_limit: DEFAULT_INBOUND_BUFFER_LIMIT,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            message_timeout: Duration::ZERO,
            heartbeat_interval: Duration::ZERO,
            no_delay: true,
            verify_tls: true,
            trusted_certificates: Vec::new(),
            proxy_url: String::new(),
            tls_server_name: String::new(),
        }
    }
}

impl Config {
    /// The tungstenite configuration matching these limits.
    pub(crate) fn websocket_config(&self) -> tungstenite::protocol::WebSocketConfig {
        tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(READ_CHUNK)
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size))
    }
}

/// Bytes asked of the socket per read call. tungstenite allocates this much per
/// connection up front and zero-fills it before every read, so a larger chunk
/// costs idle connections memory and every poll time; 16 KiB keeps large
/// messages within 15% of 64 KiB's throughput.
const READ_CHUNK: usize = 16 * 1024;
