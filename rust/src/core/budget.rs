//! A server-wide budget for inbound data held in memory: messages tungstenite
//! is still assembling plus received messages not yet taken by the application.
//!
//! Every connection a server accepts carries a [`Tenant`] that charges the
//! shared [`Budget`] as bytes are read from its socket (one atomic add per
//! read chunk) and settles once per read round; the inbox releases what the
//! application takes. A read is not made while the budget is exhausted, so the
//! total stays bounded; the server owner then closes the peer holding the most
//! (see [`Server::over_budget`](super::Server::over_budget)), which frees its
//! buffers at once.
//!
//! What an owner of a [`Server`](super::Server) and its peers does (the Godot
//! server does exactly this; a multiplayer server over core does the same):
//!
//! ```text
//! server.poll(&mut accepted);               // caps and 503 refusals happen here
//! for peer in peers { peer.poll(); }        // also poll peers whose wants_poll() is true
//! // data kept after taking it from an inbox stays charged: Budget::hold, then release
//! if server.budget().is_exhausted() {
//!     let verdict = server.over_budget(peers.iter().map(|(id, p)| (*id, p.inbound_held())));
//!     if let Some(w) = verdict.warning { log(w) }          // once per burst
//!     for (id, reason) in verdict.close { peers[id].close_over_budget(&reason) }
//! }
//! // Closed peers report Event::Closed from a later poll, as any close does.
//! ```
//!
//! Accuracy: bytes of the next frame that arrived in the same read chunk as the
//! end of a message count as taken, so the count can be low by at most one read
//! chunk (16 KiB) per connection, which tungstenite holds for every connection
//! anyway. Fixed per-connection buffers are not counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Default of [`Budget`]'s limit: 256 MiB.
pub const DEFAULT_INBOUND_BUDGET: usize = 256 << 20;

/// Taken bytes are given back in batches of this size, or when their queue
/// empties: an atomic operation per message cost small messages a few percent
/// of their throughput, and the shared count lags by at most this much per queue.
pub(crate) const RELEASE_BATCH: usize = 64 * 1024;

#[derive(Debug)]
struct Ledger {
    /// Most bytes held; 0 means no limit.
    limit: usize,
    held: AtomicUsize,
    /// Connections with a live [`Tenant`].
    tenants: AtomicUsize,
}

/// The shared count of one server's held inbound bytes and open connections.
/// Cheap to clone; every clone is the same account.
#[derive(Debug, Clone)]
pub struct Budget(Arc<Ledger>);

impl Budget {
    /// A budget of `limit` bytes; 0 counts without limiting.
    pub fn new(limit: usize) -> Self {
        Self(Arc::new(Ledger {
            limit,
            held: AtomicUsize::new(0),
            tenants: AtomicUsize::new(0),
        }))
    }

    /// The limit in bytes, 0 for none.
    pub fn limit(&self) -> usize {
        self.0.limit
    }

    /// Bytes held now by all connections of this budget.
    pub fn held(&self) -> usize {
        self.0.held.load(Ordering::Relaxed)
    }

    /// Connections open on this budget (their [`Tenant`] is alive).
    pub fn open_connections(&self) -> usize {
        self.0.tenants.load(Ordering::Relaxed)
    }

    /// Why no further connection may open on this budget when `max_peers`
    /// (0: no limit) are open, if it may not.
    pub fn peers_full(&self, max_peers: usize) -> Option<String> {
        let open = self.open_connections();
        (max_peers != 0 && open >= max_peers)
            .then(|| format!("server full: {open} clients connected (max_peers {max_peers})"))
    }

    /// Whether no more may be read: the limit is reached.
    pub fn is_exhausted(&self) -> bool {
        self.0.limit != 0 && self.held() >= self.0.limit
    }

    /// A new connection's account.
    pub(crate) fn tenant(&self) -> Tenant {
        self.0.tenants.fetch_add(1, Ordering::Relaxed);
        Tenant {
            budget: self.clone(),
            unfinished: 0,
            charged: 0,
            moved: 0,
        }
    }

    fn charge(&self, bytes: usize) {
        self.0.held.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts `bytes` that an owner keeps after taking them out of an inbox,
    /// until it gives them back with [`Budget::release`]. The multiplayer
    /// server moves received packets into its own queue for SceneMultiplayer,
    /// which takes them later: without this, what waits there would be
    /// memory held outside the budget.
    pub(crate) fn hold(&self, bytes: usize) {
        if bytes > 0 {
            self.charge(bytes);
        }
    }

    /// Gives back `bytes` taken out of an inbox.
    pub(crate) fn release(&self, bytes: usize) {
        if bytes > 0 {
            self.0.held.fetch_sub(bytes, Ordering::Relaxed);
        }
    }
}

/// One connection's account with its server's [`Budget`]. It lives in the
/// connection's byte pipe; dropping it gives back the unfinished bytes it
/// holds and its place among the open connections.
#[derive(Debug)]
pub(crate) struct Tenant {
    budget: Budget,
    /// Bytes read from the socket that belong to no completed data message yet.
    unfinished: usize,
    /// The part of the ledger's count this tenant answers for.
    charged: usize,
    /// Bytes of completed messages handed to the inbox since the last settle.
    moved: usize,
}

impl Tenant {
    /// The budget this account is part of.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Whether a read may be made now.
    pub fn may_read(&self) -> bool {
        !self.budget.is_exhausted()
    }

    /// `bytes` were read from the socket.
    pub fn on_read(&mut self, bytes: usize) {
        if bytes > 0 {
            self.budget.charge(bytes);
            self.charged += bytes;
            self.unfinished += bytes;
        }
    }

    /// A data message of `payload` bytes completed and went to the inbox, which
    /// answers for it from now on; what else was read for it (frame headers)
    /// is gone.
    pub fn on_message(&mut self, payload: usize) {
        self.unfinished = 0;
        self.moved += payload;
    }

    /// A control frame of `frame_len` bytes was consumed; a message being
    /// assembled around it is still held.
    pub fn on_control_frame(&mut self, frame_len: usize) {
        self.unfinished = self.unfinished.saturating_sub(frame_len);
    }

    /// Bytes of messages not yet complete.
    pub fn unfinished(&self) -> usize {
        self.unfinished
    }

    /// Brings the shared count in line once per read round, so that messages
    /// cost no atomic operation of their own.
    pub fn settle(&mut self) {
        let target = self.unfinished + self.moved;
        if target > self.charged {
            self.budget.charge(target - self.charged);
        } else {
            self.budget.release(self.charged - target);
        }
        self.charged = self.unfinished;
        self.moved = 0;
    }

    /// The unfinished message was thrown away (the connection is being closed).
    pub fn discard_unfinished(&mut self) {
        self.unfinished = 0;
        self.settle();
    }
}

impl Drop for Tenant {
    fn drop(&mut self) {
        self.discard_unfinished();
        self.budget.0.tenants.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Which peers to close because the budget is exhausted, biggest first, until
/// what the others hold fits under `limit` again.
pub fn over_budget_victims<K>(
    limit: usize,
    held: usize,
    holders: impl IntoIterator<Item = (K, usize)>,
) -> Vec<(K, usize)> {
    let mut holders: Vec<(K, usize)> = holders.into_iter().filter(|(_, h)| *h > 0).collect();
    // Stable: among equal holders the first listed goes first.
    holders.sort_by_key(|h| std::cmp::Reverse(h.1));
    let mut left = held;
    let mut victims = Vec::new();
    for holder in holders {
        if limit == 0 || left < limit {
            break;
        }
        left = left.saturating_sub(holder.1);
        victims.push(holder);
    }
    victims
}

/// Sizes in a reason text: "60.0 MiB".
pub fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_bytes_move_to_the_inbox_and_come_back() {
        let budget = Budget::new(1000);
        let mut tenant = budget.tenant();
        assert_eq!(budget.open_connections(), 1);
        tenant.on_read(300);
        assert_eq!(budget.held(), 300);
        // Two 100-byte messages with 6-byte headers, and the start of a third.
        tenant.on_message(100);
        tenant.on_message(100);
        tenant.on_read(0);
        tenant.settle();
        assert_eq!(budget.held(), 200, "the inbox's two messages");
        tenant.on_read(500);
        tenant.settle();
        assert_eq!(budget.held(), 700);
        assert!(tenant.may_read());
        tenant.on_read(300);
        assert!(budget.is_exhausted());
        assert!(!tenant.may_read());
        budget.release(200);
        drop(tenant);
        assert_eq!(budget.held(), 0, "everything given back");
        assert_eq!(budget.open_connections(), 0);
    }

    #[test]
    fn control_frames_inside_a_fragmented_message_keep_it_counted() {
        let budget = Budget::new(0);
        let mut tenant = budget.tenant();
        tenant.on_read(10_000);
        tenant.on_control_frame(6);
        tenant.on_read(10_000);
        tenant.settle();
        assert_eq!(tenant.unfinished(), 19_994);
        assert_eq!(budget.held(), 19_994);
        assert!(!budget.is_exhausted(), "0 means no limit");
    }

    #[test]
    fn victims_until_the_rest_fits() {
        let holders = [(1, 10), (2, 60), (3, 40), (4, 0)];
        assert_eq!(over_budget_victims(100, 110, holders), vec![(2, 60)]);
        assert_eq!(
            over_budget_victims(100, 160, holders),
            vec![(2, 60), (3, 40)]
        );
        assert!(over_budget_victims(100, 99, holders).is_empty());
        assert!(over_budget_victims(0, 500, holders).is_empty());
    }
}
