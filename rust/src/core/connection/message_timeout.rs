//! `message_timeout`: a message must arrive whole within it from its first
//! byte, so a client cannot hold a server's memory by trickling one in.
//! `message_started` is set when a message's first bytes are read and
//! cleared when it completes or the read state is dropped.

use std::time::Instant;

use super::{Connection, Phase};

impl Connection {
    /// Closes with 1008 a connection whose current message has been arriving
    /// for longer than `message_timeout`; returns whether it did.
    pub(super) fn message_timed_out(&mut self, now: Instant) -> bool {
        let timeout = self.config.message_timeout;
        if self.phase == Phase::Open
            && !timeout.is_zero()
            && self
                .message_started
                .is_some_and(|t| now.duration_since(t) >= timeout)
        {
            self.close_for_limit(
                1008,
                &format!(
                    "message not received completely within {:.1} s (message_timeout)",
                    timeout.as_secs_f64()
                ),
            );
            return true;
        }
        false
    }
}
