//! Received packets waiting for SceneMultiplayer, and where a sent one goes.

use std::collections::HashMap;

use tungstenite::Bytes;

use crate::core::budgeted_queue::{BudgetedQueue, Payload};

/// Packets received from peers, oldest first, each with its sender's id. The
/// payloads share the receive buffers: nothing is copied on the way in.
///
/// A server's queue keeps its packets charged to the server's inbound
/// [`Budget`](crate::core::budget::Budget) until they are taken, as the peers'
/// inboxes did before: what waits for SceneMultiplayer is memory strangers made
/// the server hold. Packets are appended with
/// [`BudgetedQueue::push_to_charge`] and charged at
/// [`BudgetedQueue::settle`].
pub type PacketQueue = BudgetedQueue<(i32, Bytes)>;

impl Payload for (i32, Bytes) {
    fn payload_len(&self) -> usize {
        self.1.len()
    }
}

impl PacketQueue {
    /// The sender of the oldest packet.
    pub fn front_peer(&self) -> Option<i32> {
        self.front().map(|(from, _)| *from)
    }

    /// Payload bytes waiting per sender (for choosing whom to close when the
    /// budget is full; not on the per-packet path).
    pub fn bytes_by_sender(&self) -> HashMap<i32, usize> {
        let mut by_sender = HashMap::new();
        for (from, data) in self.iter() {
            *by_sender.entry(*from).or_default() += data.len();
        }
        by_sender
    }

    /// Drops every packet from `from`.
    pub fn remove_from(&mut self, from: i32) {
        self.retain(|(f, _)| *f != from);
    }
}

/// The side of a multiplayer client or server that hands SceneMultiplayer
/// what arrived: both keep their received packets in one [`PacketQueue`].
pub trait ReceivedPackets {
    /// The queue of received packets.
    fn received(&self) -> &PacketQueue;

    /// The queue of received packets, for taking them.
    fn received_mut(&mut self) -> &mut PacketQueue;

    /// The sender of the oldest received packet (on a client, always the server).
    fn front_peer(&self) -> Option<i32> {
        self.received().front_peer()
    }

    /// Takes the oldest received packet with its sender.
    fn take_packet(&mut self) -> Option<(i32, Bytes)> {
        self.received_mut().pop()
    }

    /// Packets waiting.
    fn available_packets(&self) -> usize {
        self.received().len()
    }
}

/// Where a packet goes, from Godot's target peer number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `0`: every peer.
    All,
    /// `-id`: every peer but `id`.
    AllBut(i32),
    /// `id`: that peer only.
    One(i32),
}

impl Target {
    /// Reads Godot's target number: 0 broadcasts, a negative one excludes.
    pub fn from_godot(target: i32) -> Self {
        match target {
            0 => Self::All,
            // i32::MIN has no positive counterpart, so it excludes no real peer.
            t if t < 0 => Self::AllBut(t.checked_neg().unwrap_or(0)),
            t => Self::One(t),
        }
    }

    /// Whether a packet for this target goes to `peer`.
    pub fn includes(self, peer: i32) -> bool {
        match self {
            Self::All => true,
            Self::AllBut(excluded) => peer != excluded,
            Self::One(id) => peer == id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::budget::Budget;

    #[test]
    fn queue_is_fifo_and_names_the_front_sender() {
        let mut q = PacketQueue::default();
        assert_eq!(q.front_peer(), None);
        q.push_to_charge((5, Bytes::from_static(b"a")));
        q.push_to_charge((9, Bytes::from_static(b"b")));
        assert_eq!(q.len(), 2);
        assert_eq!(q.front_peer(), Some(5));
        assert_eq!(q.pop(), Some((5, Bytes::from_static(b"a"))));
        assert_eq!(q.front_peer(), Some(9));
        q.clear();
        assert!(q.is_empty());
    }

    #[test]
    fn waiting_packets_count_against_the_budget_until_taken() {
        let budget = Budget::new(1000);
        let mut q = PacketQueue::with_budget(budget.clone());
        q.push_to_charge((5, Bytes::from(vec![0; 300])));
        q.push_to_charge((9, Bytes::from(vec![0; 200])));
        q.push_to_charge((5, Bytes::from(vec![0; 100])));
        assert_eq!(budget.held(), 0, "charged at settle, not per packet");
        q.settle();
        assert_eq!(budget.held(), 600);
        assert_eq!(q.bytes(), 600);
        assert_eq!(q.bytes_by_sender(), HashMap::from([(5, 400), (9, 200)]));
        q.pop();
        assert_eq!(budget.held(), 600, "small takes are given back in batches");
        q.remove_from(5);
        assert_eq!(q.len(), 1);
        assert_eq!(
            budget.held(),
            200,
            "the sender's packets and the batch given back"
        );
        q.push_to_charge((9, Bytes::from(vec![0; 50])));
        q.pop();
        q.pop();
        assert!(q.is_empty());
        assert_eq!(
            budget.held(),
            0,
            "an empty queue holds nothing, settled or not"
        );
        q.push_to_charge((9, Bytes::from(vec![0; 70])));
        drop(q);
        assert_eq!(budget.held(), 0, "dropping gives everything back");
    }

    #[test]
    fn targets_follow_godot_numbers() {
        assert!(Target::from_godot(0).includes(1234));
        let but = Target::from_godot(-7);
        assert_eq!(but, Target::AllBut(7));
        assert!(!but.includes(7) && but.includes(8));
        let one = Target::from_godot(7);
        assert!(one.includes(7) && !one.includes(8));
        assert!(Target::from_godot(i32::MIN).includes(5));
    }
}
