//! What a connection reports to its owner from `poll()`.

/// Something that happened during a poll, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The handshake completed; the agreed subprotocol, or empty.
    Connected {
        /// The subprotocol.
        protocol: String,
    },
    /// The connection could not be made; it is closed now.
    ConnectFailed {
        /// Why.
        reason: String,
    },
    /// One message arrived and is readable.
    Message,
    /// The remote side started the close handshake.
    CloseRequested {
        /// Close code it sent.
        code: u16,
        /// Close reason it sent.
        reason: String,
    },
    /// The connection is closed; sent once per connection that opened.
    Closed {
        /// Whether close frames went both ways.
        clean: bool,
    },
}
