//! The one error type of the core: a kind that callers can match on (and that
//! the Godot bindings map to an `Error` code) plus a human-readable reason.

use std::fmt;

/// What went wrong, coarse enough to map onto Godot's `Error` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An argument was rejected before anything happened (bad URL, close code, UTF-8 …).
    InvalidParameter,
    /// The operation needs an open connection and there is none.
    NotConnected,
    /// The operation is not possible in the current state (already connecting …).
    Busy,
    /// A buffer limit would be exceeded.
    BufferFull,
    /// The host name could not be resolved.
    CantResolve,
    /// The TCP connection could not be made (refused, unreachable, proxy failure).
    CantConnect,
    /// Something took longer than the configured time.
    Timeout,
    /// TLS failed: certificate, handshake or configuration.
    Tls,
    /// The peer broke the WebSocket or HTTP protocol.
    Protocol,
    /// A port or address is already in use.
    AlreadyInUse,
    /// No such peer.
    DoesNotExist,
    /// Any other I/O failure.
    Io,
}

/// An error with its kind and a reason meant for a person to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    reason: String,
}

impl Error {
    /// Creates an error of `kind` with a readable `reason`.
    pub fn new(kind: ErrorKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }

    /// The category of the error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The readable reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, reason)
    }

    /// Classifies an I/O error from a socket operation, prefixing `context`.
    pub(crate) fn from_io(context: &str, err: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let kind = match err.kind() {
            K::ConnectionRefused | K::ConnectionReset | K::ConnectionAborted | K::NotConnected => {
                ErrorKind::CantConnect
            }
            K::AddrInUse => ErrorKind::AlreadyInUse,
            K::TimedOut | K::WouldBlock => ErrorKind::Timeout,
            K::AddrNotAvailable | K::InvalidInput => ErrorKind::InvalidParameter,
            _ => ErrorKind::Io,
        };
        Self::new(kind, format!("{context}: {err}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for Error {}

/// Result with the core's error.
pub type Result<T> = std::result::Result<T, Error>;
