//! A FIFO whose waiting payload bytes can count against a server's inbound
//! [`Budget`]: the one bookkeeping that a peer's [`Inbox`](super::inbox::Inbox)
//! and a multiplayer [`PacketQueue`](super::multiplayer::PacketQueue) share.

use std::collections::VecDeque;

use super::budget::{Budget, RELEASE_BATCH};

/// What a queued item weighs against the budget.
pub trait Payload {
    /// Payload bytes held in memory.
    fn payload_len(&self) -> usize;
}

/// Items waiting oldest first, with a running byte count. With a budget, the
/// bytes stay charged while they wait; taken ones are given back in batches
/// of 64 KiB or when the queue empties, and the rest when the queue is
/// cleared, drained or dropped.
#[derive(Debug)]
pub struct BudgetedQueue<T: Payload> {
    queue: VecDeque<T>,
    bytes: usize,
    budget: Option<Budget>,
    /// Pushed bytes not yet charged (see [`BudgetedQueue::settle`]).
    uncharged: usize,
    /// Taken bytes not yet given back.
    unreleased: usize,
}

impl<T: Payload> Default for BudgetedQueue<T> {
    fn default() -> Self {
        Self {
            queue: VecDeque::new(),
            bytes: 0,
            budget: None,
            uncharged: 0,
            unreleased: 0,
        }
    }
}

impl<T: Payload> BudgetedQueue<T> {
    /// A queue whose items count against `budget` while they wait.
    pub(crate) fn with_budget(budget: Budget) -> Self {
        let mut queue = Self::default();
        queue.budget = Some(budget);
        queue
    }

    /// Appends an item whose bytes were already charged to the budget (a
    /// connection charges what it reads as it reads it).
    pub fn push(&mut self, item: T) {
        self.bytes += item.payload_len();
        self.queue.push_back(item);
    }

    /// Appends an item that is charged at the next [`BudgetedQueue::settle`].
    pub fn push_to_charge(&mut self, item: T) {
        if self.budget.is_some() {
            self.uncharged += item.payload_len();
        }
        self.push(item);
    }

    /// Charges what [`BudgetedQueue::push_to_charge`] added since the last
    /// call: once per batch of pushes rather than once per item.
    pub fn settle(&mut self) {
        if let Some(budget) = &self.budget {
            budget.hold(self.uncharged);
        }
        self.uncharged = 0;
    }

    /// Takes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        let item = self.queue.pop_front()?;
        self.bytes -= item.payload_len();
        self.unreleased += item.payload_len();
        if self.unreleased >= RELEASE_BATCH || self.queue.is_empty() {
            self.give_back();
        }
        Some(item)
    }

    /// The oldest item.
    pub fn front(&self) -> Option<&T> {
        self.queue.front()
    }

    /// The waiting items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.queue.iter()
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Payload bytes waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Keeps only the items `keep` accepts; the bytes of the others are given
    /// back at once.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let mut removed = 0;
        self.queue.retain(|item| {
            let kept = keep(item);
            if !kept {
                removed += item.payload_len();
            }
            kept
        });
        self.bytes -= removed;
        self.unreleased += removed;
        self.give_back();
    }

    /// Takes every waiting item at once.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.release_all();
        self.queue.drain(..)
    }

    /// Drops every waiting item.
    pub fn clear(&mut self) {
        self.release_all();
        self.queue.clear();
    }

    fn release_all(&mut self) {
        self.unreleased += std::mem::take(&mut self.bytes);
        self.give_back();
    }

    fn give_back(&mut self) {
        // Charge first: giving back bytes never charged would wrap the count.
        self.settle();
        if let Some(budget) = &self.budget {
            budget.release(self.unreleased);
        }
        self.unreleased = 0;
    }
}

impl<T: Payload> Drop for BudgetedQueue<T> {
    fn drop(&mut self) {
        self.release_all();
    }
}
