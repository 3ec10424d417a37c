//! A listening socket that accepts clients and completes their handshakes
//! without blocking; each finished handshake becomes a [`Peer`] with a new id.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tungstenite::protocol::Role;

use super::budget::{self, Budget, DEFAULT_INBOUND_BUDGET};
use super::config::Config;
use super::connection::Connection;
use super::error::{Error, ErrorKind, Result};
use super::handshake::{Progress, ServerHandshake, ServerSetup};
use super::peer::Peer;
use super::readiness::Poller;

/// Default of [`ServerConfig::max_peers`].
pub const DEFAULT_MAX_PEERS: usize = 4096;
/// Default of [`ServerConfig::max_pending_handshakes`].
pub const DEFAULT_MAX_PENDING_HANDSHAKES: usize = 256;
/// Default of [`ServerConfig::message_timeout`].
pub const DEFAULT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Server options. The defaults protect a public server (see each limit).
#[derive(Clone)]
pub struct ServerConfig {
    /// Subprotocols offered; a client asking only for others is refused.
    pub protocols: Vec<String>,
    /// Extra headers for the upgrade response, as `Name: value`.
    pub extra_headers: Vec<String>,
    /// TLS identity for `wss://`.
    pub tls: Option<native_tls::TlsAcceptor>,
    /// Options given to every accepted peer.
    pub peer: Config,
    /// Most inbound bytes all peers together may hold (messages being
    /// received plus received ones not yet taken); 0: no limit. See [`budget`].
    pub inbound_budget: usize,
    /// Most connected clients; more are answered HTTP 503. 0: no limit.
    pub max_peers: usize,
    /// Most handshakes in progress at once; more are answered HTTP 503. 0: no limit.
    pub max_pending_handshakes: usize,
    /// Given to every accepted peer as [`Config::message_timeout`].
    pub message_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            protocols: Vec::new(),
            extra_headers: Vec::new(),
            tls: None,
            peer: Config::default(),
            inbound_budget: DEFAULT_INBOUND_BUDGET,
            max_peers: DEFAULT_MAX_PEERS,
            max_pending_handshakes: DEFAULT_MAX_PENDING_HANDSHAKES,
            message_timeout: DEFAULT_MESSAGE_TIMEOUT,
        }
    }
}

/// Peers to close because the inbound budget is exhausted (from [`Server::over_budget`]).
#[derive(Debug, Default)]
pub struct OverBudget {
    /// Each peer to close with the reason to close it with, biggest holder first;
    /// pass the reason to [`Peer::close_over_budget`].
    pub close: Vec<(i32, String)>,
    /// A warning to log: set only for the first closes of a burst.
    pub warning: Option<String>,
}

struct Pending {
    handshake: ServerHandshake,
    deadline: Instant,
}

/// A handshake that completed during a poll.
pub struct Accepted {
    /// The new peer's id: positive, never 1, never reused by this server.
    pub id: i32,
    /// The open peer.
    pub peer: Peer,
}

/// Most connections accepted in one poll, so a flood cannot stall a frame.
const ACCEPTS_PER_POLL: usize = 256;
/// Most connections refused (accept, answer, close) in one poll; the rest wait
/// in the kernel's backlog, which drops what does not fit, so a flood costs
/// each poll a bounded number of system calls.
const REFUSALS_PER_POLL: usize = 64;
/// Most rejection reasons kept for [`Server::take_rejections`]; older ones are dropped.
const KEPT_REJECTIONS: usize = 64;

/// Which sockets have input, so that a poll of a server with many idle peers
/// costs one system call instead of one (or more) per peer.
struct Readiness {
    poller: Arc<Poller>,
    keys: Vec<u64>,
}

/// Poller key of the listening socket; peers use their id, which is never 0.
const LISTENER_KEY: u64 = 0;

/// A connection that never became a peer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// Why, as readable text.
    pub reason: String,
    /// The caps (`max_peers`, `max_pending_handshakes`) left no room for it:
    /// it was refused rather than failed, and counts in [`Server::refused_count`].
    pub over_capacity: bool,
}

/// A listening WebSocket server.
pub struct Server {
    listener: TcpListener,
    pending: Vec<Pending>,
    setup: ServerSetup,
    config: ServerConfig,
    next_id: i32,
    rejected: Vec<Rejection>,
    /// `None` where no level-triggered poller is available: then every socket counts as ready.
    readiness: Option<Readiness>,
    /// Peers whose sockets had input at the last poll, in no order.
    ready: Vec<i32>,
    all_ready: bool,
    /// A peer could not be registered with the poller, so readiness is incomplete.
    unwatched: bool,
    /// Inbound bytes and open connections of every peer this server accepted.
    budget: Budget,
    /// Connections refused by `max_peers` or `max_pending_handshakes`.
    refused: u64,
    /// The budget was exceeded and has not yet fallen back under half.
    in_burst: bool,
}

impl Server {
    /// Listens on `port` (0 picks a free one) at `bind_address` (`"*"` for all
    /// IPv6 and IPv4 addresses).
    pub fn listen(port: u16, bind_address: &str, config: ServerConfig) -> Result<Self> {
        let listener = super::listener::bind(port, bind_address)?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::from_io("could not make the listener non-blocking", &e))?;
        let extra_headers = config
            .extra_headers
            .iter()
            .map(|h| match h.split_once(':') {
                Some((n, v)) => Ok((n.trim().to_string(), v.trim().to_string())),
                None => Err(Error::invalid(format!(
                    "extra header \"{h}\" is not in the form \"Name: value\""
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        let budget = Budget::new(config.inbound_budget);
        let setup = ServerSetup {
            protocols: Rc::from(config.protocols.clone()),
            extra_headers: Rc::from(extra_headers),
            config: config.peer.websocket_config(),
            capacity: Some((budget.clone(), config.max_peers)),
        };
        let mut config = config;
        config.peer.message_timeout = config.message_timeout;
        let readiness = watch_listener(&listener);
        Ok(Self {
            listener,
            pending: Vec::new(),
            setup,
            config,
            next_id: 2,
            rejected: Vec::new(),
            all_ready: readiness.is_none(),
            readiness,
            ready: Vec::new(),
            unwatched: false,
            budget,
            refused: 0,
            in_burst: false,
        })
    }

    /// The inbound budget shared by this server's peers.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Connections refused so far because `max_peers` or
    /// `max_pending_handshakes` was reached.
    pub fn refused_count(&self) -> u64 {
        self.refused
    }

    /// Call after polling the peers, with every peer's id and
    /// [`Peer::inbound_held`] (only needed when [`Budget::is_exhausted`]):
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

    /// The peers that may have input since the last [`Server::poll`]: the ids of
    /// those whose sockets are readable, in ascending order, or `None` when that is not known and
    /// every peer has to be polled. A peer not listed only needs polling when its
    /// owner queued something for it or it has a close or heartbeat in progress.
    pub fn ready_peers(&self) -> Option<&[i32]> {
        (!self.all_ready).then_some(&self.ready[..])
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The id the next accepted client will get.
    pub fn next_id(&self) -> i32 {
        self.next_id
    }

    /// Continues the ids of an earlier server, so ids stay unique across a
    /// stop and a new listen of the same owner.
    pub fn continue_ids_from(&mut self, next_id: i32) {
        self.next_id = next_id.max(2);
    }

    /// Whether the server speaks `wss://`.
    pub fn is_tls(&self) -> bool {
        self.config.tls.is_some()
    }

    /// Replaces the TLS identity of a `wss://` server: handshakes that start
    /// from now on use `acceptor`; those under way and open connections keep
    /// the one they started with. A `ws://` server cannot become `wss://`.
    pub fn replace_tls(&mut self, acceptor: native_tls::TlsAcceptor) -> Result<()> {
        match &mut self.config.tls {
            Some(current) => {
                *current = acceptor;
                Ok(())
            }
            None => Err(Error::invalid(
                "the server listens for ws:// (no TLS); a TLS identity applies from the next listen()",
            )),
        }
    }

    /// Handshakes not yet finished.
    pub fn pending_handshakes(&self) -> usize {
        self.pending.len()
    }

    /// The connections refused or dropped during their handshake since the last call.
    pub fn take_rejections(&mut self) -> Vec<Rejection> {
        std::mem::take(&mut self.rejected)
    }

    /// Accepts new clients and advances handshakes; finished ones are appended to `accepted`.
    pub fn poll(&mut self, accepted: &mut Vec<Accepted>) {
        if self.in_burst && self.budget.held() < self.budget.limit() / 2 {
            self.in_burst = false;
        }
        let listener_ready = self.collect_ready();
        let mut refusals = 0;
        // A failed accept costs the kernel a socket allocation, so only try when one waits.
        for _ in 0..if listener_ready { ACCEPTS_PER_POLL } else { 0 } {
            if refusals == REFUSALS_PER_POLL {
                break;
            }
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(reason) = self.over_capacity() {
                        self.refuse(stream, &reason);
                        refusals += 1;
                        continue;
                    }
                    let deadline = Instant::now() + self.config.peer.handshake_timeout;
                    let progress = ServerHandshake::start(
                        stream,
                        self.config.peer.no_delay,
                        self.config.tls.as_ref(),
                        self.setup.clone(),
                    );
                    self.on_progress(progress, deadline, accepted);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Per-connection failures (reset before accept, fd limits) must not stop the server.
                Err(_) => break,
            }
        }
        let now = Instant::now();
        for pending in std::mem::take(&mut self.pending) {
            if now >= pending.deadline {
                let reason = format!(
                    "handshake not completed within {:.1} s",
                    self.config.peer.handshake_timeout.as_secs_f64()
                );
                self.reject(reason, false);
                continue;
            }
            let progress = pending.handshake.advance();
            self.on_progress(progress, pending.deadline, accepted);
        }
        // An owner that never takes the reasons must not grow them without bound.
        let excess = self.rejected.len().saturating_sub(KEPT_REJECTIONS);
        self.rejected.drain(..excess);
    }

    /// Why a new connection cannot be taken now, if it cannot.
    fn over_capacity(&self) -> Option<String> {
        let max_peers = self.config.max_peers;
        let open = self.budget.open_connections();
        if max_peers != 0 && open >= max_peers {
            return Some(format!(
                "server full: {open} clients connected (max_peers {max_peers})"
            ));
        }
        let max_pending = self.config.max_pending_handshakes;
        if max_pending != 0 && self.pending.len() >= max_pending {
            return Some(format!(
                "server busy: {} handshakes in progress (max_pending_handshakes {max_pending})",
                self.pending.len()
            ));
        }
        None
    }

    /// Answers a connection that the caps leave no room for and closes it,
    /// without reading its request: HTTP 503 on a plain server; a TLS server
    /// only closes, since an answer would need a TLS handshake first.
    fn refuse(&mut self, stream: TcpStream, reason: &str) {
        self.reject(format!("connection refused: {reason}"), true);
        if self.config.tls.is_some() || stream.set_nonblocking(true).is_err() {
            return;
        }
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: {}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{reason}",
            reason.len()
        );
        // A fresh socket takes a short answer whole; a client that cannot take it is not waited for.
        let _ = (&stream).write(answer.as_bytes());
        let _ = stream.shutdown(Shutdown::Write);
        // Closing with the request unread would make the kernel reset the connection,
        // which can destroy the answer before the client reads it; take what has arrived.
        let _ = (&stream).read(&mut [0u8; 4096]);
    }

    /// Keeps why a connection never became a peer; one the caps left no room
    /// for is counted as refused.
    fn reject(&mut self, reason: String, over_capacity: bool) {
        if over_capacity {
            self.refused += 1;
        }
        self.rejected.push(Rejection {
            reason,
            over_capacity,
        });
    }

    /// Asks the poller which sockets have input; returns whether the listener has.
    fn collect_ready(&mut self) -> bool {
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

    fn on_progress(
        &mut self,
        progress: Progress<ServerHandshake>,
        deadline: Instant,
        accepted: &mut Vec<Accepted>,
    ) {
        match progress {
            Progress::Pending(handshake) => self.pending.push(Pending {
                handshake,
                deadline,
            }),
            Progress::Failed(e) => {
                // Busy: the request completed when max_peers was already reached.
                self.reject(e.reason().to_string(), e.kind() == ErrorKind::Busy)
            }
            Progress::Done(mut ws, info) => {
                ws.get_mut().set_tenant(self.budget.tenant());
                let id = self.next_id;
                self.next_id = self.next_id.checked_add(1).unwrap_or(2);
                if let Some(readiness) = &self.readiness {
                    if ws
                        .get_mut()
                        .watch(readiness.poller.clone(), id as u64)
                        .is_err()
                    {
                        // Unwatched, this peer would never be reported ready.
                        self.unwatched = true;
                        self.all_ready = true;
                    }
                }
                let conn = Connection::new(*ws, Role::Server, self.config.peer.clone());
                let peer = Peer::accepted(conn, info, self.config.peer.clone());
                accepted.push(Accepted { id, peer });
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
fn watch_listener(listener: &TcpListener) -> Option<Readiness> {
    let poller = Poller::new().ok()?;
    poller.add(listener, LISTENER_KEY).ok()?;
    Some(Readiness {
        poller: Arc::new(poller),
        keys: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    #[test]
    fn uncollected_rejections_stay_bounded() {
        let mut server = Server::listen(0, "127.0.0.1", ServerConfig::default()).unwrap();
        for _ in 0..100 {
            let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
            s.write_all(b"not an upgrade request\r\n\r\n").unwrap();
        }
        let mut accepted = Vec::new();
        // The connections wait in the backlog with their bytes already sent.
        for _ in 0..200 {
            server.poll(&mut accepted);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(accepted.is_empty(), "garbage became a client");
        let kept = server.take_rejections();
        assert!(!kept.is_empty(), "rejections are reported");
        assert!(kept.len() <= 64, "{} reasons kept", kept.len());
    }

    const UPGRADE: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";

    /// Polls `server` until `done` holds (or fails after 5 s), keeping what it accepts.
    fn poll_until(
        server: &mut Server,
        accepted: &mut Vec<Accepted>,
        done: impl Fn(&Server) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !done(server) {
            assert!(Instant::now() < deadline, "timed out");
            server.poll(accepted);
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn refusals_at_the_caps_are_told_apart_from_failed_handshakes() {
        let config = ServerConfig {
            max_peers: 1,
            ..ServerConfig::default()
        };
        let mut server = Server::listen(0, "127.0.0.1", config).unwrap();
        let port = server.port();
        let mut accepted = Vec::new();
        // Two connections whose handshakes start while there is room for one.
        let mut first = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut second = TcpStream::connect(("127.0.0.1", port)).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.len() == 2);
        first.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.len() == 1);
        assert_eq!(accepted.len(), 1, "the first became a peer");
        // The second completes its request when the server is full.
        second.write_all(UPGRADE).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.pending.is_empty());
        // A third is refused at once, before its handshake starts.
        let _third = TcpStream::connect(("127.0.0.1", port)).unwrap();
        poll_until(&mut server, &mut accepted, |s| s.refused_count() == 2);
        // A fourth fails its handshake on its own account.
        accepted.clear();
        let mut fourth = TcpStream::connect(("127.0.0.1", port)).unwrap();
        fourth.write_all(b"not an upgrade request\r\n\r\n").unwrap();
        poll_until(&mut server, &mut accepted, |s| s.rejected.len() == 3);

        let rejections = server.take_rejections();
        let flags: Vec<bool> = rejections.iter().map(|r| r.over_capacity).collect();
        assert_eq!(flags, [true, true, false], "{rejections:?}");
        assert!(
            rejections[0].reason.contains("max_peers 1"),
            "{rejections:?}"
        );
        assert!(
            rejections[1].reason.starts_with("connection refused: "),
            "{rejections:?}"
        );
        assert_eq!(server.refused_count(), 2);
    }

    #[test]
    fn ids_continue_but_never_go_below_2() {
        let mut server = Server::listen(0, "127.0.0.1", ServerConfig::default()).unwrap();
        assert_eq!(server.next_id(), 2);
        server.continue_ids_from(40);
        assert_eq!(server.next_id(), 40);
        server.continue_ids_from(1);
        assert_eq!(server.next_id(), 2);
    }
}
