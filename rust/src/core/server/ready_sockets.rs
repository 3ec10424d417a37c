//! Which sockets have input, asked of one poller per server, so that a poll of
//! a server with many idle peers costs one system call instead of one (or
//! more) per peer.

use std::net::TcpListener;
use std::sync::Arc;

use super::Server;
use crate::core::readiness::Poller;
use crate::core::transport::Duplex;

/// The poller and the buffer its answers are read into.
pub(super) struct Readiness {
    poller: Arc<Poller>,
    keys: Vec<u64>,
}

/// Poller key of the listening socket; peers use their id, which is never 0.
const LISTENER_KEY: u64 = 0;

impl Server {
    /// The peers that may have input since the last [`Server::poll`]: the ids of
    /// those whose sockets are readable, in ascending order, or `None` when that is not known and
    /// every peer has to be polled. A peer not listed only needs polling when its
    /// owner queued something for it or it has a close or heartbeat in progress.
    pub fn ready_peers(&self) -> Option<&[i32]> {
        (!self.all_ready).then_some(&self.ready[..])
    }

    /// Asks the poller which sockets have input; returns whether the listener has.
    pub(super) fn collect_ready(&mut self) -> bool {
        self.ready.clear();
        let Some(readiness) = &mut self.readiness else {
            return true;
        };
        readiness.keys.clear();
        // Sockets beyond one call's list wait in the kernel; poll everyone rather than miss them.
        let complete = readiness.poller.ready(&mut readiness.keys).unwrap_or(false);
        let mut listener_ready = false;
        for &key in &readiness.keys {
            match key {
                LISTENER_KEY => listener_ready = true,
                key => self.ready.push(key as i32),
            }
        }
        // Sorted, so owners can look ids up by binary search.
        self.ready.sort_unstable();
        self.all_ready = self.unwatched || !complete;
        listener_ready || self.all_ready
    }

    /// Registers an accepted peer's socket under its id.
    pub(super) fn watch(&mut self, duplex: &mut Duplex, id: i32) {
        if let Some(readiness) = &self.readiness {
            if duplex.watch(readiness.poller.clone(), id as u64).is_err() {
                // Unwatched, this peer would never be reported ready.
                self.unwatched = true;
                self.all_ready = true;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(readiness) = &self.readiness {
            readiness.poller.delete(&self.listener);
        }
    }
}

/// A poller watching `listener`, if the platform has one; `Server`'s `Drop`
/// deletes the registration before the listener closes.
pub(super) fn watch_listener(listener: &TcpListener) -> Option<Readiness> {
    let poller = Poller::new().ok()?;
    poller.add(listener, LISTENER_KEY).ok()?;
    Some(Readiness {
        poller: Arc::new(poller),
        keys: Vec::new(),
    })
}
