//! Received packets waiting for SceneMultiplayer, and where a sent one goes.

use std::collections::VecDeque;

use tungstenite::Bytes;

/// Packets received from peers, oldest first, each with its sender's id. The
/// payloads share the receive buffers: nothing is copied on the way in.
#[derive(Debug, Default)]
pub struct PacketQueue {
    queue: VecDeque<(i32, Bytes)>,
}

impl PacketQueue {
    /// Appends a packet from `from`.
    pub fn push(&mut self, from: i32, data: Bytes) {
        self.queue.push_back((from, data));
    }

    /// Takes the oldest packet.
    pub fn pop(&mut self) -> Option<(i32, Bytes)> {
        self.queue.pop_front()
    }

    /// The sender of the oldest packet.
    pub fn front_peer(&self) -> Option<i32> {
        self.queue.front().map(|(from, _)| *from)
    }

    /// Packets waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Drops every packet.
    pub fn clear(&mut self) {
        self.queue.clear();
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

    #[test]
    fn queue_is_fifo_and_names_the_front_sender() {
        let mut q = PacketQueue::default();
        assert_eq!(q.front_peer(), None);
        q.push(5, Bytes::from_static(b"a"));
        q.push(9, Bytes::from_static(b"b"));
        assert_eq!(q.len(), 2);
        assert_eq!(q.front_peer(), Some(5));
        assert_eq!(q.pop(), Some((5, Bytes::from_static(b"a"))));
        assert_eq!(q.front_peer(), Some(9));
        q.clear();
        assert!(q.is_empty());
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
