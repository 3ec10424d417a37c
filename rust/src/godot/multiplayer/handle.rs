//! A client's core `Peer` kept inside the `RustWebSocketPeer` that
//! `get_peer(id)` hands out, so scripts see the live connection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use godot::prelude::*;

use crate::core::multiplayer::PeerHandle;
use crate::core::Peer;
use crate::godot::peer::WebSocketPeer;

/// A `RustWebSocketPeer` and its wake flag, readable without binding it.
pub struct GdPeer {
    pub gd: Gd<WebSocketPeer>,
    wake: Arc<AtomicBool>,
}

impl GdPeer {
    /// Wraps a core peer in a new `RustWebSocketPeer`.
    pub fn new(peer: Peer) -> Self {
        let gd = Gd::from_init_fn(|base| WebSocketPeer::with_core(base, peer));
        let wake = gd.bind().wake_flag();
        Self { gd, wake }
    }
}

impl PeerHandle for GdPeer {
    fn with_peer<R>(&mut self, f: impl FnOnce(&mut Peer) -> R) -> R {
        f(&mut self.gd.bind_mut().core)
    }

    fn take_wake(&mut self) -> bool {
        self.wake.swap(false, Ordering::Relaxed)
    }
}
