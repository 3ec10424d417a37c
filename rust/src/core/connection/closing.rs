//! Ending a connection: the close handshake and its deadline, failing with
//! or without a close frame, and lingering after a failure so that the
//! remote side reads our close frame before the socket goes away.

use std::io::{self, Read};
use std::time::Instant;

use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::frame::CloseFrame;
use tungstenite::WebSocket;

use super::{Connection, Phase};
use crate::core::close::{CloseStatus, MAX_CLOSE_REASON};
use crate::core::transport::Duplex;

/// Closing a socket that still has unread input makes the kernel send a reset,
/// and the remote side may then never see the close frame that says why we
/// failed. So after a failure the write side is shut first and whatever the
/// remote still sends is read and dropped until it hangs up (or the deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Linger {
    Off,
    /// Shut the write side once the close frame is written.
    AfterFlush,
    /// Write side shut; dropping input until end of stream.
    Discarding,
}

/// Most bytes dropped per poll while lingering, so one poll stays short.
const LINGER_READ_PER_POLL: usize = 1 << 20;

impl Connection {
    /// Starts the close handshake. Does nothing once closing has begun.
    pub fn close(&mut self, code: u16, reason: &str) {
        if self.phase != Phase::Open {
            return;
        }
        self.we_closed = true;
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.into(),
        };
        // Errors surface on the next poll, which handles the socket state.
        let _ = self.ws.close(Some(frame));
        self.enter(Phase::Closing);
    }

    /// Drops the socket at once, without a close handshake.
    pub fn abort(&mut self, reason: &str) {
        if self.phase == Phase::Closed {
            return;
        }
        self.failure.get_or_insert((-1, reason.to_string()));
        self.shut(false);
    }

    /// Closes with `code` and `reason` because of the server's limits, and
    /// frees the message being received at once rather than when the close
    /// handshake ends, so the memory it held is available to the others now.
    pub fn close_for_limit(&mut self, code: u16, reason: &str) {
        if self.phase == Phase::Closed {
            return;
        }
        self.fail_with_close(code, reason);
        self.drop_read_state();
    }

    /// Ends a close handshake or a drain that outlived its deadline
    /// (`handshake_timeout`); returns whether it did.
    pub(super) fn close_deadline_passed(&mut self, now: Instant) -> bool {
        if let Some(deadline) = self.deadline {
            if now >= deadline {
                match self.phase {
                    Phase::Closing => {
                        let clean = self.we_closed && self.remote_close.is_some();
                        if !clean {
                            self.failure.get_or_insert((
                                -1,
                                format!(
                                    "the close handshake did not finish within {:.1} s",
                                    self.config.handshake_timeout.as_secs_f64()
                                ),
                            ));
                        }
                        self.shut(clean);
                    }
                    Phase::Draining => self.shut(self.status_clean()),
                    _ => {}
                }
                return true;
            }
        }
        false
    }

    pub(super) fn discard_input(&mut self) {
        let mut buf = [0u8; 16 * 1024];
        let mut dropped = 0;
        while dropped < LINGER_READ_PER_POLL {
            match self.ws.get_mut().socket_mut().read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // End of stream or a dead socket: the remote side is gone.
                Ok(0) | Err(_) => {
                    self.shut(self.status_clean());
                    return;
                }
                Ok(n) => dropped += n,
            }
        }
    }

    pub(super) fn enter(&mut self, phase: Phase) {
        self.phase = phase;
        self.deadline = Some(Instant::now() + self.config.handshake_timeout);
    }

    pub(super) fn status_clean(&self) -> bool {
        self.failure.is_none() && self.remote_close.is_some()
    }

    /// Both sides are done: write what is left, then close the socket.
    pub(super) fn finish(&mut self, clean: bool) {
        if !clean {
            self.failure
                .get_or_insert((-1, "the connection closed without a close handshake".into()));
        }
        if self.ws.get_ref().pending_out() == 0 {
            self.shut(clean);
        } else {
            self.enter(Phase::Draining);
        }
    }

    /// The remote side broke the protocol: tell it why, then close.
    pub(super) fn fail_with_close(&mut self, code: u16, reason: &str) {
        let reason = truncate_utf8(reason, MAX_CLOSE_REASON);
        self.failure = Some((code as i32, reason.to_string()));
        if self.phase == Phase::Open {
            let frame = CloseFrame {
                code: CloseCode::from(code),
                reason: reason.into(),
            };
            let _ = self.ws.close(Some(frame));
            self.linger = Linger::AfterFlush;
        }
        self.enter(Phase::Draining);
    }

    /// tungstenite keeps a half-received message until its context is dropped,
    /// so the pipe moves into a fresh context; what was queued to send stays.
    pub(super) fn drop_read_state(&mut self) {
        // Moves a close frame tungstenite holds into the pipe's outgoing buffer.
        let _ = self.ws.flush();
        let config = *self.ws.get_config();
        let mut duplex = std::mem::replace(self.ws.get_mut(), Duplex::detached());
        if let Some(tenant) = duplex.tenant_mut() {
            tenant.discard_unfinished();
        }
        self.ws = WebSocket::from_raw_socket(duplex, self.role, Some(config));
        self.message_started = None;
    }

    /// The socket failed: nothing more can be sent.
    pub(super) fn fail_silently(&mut self, reason: &str) {
        self.failure.get_or_insert((-1, reason.to_string()));
        self.shut(false);
    }

    pub(super) fn shut(&mut self, clean: bool) {
        self.ws.get_mut().socket_mut().shutdown();
        self.status = Some(if clean {
            let (code, reason) = self.remote_close.clone().unwrap_or((1005, String::new()));
            CloseStatus {
                code: code as i32,
                reason,
                clean: true,
            }
        } else {
            match &self.failure {
                Some((code, reason)) if *code > 0 => CloseStatus {
                    code: *code,
                    reason: reason.clone(),
                    clean: false,
                },
                _ => CloseStatus::unclean(),
            }
        });
        self.phase = Phase::Closed;
        self.deadline = None;
    }
}

fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
