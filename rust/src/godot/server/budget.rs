//! The inbound budget of a server (`inbound_budget`): closing the clients
//! that the core's budget check picks when the budget is full.

use godot::prelude::*;

use super::WebSocketServer;

impl WebSocketServer {
    /// Closes the clients that core's budget check picks when the budget is full.
    pub(super) fn enforce_budget(&mut self) {
        let Some(server) = &mut self.server else {
            return;
        };
        if !server.budget().is_exhausted() {
            return;
        }
        let holders: Vec<(i32, usize)> = self
            .peers
            .iter()
            .map(|(id, peer)| (*id, peer.bind().core.inbound_held()))
            .collect();
        let verdict = server.over_budget(holders);
        if let Some(warning) = &verdict.warning {
            godot_warn!("RustWebSocketServer: {warning}");
        }
        for (id, reason) in &verdict.close {
            if let Some(peer) = self.peers.get_mut(id) {
                let mut p = peer.bind_mut();
                p.core.close_over_budget(reason);
                p.wake_server();
            }
        }
    }
}
