//! Which peers to close when the inbound budget shared by a server's peers is
//! full, and the one warning per burst of such closes.

use super::Server;
use crate::core::budget;

/// Peers to close because the inbound budget is exhausted (from [`Server::over_budget`]).
#[derive(Debug, Default)]
pub struct OverBudget {
    /// Each peer to close with the reason to close it with, biggest holder first;
    /// pass the reason to [`Peer::close_over_budget`](crate::core::peer::Peer::close_over_budget).
    pub close: Vec<(i32, String)>,
    /// A warning to log: set only for the first closes of a burst.
    pub warning: Option<String>,
}

impl Server {
    /// Call after polling the peers, with every peer's id and
    /// [`Peer::inbound_held`](crate::core::peer::Peer::inbound_held) (only needed when [`Budget::is_exhausted`](crate::core::budget::Budget::is_exhausted)):
    /// which peers to close so that the rest fits under the budget, biggest
    /// holder first. A warning is returned once per burst: a burst ends when
    /// the held bytes fall under half the budget.
    pub fn over_budget(&mut self, holders: impl IntoIterator<Item = (i32, usize)>) -> OverBudget {
        let limit = self.budget.limit();
        let victims = budget::over_budget_victims(limit, self.budget.held(), holders);
        let close: Vec<(i32, String)> = victims
            .iter()
            .map(|(id, held)| {
                let reason = format!(
                    "server inbound budget ({}) is full; this client held {}",
                    budget::mib(limit),
                    budget::mib(*held)
                );
                (*id, reason)
            })
            .collect();
        let mut warning = None;
        if !close.is_empty() && !self.in_burst {
            self.in_burst = true;
            let ids: Vec<String> = victims
                .iter()
                .map(|(id, h)| format!("{id} ({})", budget::mib(*h)))
                .collect();
            warning = Some(format!(
                "inbound budget of {} exceeded ({} held): closing the clients holding the most with 1009: {}; \
                 further closes are not logged until less than half is held",
                budget::mib(limit),
                budget::mib(self.budget.held()),
                ids.join(", ")
            ));
        }
        OverBudget { close, warning }
    }

    /// A burst of closes ends once less than half the budget is held.
    pub(super) fn end_burst_when_under_half(&mut self) {
        if self.in_burst && self.budget.held() < self.budget.limit() / 2 {
            self.in_burst = false;
        }
    }
}
