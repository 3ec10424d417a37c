//! Who gets in: connections the caps (`max_peers`, `max_pending_handshakes`)
//! leave no room for are answered HTTP 503 and closed, and why a connection
//! never became a peer is kept for the owner.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

use super::Server;

/// Most rejection reasons kept for [`Server::take_rejections`]; older ones are dropped.
const KEPT_REJECTIONS: usize = 64;

/// A connection that never became a peer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Why, as readable text.
    pub reason: String,
    /// The caps (`max_peers`, `max_pending_handshakes`) left no room for it:
    /// it was refused rather than failed, and counts in [`Server::refused_count`].
    pub over_capacity: bool,
}

impl Server {
    /// Connections refused so far because `max_peers` or
    /// `max_pending_handshakes` was reached.
    pub fn refused_count(&self) -> u64 {
        self.refused
    }

    /// The connections refused or dropped during their handshake since the last call.
    pub fn take_rejections(&mut self) -> Vec<Rejection> {
        std::mem::take(&mut self.rejected)
    }

    /// Why a new connection cannot be taken now, if it cannot.
    pub(super) fn over_capacity(&self) -> Option<String> {
        if let Some(full) = self.budget.peers_full(self.config.max_peers) {
            return Some(full);
        }
        let max_pending = self.config.max_pending_handshakes;
        if max_pending != 0 && self.pending.len() >= max_pending {
            return Some(format!(
                "server busy: {} handshakes in progress (max_pending_handshakes {max_pending})",
                self.pending.len()
            ));
        }
        None
    }

    /// Answers a connection that the caps leave no room for and closes it,
    /// without reading its request: HTTP 503 on a plain server; a TLS server
    /// only closes, since an answer would need a TLS handshake first.
    pub(super) fn refuse(&mut self, stream: TcpStream, reason: &str) {
        self.reject(format!("connection refused: {reason}"), true);
        if self.config.tls.is_some() || stream.set_nonblocking(true).is_err() {
            return;
        }
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{reason}",
            reason.len()
        );
        // A fresh socket takes a short answer whole; a client that cannot take it is not waited for.
        let _ = (&stream).write(answer.as_bytes());
        let _ = stream.shutdown(Shutdown::Write);
        // Closing with the request unread would make the kernel reset the connection,
        // which can destroy the answer before the client reads it; take what has arrived.
        let _ = (&stream).read(&mut [0u8; 4096]);
    }

    /// Keeps why a connection never became a peer; one the caps left no room
    /// for is counted as refused.
    pub(super) fn reject(&mut self, reason: String, over_capacity: bool) {
        if over_capacity {
            self.refused += 1;
        }
        self.rejected.push(Rejection {
            reason,
            over_capacity,
        });
    }

    /// An owner that never takes the reasons must not grow them without bound.
    pub(super) fn forget_old_rejections(&mut self) {
        let excess = self.rejected.len().saturating_sub(KEPT_REJECTIONS);
        self.rejected.drain(..excess);
    }
}
