//! Messages received and not yet taken by the application.

use tungstenite::Bytes;

use super::budgeted_queue::{BudgetedQueue, Payload};

/// One received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The payload, shared with the receive buffer (no copy was made).
    pub data: Bytes,
    /// Whether it arrived as a text message.
    pub text: bool,
}

/// FIFO of received messages with a running byte count for backpressure.
/// On a server-side peer the bytes count against the server's budget until
/// taken: the connection charges them as it reads them, so messages are
/// appended with [`BudgetedQueue::push`].
pub type Inbox = BudgetedQueue<Packet>;

impl Payload for Packet {
    fn payload_len(&self) -> usize {
        self.data.len()
    }
}
