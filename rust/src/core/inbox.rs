//! Messages received and not yet taken by the application.

use std::collections::VecDeque;

use tungstenite::Bytes;

use super::budget::{Budget, RELEASE_BATCH};

/// One received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The payload, shared with the receive buffer (no copy was made).
    pub data: Bytes,
    /// Whether it arrived as a text message.
    pub text: bool,
}

/// FIFO of received messages with a running byte count for backpressure.
/// On a server-side peer the bytes count against the server's budget until taken.
#[derive(Debug, Default)]
pub struct Inbox {
    queue: VecDeque<Packet>,
    bytes: usize,
    budget: Option<Budget>,
    /// Bytes taken but not yet given back to the budget (see `pop`).
    unreleased: usize,
}

impl Inbox {
    /// An inbox whose messages the connection charged to `budget` when it
    /// read them; taking one gives its bytes back.
    pub(crate) fn with_budget(budget: Budget) -> Self {
        Self {
            queue: VecDeque::new(),
            bytes: 0,
            budget: Some(budget),
            unreleased: 0,
        }
    }

    /// Appends a received message.
    pub fn push(&mut self, packet: Packet) {
        self.bytes += packet.data.len();
        self.queue.push_back(packet);
    }

    /// Takes the oldest message.
    pub fn pop(&mut self) -> Option<Packet> {
        let packet = self.queue.pop_front()?;
        self.bytes -= packet.data.len();
        if let Some(budget) = &self.budget {
            self.unreleased += packet.data.len();
            if self.unreleased >= RELEASE_BATCH || self.queue.is_empty() {
                budget.release(std::mem::take(&mut self.unreleased));
            }
        }
        Some(packet)
    }

    /// Number of messages waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Payload bytes waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Takes every waiting message at once.
    pub fn drain(&mut self) -> impl Iterator<Item = Packet> + '_ {
        self.release_all();
        self.queue.drain(..)
    }

    /// Drops every waiting message.
    pub fn clear(&mut self) {
        self.release_all();
        self.queue.clear();
    }

    fn release_all(&mut self) {
        if let Some(budget) = &self.budget {
            budget.release(self.bytes + std::mem::take(&mut self.unreleased));
        }
        self.bytes = 0;
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.release_all();
    }
}
